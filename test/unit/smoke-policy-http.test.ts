// Every per-check rule against real servers on 127.0.0.1, through the real HTTP client: timeouts,
// what is retried, latency series, load, HTTPS with a certificate made here, Host routing, and
// stopping the checks from outside. Bounds on time are generous: they check fail-fast behaviour,
// not speed.

import { describe, expect, test } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  loadCheckFiles,
  parseSmokeChecks,
  runSmokeChecks,
  type RunSmokeOptions,
  type SmokeCheck
} from '../../src/smoke/index.js'
import { json, later, realClock, selfSignedCert, serve, serveTls } from './http-servers.js'

function checks(yaml: string): SmokeCheck[] {
  return parseSmokeChecks({ checksYaml: yaml, smokePath: '', expectStatus: '' })
}

function run(
  base: string,
  list: SmokeCheck[] | string,
  deadlineInMs: number,
  extra: Partial<RunSmokeOptions> = {}
) {
  return runSmokeChecks(base, typeof list === 'string' ? checks(list) : list, {
    clock: realClock,
    deadlineMs: Date.now() + deadlineInMs,
    backoff: { initialMs: 50, maxMs: 200 },
    ...extra
  })
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

describe('timeout, retry and what is retried', () => {
  test('a slow endpoint: fails with the default timeout, passes with its own', async () => {
    const srv = await serve((_req, res) => setTimeout(() => res.end('late'), 600))
    const [short] = await run(srv.base, '- path: /slow', 1500, { requestTimeoutMs: 300 })
    expect(short.passed).toBe(false)
    expect(short.reason).toMatch(/^no response within \d+ ms$/)
    const [own] = await run(srv.base, '- {path: /slow, timeout: 3s}', 5000, {
      requestTimeoutMs: 300
    })
    expect(own.passed).toBe(true)
    expect(own.attempts.at(-1)?.latencyMs).toBeGreaterThanOrEqual(590)
  })

  test('404 forever: fails at once after another check passed, and alone after the grace', async () => {
    const srv = await serve((req, res) =>
      req.url === '/healthz' ? json(res, 200, { ok: true }) : json(res, 404, { error: 'not found' })
    )
    const t0 = Date.now()
    const [health, typo] = await run(srv.base, '- path: /healthz\n- path: /helthz', 20_000)
    expect(health.passed).toBe(true)
    expect(typo.attempts).toHaveLength(1)
    expect(typo.reason).toBe('expected status 2xx, got 404; response body: {"error":"not found"}')
    expect(srv.hits.filter(h => h === 'GET /helthz')).toHaveLength(1)
    expect(Date.now() - t0).toBeLessThan(5000)

    const t1 = Date.now()
    const [alone] = await run(srv.base, '- path: /helthz', 20_000, { mismatchGraceMs: 600 })
    expect(alone.passed).toBe(false)
    expect(alone.attempts.length).toBeGreaterThan(1)
    expect(alone.notes[0]).toMatch(/^not retried: the service has answered wrongly for/)
    expect(Date.now() - t1).toBeLessThan(5000)
  })

  test('a POST answered 500 is sent once; with retries it is sent again', async () => {
    let orders = 0
    const srv = await serve((req, res) => {
      req.resume()
      req.on('end', () => {
        orders++
        json(res, 500, { error: 'database unavailable' })
      })
    })
    const [r] = await run(srv.base, '- {path: /orders, method: POST, body: {item: 1}}', 5000)
    expect(orders).toBe(1)
    expect(r.passed).toBe(false)
    expect(r.reason).toBe(
      'expected status 2xx, got 500; response body: {"error":"database unavailable"}'
    )
    const [again] = await run(
      srv.base,
      '- {path: /orders, method: POST, body: x, retries: 2}',
      5000
    )
    expect(orders).toBe(4)
    expect(again.attempts).toHaveLength(3)
  })
})

describe('latency', () => {
  test('a sampled series: p50/p95/max of real requests, judged by max-p95-ms', async () => {
    let n = 0
    const srv = await serve((_req, res) => {
      n++
      // the passing attempt, then 19 fast samples and one slow one
      setTimeout(() => res.end('ok'), n === 21 ? 120 : 5)
    })
    const [r] = await run(srv.base, '- {path: /, samples: 20, max-p95-ms: 100}', 5000)
    expect(srv.hits).toHaveLength(21)
    expect(r.passed).toBe(true)
    expect(r.samples?.series).toHaveLength(20)
    expect(r.samples?.latency.max).toBeGreaterThanOrEqual(119)
    expect(r.samples?.latency.p50).toBeGreaterThanOrEqual(4)
    expect(r.samples?.latency.p95).toBeLessThan(100)

    n = 0
    const [slow] = await run(srv.base, '- {path: /, samples: 20, max-p99-ms: 100}', 5000)
    expect(slow.passed).toBe(false)
    expect(slow.reason).toMatch(/^p99 \d+(\.\d)? ms over max-p99-ms 100 \(over 20 samples\)$/)
  })

  test('max-latency-ms judges the attempt that passed', async () => {
    const srv = await serve((_req, res) => setTimeout(() => res.end('ok'), 150))
    const [r] = await run(srv.base, '- {path: /, max-latency-ms: 50}', 3000)
    expect(srv.hits).toHaveLength(1)
    expect(r.passed).toBe(false)
    expect(r.reason).toMatch(
      /^took \d+(\.\d)? ms, over max-latency-ms 50 \(judged on the attempt that passed\)$/
    )
  })
})

describe('load', () => {
  test('requests at a concurrency: all judged, never more in flight than asked', async () => {
    let inFlight = 0
    let maxInFlight = 0
    const srv = await serve((_req, res) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      setTimeout(() => {
        inFlight--
        json(res, 200, { ok: true })
      }, 3)
    })
    const [r] = await run(
      srv.base,
      '- {path: /, expect-json: {ok: true}, load: {requests: 300, concurrency: 8}}',
      5000
    )
    expect(r.passed).toBe(true)
    expect(srv.hits).toHaveLength(301)
    expect(maxInFlight).toBeLessThanOrEqual(8)
    expect(maxInFlight).toBeGreaterThan(1)
    expect(r.load).toMatchObject({
      concurrency: 8,
      requests: 300,
      succeeded: 300,
      failed: 0,
      successRate: 100,
      errors: {}
    })
    expect(r.load!.requestsPerSecond).toBeGreaterThan(0)
    expect(r.load!.latency.p50).toBeGreaterThanOrEqual(2.5)
    expect(r.load!.series.reduce((a, s) => a + s.requests, 0)).toBe(300)
  })

  test('a service failing 5 % of requests fails min-success-rate 99, passes 95', async () => {
    let n = 0
    const srv = await serve((_req, res) => {
      n++
      if (n % 20 === 0) json(res, 500, { error: 'flaky' })
      else json(res, 200, { ok: true })
    })
    // the check's own attempt is request 1; the 400 load requests are 2–401: 20 of them fail.
    const [r] = await run(srv.base, '- {path: /, load: {requests: 400, concurrency: 4}}', 5000)
    expect(r.passed).toBe(false)
    expect(r.load).toMatchObject({ requests: 400, failed: 20, successRate: 95 })
    expect(r.load!.errors).toEqual({ 'status 500': 20 })
    expect(r.reason).toBe(
      'success rate 95 % (380 of 400) under min-success-rate 99 %; errors: status 500 × 20'
    )
    n = 0
    const [ok] = await run(
      srv.base,
      '- {path: /, load: {requests: 400, concurrency: 4}, min-success-rate: 95}',
      5000
    )
    expect(ok.passed).toBe(true)
  })

  test('duration and rate bound the load', async () => {
    const srv = await serve((_req, res) => setTimeout(() => res.end('ok'), 10))
    const t0 = Date.now()
    const [byTime] = await run(srv.base, '- {path: /, load: {duration: 1s, concurrency: 2}}', 5000)
    const took = Date.now() - t0
    expect(byTime.passed).toBe(true)
    expect(took).toBeGreaterThanOrEqual(1000)
    expect(took).toBeLessThan(4000)
    expect(byTime.load!.requests).toBeGreaterThan(20)

    const [paced] = await run(
      srv.base,
      '- {path: /, load: {duration: 1s, rate: 20, concurrency: 4}}',
      5000
    )
    expect(paced.load!.rate).toBe(20)
    expect(paced.load!.requests).toBeGreaterThanOrEqual(18)
    expect(paced.load!.requests).toBeLessThanOrEqual(20)
  })

  test('max-p95-ms over the load', async () => {
    const srv = await serve((_req, res) => setTimeout(() => res.end('ok'), 40))
    const [r] = await run(
      srv.base,
      '- {path: /, load: {requests: 40, concurrency: 4}, max-p95-ms: 10}',
      5000
    )
    expect(r.passed).toBe(false)
    expect(r.reason).toMatch(/^p95 \d+(\.\d)? ms over max-p95-ms 10$/)
    // What it was judged against, and when it started (after the attempt that passed).
    expect(r.load!.thresholds).toEqual({ maxP95Ms: 10 })
    expect(Date.parse(r.load!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(r.attempts[0].at))
    expect(r.load!.percentiles!.map(p => p.p)).toEqual([50, 75, 90, 95, 99, 99.9, 100])
  })
})

describe('HTTPS and Host', () => {
  test('self-signed: refused without its CA (not retried), accepted with ca or insecure', async () => {
    const cert = selfSignedCert()
    const srv = await serveTls(cert, (_req, res) => res.end('secure'))
    const [unverified] = await run(srv.base, '- {path: /, scheme: https}', 5000)
    expect(unverified.passed).toBe(false)
    expect(unverified.attempts).toHaveLength(1)
    expect(unverified.reason).toMatch(
      /^TLS: the certificate is self-signed \(.*\); give the check its 'ca', or 'insecure: true'$/
    )

    const [insecure] = await run(
      srv.base,
      '- {path: /, scheme: https, insecure: true, expect-body-contains: secure}',
      5000
    )
    expect(insecure.passed).toBe(true)
    expect(insecure.url).toBe(`https://127.0.0.1:${srv.port}/`)

    const workspace = mkdtempSync(join(tmpdir(), 'smoke-ws-'))
    try {
      writeFileSync(join(workspace, 'ca.pem'), cert.cert)
      const withCa = loadCheckFiles(
        checks(
          '- {path: /, scheme: https, ca: ca.pem}\n- {path: /, scheme: https, ca: ca.pem, host: app.test}'
        ),
        workspace
      )
      const [byIp, byName] = await run(srv.base, withCa, 5000)
      expect(byIp.passed).toBe(true)
      expect(byName.passed).toBe(true)
      expect(srv.servernames).toContain('app.test')
    } finally {
      rmSync(workspace, { recursive: true, force: true })
    }
  })

  test('a host the certificate does not name is refused', async () => {
    const cert = selfSignedCert()
    const srv = await serveTls(cert, (_req, res) => res.end('secure'))
    const workspace = mkdtempSync(join(tmpdir(), 'smoke-ws-'))
    try {
      writeFileSync(join(workspace, 'ca.pem'), cert.cert)
      const list = loadCheckFiles(
        checks('- {path: /, scheme: https, ca: ca.pem, host: other.test}'),
        workspace
      )
      const [r] = await run(srv.base, list, 5000)
      expect(r.passed).toBe(false)
      expect(r.attempts).toHaveLength(1)
      expect(r.reason).toMatch(/^TLS: the certificate does not name this host/)
      expect(srv.servernames).toEqual(['other.test'])
    } finally {
      rmSync(workspace, { recursive: true, force: true })
    }
  })

  test('Host-based routing: each check reaches its virtual host', async () => {
    const srv = await serve((req, res) => {
      const host = req.headers.host
      if (host === 'a.test') res.end('site a')
      else if (host === 'b.test:8080') res.end('site b')
      else json(res, 404, { error: `no site ${host}` })
    })
    const results = await run(
      srv.base,
      `
- {path: /, host: a.test, expect-body-contains: site a}
- {path: /, host: "b.test:8080", expect-body-contains: site b}
- {path: /, expect-status: 404}`,
      5000
    )
    expect(results.map(r => r.passed)).toEqual([true, true, true])
  })

  test('a ca outside the workspace or not PEM is a one-line input error', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'smoke-ws-'))
    try {
      writeFileSync(join(workspace, 'notes.txt'), 'hello')
      expect(() =>
        loadCheckFiles(checks('- {path: /, scheme: https, ca: ../../etc/passwd}'), workspace)
      ).toThrow(
        `input 'smoke-checks' check 1: 'ca' must be a file inside the workspace, got "../../etc/passwd"`
      )
      expect(() =>
        loadCheckFiles(checks('- path: /\n- {path: /, scheme: https, ca: notes.txt}'), workspace)
      ).toThrow(
        `input 'smoke-checks' check 2: 'ca' must be a PEM file with at least one "-----BEGIN CERTIFICATE-----" block, got "notes.txt"`
      )
      expect(() =>
        loadCheckFiles(checks('- {path: /, scheme: https, ca: missing.pem}'), workspace)
      ).toThrow("'ca' must be a file inside the workspace: it does not exist")
    } finally {
      rmSync(workspace, { recursive: true, force: true })
    }
  })
})

describe('stopping the checks', () => {
  test('the request in flight is aborted; the check fails with the reason; the rest are not run', async () => {
    let closed = false
    const srv = await serve((req, res) => {
      if (req.url === '/hang') {
        res.on('close', () => (closed = true))
        return // never answers
      }
      res.end('ok')
    })
    const stop = new AbortController()
    later(300, () => stop.abort(new Error('pod web-7f9 restarted: container app exited 137')))
    const t0 = Date.now()
    const results = await run(srv.base, '- {path: /hang, timeout: 30s}\n- path: /next', 60_000, {
      signal: stop.signal
    })
    expect(Date.now() - t0).toBeLessThan(3000)
    const [hang, next] = results
    expect(hang.passed).toBe(false)
    expect(hang.reason).toBe('pod web-7f9 restarted: container app exited 137')
    expect(hang.attempts.at(-1)?.error).toBe(
      'stopped: pod web-7f9 restarted: container app exited 137'
    )
    expect(next).toMatchObject({
      notRun: true,
      reason: 'not run: pod web-7f9 restarted: container app exited 137'
    })
    expect(srv.hits.filter(h => h === 'GET /next')).toHaveLength(0)
    for (let i = 0; i < 250 && !closed; i++) await sleep(20) // the socket closes soon; a busy machine is slow
    expect(closed).toBe(true)
  })

  test('a wait between attempts ends at once, and a load stops', async () => {
    const srv = await serve((req, res) =>
      req.url === '/busy' ? json(res, 503, { busy: true }) : setTimeout(() => res.end('ok'), 5)
    )
    const stop = new AbortController()
    later(600, () => stop.abort('job cancelled'))
    const t0 = Date.now()
    const [busy] = await runSmokeChecks(srv.base, checks('- path: /busy'), {
      clock: realClock,
      deadlineMs: Date.now() + 60_000,
      backoff: { initialMs: 2000, maxMs: 2000 },
      signal: stop.signal
    })
    expect(Date.now() - t0).toBeLessThan(1500)
    expect(busy.reason).toBe('job cancelled')

    const halt = new AbortController()
    later(500, () => halt.abort(new Error('pod restarted')))
    const [loaded] = await run(
      srv.base,
      '- {path: /, load: {duration: 20s, concurrency: 2}}',
      5000,
      {
        signal: halt.signal
      }
    )
    expect(loaded.passed).toBe(false)
    expect(loaded.reason).toBe('pod restarted')
    expect(loaded.load?.stopped).toBe('pod restarted')
    expect(loaded.load!.requests).toBeGreaterThan(0)
    expect(loaded.durationMs).toBeLessThan(3000)
  })
})
