// Retry: whether a failed attempt is sent again, and how long to wait first.

import type { HttpMethod, RetryKind, RetrySettings } from '../types.js'

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
 * A wrong answer that is not a 5xx is retried for at most this long after the service first
 * answered, while no check has passed yet (a router or Ingress answering 404 before its route is
 * programmed); then it is the service's real answer.
 */
export const DEFAULT_MISMATCH_GRACE_MS = 10_000

/** Methods RFC 9110 does not call idempotent: sending them twice may do the thing twice. */
export const NON_IDEMPOTENT: ReadonlySet<HttpMethod> = new Set(['POST', 'PATCH'])

export interface RetryInput {
  kind: RetryKind
  method: HttpMethod
  settings?: RetrySettings
  /** The request may have reached the service (anything but a refused or unresolved connection). */
  sent: boolean
  /** Retries already counted against `retries`. */
  retriesUsed: number
  /** The service has sent any HTTP response in this run. */
  serviceAnswered: boolean
  /** Some attempt of the run has passed: the service answers correctly elsewhere. */
  answeredCorrectly: boolean
  /** Since the service's first HTTP response in this run. */
  sinceFirstAnswerMs: number
  mismatchGraceMs: number
}

export type RetryVerdict =
  /** counted: whether it uses up one of `retries`. */
  | { retry: true; counted: boolean }
  /** why: what the log and the report say about not retrying. */
  | { retry: false; why: string }

/**
 * The rule, in order:
 * 1. Warm-up: no response before the service has answered anything is retried and not counted
 *    against `retries` (the NodePort is still being programmed) — except a non-idempotent request
 *    that may have been sent.
 * 2. `retries: N` / `retry: false`: no retry once N are used.
 * 3. POST and PATCH are not retried once the request may have reached the service, unless the
 *    check asks (`retries` above 0, or `retry-on`).
 * 4. `retry-on`: exactly those outcomes are retried.
 * 5. Default: no response and 5xx are retried; any other wrong answer is retried only while no
 *    check has passed yet and for at most mismatchGraceMs after the service first answered.
 */
export function retryVerdict(x: RetryInput): RetryVerdict {
  const asked =
    (x.settings?.maxRetries !== undefined && x.settings.maxRetries > 0) ||
    x.settings?.on !== undefined
  const unsafe = NON_IDEMPOTENT.has(x.method) && x.sent && !asked
  const notIdempotent = `${x.method} is not idempotent and the request may have reached the service (set 'retries' or 'retry-on' to retry it)`
  if (x.kind === 'connection' && !x.serviceAnswered) {
    return unsafe ? { retry: false, why: notIdempotent } : { retry: true, counted: false }
  }
  const max = x.settings?.maxRetries
  if (max !== undefined && x.retriesUsed >= max) {
    return {
      retry: false,
      why: max === 0 ? "'retry: false'" : `'retries: ${max}' used up`
    }
  }
  if (unsafe) return { retry: false, why: notIdempotent }
  const on = x.settings?.on
  if (on !== undefined) {
    return on.includes(x.kind)
      ? { retry: true, counted: true }
      : { retry: false, why: `'retry-on' does not list ${x.kind}` }
  }
  if (x.kind === 'connection' || x.kind === '5xx') return { retry: true, counted: true }
  if (x.answeredCorrectly) {
    return {
      retry: false,
      why: 'the service answers other requests correctly, so this answer is taken as final'
    }
  }
  if (x.sinceFirstAnswerMs >= x.mismatchGraceMs) {
    return {
      retry: false,
      why: `the service has answered wrongly for ${formatWait(x.sinceFirstAnswerMs)}, so this answer is taken as final`
    }
  }
  return { retry: true, counted: true }
}

/** The wait before the next attempt: the backoff delay, never running into the last window. */
export function backoffWait(delayMs: number, leftMs: number, minWindowMs: number): number {
  return Math.max(0, Math.min(delayMs, leftMs - minWindowMs))
}

export function nextDelay(delayMs: number, backoff: Backoff): number {
  return Math.min(delayMs * backoff.factor, backoff.maxMs)
}

export function formatWait(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
