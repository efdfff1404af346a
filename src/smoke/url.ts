// The URLs a check requests: always the service URL's host and port, never anything else.

import { PhaseError } from '../errors.js'
import type { SmokeCheck } from './types.js'

/** `name (GET /path)` or `GET /path`. */
export function checkLabel(check: Pick<SmokeCheck, 'name' | 'method' | 'path'>): string {
  const call = `${check.method} ${check.path}`
  return check.name ? `${check.name} (${call})` : call
}

/** The URL a check requests: the service URL's origin and path, then the check's path. */
export function checkUrl(baseUrl: string, path: string, scheme?: 'http' | 'https'): string {
  return joinUrl(withScheme(parseBase(baseUrl), scheme), path).href
}

export function parseBase(baseUrl: string): URL {
  let base: URL
  try {
    base = new URL(baseUrl)
  } catch {
    throw new PhaseError(`service URL ${JSON.stringify(baseUrl)} is not a valid URL`)
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new PhaseError(`service URL ${JSON.stringify(baseUrl)} is not an http(s) URL`)
  }
  return base
}

/** The service URL with the check's scheme (`scheme: https` for a Service serving TLS). */
export function withScheme(base: URL, scheme: 'http' | 'https' | undefined): URL {
  if (scheme === undefined || base.protocol === `${scheme}:`) return base
  // Same host and port (an IPv6 hostname keeps its brackets).
  const port = base.port || (base.protocol === 'http:' ? '80' : '443')
  return new URL(`${scheme}://${base.hostname}:${port}${base.pathname}`)
}

export function joinUrl(base: URL, path: string): URL {
  // Concatenate, never resolve: `new URL('//other/x', base)` would leave the service.
  const prefix = base.pathname.replace(/\/+$/, '')
  const url = new URL(base.origin + prefix + path)
  if (url.origin !== base.origin) {
    throw new PhaseError(`check path ${JSON.stringify(path)} leaves the service URL ${base.origin}`)
  }
  return url
}
