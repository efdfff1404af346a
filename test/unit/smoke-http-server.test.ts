// Real HTTP: the engine with Node's fetch against small servers on 127.0.0.1 (ephemeral ports).
// Nothing here contacts any other address.

import { afterAll, describe, expect, test } from '@jest/globals'
import type { AddressInfo } from 'node:net'
import {
  createHttpClient,
  parseSmokeChecks,
  runSmokeChecks,
  type SmokeCheck
} from '../../src/smoke/index.js'
import { freePort, json, later, realClock, serve, type Running } from './http-servers.js'

function checks(yaml: string): SmokeCheck[] {
  return parseSmokeChecks({ checksYaml: yaml, smokePath: '', expectStatus: '' })
}

function run(
  base: string,
  yaml: string,
  deadlineInMs: number,
  extra: { requestTimeoutMs?: number; refused?: { probeTimeoutMs: number } } = {}
) {
  return runSmokeChecks(base, checks(yaml), {
    clock: realClock,
    deadlineMs: Date.now() + deadlineInMs,
    backoff: { initialMs: 50, maxMs: 200 },
    ...extra
  })
}

describe('smoke checks against a real local HTTP server', () => {
  test('a service that is not listening yet: refused, retried, then passes', async () => {
    const port = await freePort()
    const started = new Promise<Running>(resolve => {
      later(400, () => resolve(serve((_req, res) => res.end('up'), port)))
    })
    const [r] = await run(`http://127.0.0.1:${port}`, '- {path: /, expect-body-contains: up}', 3000)
    await started
    expect(r.passed).toBe(true)
    expect(r.attempts[0].error).toBe('connection refused')
    expect(r.attempts[0].status).toBeUndefined()
    expect(r.attempts.length).toBeGreaterThanOrEqual(2)
    expect(r.attempts[r.attempts.length - 1].status).toBe(200)
  })

  test('500 during warm-up, then 200', async () => {
    let n = 0
    const srv = await serve((_req, res) => {
      n++
      if (n <= 2) {
        res.writeHead(500)
        res.end('Internal Server Error')
      } else json(res, 200, { city: 'Chicago', temp: 21 })
    })
    const [r] = await run(srv.base, '- {path: "/?msg=Chicago", expect-json: {city: Chicago}}', 3000)
    expect(r.passed).toBe(true)
    expect(r.attempts.map(a => a.status)).toEqual([500, 500, 200])
    expect(r.attempts[0].reason).toBe('expected status 2xx, got 500')
    expect(srv.hits).toEqual(['GET /?msg=Chicago', 'GET /?msg=Chicago', 'GET /?msg=Chicago'])
  })

  test('wrong JSON keeps failing: fails at the deadline with the last response in the reason', async () => {
    const srv = await serve((_req, res) => json(res, 200, { city: 'Boston', temp: 3 }))
    const t0 = Date.now()
    const [r] = await run(srv.base, '- {path: /weather, expect-json: {city: Chicago}}', 1200)
    const took = Date.now() - t0
    expect(r.passed).toBe(false)
    expect(r.attempts.length).toBeGreaterThan(2)
    expect(r.reason).toBe(
      'expect-json "city": expected "Chicago", got "Boston"; response body: {"city":"Boston","temp":3}'
    )
    expect(r.lastResponse).toMatchObject({ status: 200, contentType: 'application/json' })
    expect(took).toBeGreaterThanOrEqual(900)
    expect(took).toBeLessThan(2500)
  })

  test('a redirect to another host is not followed, and reported', async () => {
    const trap = await serve((_req, res) => res.end('you should not be here'))
    const srv = await serve((_req, res) => {
      res.writeHead(302, { location: `${trap.base}/elsewhere` })
      res.end()
    })
    const [r] = await run(srv.base, '- path: /', 2000)
    expect(trap.hits).toEqual([])
    expect(srv.hits).toEqual(['GET /'])
    expect(r.passed).toBe(false)
    expect(r.attempts).toHaveLength(1)
    expect(r.attempts[0].status).toBe(302)
    expect(r.reason).toBe(
      `redirect 302 to ${trap.base}/elsewhere (another host) not followed: only the service URL ${srv.base} is contacted`
    )
  })

  test('same-host redirects are followed, at most 5 hops', async () => {
    const srv = await serve((req, res) => {
      if (req.url === '/old') {
        res.writeHead(301, { location: '/mid' })
        res.end()
      } else if (req.url === '/mid') {
        res.writeHead(302, {
          location: `http://127.0.0.1:${(srv.server.address() as AddressInfo).port}/new`
        })
        res.end()
      } else if (req.url === '/loop') {
        res.writeHead(307, { location: '/loop' })
        res.end()
      } else res.end('arrived')
    })
    const [followed, loop] = await run(
      srv.base,
      '- {path: /old, expect-body-contains: arrived}\n- path: /loop',
      150,
      { requestTimeoutMs: 1500 }
    )
    expect(followed.passed).toBe(true)
    expect(followed.attempts[0].redirects).toEqual([`${srv.base}/mid`, `${srv.base}/new`])
    expect(loop.passed).toBe(false)
    expect(loop.reason).toBe(`more than 5 redirects (the last one to ${srv.base}/loop)`)
    expect(srv.hits.filter(h => h === 'GET /loop')).toHaveLength(6 * loop.attempts.length)
  })

  test('a huge body is read only up to the cap, and the truncation is stated', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x')
    const srv = await serve((_req, res) => {
      let sent = 0
      res.writeHead(200, { 'content-type': 'text/plain' })
      const pump = (): void => {
        while (sent < 8 * 1024 * 1024) {
          sent += chunk.length
          if (!res.write(chunk)) {
            res.once('drain', pump)
            return
          }
        }
        res.end('END')
      }
      res.on('error', () => undefined)
      pump()
    })
    const [whole, prefix] = await run(
      srv.base,
      '- {path: /big, expect-body-contains: END}\n- {path: /big, expect-body-regex: "^x+$"}',
      1000
    )
    expect(whole.passed).toBe(false)
    expect(whole.attempts[0]).toMatchObject({
      status: 200,
      bodyBytes: 1024 * 1024,
      truncated: true
    })
    expect(whole.reason).toContain(
      'body does not contain "END"; only the first 1048576 bytes of the body were read; response body: xxxx'
    )
    expect(whole.lastResponse?.truncated).toBe(true)
    expect(whole.lastResponse?.body.length).toBeLessThanOrEqual(2049)
    expect(whole.notes).toEqual([
      'response body larger than 1048576 bytes: only the first 1048576 bytes were read'
    ])
    expect(prefix.passed).toBe(true)
    expect(prefix.notes).toHaveLength(1)
  })

  test('a server that never answers: the request timeout is reported', async () => {
    await serve(() => undefined).then(async srv => {
      const [r] = await run(srv.base, '- path: /hang', 700, {
        requestTimeoutMs: 300,
        refused: { probeTimeoutMs: Infinity } // not the first-answer probe: tested with fakes
      })
      expect(r.passed).toBe(false)
      expect(r.attempts[0].error).toBe('no response within 300 ms')
      expect(r.attempts[0].latencyMs).toBeGreaterThanOrEqual(250)
      expect(r.reason).toMatch(/^no response within \d+ ms$/)
    })
  })

  test('a body that stalls after the headers: the timeout covers the body read too', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('partial')
    })
    const [r] = await run(srv.base, '- path: /stall', 500, { requestTimeoutMs: 300 })
    expect(r.passed).toBe(false)
    expect(r.attempts[0].error).toBe('body not complete within 300 ms (status 200)')
  })

  test('a connection closed without a response is retried', async () => {
    let n = 0
    const srv = await serve((req, res) => {
      if (++n === 1) req.socket.destroy()
      else res.end('ok')
    })
    const [r] = await run(srv.base, '- path: /', 2000)
    expect(r.passed).toBe(true)
    expect(r.attempts[0].error).toMatch(
      /^connection (closed by the server before a full response|reset)$/
    )
  })
})

describe('createHttpClient', () => {
  const client = createHttpClient()
  afterAll(() => client.close?.())

  test('returns the redirect itself, with headers, and a POST body arrives', async () => {
    let received = ''
    const srv = await serve((req, res) => {
      req.setEncoding('utf8')
      req.on('data', (c: string) => (received += c))
      req.on('end', () => {
        res.writeHead(303, { location: '/next', 'x-test': 'yes' })
        res.end('see other')
      })
    })
    const res = await client.request({
      url: `${srv.base}/post`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
      timeoutMs: 2000,
      maxBodyBytes: 4
    })
    expect(received).toBe('{"a":1}')
    expect(res).toMatchObject({
      status: 303,
      body: 'see ',
      bodyBytes: 4,
      truncated: true,
      headers: expect.objectContaining({ location: '/next', 'x-test': 'yes' })
    })
  })

  test('a body exactly at the cap is not truncated; HEAD has no body', async () => {
    const srv = await serve((_req, res) => res.end('abcd'))
    const req = { url: srv.base, headers: {}, timeoutMs: 2000, maxBodyBytes: 4 }
    expect(await client.request({ ...req, method: 'GET' })).toMatchObject({
      body: 'abcd',
      truncated: false
    })
    expect(await client.request({ ...req, method: 'HEAD' })).toMatchObject({
      status: 200,
      body: '',
      bodyBytes: 0,
      truncated: false
    })
  })
})
