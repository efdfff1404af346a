import { describe, expect, test } from '@jest/globals'
import {
  evaluate,
  matchJson,
  parseJsonPath,
  parseSmokeChecks,
  parseStatusPattern,
  statusMatches,
  type SmokeCheck
} from '../../src/smoke/index.js'
import { response } from './smoke-fakes.js'

function check(yamlItem: string): SmokeCheck {
  return parseSmokeChecks({ checksYaml: `- ${yamlItem}`, smokePath: '', expectStatus: '' })[0]
}

describe('status patterns', () => {
  test.each([
    ['200', 200, true],
    ['200', 201, false],
    ['2xx', 299, true],
    ['2xx', 300, false],
    ['2XX', 204, true],
    ['200-204', 204, true],
    ['200-204', 205, false],
    ['200, 3xx', 302, true],
    ['200 or 404', 404, true],
    ['200 or 404', 500, false]
  ])('%s accepts %d: %s', (pattern, status, ok) => {
    expect(statusMatches(parseStatusPattern(pattern)!, status)).toBe(ok)
  })

  test('lists and numbers', () => {
    expect(parseStatusPattern([200, '5xx'])?.text).toBe('200 or 5xx')
    expect(parseStatusPattern(404)?.ranges).toEqual([[404, 404]])
    expect(parseStatusPattern([[200]])).toBeUndefined()
    expect(parseStatusPattern(200.5)).toBeUndefined()
  })
})

describe('evaluate', () => {
  test('status mismatch is reported alone, in the failure-message wording', () => {
    const v = evaluate(check('{path: /}'), response(500, 'boom'))
    expect(v).toEqual({ passed: false, reason: 'expected status 2xx, got 500', kind: '5xx' })
    expect(evaluate(check('{path: /, expect-status: [200, 3xx]}'), response(404))).toEqual({
      passed: false,
      reason: 'expected status 200 or 3xx, got 404',
      kind: 'status'
    })
  })

  test('body contains: every string', () => {
    const c = check('{path: /, expect-body-contains: [Chicago, "°F"]}')
    expect(evaluate(c, response(200, 'Chicago 21°F')).passed).toBe(true)
    expect(evaluate(c, response(200, 'Chicago 21°C'))).toEqual({
      passed: false,
      reason: 'body does not contain "°F"',
      kind: 'body'
    })
  })

  test('body regex', () => {
    const c = check(String.raw`{path: /, expect-body-regex: '"temp":\s*-?\d+'}`)
    expect(evaluate(c, response(200, '{"temp": -3}')).passed).toBe(true)
    expect(evaluate(c, response(200, '{"temp": "warm"}')).reason).toBe(
      String.raw`body does not match /"temp":\s*-?\d+/`
    )
  })

  test('several body problems are all named; truncation is stated', () => {
    const c = check('{path: /, expect-body-contains: END, expect-json: {ok: true}}')
    const res = { ...response(200, 'x'.repeat(10)), truncated: true }
    expect(evaluate(c, res).reason).toBe(
      'body does not contain "END"; expect-json body is not JSON (Unexpected token \'x\', "xxxxxxxxxx" is not valid JSON); only the first 10 bytes of the body were read'
    )
  })
})

describe('JSON subset with dot paths', () => {
  const doc = JSON.stringify({
    city: 'Chicago',
    temp: 21,
    ok: true,
    none: null,
    data: { items: [{ name: 'a', tags: ['x', 'y'] }, { name: 'b' }], 'a.b': 1 },
    list: [1, 2, 3]
  })

  test.each([
    [{ city: 'Chicago' }],
    [{ temp: 21, ok: true, none: null }],
    [{ 'data.items.0.name': 'a' }],
    [{ 'data.items[1].name': 'b' }],
    [{ 'data.items[0].tags[1]': 'y' }],
    [{ 'data.items.0': { name: 'a' } }],
    [{ data: { items: [{ name: 'a' }, {}] } }],
    [{ data: { 'a.b': 1 } }],
    [{ list: [1, 2, 3] }],
    [{ 'list.2': 3 }]
  ])('matches %j', expected => {
    expect(matchJson(expected, doc)).toBeUndefined()
  })

  test.each([
    [{ city: 'Boston' }, '"city": expected "Boston", got "Chicago"'],
    [{ temp: '21' }, '"temp": expected "21" (a string), got 21 (a number)'],
    [{ none: 0 }, '"none": expected 0 (a number), got null'],
    [{ 'data.items.2.name': 'c' }, '"data.items.2.name": missing (data.items has 2 items)'],
    [{ 'data.items.x': 1 }, '"data.items.x": missing (data.items is an array)'],
    [{ 'city.name': 1 }, '"city.name": missing (city is a string)'],
    [{ 'data.missing': 1 }, '"data.missing": missing'],
    [{ data: { items: [{ name: 'a' }] } }, '"data.items": expected 1 items, got 2'],
    [
      { data: { items: [{ name: 'a' }, { name: 'c' }] } },
      '"data.items[1].name": expected "c", got "b"'
    ],
    [{ data: { nope: 1 } }, '"data.nope": missing'],
    [{ city: { name: 'x' } }, '"city": expected an object, got "Chicago"'],
    [{ temp: [21] }, '"temp": expected an array, got 21']
  ])('%j fails: %s', (expected, problem) => {
    expect(matchJson(expected, doc)).toBe(problem)
  })

  test('a top-level array document', () => {
    expect(matchJson({ '[0].id': 1, '1.id': 2 }, '[{"id":1},{"id":2}]')).toBeUndefined()
  })

  test('not JSON', () => {
    expect(matchJson({ a: 1 }, '<html>')).toMatch(/^body is not JSON \(/)
  })

  test('path syntax', () => {
    expect(parseJsonPath('a.b.0.c')).toEqual(['a', 'b', '0', 'c'])
    expect(parseJsonPath('a[0][1].b')).toEqual(['a', '0', '1', 'b'])
    expect(parseJsonPath('[2]')).toEqual(['2'])
    for (const bad of ['', 'a.', '.a', 'a..b', 'a[x]', 'a[0', 'a]']) {
      expect(parseJsonPath(bad)).toBeUndefined()
    }
  })
})
