import { expect, test } from '@jest/globals'
import { HttpRequestError, describeFetchError } from '../../src/smoke/index.js'

// fetch rejects with `TypeError: fetch failed` and hides the real error in `cause`.
const fetchFailed = (cause: unknown) => Object.assign(new TypeError('fetch failed'), { cause })
const coded = (code: string, message = code) => Object.assign(new Error(message), { code })

test.each([
  [fetchFailed(coded('ECONNREFUSED')), 'connection refused', true],
  [fetchFailed(coded('ECONNRESET')), 'connection reset', true],
  [
    fetchFailed(coded('UND_ERR_SOCKET', 'other side closed')),
    'connection closed by the server before a full response',
    true
  ],
  [
    fetchFailed(Object.assign(new AggregateError([coded('ECONNREFUSED')]), {})),
    'connection refused',
    true
  ],
  [
    fetchFailed(coded('UND_ERR_INVALID_ARG', 'invalid upgrade header')),
    'request refused by the HTTP client: invalid upgrade header',
    false
  ],
  [
    fetchFailed(new Error('bad port')),
    'fetch refuses to connect to this port (a "bad port" in the fetch standard)',
    false
  ],
  [
    new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    'no response within 1500 ms',
    true
  ],
  [new TypeError('Failed to parse URL from x'), 'Failed to parse URL from x', false],
  [fetchFailed(new Error('something new')), 'fetch failed: something new', true]
])('%#: %s', (err, message, retryable) => {
  const e = describeFetchError(err, 1500)
  expect(e).toBeInstanceOf(HttpRequestError)
  expect(e.message).toBe(message)
  expect(e.retryable).toBe(retryable)
})

test('the system error code is kept, so a refused connection can be told apart', () => {
  expect(describeFetchError(fetchFailed(coded('ECONNREFUSED')), 1500).code).toBe('ECONNREFUSED')
  expect(
    describeFetchError(fetchFailed(new AggregateError([coded('ECONNREFUSED')])), 1500).code
  ).toBe('ECONNREFUSED')
  expect(describeFetchError(fetchFailed(coded('ECONNRESET')), 1500).code).toBe('ECONNRESET')
  expect(describeFetchError(new DOMException('t', 'TimeoutError'), 1500).code).toBeUndefined()
})
