import { describe, expect, test } from '@jest/globals'
import {
  HttpRequestError,
  checkUrl,
  parseSmokeChecks,
  runSmokeChecks,
  type SmokeCheck
} from '../../src/smoke/index.js'
import { FakeClock, ScriptedHttp, T0, response } from './smoke-fakes.js'

const BASE = 'http://127.0.0.1:30080'

function checks(yaml: string): SmokeCheck[] {
  return parseSmokeChecks({ checksYaml: yaml, smokePath: '', expectStatus: '' })
}
const refused = () => new HttpRequestError('connection refused', true, 'ECONNREFUSED')
const reset = () => new HttpRequestError('connection reset', true, 'ECONNRESET')
/** For tests about other rules: no short probe timeout for a service that has not answered yet. */
const NO_PROBE = { probeTimeoutMs: Infinity }

describe('retry and backoff (fake clock)', () => {
  test('reset twice, 503, then 200: waits 250, 500, 1000 ms; every attempt recorded', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(
      clock,
      [reset(), reset(), response(503, 'warming'), response(200, 'ok')],
      10
    )
    const lines: string[] = []
    const [r] = await runSmokeChecks(BASE, checks('- path: /health'), {
      clock,
      http,
      deadlineMs: T0 + 30_000,
      log: l => lines.push(l)
    })
    expect(clock.sleeps).toEqual([250, 500, 1000])
    expect(r.passed).toBe(true)
    expect(r.reason).toBeUndefined()
    expect(r.check).toBe('GET /health')
    expect(r.url).toBe('http://127.0.0.1:30080/health')
    expect(r.attempts).toEqual([
      {
        n: 1,
        at: new Date(T0).toISOString(),
        elapsedMs: 0,
        latencyMs: 10,
        error: 'connection reset',
        passed: false,
        reason: 'connection reset'
      },
      {
        n: 2,
        at: new Date(T0 + 260).toISOString(),
        elapsedMs: 260,
        latencyMs: 10,
        error: 'connection reset',
        passed: false,
        reason: 'connection reset'
      },
      {
        n: 3,
        at: new Date(T0 + 770).toISOString(),
        elapsedMs: 770,
        latencyMs: 10,
        status: 503,
        bodyBytes: 7,
        passed: false,
        reason: 'expected status 2xx, got 503'
      },
      {
        n: 4,
        at: new Date(T0 + 1780).toISOString(),
        elapsedMs: 1780,
        latencyMs: 10,
        status: 200,
        bodyBytes: 2,
        passed: true
      }
    ])
    expect(r.durationMs).toBe(1790)
    expect(r.lastResponse).toEqual({
      status: 200,
      url: 'http://127.0.0.1:30080/health',
      body: 'ok',
      bodyBytes: 2,
      truncated: false
    })
    expect(lines).toEqual([
      'GET /health: attempt 1: connection reset; retrying in 250 ms',
      'GET /health: attempt 2: connection reset; retrying in 500 ms',
      'GET /health: attempt 3: expected status 2xx, got 503; retrying in 1.0 s',
      'GET /health: passed (200 in 10 ms, attempt 4)'
    ])
  })

  test('waits double up to the 2 s cap and stop before the deadline', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [reset()])
    const [r] = await runSmokeChecks(BASE, checks('- path: /'), {
      clock,
      http,
      deadlineMs: T0 + 10_000
    })
    expect(clock.sleeps).toEqual([250, 500, 1000, 2000, 2000, 2000, 2000])
    expect(r.attempts).toHaveLength(8)
    expect(r.passed).toBe(false)
    expect(r.reason).toBe('connection reset')
    // No wait ends later than 250 ms (the last attempt's window) before the deadline.
    expect(clock.now()).toBe(T0 + 9750)
  })

  test('the last wait is cut so it never runs past the deadline', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [reset()], 0)
    await runSmokeChecks(BASE, checks('- path: /'), {
      clock,
      http,
      deadlineMs: T0 + 3000,
      refused: NO_PROBE
    })
    expect(clock.sleeps).toEqual([250, 500, 1000, 1000])
    let t = T0
    for (const s of clock.sleeps) {
      t += s
      expect(t).toBeLessThanOrEqual(T0 + 3000 - 250)
    }
    // Request timeouts shrink to the time left, never beyond the deadline.
    expect(http.requests.map(q => q.timeoutMs)).toEqual([3000, 2750, 2250, 1250, 250])
  })

  test('refused at first (kube-proxy not caught up): retried every 100 ms, logged once, backoff not grown', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(
      clock,
      [refused(), refused(), refused(), refused(), response(503, 'warming'), response(200, 'ok')],
      2
    )
    const lines: string[] = []
    const [r] = await runSmokeChecks(BASE, checks('- path: /health'), {
      clock,
      http,
      deadlineMs: T0 + 30_000,
      log: l => lines.push(l)
    })
    // Four refusals: 100 ms each; the 503 then gets the first backoff wait, 250 ms.
    expect(clock.sleeps).toEqual([100, 100, 100, 100, 250])
    // Until the service answers, the first attempt and each one right after a refusal wait at
    // most 250 ms for an answer; after the 503 it has answered, so the full timeout again.
    expect(http.requests.map(q => q.timeoutMs)).toEqual([250, 250, 250, 250, 250, 5000])
    expect(r.passed).toBe(true)
    expect(r.attempts.map(a => [a.elapsedMs, a.error ?? a.status])).toEqual([
      [0, 'connection refused'],
      [102, 'connection refused'],
      [204, 'connection refused'],
      [306, 'connection refused'],
      [408, 503],
      [660, 200]
    ])
    expect(lines).toEqual([
      'GET /health: attempt 1: connection refused; retrying every 100 ms while refused (up to 5.0 s into the check)',
      'GET /health: attempt 5: expected status 2xx, got 503; retrying in 250 ms',
      'GET /health: passed (200 in 2 ms, attempt 6)'
    ])
  })

  test('refusals after the first 5 s of a check back off like any failure', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [refused()], 0)
    const lines: string[] = []
    const [r] = await runSmokeChecks(BASE, checks('- path: /'), {
      clock,
      http,
      deadlineMs: T0 + 10_000,
      log: l => lines.push(l)
    })
    expect(clock.sleeps).toEqual([...Array<number>(50).fill(100), 250, 500, 1000, 2000, 1000])
    expect(r.attempts).toHaveLength(56)
    expect(r.passed).toBe(false)
    expect(r.reason).toBe('connection refused')
    expect(lines[0]).toBe(
      'GET /: attempt 1: connection refused; retrying every 100 ms while refused (up to 5.0 s into the check)'
    )
    expect(lines.slice(1)).toEqual([
      'GET /: attempt 51: connection refused; retrying in 250 ms',
      'GET /: attempt 52: connection refused; retrying in 500 ms',
      'GET /: attempt 53: connection refused; retrying in 1.0 s',
      'GET /: attempt 54: connection refused; retrying in 2.0 s',
      'GET /: attempt 55: connection refused; retrying in 1.0 s',
      'GET /: failed after 56 attempts: connection refused'
    ])
  })

  // kube-proxy commits its filter and nat tables one after the other: a connection made in between
  // is neither refused nor forwarded, and kube-proxy's placeholder socket on the port accepts it
  // and never answers.
  const swallowed = (req: { timeoutMs: number }, clock: FakeClock) => {
    clock.t += req.timeoutMs
    return new HttpRequestError(`no response within ${req.timeoutMs} ms`)
  }

  test('a first attempt swallowed by the switch-over costs 250 ms, not the request timeout', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [req => swallowed(req, clock), response(200)])
    const lines: string[] = []
    const [r] = await runSmokeChecks(BASE, checks('- path: /'), {
      clock,
      http,
      deadlineMs: T0 + 60_000,
      log: l => lines.push(l)
    })
    expect(r.passed).toBe(true)
    expect(http.requests.map(q => q.timeoutMs)).toEqual([250, 5000])
    expect(clock.sleeps).toEqual([])
    expect(r.attempts.map(a => [a.elapsedMs, a.error ?? a.status])).toEqual([
      [0, 'no response within 250 ms'],
      [250, 200]
    ])
    expect(lines[0]).toBe('GET /: attempt 1: no response within 250 ms; retrying at once')
  })

  test('so is one swallowed right after a refusal', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [refused(), req => swallowed(req, clock), response(200)])
    const [r] = await runSmokeChecks(BASE, checks('- path: /'), {
      clock,
      http,
      deadlineMs: T0 + 60_000
    })
    expect(r.passed).toBe(true)
    expect(http.requests.map(q => q.timeoutMs)).toEqual([250, 250, 5000])
    expect(clock.sleeps).toEqual([100])
    expect(r.attempts.map(a => [a.elapsedMs, a.error ?? a.status])).toEqual([
      [0, 'connection refused'],
      [100, 'no response within 250 ms'],
      [350, 200]
    ])
  })

  test('a merely slow service loses one attempt: the probe times out, the next waits in full', async () => {
    const clock = new FakeClock()
    const slow = (req: { timeoutMs: number }) => {
      if (req.timeoutMs < 1500) return swallowed(req, clock)
      clock.t += 1500
      return response(200, 'late but fine')
    }
    const [r] = await runSmokeChecks(BASE, checks('- path: /'), {
      clock,
      http: new ScriptedHttp(clock, [slow]),
      deadlineMs: T0 + 60_000
    })
    expect(r.passed).toBe(true)
    expect(r.attempts.map(a => [a.elapsedMs, a.latencyMs, a.error ?? a.status])).toEqual([
      [0, 250, 'no response within 250 ms'],
      [250, 1500, 200]
    ])
  })

  test('once the service has answered, later checks get the full timeout from the start', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [
      req => {
        if (req.url.endsWith('/b')) clock.t += 1500
        return response(200)
      }
    ])
    const results = await runSmokeChecks(BASE, checks('- path: /a\n- path: /b'), {
      clock,
      http,
      deadlineMs: T0 + 60_000
    })
    expect(results.map(r => r.passed)).toEqual([true, true])
    expect(http.requests.map(q => q.timeoutMs)).toEqual([250, 5000])
  })

  test('a POST after a refusal keeps the full timeout; once it may have been served it is not sent again', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [refused(), req => swallowed(req, clock), response(200)])
    const lines: string[] = []
    const [r] = await runSmokeChecks(BASE, checks('- {path: /, method: POST, body: x}'), {
      clock,
      http,
      deadlineMs: T0 + 60_000,
      log: l => lines.push(l)
    })
    // The refusal never reached the service: sent again. The hung one may have been served.
    expect(http.requests.map(q => q.timeoutMs)).toEqual([5000, 5000])
    expect(r.passed).toBe(false)
    expect(r.reason).toBe('no response within 5000 ms')
    expect(lines.at(-1)).toBe(
      "POST /: failed, not retried (POST is not idempotent and the request may have reached the service (set 'retries' or 'retry-on' to retry it)): no response within 5000 ms"
    )
    expect(r.notes).toEqual([
      "not retried: POST is not idempotent and the request may have reached the service (set 'retries' or 'retry-on' to retry it)"
    ])
  })

  test('a POST with retries asked for is sent again after a hung attempt', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [refused(), req => swallowed(req, clock), response(200)])
    const [r] = await runSmokeChecks(
      BASE,
      checks('- {path: /, method: POST, body: x, retries: 2}'),
      { clock, http, deadlineMs: T0 + 60_000 }
    )
    expect(r.passed).toBe(true)
    expect(http.requests.map(q => q.timeoutMs)).toEqual([5000, 5000, 5000])
    expect(clock.sleeps).toEqual([100, 250])
  })

  test('the refused interval and window are part of the backoff options', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [refused(), refused(), refused(), response(200)], 0)
    await runSmokeChecks(BASE, checks('- path: /'), {
      clock,
      http,
      deadlineMs: T0 + 10_000,
      refused: { intervalMs: 40, windowMs: 50 }
    })
    // t=0 and t=40 are inside the 50 ms window; at t=80 the normal backoff (250) applies.
    expect(clock.sleeps).toEqual([40, 40, 250])
  })

  test('custom backoff, slow requests: deadline counted from the clock, not from sleeps', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [new HttpRequestError('no response within 400 ms')], 400)
    const [r] = await runSmokeChecks(BASE, checks('- path: /'), {
      clock,
      http,
      deadlineMs: T0 + 2000,
      requestTimeoutMs: 400,
      backoff: { initialMs: 100, factor: 3, maxMs: 500 },
      refused: NO_PROBE
    })
    // t=400 → wait 100, t=900 → wait 300, t=1600 → 400 left, wait ≤ 400-250=150, t=2150 stop
    expect(clock.sleeps).toEqual([100, 300, 150])
    expect(r.attempts.map(a => a.elapsedMs)).toEqual([0, 500, 1200, 1750])
    expect(http.requests.map(q => q.timeoutMs)).toEqual([400, 400, 400, 250])
  })

  test('a wrong body after 200 is retried until the deadline and reported with the last response', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [
      response(200, '{"city":"Boston"}', { 'content-type': 'application/json' }),
      response(200, '{"city":"Denver"}', { 'content-type': 'application/json' })
    ])
    const [r] = await runSmokeChecks(BASE, checks('- {path: /, expect-json: {city: Chicago}}'), {
      clock,
      http,
      deadlineMs: T0 + 1000
    })
    expect(r.passed).toBe(false)
    expect(r.attempts.length).toBeGreaterThan(1)
    expect(r.reason).toBe(
      'expect-json "city": expected "Chicago", got "Denver"; response body: {"city":"Denver"}'
    )
    expect(r.lastResponse?.contentType).toBe('application/json')
  })

  test('max-latency-ms is judged on the attempt that passed, not on the best of many', async () => {
    const clock = new FakeClock()
    let latency = 900
    const http = new ScriptedHttp(clock, [
      () => {
        clock.t += latency
        latency = 50
        return response(200)
      }
    ])
    const lines: string[] = []
    const [r] = await runSmokeChecks(BASE, checks('- {path: /, max-latency-ms: 100}'), {
      clock,
      http,
      deadlineMs: T0 + 5000,
      log: l => lines.push(l)
    })
    expect(http.requests).toHaveLength(1)
    expect(r.passed).toBe(false)
    expect(r.reason).toBe(
      'took 900 ms, over max-latency-ms 100 (judged on the attempt that passed)'
    )
    expect(r.attempts.map(a => [a.latencyMs, a.passed, a.reason])).toEqual([
      [900, false, 'took 900 ms, over max-latency-ms 100 (judged on the attempt that passed)']
    ])
    expect(lines.at(-1)).toBe(
      'GET /: failed: took 900 ms, over max-latency-ms 100 (judged on the attempt that passed)'
    )
  })

  test('a failure the client refuses outright is not retried', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [
      new HttpRequestError('request refused by the HTTP client', false)
    ])
    const [r] = await runSmokeChecks(BASE, checks('- path: /'), {
      clock,
      http,
      deadlineMs: T0 + 9000
    })
    expect(r.attempts).toHaveLength(1)
    expect(clock.sleeps).toEqual([])
  })

  test('checks run in order, sharing the deadline; a late check still gets one full attempt', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [
      req => {
        if (!req.url.endsWith('/a')) return response(200, 'fine')
        clock.t += 400
        return new HttpRequestError('no response within 400 ms')
      }
    ])
    const results = await runSmokeChecks(BASE, checks('- path: /a\n- {path: /b, name: second}'), {
      clock,
      http,
      deadlineMs: T0 + 1000,
      requestTimeoutMs: 3000,
      refused: NO_PROBE
    })
    expect(results.map(r => [r.check, r.passed, r.attempts.length])).toEqual([
      ['GET /a', false, 2],
      ['second (GET /b)', true, 1]
    ])
    expect(results[1].name).toBe('second')
    expect(results[1].notes).toEqual(['started after smoke-timeout had run out: one attempt only'])
    const last = http.requests[http.requests.length - 1]
    expect(last.url).toBe('http://127.0.0.1:30080/b')
    expect(last.timeoutMs).toBe(3000)
  })

  test('the expectations are listed for the report', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [response(200, '{"a":{"b":1}}')])
    const [r] = await runSmokeChecks(
      BASE,
      checks(
        `- {path: /, expect-status: 2xx, expect-body-contains: a, expect-body-regex: "b", expect-json: {a.b: 1}, max-latency-ms: 50}`
      ),
      { clock, http, deadlineMs: T0 + 1000 }
    )
    expect(r.expected).toEqual([
      'status 2xx',
      'body contains "a"',
      'body matches /b/',
      'JSON a.b matches 1',
      'latency ≤ 50 ms'
    ])
    expect(r.passed).toBe(true)
  })
})

describe('requests and redirects (fake HTTP)', () => {
  test('method, headers and body are sent; the URL is the service URL plus the path', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [response(201)])
    await runSmokeChecks(
      `${BASE}/app/`,
      checks(
        '- {path: "/items?x=1", method: POST, headers: {X-A: b}, body: {n: 1}, expect-status: 201}'
      ),
      { clock, http, deadlineMs: T0 + 1000, maxBodyBytes: 99 }
    )
    expect(http.requests).toEqual([
      {
        url: 'http://127.0.0.1:30080/app/items?x=1',
        method: 'POST',
        headers: { 'X-A': 'b', 'content-type': 'application/json' },
        body: '{"n":1}',
        timeoutMs: 1000,
        maxBodyBytes: 99
      }
    ])
  })

  test('paths are appended, never resolved: they cannot leave the service', () => {
    expect(checkUrl(BASE, '//evil.example/x')).toBe('http://127.0.0.1:30080//evil.example/x')
    expect(checkUrl(BASE, '/\\evil.example')).toBe('http://127.0.0.1:30080//evil.example')
    expect(checkUrl(`${BASE}/p`, '/@evil.example')).toBe('http://127.0.0.1:30080/p/@evil.example')
    expect(() => checkUrl('ftp://127.0.0.1/', '/')).toThrow('is not an http(s) URL')
  })

  test('a redirect to another origin is not followed, not retried, and reported', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [
      response(302, 'moved', { location: 'http://10.1.2.3:30080/x' })
    ])
    const [r] = await runSmokeChecks(BASE, checks('- path: /'), {
      clock,
      http,
      deadlineMs: T0 + 9000
    })
    expect(http.requests.map(q => q.url)).toEqual(['http://127.0.0.1:30080/'])
    expect(r.passed).toBe(false)
    expect(r.attempts).toHaveLength(1)
    expect(r.reason).toBe(
      'redirect 302 to http://10.1.2.3:30080/x (another host) not followed: only the service URL http://127.0.0.1:30080 is contacted'
    )
  })

  test.each([
    'https://127.0.0.1:30080/',
    'http://127.0.0.1:30081/',
    'http://localhost:30080/',
    '//example.com/'
  ])('a different origin %s counts as another host', async location => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [response(301, '', { location })])
    const [r] = await runSmokeChecks(BASE, checks('- path: /'), {
      clock,
      http,
      deadlineMs: T0 + 1000
    })
    expect(http.requests).toHaveLength(1)
    expect(r.reason).toContain('(another host) not followed')
  })

  test('same-origin redirects are followed; 303 turns a POST into a GET without body', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [
      response(303, '', { location: '/done' }),
      response(307, '', { location: 'http://127.0.0.1:30080/final?q=1' }),
      response(200, 'here')
    ])
    const [r] = await runSmokeChecks(
      BASE,
      checks('- {path: /submit, method: POST, body: {a: 1}, expect-body-contains: here}'),
      { clock, http, deadlineMs: T0 + 1000 }
    )
    expect(r.passed).toBe(true)
    expect(r.attempts[0].redirects).toEqual([
      'http://127.0.0.1:30080/done',
      'http://127.0.0.1:30080/final?q=1'
    ])
    expect(http.requests.map(q => [q.method, q.url, q.body, q.headers])).toEqual([
      ['POST', 'http://127.0.0.1:30080/submit', '{"a":1}', { 'content-type': 'application/json' }],
      ['GET', 'http://127.0.0.1:30080/done', undefined, {}],
      ['GET', 'http://127.0.0.1:30080/final?q=1', undefined, {}]
    ])
    expect(r.lastResponse?.url).toBe('http://127.0.0.1:30080/final?q=1')
  })

  test('at most 5 hops per attempt', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [response(302, '', { location: '/loop' })])
    const [r] = await runSmokeChecks(BASE, checks('- path: /'), {
      clock,
      http,
      deadlineMs: T0 + 100,
      requestTimeoutMs: 100
    })
    expect(r.attempts).toHaveLength(1)
    expect(http.requests).toHaveLength(6)
    expect(r.reason).toBe('more than 5 redirects (the last one to http://127.0.0.1:30080/loop)')
  })

  test('a check that expects the redirect status gets the redirect itself', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [response(302, '', { location: 'http://10.1.2.3/' })])
    const [r] = await runSmokeChecks(BASE, checks('- {path: /, expect-status: 302}'), {
      clock,
      http,
      deadlineMs: T0 + 1000
    })
    expect(r.passed).toBe(true)
    expect(http.requests).toHaveLength(1)
  })

  test('a truncated body is stated in the attempt, the notes and the last response', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [{ ...response(200, 'x'.repeat(64)), truncated: true }])
    const [r] = await runSmokeChecks(BASE, checks('- path: /'), {
      clock,
      http,
      deadlineMs: T0 + 1000,
      maxBodyBytes: 64
    })
    expect(r.passed).toBe(true)
    expect(r.attempts[0].truncated).toBe(true)
    expect(r.lastResponse?.truncated).toBe(true)
    expect(r.notes).toEqual([
      'response body larger than 64 bytes: only the first 64 bytes were read'
    ])
  })
})

describe('per-check policy (fake clock)', () => {
  test('a wrong status after another check passed fails at once, with what was seen', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [
      req => (req.url.endsWith('/healthz') ? response(200, 'ok') : response(404, 'no such page'))
    ])
    const lines: string[] = []
    const [, typo] = await runSmokeChecks(BASE, checks('- path: /healthz\n- path: /helath'), {
      clock,
      http,
      deadlineMs: T0 + 60_000,
      log: l => lines.push(l)
    })
    expect(typo.attempts).toHaveLength(1)
    expect(typo.reason).toBe('expected status 2xx, got 404; response body: no such page')
    expect(typo.notes).toEqual([
      'not retried: the service answers other requests correctly, so this answer is taken as final'
    ])
    expect(lines.at(-1)).toBe(
      'GET /helath: failed, not retried (the service answers other requests correctly, so this answer is taken as final): expected status 2xx, got 404'
    )
  })

  test('alone, a wrong status is retried only for the grace after the first answer', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [response(404, 'nope')])
    const [r] = await runSmokeChecks(BASE, checks('- path: /typo'), {
      clock,
      http,
      deadlineMs: T0 + 60_000
    })
    expect(r.passed).toBe(false)
    // 250, 500, 1000, 2000 ×4 = 9750 ms, then 11750 ≥ 10 s: final.
    expect(r.attempts.map(a => a.elapsedMs)).toEqual([
      0, 250, 750, 1750, 3750, 5750, 7750, 9750, 11750
    ])
    expect(r.notes[0]).toBe(
      'not retried: the service has answered wrongly for 11.8 s, so this answer is taken as final'
    )
  })

  test('5xx keeps being retried until the deadline, even after other checks passed', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [
      req => (req.url.endsWith('/a') ? response(200) : response(503, 'busy'))
    ])
    const [, b] = await runSmokeChecks(BASE, checks('- path: /a\n- path: /b'), {
      clock,
      http,
      deadlineMs: T0 + 8000
    })
    expect(b.attempts.length).toBeGreaterThan(4)
    expect(b.reason).toBe('expected status 2xx, got 503')
  })

  test('a POST answered 500 is sent once; with retry-on: [5xx] it is sent again', async () => {
    const clock = new FakeClock()
    const once = new ScriptedHttp(clock, [response(500, 'boom')])
    const [r] = await runSmokeChecks(
      BASE,
      checks('- {path: /orders, method: POST, body: {n: 1}}'),
      {
        clock,
        http: once,
        deadlineMs: T0 + 60_000
      }
    )
    expect(once.requests).toHaveLength(1)
    expect(r.reason).toBe('expected status 2xx, got 500; response body: boom')
    const again = new ScriptedHttp(clock, [response(500), response(201)])
    const [ok] = await runSmokeChecks(
      BASE,
      checks('- {path: /orders, method: POST, body: {n: 1}, retry-on: [5xx]}'),
      { clock, http: again, deadlineMs: clock.now() + 60_000 }
    )
    expect(again.requests).toHaveLength(2)
    expect(ok.passed).toBe(true)
  })

  test('retries: N counts retries after the service answered, not the warm-up refusals', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [refused(), refused(), response(503)])
    const [r] = await runSmokeChecks(BASE, checks('- {path: /, retries: 2}'), {
      clock,
      http,
      deadlineMs: T0 + 60_000
    })
    expect(r.attempts.map(a => a.error ?? a.status)).toEqual([
      'connection refused',
      'connection refused',
      503,
      503,
      503
    ])
    expect(r.notes).toEqual(["not retried: 'retries: 2' used up"])
  })

  test('retry: false judges the first answer', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [refused(), response(503), response(200)])
    const [r] = await runSmokeChecks(BASE, checks('- {path: /, retry: false}'), {
      clock,
      http,
      deadlineMs: T0 + 60_000
    })
    expect(r.attempts.map(a => a.error ?? a.status)).toEqual(['connection refused', 503])
    expect(r.passed).toBe(false)
  })

  test('retry-on: [body] retries a wrong body even once the service answers correctly', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [
      response(200, 'ok'),
      response(200, '{"n":0}'),
      response(200, '{"n":1}')
    ])
    const [, r] = await runSmokeChecks(
      BASE,
      checks('- path: /a\n- {path: /count, expect-json: {n: 1}, retry-on: [body]}'),
      { clock, http, deadlineMs: T0 + 60_000 }
    )
    expect(r.passed).toBe(true)
    expect(r.attempts).toHaveLength(2)
  })

  test('timeout is per check', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [response(200)])
    await runSmokeChecks(BASE, checks('- path: /a\n- {path: /b, timeout: 30s}'), {
      clock,
      http,
      deadlineMs: T0 + 60_000
    })
    expect(http.requests.map(q => q.timeoutMs)).toEqual([250, 30_000])
  })

  test('samples: N requests after the check passed, p50/p95/max, judged by max-p95-ms', async () => {
    const clock = new FakeClock()
    const latencies = [3, ...Array<number>(18).fill(10), 12, 95]
    let i = 0
    const http = new ScriptedHttp(clock, [
      () => {
        clock.t += latencies[i++]
        return response(200, 'ok')
      }
    ])
    const lines: string[] = []
    const [r] = await runSmokeChecks(BASE, checks('- {path: /, samples: 20, max-p95-ms: 50}'), {
      clock,
      http,
      deadlineMs: T0 + 60_000,
      log: l => lines.push(l)
    })
    expect(http.requests).toHaveLength(21)
    expect(r.passed).toBe(true)
    expect(r.samples).toEqual({
      // Right after the attempt that passed (its 3 ms), on the run's clock.
      startedAt: new Date(T0 + 3).toISOString(),
      requested: 20,
      passed: 20,
      latency: { count: 20, min: 10, mean: 14.4, p50: 10, p95: 12, p99: 95, max: 95 },
      series: [...Array<number>(18).fill(10), 12, 95]
    })
    expect(lines.at(-1)).toBe('GET /: 20 of 20 samples: p50 10 ms, p95 12 ms, max 95 ms')
    expect(r.expected).toContain('p95 ≤ 50 ms over 20 samples')
  })

  test('samples over the p95 budget fail the check; a failing sample stops the series', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [response(200)], 60)
    const [slow] = await runSmokeChecks(BASE, checks('- {path: /, samples: 5, max-p95-ms: 50}'), {
      clock,
      http,
      deadlineMs: T0 + 60_000
    })
    expect(slow.passed).toBe(false)
    expect(slow.reason).toBe('p95 60 ms over max-p95-ms 50 (over 5 samples)')
    const broken = new ScriptedHttp(clock, [response(200), response(200), response(500, 'x')])
    const [r] = await runSmokeChecks(BASE, checks('- {path: /, samples: 5}'), {
      clock,
      http: broken,
      deadlineMs: clock.now() + 60_000
    })
    expect(broken.requests).toHaveLength(3)
    expect(r.reason).toBe('sample 2 of 5: expected status 2xx, got 500')
    expect(r.samples?.passed).toBe(1)
  })

  test('host is sent as the Host header; scheme https changes only the scheme', async () => {
    const clock = new FakeClock()
    const http = new ScriptedHttp(clock, [response(200)])
    const [r] = await runSmokeChecks(
      BASE,
      checks('- {path: /x, scheme: https, insecure: true, host: app.test, headers: {X-A: b}}'),
      { clock, http, deadlineMs: T0 + 1000 }
    )
    expect(r.url).toBe('https://127.0.0.1:30080/x')
    expect(http.requests[0]).toMatchObject({
      url: 'https://127.0.0.1:30080/x',
      headers: { 'X-A': 'b', host: 'app.test' },
      tls: { insecure: true }
    })
  })

  test('a stop signal: the current check fails with its reason, the rest are not run', async () => {
    const clock = new FakeClock()
    const stop = new AbortController()
    const http = new ScriptedHttp(clock, [
      req => {
        if (req.url.endsWith('/b')) stop.abort(new Error('pod web-1 restarted (OOMKilled)'))
        return response(503)
      }
    ])
    const results = await runSmokeChecks(BASE, checks('- path: /a\n- path: /b\n- path: /c'), {
      clock,
      http,
      deadlineMs: T0 + 60_000,
      signal: stop.signal
    })
    const [a, b, c] = results
    expect(a.attempts.length).toBeGreaterThan(1)
    expect(b.attempts).toHaveLength(1)
    expect(b.reason).toBe('pod web-1 restarted (OOMKilled)')
    expect(c).toMatchObject({
      check: 'GET /c',
      passed: false,
      notRun: true,
      reason: 'not run: pod web-1 restarted (OOMKilled)',
      attempts: []
    })
  })
})
