import { describe, expect, test } from '@jest/globals'
import { InputError } from '../../src/errors.js'
import {
  CHECK_KEYS,
  defaultReadinessPath,
  parseCheckDuration,
  parseSmokeChecks
} from '../../src/smoke/index.js'

const none = { checksYaml: '', smokePath: '', expectStatus: '' }
const yaml = (checksYaml: string) => parseSmokeChecks({ ...none, checksYaml })

/** The InputError thrown, asserting it is one line and names the input. */
function errorOf(fn: () => unknown, input = 'smoke-checks'): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    expect((err as InputError).input).toBe(input)
    const message = (err as Error).message
    expect(message).not.toContain('\n')
    expect(message.startsWith(`input '${input}' `)).toBe(true)
    return message
  }
  throw new Error('expected an InputError')
}

describe('defaults and shorthands', () => {
  test('nothing given: GET / expecting 2xx', () => {
    expect(parseSmokeChecks(none)).toEqual([
      {
        path: '/',
        method: 'GET',
        headers: {},
        expectStatus: { text: '2xx', ranges: [[200, 299]] },
        expectBodyContains: []
      }
    ])
  })

  test('smoke-path alone: GET of that path expecting 2xx', () => {
    const [check] = parseSmokeChecks({ ...none, smokePath: ' /health ' })
    expect(check.path).toBe('/health')
    expect(check.expectStatus.text).toBe('2xx')
  })

  test('expect-status alone applies to GET /', () => {
    const [check] = parseSmokeChecks({ ...none, expectStatus: '200, 204' })
    expect(check.path).toBe('/')
    expect(check.expectStatus).toEqual({
      text: '200 or 204',
      ranges: [
        [200, 200],
        [204, 204]
      ]
    })
  })

  test('bad shorthand values name their input', () => {
    expect(errorOf(() => parseSmokeChecks({ ...none, smokePath: 'health' }), 'smoke-path')).toBe(
      `input 'smoke-path' must start with '/' (e.g. /health), got "health"`
    )
    expect(
      errorOf(() => parseSmokeChecks({ ...none, smokePath: 'http://evil.example/' }), 'smoke-path')
    ).toContain('not a URL: only the service URL is contacted')
    expect(errorOf(() => parseSmokeChecks({ ...none, expectStatus: '2x' }), 'expect-status')).toBe(
      `input 'expect-status' must be a status code (200), a class (2xx), a range (200-299) or a list of them (200, 204), got "2x"`
    )
  })

  test('smoke-checks together with a shorthand is refused, naming the shorthand', () => {
    const msg = errorOf(
      () => parseSmokeChecks({ checksYaml: '- path: /', smokePath: '/x', expectStatus: '' }),
      'smoke-path'
    )
    expect(msg).toContain("cannot be combined with 'smoke-checks'")
    errorOf(
      () => parseSmokeChecks({ checksYaml: '- path: /', smokePath: '', expectStatus: '200' }),
      'expect-status'
    )
  })

  test('whitespace-only smoke-checks counts as not given', () => {
    expect(parseSmokeChecks({ ...none, checksYaml: ' \n ', smokePath: '/x' })[0].path).toBe('/x')
  })
})

describe('smoke-checks YAML', () => {
  test('a full check', () => {
    const checks = yaml(`
- name: Chicago weather
  path: /?msg=Chicago
  method: post
  headers: {X-Trace: abc, X-Num: 7}
  body: {city: Chicago, days: [1, 2]}
  expect-status: [200, 3xx]
  expect-body-contains: [Chicago, "°"]
  expect-body-regex: 'temp(erature)?: \\d+'
  expect-json:
    city: Chicago
    data.items[0].name: x
  max-latency-ms: 500
- path: /health
`)
    expect(checks).toEqual([
      {
        name: 'Chicago weather',
        path: '/?msg=Chicago',
        method: 'POST',
        headers: { 'X-Trace': 'abc', 'X-Num': '7', 'content-type': 'application/json' },
        body: '{"city":"Chicago","days":[1,2]}',
        expectStatus: {
          text: '200 or 3xx',
          ranges: [
            [200, 200],
            [300, 399]
          ]
        },
        expectBodyContains: ['Chicago', '°'],
        expectBodyRegex: 'temp(erature)?: \\d+',
        expectJson: { city: 'Chicago', 'data.items[0].name': 'x' },
        maxLatencyMs: 500
      },
      {
        path: '/health',
        method: 'GET',
        headers: {},
        expectStatus: { text: '2xx', ranges: [[200, 299]] },
        expectBodyContains: []
      }
    ])
  })

  test('a string body is sent as is; an explicit content-type is kept', () => {
    const [a, b] = yaml(`
- {path: /a, method: PUT, body: "x=1"}
- {path: /b, method: PATCH, headers: {Content-Type: text/json}, body: [1]}
`)
    expect(a.body).toBe('x=1')
    expect(a.headers).toEqual({})
    expect(b.headers).toEqual({ 'Content-Type': 'text/json' })
    expect(b.body).toBe('[1]')
  })

  test.each([
    ['200', [[200, 200]]],
    ['2xx', [[200, 299]]],
    ['200-204', [[200, 204]]],
    [
      '"201,202"',
      [
        [201, 201],
        [202, 202]
      ]
    ],
    [
      '[4xx, 500]',
      [
        [400, 499],
        [500, 500]
      ]
    ]
  ])('expect-status %s', (value, ranges) => {
    expect(yaml(`- {path: /, expect-status: ${value}}`)[0].expectStatus.ranges).toEqual(ranges)
  })

  test('invalid YAML: reason and position on one line', () => {
    expect(errorOf(() => yaml('- path: /\n  path: /x'))).toBe(
      "input 'smoke-checks' is not valid YAML: duplicated mapping key (line 2, column 3)"
    )
    expect(errorOf(() => yaml('- {path: /'))).toMatch(
      /^input 'smoke-checks' is not valid YAML: .*line 1/
    )
  })

  test.each([
    ['path: /health', 'got a mapping'],
    ['/health', 'got a string "/health"'],
    ['42', 'got a number 42'],
    ['~', 'got nothing']
  ])('non-list YAML %j is refused', (text, got) => {
    const msg = errorOf(() => yaml(text))
    expect(msg).toContain('must be a YAML list of checks, each starting with "- "')
    expect(msg).toContain(got)
  })

  test('an empty list is refused', () => {
    expect(errorOf(() => yaml('[]'))).toContain('must list at least one check')
  })

  test('a list item that is not a mapping', () => {
    expect(errorOf(() => yaml('- path: /\n- /health'))).toBe(
      `input 'smoke-checks' check 2: must be a mapping with at least a path (e.g. "- path: /health"), got a string "/health"`
    )
  })

  test('unknown key: says which, suggests, lists the allowed ones', () => {
    expect(errorOf(() => yaml('- path: /\n  expect_status: 200'))).toBe(
      `input 'smoke-checks' check 1: unknown key 'expect_status' (did you mean 'expect-status'?); ` +
        `allowed keys: ${CHECK_KEYS.join(', ')}`
    )
    const msg = errorOf(() => yaml('- path: /\n  retires: 3'))
    expect(msg).toContain("unknown key 'retires'; allowed keys: name, path, method, headers, body,")
    expect(errorOf(() => yaml('- path: /\n  status: 200'))).toContain(
      "(did you mean 'expect-status'?)"
    )
  })

  test('path: required, starts with /, never a URL', () => {
    expect(errorOf(() => yaml('- method: GET'))).toBe(
      "input 'smoke-checks' check 1: must have a 'path' (e.g. /health)"
    )
    expect(errorOf(() => yaml('- path: health'))).toBe(
      `input 'smoke-checks' check 1: 'path' must start with '/' (e.g. /health), got "health"`
    )
    for (const url of [
      'http://example.com/x',
      'https://10.0.0.1/',
      '//example.com/x',
      'file:/etc/passwd'
    ]) {
      expect(errorOf(() => yaml(`- path: "${url}"`))).toBe(
        `input 'smoke-checks' check 1: 'path' must be a path on the service such as /health, not a URL: ` +
          `only the service URL is contacted, got ${JSON.stringify(url)}`
      )
    }
    expect(errorOf(() => yaml('- path: 42'))).toContain("'path' must be a string")
    expect(errorOf(() => yaml('- path: "/a b"'))).toContain('must not contain spaces')
  })

  test('bad method lists the allowed ones', () => {
    expect(errorOf(() => yaml('- {path: /, method: FETCH}'))).toBe(
      `input 'smoke-checks' check 1: 'method' must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got "FETCH"`
    )
    expect(errorOf(() => yaml('- {path: /, method: TRACE}'))).toContain("'method' must be one of")
  })

  test.each(['2x', '600', '99', 'abc', '299-200', '200-', '6xx', 'true', '[]', '{a: 1}'])(
    'bad status pattern %s',
    value => {
      expect(errorOf(() => yaml(`- {path: /, expect-status: ${value}}`))).toMatch(
        /^input 'smoke-checks' check 1: 'expect-status' must be a status code \(200\), a class \(2xx\), a range \(200-299\) or a list of them \(200, 204\), got /
      )
    }
  )

  test('bad regex names the problem', () => {
    expect(errorOf(() => yaml(`- {path: /, expect-body-regex: "(abc"}`))).toBe(
      `input 'smoke-checks' check 1: 'expect-body-regex' is not a valid regular expression (Unterminated group), got "(abc"`
    )
    expect(errorOf(() => yaml('- {path: /, expect-body-regex: ""}'))).toContain('non-empty string')
  })

  test('body expectations are refused for HEAD', () => {
    expect(errorOf(() => yaml('- {path: /, method: HEAD, expect-body-contains: ok}'))).toBe(
      "input 'smoke-checks' check 1: a HEAD response has no body: drop the expect-body-*/expect-json keys or use GET"
    )
    expect(yaml('- {path: /, method: HEAD, expect-status: 2xx}')[0].method).toBe('HEAD')
  })

  test('body is refused with GET and HEAD', () => {
    expect(errorOf(() => yaml('- {path: /, body: x}'))).toBe(
      "input 'smoke-checks' check 1: 'body' is not allowed with method GET"
    )
    expect(errorOf(() => yaml('- {path: /, method: head, body: x}'))).toContain('method HEAD')
  })

  test('headers: a mapping, valid names, no client-managed headers, no line breaks', () => {
    expect(errorOf(() => yaml('- {path: /, headers: [a]}'))).toContain(
      "'headers' must be a mapping"
    )
    expect(errorOf(() => yaml('- {path: /, headers: {"bad name": x}}'))).toContain(
      'header name "bad name" is not a valid HTTP header name'
    )
    expect(errorOf(() => yaml('- {path: /, headers: {Host: example.com}}'))).toContain(
      "header 'Host' is set with the check key 'host' (e.g. host: app.example.com)"
    )
    expect(errorOf(() => yaml('- {path: /, headers: {Connection: close}}'))).toContain(
      'cannot be set'
    )
    expect(errorOf(() => yaml('- {path: /, headers: {X-A: "a\\nb"}}'))).toContain('line breaks')
    expect(errorOf(() => yaml('- {path: /, headers: {X-A: {b: 1}}}'))).toContain('string value')
  })

  test('expect-body-contains: a string or list of non-empty strings', () => {
    expect(yaml('- {path: /, expect-body-contains: ok}')[0].expectBodyContains).toEqual(['ok'])
    expect(yaml('- {path: /, expect-body-contains: 42}')[0].expectBodyContains).toEqual(['42'])
    expect(errorOf(() => yaml('- {path: /, expect-body-contains: ""}'))).toContain(
      'non-empty string'
    )
    expect(errorOf(() => yaml('- {path: /, expect-body-contains: []}'))).toContain(
      'non-empty string'
    )
    expect(errorOf(() => yaml('- {path: /, expect-body-contains: [{a: 1}]}'))).toContain(
      'non-empty'
    )
  })

  test('expect-json: a non-empty mapping with valid dot paths', () => {
    expect(errorOf(() => yaml('- {path: /, expect-json: [1]}'))).toContain(
      "'expect-json' must be a mapping of field (dot path, e.g. data.items.0.name) to expected value"
    )
    expect(errorOf(() => yaml('- {path: /, expect-json: {}}'))).toContain(
      "'expect-json' must be a mapping"
    )
    expect(errorOf(() => yaml('- {path: /, expect-json: {"a..b": 1}}'))).toBe(
      `input 'smoke-checks' check 1: 'expect-json' key is not a valid dot path (e.g. data.items.0.name or items[0].name), got "a..b"`
    )
    expect(errorOf(() => yaml('- {path: /, expect-json: {"a[x]": 1}}'))).toContain(
      'not a valid dot path'
    )
  })

  test('max-latency-ms and name', () => {
    expect(errorOf(() => yaml('- {path: /, max-latency-ms: 0}'))).toBe(
      `input 'smoke-checks' check 1: 'max-latency-ms' must be a positive number of milliseconds, got "0"`
    )
    expect(errorOf(() => yaml('- {path: /, max-latency-ms: fast}'))).toContain('positive number')
    expect(errorOf(() => yaml('- {path: /, name: ""}'))).toContain(
      "'name' must be a non-empty string"
    )
  })
})

describe('policy keys', () => {
  const one = (text: string) => yaml(text)[0]
  const err = (text: string) => errorOf(() => yaml(text))

  test('a check without expect-status expects any 2xx, like smoke-path', () => {
    expect(one('- path: /x').expectStatus).toEqual({ text: '2xx', ranges: [[200, 299]] })
  })

  test('timeout: seconds or a duration with units', () => {
    expect(one('- {path: /, timeout: 10s}').timeoutMs).toBe(10_000)
    expect(one('- {path: /, timeout: 500ms}').timeoutMs).toBe(500)
    expect(one('- {path: /, timeout: 1m30s}').timeoutMs).toBe(90_000)
    expect(one('- {path: /, timeout: 2.5}').timeoutMs).toBe(2500)
    expect(one('- path: /').timeoutMs).toBeUndefined()
    expect(err('- {path: /, timeout: soon}')).toBe(
      `input 'smoke-checks' check 1: 'timeout' must be a duration from 10ms to 10m, like 500ms, 10s or 1m, got "soon"`
    )
    expect(err('- {path: /, timeout: 1h}')).toContain("'timeout' must be a duration")
    expect(parseCheckDuration('1h2m')).toBe(3_720_000)
    expect(parseCheckDuration('10 s')).toBeUndefined()
    expect(parseCheckDuration(true)).toBeUndefined()
  })

  test('timeout and load.duration take the inputs’ duration syntax too', () => {
    expect(one('- {path: /, timeout: 1.5s}').timeoutMs).toBe(1500)
    expect(one('- {path: /, timeout: "1m"}').timeoutMs).toBe(60_000)
    expect(one('- {path: /, load: {duration: 1m30s}}').load?.durationMs).toBe(90_000)
    expect(one('- {path: /, load: {duration: 90}}').load?.durationMs).toBe(90_000)
    expect(one('- {path: /, load: {duration: "1.5"}}').load?.durationMs).toBe(1500)
    expect(err('- {path: /, load: {duration: 500ms}}')).toBe(
      `input 'smoke-checks' check 1: 'load.duration' must be a duration from 1s to 10m, like 20s or 2m, got "500ms"`
    )
    expect(err('- {path: /, timeout: -1}')).toContain("'timeout' must be a duration")
  })

  test('retries, retry: false, retry-on', () => {
    expect(one('- {path: /, retries: 3}').retry).toEqual({ maxRetries: 3 })
    expect(one('- {path: /, retry: false}').retry).toEqual({ maxRetries: 0 })
    expect(one('- {path: /, retry: true}').retry).toBeUndefined()
    expect(one('- {path: /, retry-on: [5xx, connection, 5xx]}').retry).toEqual({
      on: ['5xx', 'connection']
    })
    expect(one('- {path: /, retry-on: "status, body", retries: 2}').retry).toEqual({
      maxRetries: 2,
      on: ['status', 'body']
    })
    expect(err('- {path: /, retries: -1}')).toBe(
      `input 'smoke-checks' check 1: 'retries' must be an integer from 0 to 1000, got "-1"`
    )
    expect(err('- {path: /, retry: no}')).toBe(
      `input 'smoke-checks' check 1: 'retry' must be true or false, got "no"`
    )
    expect(err('- {path: /, retry: false, retries: 2}')).toContain(
      "'retry: false' cannot be combined with 'retries' or 'retry-on'"
    )
    expect(err('- {path: /, retry-on: [4xx]}')).toContain(
      "'retry-on' must list outcomes among connection, 5xx, status, body (use 'retry: false' to retry nothing)"
    )
    expect(err('- {path: /, retry-on: []}')).toContain("'retry-on' must list at least one outcome")
  })

  test('samples and the series thresholds', () => {
    expect(one('- {path: /, samples: 20, max-p95-ms: 100, max-p99-ms: 200}')).toMatchObject({
      samples: 20,
      maxP95Ms: 100,
      maxP99Ms: 200
    })
    expect(err('- {path: /, samples: 1}')).toContain("'samples' must be an integer from 2 to 1000")
    expect(err('- {path: /, max-p95-ms: 100}')).toBe(
      `input 'smoke-checks' check 1: 'max-p95-ms' needs 'samples' (e.g. samples: 20) or 'load' to have a series to judge`
    )
    expect(err('- {path: /, samples: 5, max-p99-ms: 0}')).toContain(
      "'max-p99-ms' must be a positive number of milliseconds"
    )
  })

  test('load: requests, concurrency, duration or rate; bounded', () => {
    expect(one('- {path: /, load: {requests: 500, concurrency: 8}}')).toMatchObject({
      load: { requests: 500, concurrency: 8 }
    })
    expect(
      one('- {path: /, load: {duration: 20s, rate: 50}, min-success-rate: 99.5, max-p99-ms: 80}')
    ).toMatchObject({
      load: { durationMs: 20_000, rate: 50, concurrency: 10 },
      minSuccessRate: 99.5,
      maxP99Ms: 80
    })
    expect(err('- {path: /, load: {concurrency: 8}}')).toBe(
      `input 'smoke-checks' check 1: 'load' needs 'requests' or 'duration' (e.g. {requests: 500, concurrency: 8} or {duration: 20s, rate: 50})`
    )
    expect(err('- {path: /, load: 100}')).toContain("'load' must be a mapping")
    expect(err('- {path: /, load: {requests: 10, threads: 2}}')).toContain(
      "'load' has an unknown key 'threads'; allowed: requests, concurrency, duration, rate"
    )
    expect(err('- {path: /, load: {requests: 10, concurrency: 1000}}')).toContain(
      "'load.concurrency' must be an integer from 1 to 256"
    )
    expect(err('- {path: /, load: {requests: 0}}')).toContain(
      "'load.requests' must be an integer from 1 to 1000000"
    )
    expect(err('- {path: /, load: {duration: 1h}}')).toContain(
      "'load.duration' must be a duration from 1s to 10m"
    )
    expect(err('- {path: /, load: {duration: 5s, rate: 0}}')).toContain("'load.rate' must be")
    expect(err('- {path: /, samples: 5, load: {requests: 5}}')).toContain(
      "'samples' and 'load' cannot be combined"
    )
    expect(err('- {path: /, min-success-rate: 99}')).toContain("'min-success-rate' needs 'load'")
    expect(err('- {path: /, load: {requests: 5}, min-success-rate: 101}')).toContain(
      "'min-success-rate' must be a percentage above 0 and at most 100"
    )
  })

  test('scheme, insecure, ca and host', () => {
    expect(one('- {path: /, scheme: https, insecure: true, host: App.Example.com}')).toMatchObject({
      scheme: 'https',
      tls: { insecure: true },
      host: 'app.example.com'
    })
    expect(one('- {path: /, scheme: https, ca: certs/ca.pem}').tls).toEqual({
      insecure: false,
      caFile: 'certs/ca.pem'
    })
    expect(one('- {path: /, host: "app.test:8443"}').host).toBe('app.test:8443')
    expect(err('- {path: /, scheme: ftp}')).toBe(
      `input 'smoke-checks' check 1: 'scheme' must be http or https, got "ftp"`
    )
    expect(err('- {path: /, insecure: true}')).toContain("'insecure' needs 'scheme: https'")
    expect(err('- {path: /, ca: ca.pem}')).toContain("'ca' needs 'scheme: https'")
    expect(err('- {path: /, scheme: https, insecure: true, ca: ca.pem}')).toContain(
      "'insecure: true' and 'ca' cannot be combined"
    )
    expect(err('- {path: /, scheme: https, insecure: yes}')).toContain(
      "'insecure' must be true or false"
    )
    for (const bad of ['"http://app"', '"app/x"', '"a b"', '"app:99999"', '""']) {
      expect(err(`- {path: /, host: ${bad}}`)).toContain("'host' must be a host name")
    }
  })

  test('the readiness path default: the first GET check expecting only 2xx, else /', () => {
    expect(
      defaultReadinessPath(
        yaml(`
- {path: /login, expect-status: 401}
- {path: /orders, method: POST}
- {path: /missing, expect-status: [200, 404]}
- {path: "/healthz?verbose=1"}
- path: /later`)
      )
    ).toBe('/healthz')
    expect(defaultReadinessPath(yaml('- {path: /x, expect-status: 302}'))).toBe('/')
    expect(defaultReadinessPath(yaml('- {path: /x, expect-status: 204}'))).toBe('/x')
  })
})
