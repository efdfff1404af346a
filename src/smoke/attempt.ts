// One attempt of a check: the request, then same-origin redirects (at most maxRedirects hops),
// all within one timeout. What came back is described, not judged (match.ts judges).

import { errorMessage } from '../errors.js'
import { NOT_SENT_CODES } from './http.js'
import { statusMatches } from './status.js'
import { joinUrl, withScheme } from './url.js'
import {
  HttpRequestError,
  type HttpMethod,
  type HttpPort,
  type HttpResponse,
  type SmokeCheck
} from './types.js'

/** What every attempt of one check shares. */
export interface AttemptTarget {
  http: HttpPort
  /** The origin every hop must stay on. */
  origin: string
  url: URL
  check: SmokeCheck
  /** The check's headers, with Host when the check sets `host`. */
  headers: Record<string, string>
  maxBodyBytes: number
  maxRedirects: number
  /** Monotonic milliseconds. */
  now: () => number
  signal?: AbortSignal
}

export interface AttemptOutcome {
  status?: number
  error?: string
  response?: HttpResponse
  /** The URL that answered. */
  url: string
  redirects: string[]
  latencyMs: number
  /** A failure before the response could be judged (off-host redirect, too many redirects). */
  reason?: string
  /** Waiting cannot change it: an off-host redirect, a request the client refuses. */
  terminal: boolean
  /** The connection was refused: nothing listens (yet) behind the URL. */
  refused: boolean
  /** The request may have reached the service (false only when it provably never left). */
  sent: boolean
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

export async function attempt(t: AttemptTarget, timeoutMs: number): Promise<AttemptOutcome> {
  const t0 = t.now()
  const redirects: string[] = []
  let url = t.url
  let method: HttpMethod = t.check.method
  let body = t.check.body
  let headers = t.headers
  for (let hop = 0; ; hop++) {
    const left = timeoutMs - (t.now() - t0)
    const done = (
      o: Omit<AttemptOutcome, 'url' | 'redirects' | 'latencyMs' | 'refused' | 'sent'> &
        Partial<Pick<AttemptOutcome, 'refused' | 'sent'>>
    ): AttemptOutcome => ({
      refused: false,
      sent: true,
      ...o,
      url: url.href,
      redirects,
      latencyMs: t.now() - t0
    })
    if (left <= 0) {
      return done({ error: `no response within ${Math.round(timeoutMs)} ms`, terminal: false })
    }
    let res: HttpResponse
    try {
      res = await t.http.request({
        url: url.href,
        method,
        headers,
        body,
        timeoutMs: left,
        maxBodyBytes: t.maxBodyBytes,
        tls: t.check.tls,
        signal: t.signal
      })
    } catch (err) {
      const code = err instanceof HttpRequestError ? err.code : undefined
      return done({
        error: errorMessage(err),
        terminal: err instanceof HttpRequestError && !err.retryable,
        refused: code === 'ECONNREFUSED',
        // A hop after a redirect was sent by definition; the first only if it left.
        sent: hop > 0 || code === undefined || !NOT_SENT_CODES.has(code)
      })
    }
    const location = res.headers['location']
    if (
      !REDIRECTS.has(res.status) ||
      !location ||
      statusMatches(t.check.expectStatus, res.status)
    ) {
      return done({ status: res.status, response: res, terminal: false })
    }
    let next: URL
    try {
      next = new URL(location, url)
    } catch {
      return done({
        status: res.status,
        response: res,
        reason: `redirect ${res.status} with an invalid Location ${JSON.stringify(location)}`,
        terminal: false
      })
    }
    if (next.origin !== t.origin) {
      return done({
        status: res.status,
        response: res,
        reason:
          `redirect ${res.status} to ${next.href} (another host) not followed: only the ` +
          `service URL ${t.origin} is contacted`,
        terminal: true
      })
    }
    if (hop >= t.maxRedirects) {
      return done({
        status: res.status,
        response: res,
        reason: `more than ${t.maxRedirects} redirects (the last one to ${next.href})`,
        terminal: false
      })
    }
    redirects.push(next.href)
    // What browsers do: 303 turns into GET (except HEAD), and so do 301/302 after a POST.
    if (
      (res.status === 303 && method !== 'HEAD') ||
      ((res.status === 301 || res.status === 302) && method === 'POST')
    ) {
      method = 'GET'
      body = undefined
      headers = Object.fromEntries(
        Object.entries(headers).filter(
          ([k]) => !/^content-(type|encoding|language|location)$/i.test(k)
        )
      )
    }
    url = next
  }
}

/** Where a check's attempts go: the service URL with the check's scheme, then its path. */
export function checkTarget(
  serviceUrl: URL,
  check: SmokeCheck,
  options: Pick<AttemptTarget, 'http' | 'maxBodyBytes' | 'maxRedirects' | 'now' | 'signal'>
): AttemptTarget {
  const base = withScheme(serviceUrl, check.scheme)
  return {
    ...options,
    origin: base.origin,
    url: joinUrl(base, check.path),
    check,
    headers: requestHeaders(check)
  }
}

/** The headers a check sends: its own, and Host when it sets `host`. */
export function requestHeaders(check: SmokeCheck): Record<string, string> {
  return check.host === undefined ? check.headers : { ...check.headers, host: check.host }
}
