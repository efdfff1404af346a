// Which smoke-check header values carry credentials, so they are registered as secrets (masked in
// the log, redacted in every file). The rule errs on the side of hiding: a header is secret when
// its name is Authorization, Proxy-Authorization or Cookie, or contains one of the words below
// (X-Api-Key, X-Auth-Token, X-Amz-Security-Token, X-Session-Id, X-Hub-Signature, ...).

import type { SmokeCheck } from './types.js'

const SECRET_HEADER_WORDS = [
  'auth',
  'cookie',
  'token',
  'secret',
  'password',
  'passwd',
  'key',
  'session',
  'credential',
  'signature'
]

const MIN_PART = 4

export function isCredentialHeader(name: string): boolean {
  const n = name.toLowerCase()
  return SECRET_HEADER_WORDS.some(w => n.includes(w))
}

/**
 * The values to register as secrets: each credential header's value, and for `Scheme credentials`
 * (Bearer, Basic, token …) the credentials alone too, since a server may log just those (and a
 * Basic password decoded).
 */
export function credentialValues(checks: readonly SmokeCheck[]): string[] {
  const values = new Set<string>()
  for (const check of checks) {
    for (const [name, value] of Object.entries(check.headers)) {
      if (!isCredentialHeader(name) || value.trim() === '') continue
      values.add(value.trim())
      const scheme = /^[A-Za-z][A-Za-z0-9._~+/-]*\s+(\S.*)$/.exec(value.trim())
      if (!scheme || !/^(authorization|proxy-authorization)$/i.test(name)) continue
      // Parts shorter than 4 characters are left out: a mask that short would hide ordinary text.
      if (scheme[1].length >= MIN_PART) values.add(scheme[1])
      // Basic: the password inside the base64, which a server may log once decoded.
      if (/^basic$/i.test(value.trim().split(/\s/)[0])) {
        const decoded = Buffer.from(scheme[1], 'base64').toString('utf8')
        const password = decoded.slice(decoded.indexOf(':') + 1)
        if (decoded.includes(':') && password.length >= MIN_PART) values.add(password)
      }
    }
  }
  return [...values]
}
