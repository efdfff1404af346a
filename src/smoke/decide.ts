// What a check does next, as pure functions over a snapshot of its progress: how long the next
// attempt may take (planAttempt), and, once it is judged, whether the check passed, failed, gave
// up at the deadline, or retries after a wait (decide). run.ts sends, records and acts.

import type { AttemptOutcome } from './attempt.js'
import type { Judged } from './judge.js'
import { round } from './policy/latency.js'
import { backoffWait, formatWait, nextDelay, retryVerdict, type Backoff } from './policy/retry.js'
import { probeTimeout, warmupStep, type RefusedRetry } from './policy/warmup.js'
import type { HttpMethod, RetrySettings } from './types.js'

/** What one check's policies are, fixed for all its attempts. */
export interface CheckPolicy {
  method: HttpMethod
  retry?: RetrySettings
  /** The check's request timeout (or the engine's default). */
  requestTimeoutMs: number
  /** No retry is started with less than this left before the deadline. */
  minWindowMs: number
  backoff: Backoff
  refused: RefusedRetry
  mismatchGraceMs: number
}

/** What a check carries from one attempt to the next. */
export interface CheckProgress {
  /** Attempts made so far. */
  attempts: number
  /** Retries counted against `retries`. */
  retriesUsed: number
  /** The wait before the next backoff retry. */
  delayMs: number
  /** The last retry was a fast one after a refusal early in the check. */
  afterRefusal: boolean
}

/** What the checks of this run have learnt about the service so far. */
export interface ServiceView {
  /** It has sent an HTTP response (any status). */
  answered: boolean
  /** An attempt of the run has passed. */
  answeredCorrectly: boolean
  /** Since its first HTTP response; 0 while it has sent none. */
  sinceFirstAnswerMs: number
}

/** The clock as a check sees it, read once per step. */
export interface CheckTime {
  sinceCheckStartMs: number
  /** Until the run's deadline (negative once it has passed). */
  leftMs: number
}

export interface AttemptPlan {
  timeoutMs: number
  /** Set when the attempt is a short warm-up probe (see policy/warmup.ts). */
  probeMs?: number
}

/** Everything decide() looks at once an attempt is judged. */
export interface CheckSnapshot {
  /** Counts the attempt just judged. */
  progress: CheckProgress
  outcome: Pick<
    AttemptOutcome,
    'status' | 'error' | 'latencyMs' | 'terminal' | 'refused' | 'sent' | 'response'
  >
  verdict: Judged
  /** The probe timeout that attempt was given, if any. */
  probeMs?: number
  service: ServiceView
  time: CheckTime
  /** The run was stopped (the abort reason), if it was. */
  stopped?: string
}

export type Decision =
  | { kind: 'pass'; message: string }
  /** Not retried: stopped, a terminal outcome, or the retry policy said no. */
  | { kind: 'fail'; reason: string; showBody: boolean; message?: string; note?: string }
  /** The deadline leaves no room for another attempt. */
  | { kind: 'give-up'; reason: string; showBody: boolean; message: string }
  | { kind: 'retry'; waitMs: number; next: CheckProgress; message?: string }

export function firstProgress(policy: CheckPolicy): CheckProgress {
  return { attempts: 0, retriesUsed: 0, delayMs: policy.backoff.initialMs, afterRefusal: false }
}

/**
 * The next attempt's timeout: the request timeout cut to the time left (unless too little is left:
 * then the full timeout, so a late check still gets one real attempt), or a warm-up probe's.
 */
export function planAttempt(
  progress: CheckProgress,
  time: CheckTime,
  serviceAnswered: boolean,
  policy: CheckPolicy
): AttemptPlan {
  const { leftMs, sinceCheckStartMs } = time
  const full =
    leftMs >= policy.minWindowMs
      ? Math.min(policy.requestTimeoutMs, leftMs)
      : policy.requestTimeoutMs
  const probeMs = probeTimeout(
    {
      attempt: progress.attempts + 1,
      afterRefusal: progress.afterRefusal,
      sinceCheckStartMs,
      remainingMs: leftMs,
      timeoutMs: full,
      minWindowMs: policy.minWindowMs,
      method: policy.method,
      serviceAnswered
    },
    policy.refused
  )
  return probeMs === undefined ? { timeoutMs: full } : { timeoutMs: probeMs, probeMs }
}

/** What the check does after the attempt in the snapshot, in this order of precedence. */
export function decide(s: CheckSnapshot, policy: CheckPolicy): Decision {
  const { verdict, outcome } = s
  const n = s.progress.attempts
  if (s.stopped !== undefined) {
    return { kind: 'fail', reason: s.stopped, showBody: verdict.bodyFailed }
  }
  if (verdict.passed) {
    return {
      kind: 'pass',
      message: `passed (${outcome.status} in ${formatLatency(outcome.latencyMs)}, attempt ${n})`
    }
  }
  const reason = verdict.reason ?? 'failed'
  if (outcome.terminal) {
    const message = `failed, not retried: ${reason}`
    return { kind: 'fail', reason, showBody: verdict.bodyFailed, message }
  }
  const retry = retryVerdict({
    kind: verdict.kind ?? 'status',
    method: policy.method,
    settings: policy.retry,
    sent: outcome.sent,
    retriesUsed: s.progress.retriesUsed,
    serviceAnswered: s.service.answered,
    answeredCorrectly: s.service.answeredCorrectly,
    sinceFirstAnswerMs: s.service.sinceFirstAnswerMs,
    mismatchGraceMs: policy.mismatchGraceMs
  })
  if (!retry.retry) {
    return {
      kind: 'fail',
      reason,
      // A wrong answer taken as final: show what it said.
      showBody: outcome.response !== undefined,
      message: `failed, not retried (${retry.why}): ${reason}`,
      note: `not retried: ${retry.why}`
    }
  }
  if (s.time.leftMs <= policy.minWindowMs) {
    const message = `failed after ${n} attempt${n === 1 ? '' : 's'}: ${reason}`
    return { kind: 'give-up', reason, showBody: verdict.bodyFailed, message }
  }
  return retryStep(s, reason, retry.counted, policy)
}

/**
 * The retry: early in the check a refusal is retried soon and an unanswered probe at once, neither
 * growing the backoff; any other failure waits the backoff delay, never into the last window.
 */
function retryStep(
  s: CheckSnapshot,
  reason: string,
  counted: boolean,
  policy: CheckPolicy
): Decision {
  const { progress, outcome } = s
  const left = s.time.leftMs
  const warm = warmupStep(
    {
      refused: outcome.refused,
      unansweredProbe:
        s.probeMs !== undefined && outcome.error !== undefined && outcome.latencyMs >= s.probeMs,
      sinceCheckStartMs: s.time.sinceCheckStartMs
    },
    policy.refused
  )
  const waitMs = warm
    ? Math.min(warm.waitMs, left - policy.minWindowMs)
    : backoffWait(progress.delayMs, left, policy.minWindowMs)
  const next: CheckProgress = {
    attempts: progress.attempts,
    retriesUsed: progress.retriesUsed + (counted ? 1 : 0),
    delayMs: warm ? progress.delayMs : nextDelay(progress.delayMs, policy.backoff),
    afterRefusal: warm?.style === 'refused'
  }
  const n = progress.attempts
  let message: string | undefined
  if (warm?.style !== 'refused') {
    message = `attempt ${n}: ${reason}; retrying ${waitMs > 0 ? `in ${formatWait(waitMs)}` : 'at once'}`
  } else if (!progress.afterRefusal) {
    // A run of fast-retried refusals is logged once, at its first attempt.
    const { intervalMs, windowMs } = policy.refused
    message =
      `attempt ${n}: ${reason}; retrying every ${formatWait(intervalMs)} ` +
      `while refused (up to ${formatWait(windowMs)} into the check)`
  }
  return message === undefined
    ? { kind: 'retry', waitMs, next }
    : { kind: 'retry', waitMs, next, message }
}

/** A latency for the log: 0.1 ms below 100 ms, whole milliseconds above. */
export function formatLatency(x: number): string {
  return x < 100 ? `${round(x)} ms` : `${Math.round(x)} ms`
}
