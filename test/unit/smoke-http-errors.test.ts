import { expect, test } from '@jest/globals'
import { HttpRequestError, describeHttpError } from '../../src/smoke/index.js'

// Node's client fails with the socket's error (a code on it), sometimes in `cause` or as an
// AggregateError (one per address tried), or throws for a request it will not send.
const coded = (code: string, message = code) => Object.assign(new Error(message), { code })
const wrapped = (cause: unknown) => Object.assign(new Error('request failed'), { cause })

test.each([
  [coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'connection refused', true],
  [coded('ECONNRESET', 'read ECONNRESET'), 'connection reset', true],
  [coded('ECONNRESET', 'socket hang up'), 'connection reset', true],
  [
    coded('HPE_INVALID_CONSTANT', 'Parse Error: Expected HTTP/'),
    'the server did not speak HTTP',
    true
  ],
  [new AggregateError([coded('ECONNREFUSED')]), 'connection refused', true],
  [wrapped(coded('ECONNRESET')), 'connection reset', true],
  [
    coded('ERR_INVALID_CHAR', 'Invalid character in header content ["x-a"]'),
    'request refused by the HTTP client: Invalid character in header content ["x-a"]',
    false
  ],
  [
    coded('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
    "TLS: the certificate is self-signed (self-signed certificate); give the check its 'ca', or 'insecure: true'",
    false
  ],
  [
    coded('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"),
    "TLS: the certificate does not name this host (Hostname/IP does not match certificate's altnames); give the check its 'ca', or 'insecure: true'",
    false
  ],
  [
    coded('ERR_SSL_WRONG_VERSION_NUMBER', 'ssl3_get_record:wrong version number'),
    'TLS handshake failed: the server did not answer in TLS (is the port plain HTTP? then use scheme: http)',
    false
  ],
  [
    new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    'no response within 1500 ms',
    true
  ],
  [wrapped(new Error('something new')), 'request failed: something new', true]
])('%#: %s', (err, message, retryable) => {
  const e = describeHttpError(err, 1500)
  expect(e).toBeInstanceOf(HttpRequestError)
  expect(e.message).toBe(message)
  expect(e.retryable).toBe(retryable)
})

test('the system error code is kept, so a refused connection can be told apart', () => {
  expect(describeHttpError(coded('ECONNREFUSED'), 1500).code).toBe('ECONNREFUSED')
  expect(describeHttpError(new AggregateError([coded('ECONNREFUSED')]), 1500).code).toBe(
    'ECONNREFUSED'
  )
  expect(describeHttpError(wrapped(coded('ECONNRESET')), 1500).code).toBe('ECONNRESET')
  expect(describeHttpError(new DOMException('t', 'TimeoutError'), 1500).code).toBeUndefined()
})
