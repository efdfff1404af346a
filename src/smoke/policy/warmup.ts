// Warm-up: reaching a service that has just rolled out, before it has answered anything.

import type { HttpMethod } from '../types.js'

/**
 * Its NodePort refuses connections until kube-proxy has programmed the new endpoints (measured
 * 0.03–1.8 s after the pod turned Ready, locally); a refusal never reaches the service, so during
 * a check's first `windowMs` it is retried every `intervalMs` instead of backing off (a backoff
 * overshoots the moment the service starts answering by up to its current wait).
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

export const SAFE_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'OPTIONS'])

export interface ProbeContext {
  /** 1-based attempt of the check. */
  attempt: number
  /** The previous attempt of this check was refused inside the window. */
  afterRefusal: boolean
  sinceCheckStartMs: number
  /** Until the run's deadline. */
  remainingMs: number
  /** The attempt's timeout otherwise. */
  timeoutMs: number
  minWindowMs: number
  method: HttpMethod
  /** The service has sent any HTTP response in this run. */
  serviceAnswered: boolean
}

/**
 * The shortened timeout for this attempt, or undefined for the full one. Only with time left for
 * another attempt after it, so a slow service is not cut short.
 */
export function probeTimeout(ctx: ProbeContext, cfg: RefusedRetry): number | undefined {
  const early = ctx.attempt === 1 || ctx.afterRefusal
  const fits = ctx.remainingMs - cfg.probeTimeoutMs - cfg.intervalMs > ctx.minWindowMs
  return !ctx.serviceAnswered &&
    early &&
    ctx.sinceCheckStartMs < cfg.windowMs &&
    SAFE_METHODS.has(ctx.method) &&
    cfg.probeTimeoutMs < ctx.timeoutMs &&
    fits
    ? cfg.probeTimeoutMs
    : undefined
}

export interface WarmupFailure {
  /** The connection was refused (nothing listens yet). */
  refused: boolean
  /** The attempt got no response within the shortened probe timeout it was given. */
  unansweredProbe: boolean
  /** Since the check started, measured when the attempt ended. */
  sinceCheckStartMs: number
}

export type WarmupStep =
  /** Retry every intervalMs while refused; the backoff does not grow. */
  | { style: 'refused'; waitMs: number }
  /** Retry at once with the full timeout; the backoff does not grow. */
  | { style: 'unanswered'; waitMs: 0 }

/** How warm-up retries a failed attempt, or undefined when the retry policy decides alone. */
export function warmupStep(f: WarmupFailure, cfg: RefusedRetry): WarmupStep | undefined {
  if (f.unansweredProbe) return { style: 'unanswered', waitMs: 0 }
  if (f.refused && f.sinceCheckStartMs < cfg.windowMs) {
    return { style: 'refused', waitMs: cfg.intervalMs }
  }
  return undefined
}
