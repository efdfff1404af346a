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

/** One request of an attempt: the first, or one following a redirect. */
interface Hop {
  url: URL
  method: HttpMethod
  body?: string
  headers: Record<string, string>
}

/** What a hop ended with, before the attempt's URL, redirects and latency are added. */
type HopEnd = Omit<AttemptOutcome, 'url' | 'redirects' | 'latencyMs' | 'refused' | 'sent'> &
  Partial<Pick<AttemptOutcome, 'refused' | 'sent'>>

export async function attempt(t: AttemptTarget, timeoutMs: number): Promise<AttemptOutcome> {
  const t0 = t.now()
  const redirects: string[] = []
  let hop: Hop = { url: t.url, method: t.check.method, body: t.check.body, headers: t.headers }
  for (let n = 0; ; n++) {
    const done = (o: HopEnd): AttemptOutcome => ({
      refused: false,
      sent: true,
      ...o,
      url: hop.url.href,
      redirects,
      latencyMs: t.now() - t0
    })
    const left = timeoutMs - (t.now() - t0)
    if (left <= 0) {
      return done({ error: `no response within ${Math.round(timeoutMs)} ms`, terminal: false })
    }
    const sent = await send(t, hop, left, n)
    if (!('bodyBytes' in sent)) return done(sent)
    const next = redirectTo(t, hop, sent, n)
    if (!('url' in next)) return done(next)
    redirects.push(next.url.href)
    hop = next
  }
}

/** Sends one hop: its response, or how it failed without one. */
async function send(
  t: AttemptTarget,
  hop: Hop,
  timeoutMs: number,
  n: number
): Promise<HttpResponse | HopEnd> {
  try {
    return await t.http.request({
      url: hop.url.href,
      method: hop.method,
      headers: hop.headers,
      body: hop.body,
      timeoutMs,
      maxBodyBytes: t.maxBodyBytes,
      tls: t.check.tls,
      signal: t.signal
    })
  } catch (err) {
    const code = err instanceof HttpRequestError ? err.code : undefined
    return {
      error: errorMessage(err),
      terminal: err instanceof HttpRequestError && !err.retryable,
      refused: code === 'ECONNREFUSED',
      // A hop after a redirect was sent by definition; the first only if it left.
      sent: n > 0 || code === undefined || !NOT_SENT_CODES.has(code)
    }
  }
}

/**
 * The hop a response redirects to (same origin only, at most maxRedirects), or how the attempt
 * ends with it: not a redirect, an expected redirect status, or a redirect not followed.
 */
function redirectTo(t: AttemptTarget, hop: Hop, res: HttpResponse, n: number): Hop | HopEnd {
  const location = res.headers['location']
  if (!REDIRECTS.has(res.status) || !location || statusMatches(t.check.expectStatus, res.status)) {
    return { status: res.status, response: res, terminal: false }
  }
  const seen = { status: res.status, response: res }
  let next: URL
  try {
    next = new URL(location, hop.url)
  } catch {
    const reason = `redirect ${res.status} with an invalid Location ${JSON.stringify(location)}`
    return { ...seen, reason, terminal: false }
  }
  if (next.origin !== t.origin) {
    const reason =
      `redirect ${res.status} to ${next.href} (another host) not followed: only the ` +
      `service URL ${t.origin} is contacted`
    return { ...seen, reason, terminal: true }
  }
  if (n >= t.maxRedirects) {
    const reason = `more than ${t.maxRedirects} redirects (the last one to ${next.href})`
    return { ...seen, reason, terminal: false }
  }
  // What browsers do: 303 turns into GET (except HEAD), and so do 301/302 after a POST.
  if (
    (res.status === 303 && hop.method !== 'HEAD') ||
    ((res.status === 301 || res.status === 302) && hop.method === 'POST')
  ) {
    const headers = Object.fromEntries(
      Object.entries(hop.headers).filter(
        ([k]) => !/^content-(type|encoding|language|location)$/i.test(k)
      )
    )
    return { url: next, method: 'GET', body: undefined, headers }
  }
  return { ...hop, url: next }
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
