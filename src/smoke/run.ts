// The smoke engine: each check is retried with capped exponential backoff until it passes or the
// deadline comes; every attempt is recorded.

import { PhaseError, errorMessage } from '../errors.js'
import type { Clock } from '../ports.js'
import { fetchHttp } from './http.js'
import { evaluate } from './match.js'
import { statusMatches } from './status.js'
import {
  HttpRequestError,
  type HttpMethod,
  type HttpPort,
  type HttpResponse,
  type ResponseExcerpt,
  type SmokeAttempt,
  type SmokeCheck,
  type SmokeResult
} from './types.js'

export interface Backoff {
  /** First wait after a failed attempt. */
  initialMs: number
  /** Each wait is the previous one times this… */
  factor: number
  /** …capped at this. */
  maxMs: number
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, factor: 2, maxMs: 2000 }

/**
 * Reaching a service that has just rolled out. Its NodePort refuses connections until kube-proxy
 * has programmed the new endpoints (measured 0.03–1.8 s after the pod turned Ready, locally); a
 * refusal never reaches the service, so during a check's first `windowMs` it is retried every
 * `intervalMs` instead of backing off (a backoff overshoots the moment the service starts
 * answering by up to its current wait).
 *
 * An attempt made in the instant kube-proxy switches its rules over (it commits its filter and
 * nat tables one after the other) is neither refused nor forwarded: kube-proxy's own placeholder
 * socket on the port accepts the connection and never answers (measured: 1–2 of 20 ms-spaced
 * probes at the switch, in 10 of 14 rollouts; and the switch follows the pod's Ready as closely as
 * the first smoke attempt does, which landed in it in 4 of 8 runs). So until the service has
 * answered anything, an attempt early in a check — the first one, or one right after a refusal —
 * waits at most `probeTimeoutMs` for a response and, unanswered, is retried at once with the full
 * request timeout: a hung connection costs `probeTimeoutMs`, and a service that is merely slow to
 * answer its first request loses as much. Safe methods only (GET, HEAD, OPTIONS): an abandoned
 * request may still have been served.
 */
export interface RefusedRetry {
  intervalMs: number
  windowMs: number
  probeTimeoutMs: number
}

export const DEFAULT_REFUSED_RETRY: RefusedRetry = {
  intervalMs: 100,
  windowMs: 5000,
  probeTimeoutMs: 250
}

const SAFE_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'OPTIONS'])

export const DEFAULT_REQUEST_TIMEOUT_MS = 5000
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024
export const DEFAULT_MAX_REDIRECTS = 5
/** No retry is started with less than this (or the request timeout, if smaller) left. */
export const MIN_ATTEMPT_WINDOW_MS = 250
/** Characters of the last body kept in the report. */
export const EXCERPT_CHARS = 2048

export interface RunSmokeOptions {
  /** Absolute time (as clock.now()) after which no retry starts. Shared by all checks. */
  deadlineMs: number
  clock: Clock
  /** Default: Node's fetch. */
  http?: HttpPort
  /** One line per attempt outcome. */
  log?: (line: string) => void
  /** Bound on one attempt (all its redirect hops); default 5000 ms. */
  requestTimeoutMs?: number
  /** Body read cap; default 1 MiB. */
  maxBodyBytes?: number
  backoff?: Partial<Backoff>
  /** Retrying refused connections at the start of a check; see RefusedRetry. */
  refused?: Partial<RefusedRetry>
  /** Same-origin redirects followed per attempt; default 5. */
  maxRedirects?: number
}

/**
 * Runs the checks one after another against baseUrl (an http(s) URL; its path, if any, prefixes
 * every check's path). Sequential on purpose: checks may depend on order (POST then GET), a
 * freshly started pod is not hit by a burst, latency budgets are measured without self-contention,
 * and after the first check passed the service is warm, so later ones cost one request each.
 *
 * Retry rule: a failed attempt is retried while time is left — connection refused/reset,
 * timeouts, 5xx, any unexpected status, a wrong body or a slow response alike — with waits
 * initialMs, ×factor, capped at maxMs — except refused connections early in a check, retried at
 * a short fixed interval (see RefusedRetry; logged once per run of refusals, the backoff does not
 * grow); a wait never runs past deadline − MIN_ATTEMPT_WINDOW_MS,
 * so the last attempt still has time to get an answer. Not retried: a redirect to another origin
 * (it is never followed, only the service URL is contacted) and requests the HTTP client refuses.
 * Every check gets at least one attempt even when an earlier check used up the time (so each
 * is reported with a real answer); such a late attempt uses the full request timeout.
 */
export async function runSmokeChecks(
  baseUrl: string,
  checks: readonly SmokeCheck[],
  options: RunSmokeOptions
): Promise<SmokeResult[]> {
  const base = parseBase(baseUrl)
  const results: SmokeResult[] = []
  const service = { answered: false }
  for (const check of checks) results.push(await runCheck(base, check, options, service))
  return results
}

/** `name (GET /path)` or `GET /path`. */
export function checkLabel(check: Pick<SmokeCheck, 'name' | 'method' | 'path'>): string {
  const call = `${check.method} ${check.path}`
  return check.name ? `${check.name} (${call})` : call
}

/** The URL a check requests: the service URL's origin and path, then the check's path. */
export function checkUrl(baseUrl: string, path: string): string {
  const base = parseBase(baseUrl)
  return joinUrl(base, path).href
}

function parseBase(baseUrl: string): URL {
  let base: URL
  try {
    base = new URL(baseUrl)
  } catch {
    throw new PhaseError('smoke', `service URL ${JSON.stringify(baseUrl)} is not a valid URL`)
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new PhaseError('smoke', `service URL ${JSON.stringify(baseUrl)} is not an http(s) URL`)
  }
  return base
}

function joinUrl(base: URL, path: string): URL {
  // Concatenate, never resolve: `new URL('//other/x', base)` would leave the service.
  const prefix = base.pathname.replace(/\/+$/, '')
  const url = new URL(base.origin + prefix + path)
  if (url.origin !== base.origin) {
    throw new PhaseError(
      'smoke',
      `check path ${JSON.stringify(path)} leaves the service URL ${base.origin}`
    )
  }
  return url
}

interface AttemptOutcome {
  status?: number
  error?: string
  response?: HttpResponse
  url: string
  redirects: string[]
  latencyMs: number
  /** A failure before the response could be judged (off-host redirect, too many redirects). */
  reason?: string
  terminal: boolean
  /** The connection was refused: nothing listens (yet) behind the URL. */
  refused?: boolean
}

async function runCheck(
  base: URL,
  check: SmokeCheck,
  opts: RunSmokeOptions,
  /** Shared by the checks of one run: whether the service has sent any HTTP response yet. */
  service: { answered: boolean }
): Promise<SmokeResult> {
  const clock = opts.clock
  const http = opts.http ?? fetchHttp
  const log = opts.log ?? (() => undefined)
  const backoff = { ...DEFAULT_BACKOFF, ...opts.backoff }
  const refused = { ...DEFAULT_REFUSED_RETRY, ...opts.refused }
  const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const minWindow = Math.min(MIN_ATTEMPT_WINDOW_MS, requestTimeoutMs)
  const label = checkLabel(check)
  const url = joinUrl(base, check.path)

  const attempts: SmokeAttempt[] = []
  const notes: string[] = []
  let lastResponse: ResponseExcerpt | undefined
  let bodyFailed = false
  let delay = backoff.initialMs
  /** The previous attempt was refused early in the check. */
  let afterRefusal = false
  /** A run of fast-retried refusals is logged once, at its first attempt. */
  let refusedLogged = false
  const start = clock.now()
  if (start >= opts.deadlineMs) {
    notes.push('started after smoke-timeout had run out: one attempt only')
  }

  for (let n = 1; ; n++) {
    const t0 = clock.now()
    const remaining = opts.deadlineMs - t0
    let timeoutMs =
      remaining >= minWindow ? Math.min(requestTimeoutMs, remaining) : requestTimeoutMs
    // Only with time left for another attempt after it, so a slow service is not cut short.
    const shortened =
      !service.answered &&
      (n === 1 || afterRefusal) &&
      t0 - start < refused.windowMs &&
      SAFE_METHODS.has(check.method) &&
      refused.probeTimeoutMs < timeoutMs &&
      remaining - refused.probeTimeoutMs - refused.intervalMs > minWindow
    if (shortened) timeoutMs = refused.probeTimeoutMs
    const outcome = await attemptOnce(http, base, url, check, timeoutMs, maxBodyBytes, opts, clock)
    if (outcome.status !== undefined) service.answered = true

    const attempt: SmokeAttempt = {
      n,
      at: new Date(t0).toISOString(),
      elapsedMs: t0 - start,
      latencyMs: outcome.latencyMs,
      passed: false
    }
    if (outcome.status !== undefined) attempt.status = outcome.status
    if (outcome.error !== undefined) attempt.error = outcome.error
    if (outcome.redirects.length > 0) attempt.redirects = outcome.redirects

    const res = outcome.response
    if (res) {
      attempt.bodyBytes = res.bodyBytes
      if (res.truncated) {
        attempt.truncated = true
        const note = `response body larger than ${maxBodyBytes} bytes: only the first ${maxBodyBytes} bytes were read`
        if (!notes.includes(note)) notes.push(note)
      }
      lastResponse = excerpt(res, outcome.url)
    }

    if (outcome.error !== undefined) {
      attempt.reason = outcome.error
      bodyFailed = false
    } else if (outcome.reason !== undefined) {
      attempt.reason = outcome.reason
      bodyFailed = false
    } else if (res) {
      const verdict = evaluate(check, res, outcome.latencyMs)
      attempt.passed = verdict.passed
      if (verdict.reason !== undefined) attempt.reason = verdict.reason
      bodyFailed = verdict.bodyFailed
    }
    attempts.push(attempt)

    if (attempt.passed) {
      log(`${label}: passed (${res?.status} in ${Math.round(outcome.latencyMs)} ms, attempt ${n})`)
      break
    }
    if (outcome.terminal) {
      log(`${label}: failed, not retried: ${attempt.reason}`)
      break
    }
    const left = opts.deadlineMs - clock.now()
    if (left <= minWindow) {
      log(`${label}: failed after ${n} attempt${n === 1 ? '' : 's'}: ${attempt.reason}`)
      break
    }
    // Early in the check, a refusal is retried soon and an unanswered probe at once, neither
    // growing the backoff.
    const wasRefused = outcome.refused === true && clock.now() - start < refused.windowMs
    const unanswered = shortened && outcome.error !== undefined && outcome.latencyMs >= timeoutMs
    const wait = unanswered
      ? 0
      : Math.min(wasRefused ? refused.intervalMs : delay, left - minWindow)
    if (!wasRefused) {
      const when = wait > 0 ? `in ${formatWait(wait)}` : 'at once'
      log(`${label}: attempt ${n}: ${attempt.reason}; retrying ${when}`)
    } else if (!refusedLogged) {
      log(
        `${label}: attempt ${n}: ${attempt.reason}; retrying every ${formatWait(refused.intervalMs)} ` +
          `while refused (up to ${formatWait(refused.windowMs)} into the check)`
      )
    }
    refusedLogged = wasRefused
    afterRefusal = wasRefused
    if (wait > 0) await clock.sleep(wait)
    if (!wasRefused && !unanswered) delay = Math.min(delay * backoff.factor, backoff.maxMs)
  }

  const last = attempts[attempts.length - 1]
  const result: SmokeResult = {
    check: label,
    method: check.method,
    path: check.path,
    url: url.href,
    expected: describeExpectations(check),
    passed: last.passed,
    attempts,
    durationMs: clock.now() - start,
    notes
  }
  if (check.name !== undefined) result.name = check.name
  if (!last.passed) {
    result.reason =
      bodyFailed && lastResponse
        ? `${last.reason}; response body: ${oneLine(lastResponse.body, 200)}`
        : (last.reason ?? 'failed')
  }
  if (lastResponse) result.lastResponse = lastResponse
  return result
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

async function attemptOnce(
  http: HttpPort,
  base: URL,
  firstUrl: URL,
  check: SmokeCheck,
  timeoutMs: number,
  maxBodyBytes: number,
  opts: RunSmokeOptions,
  clock: Clock
): Promise<AttemptOutcome> {
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS
  const t0 = clock.now()
  const redirects: string[] = []
  let url = firstUrl
  let method: HttpMethod = check.method
  let body = check.body
  let headers = check.headers
  for (let hop = 0; ; hop++) {
    const left = timeoutMs - (clock.now() - t0)
    const done = (o: Omit<AttemptOutcome, 'url' | 'redirects' | 'latencyMs'>): AttemptOutcome => ({
      ...o,
      url: url.href,
      redirects,
      latencyMs: clock.now() - t0
    })
    if (left <= 0)
      return done({ error: `no response within ${Math.round(timeoutMs)} ms`, terminal: false })
    let res: HttpResponse
    try {
      res = await http.request({
        url: url.href,
        method,
        headers,
        body,
        timeoutMs: left,
        maxBodyBytes
      })
    } catch (err) {
      const retryable = err instanceof HttpRequestError ? err.retryable : true
      const refused = err instanceof HttpRequestError && err.code === 'ECONNREFUSED'
      return done({ error: errorMessage(err), terminal: !retryable, refused })
    }
    const location = res.headers['location']
    if (!REDIRECTS.has(res.status) || !location || statusMatches(check.expectStatus, res.status)) {
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
    if (next.origin !== base.origin) {
      return done({
        status: res.status,
        response: res,
        reason:
          `redirect ${res.status} to ${next.href} (another host) not followed: only the ` +
          `service URL ${base.origin} is contacted`,
        terminal: true
      })
    }
    if (hop >= maxRedirects) {
      return done({
        status: res.status,
        response: res,
        reason: `more than ${maxRedirects} redirects (the last one to ${next.href})`,
        terminal: false
      })
    }
    redirects.push(next.href)
    // What fetch does: 303 turns into GET (except HEAD), and so do 301/302 after a POST.
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

function excerpt(res: HttpResponse, url: string): ResponseExcerpt {
  const out: ResponseExcerpt = {
    status: res.status,
    url,
    body: res.body.length > EXCERPT_CHARS ? `${res.body.slice(0, EXCERPT_CHARS)}…` : res.body,
    bodyBytes: res.bodyBytes,
    truncated: res.truncated
  }
  const type = res.headers['content-type']
  if (type !== undefined) out.contentType = type
  return out
}

function describeExpectations(check: SmokeCheck): string[] {
  const out = [`status ${check.expectStatus.text}`]
  for (const needle of check.expectBodyContains) out.push(`body contains ${JSON.stringify(needle)}`)
  if (check.expectBodyRegex !== undefined) out.push(`body matches /${check.expectBodyRegex}/`)
  if (check.expectJson !== undefined) {
    for (const [path, value] of Object.entries(check.expectJson)) {
      out.push(`JSON ${path} matches ${oneLine(JSON.stringify(value) ?? 'null', 80)}`)
    }
  }
  if (check.maxLatencyMs !== undefined) out.push(`latency ≤ ${check.maxLatencyMs} ms`)
  return out
}

/** Whitespace collapsed, cut to max characters. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

function formatWait(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
