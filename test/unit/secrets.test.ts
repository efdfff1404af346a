import { describe, expect, test } from '@jest/globals'
import { REDACTED, SecretRegistry } from '../../src/secrets.js'
import { credentialValues, isCredentialHeader } from '../../src/smoke/credentials.js'
import { parseSmokeChecks } from '../../src/smoke/index.js'

describe('SecretRegistry', () => {
  test('register masks once per value (the log) and redacts every form in text', () => {
    const masked: string[] = []
    const s = new SecretRegistry(v => masked.push(v))
    s.register('  s3cr3t"quote/+  ')
    s.register('s3cr3t"quote/+')
    s.register('')
    s.register('   ')
    expect(masked).toEqual(['s3cr3t"quote/+'])
    expect(s.size).toBe(1)
    const text = [
      'plain s3cr3t"quote/+ here',
      `json ${JSON.stringify({ token: 's3cr3t"quote/+' })}`,
      `url ?t=${encodeURIComponent('s3cr3t"quote/+')}`
    ].join('\n')
    const out = s.redact(text)
    expect(out).not.toContain('s3cr3t')
    expect(out.split(REDACTED).length - 1).toBe(3)
  })

  test('a longer secret is replaced whole even when a shorter one is inside it', () => {
    const s = new SecretRegistry()
    s.register('abcd')
    s.register('xxabcdxx')
    expect(s.redact('xxabcdxx and abcd')).toBe('*** and ***')
  })

  test('redactDeep: strings and keys anywhere in an object, the original untouched', () => {
    const s = new SecretRegistry()
    s.register('tok-123456')
    const report = { a: ['Bearer tok-123456', 1, null, { 'tok-123456': true }], n: 5 }
    expect(s.redactDeep(report)).toEqual({ a: ['Bearer ***', 1, null, { '***': true }], n: 5 })
    expect(report.a[0]).toBe('Bearer tok-123456')
  })

  test('nothing registered: text and objects pass through', () => {
    const s = new SecretRegistry()
    const o = { a: 'x' }
    expect(s.redact('x')).toBe('x')
    expect(s.redactDeep(o)).toBe(o)
  })
})

describe('credential headers', () => {
  test.each([
    ['Authorization', true],
    ['proxy-authorization', true],
    ['Cookie', true],
    ['X-Api-Key', true],
    ['X-Auth-Token', true],
    ['X-Amz-Security-Token', true],
    ['X-Session-Id', true],
    ['X-Hub-Signature-256', true],
    ['X-Client-Secret', true],
    ['Accept', false],
    ['Content-Type', false],
    ['X-Request-Id', false],
    ['Host', false]
  ])('%s secret: %s', (name, secret) => {
    expect(isCredentialHeader(name)).toBe(secret)
  })

  test('values of those headers, and the credentials of an Authorization scheme', () => {
    const checks = parseSmokeChecks({
      checksYaml: [
        '- path: /a',
        '  headers:',
        '    Authorization: Bearer eyJhbGciOi.payload.sig',
        '    Accept: application/json',
        '- path: /b',
        '  headers:',
        `    authorization: Basic ${Buffer.from('alice:correct horse').toString('base64')}`,
        '    X-Api-Key: k-0001',
        '- path: /c',
        '  headers:',
        '    Authorization: Bearer ab'
      ].join('\n'),
      smokePath: '',
      expectStatus: ''
    })
    expect(credentialValues(checks)).toEqual([
      'Bearer eyJhbGciOi.payload.sig',
      'eyJhbGciOi.payload.sig',
      `Basic ${Buffer.from('alice:correct horse').toString('base64')}`,
      Buffer.from('alice:correct horse').toString('base64'),
      'correct horse',
      'k-0001',
      // 'ab' alone is too short to mask without hiding ordinary text; the whole value is kept.
      'Bearer ab'
    ])
  })
})
