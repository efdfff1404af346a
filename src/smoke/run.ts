// The smoke engine: each check is a small loop — attempt, judge, then ask the policies what next
// (warm-up, retry); once it passed, the latency policy judges that attempt and the series
// (samples or load) run and are judged. Every attempt is recorded.

import type { Clock } from '../ports.js'
import { attempt, checkTarget, type AttemptOutcome, type AttemptTarget } from './attempt.js'
import { createHttpClient } from './http.js'
import { judge } from './judge.js'
import { judgeAttemptLatency, judgeSeries, round } from './policy/latency.js'
import { judgeLoad } from './policy/load.js'
import {
  DEFAULT_BACKOFF,
  DEFAULT_MISMATCH_GRACE_MS,
  backoffWait,
  formatWait,
  nextDelay,
  retryVerdict,
  type Backoff
} from './policy/retry.js'
import {
  DEFAULT_REFUSED_RETRY,
  probeTimeout,
  warmupStep,
  type RefusedRetry
} from './policy/warmup.js'
import { runLoad, runSamples } from './series.js'
import { pause, stopReason } from './stop.js'
import { checkLabel, joinUrl, parseBase, withScheme } from './url.js'
import { describeExpectations, describeLoad, oneLine } from './expectations.js'
import type {
  HttpPort,
  HttpResponse,
  ResponseExcerpt,
  SmokeAttempt,
  SmokeCheck,
  SmokeResult
} from './types.js'

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
  /** Default: a client made for this run (kept-alive connections), closed at the end. */
  http?: HttpPort
  /** One line per attempt outcome. */
  log?: (line: string) => void
  /** Bound on one attempt (all its redirect hops) of a check without `timeout`; default 5000 ms. */
  requestTimeoutMs?: number
  /** Body read cap; default 1 MiB. */
  maxBodyBytes?: number
  backoff?: Partial<Backoff>
  /** Retrying refused connections at the start of a check; see RefusedRetry. */
  refused?: Partial<RefusedRetry>
  /** How long a non-5xx wrong answer is retried while no check passed; see policy/retry.ts. */
  mismatchGraceMs?: number
  /** Same-origin redirects followed per attempt; default 5. */
  maxRedirects?: number
  /**
   * Stops the checks: the request in flight is aborted, no further attempt starts, the current
   * check fails with the abort reason's message and the checks after it are reported as not run.
   */
  signal?: AbortSignal
}

/** What the checks of one run learn about the service. */
interface ServiceState {
  /** It has sent an HTTP response (any status). */
  answered: boolean
  /** When it first did (clock.now()). */
  firstAnswerAt: number
  /** An attempt has passed: it answers correctly. */
  passed: boolean
}

/**
 * Runs the checks one after another against baseUrl (an http(s) URL; its path, if any, prefixes
 * every check's path). Sequential on purpose: checks may depend on order (POST then GET), a
 * freshly started pod is not hit by a burst, latency budgets are measured without self-contention,
 * and after the first check passed the service is warm, so later ones cost one request each.
 * Every check gets at least one attempt even when an earlier check used up the time (so each is
 * reported with a real answer); such a late attempt uses the full request timeout.
 */
export async function runSmokeChecks(
  baseUrl: string,
  checks: readonly SmokeCheck[],
  options: RunSmokeOptions
): Promise<SmokeResult[]> {
  const base = parseBase(baseUrl)
  const http = options.http ?? createHttpClient()
  const service: ServiceState = { answered: false, firstAnswerAt: 0, passed: false }
  const results: SmokeResult[] = []
  try {
    for (const check of checks) {
      results.push(
        options.signal?.aborted
          ? notRun(base, check, stopReason(options.signal))
          : await runCheck(base, check, options, http, service)
      )
    }
  } finally {
    if (options.http === undefined) await http.close?.()
  }
  return results
}

async function runCheck(
  serviceUrl: URL,
  check: SmokeCheck,
  opts: RunSmokeOptions,
  http: HttpPort,
  service: ServiceState
): Promise<SmokeResult> {
  const { clock, signal } = opts
  const log = opts.log ?? (() => undefined)
  const backoff = { ...DEFAULT_BACKOFF, ...opts.backoff }
  const refused = { ...DEFAULT_REFUSED_RETRY, ...opts.refused }
  const requestTimeoutMs = check.timeoutMs ?? opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const minWindow = Math.min(MIN_ATTEMPT_WINDOW_MS, requestTimeoutMs)
  const label = checkLabel(check)
  const target: AttemptTarget = checkTarget(serviceUrl, check, {
    http,
    maxBodyBytes,
    maxRedirects: opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    now: clock.monotonic ? () => clock.monotonic!() : () => clock.now(),
    signal
  })
  const url = target.url

  const attempts: SmokeAttempt[] = []
  const notes: string[] = []
  let lastResponse: ResponseExcerpt | undefined
  /** Why the check failed; undefined while it has not. */
  let failure: string | undefined
  /** Show the last body with the failure (a body mismatch, or a wrong answer taken as final). */
  let showBody = false
  let passed: AttemptOutcome | undefined
  let delay = backoff.initialMs
  let retriesUsed = 0
  /** The previous attempt was refused early in the check. */
  let afterRefusal = false
  /** A run of fast-retried refusals is logged once, at its first attempt. */
  let refusedLogged = false
  const keep = (res: HttpResponse | undefined, at: string): void => {
    if (!res) return
    if (res.truncated) {
      const note = `response body larger than ${maxBodyBytes} bytes: only the first ${maxBodyBytes} bytes were read`
      if (!notes.includes(note)) notes.push(note)
    }
    lastResponse = excerpt(res, at)
  }
  const start = clock.now()
  if (start >= opts.deadlineMs) {
    notes.push('started after smoke-timeout had run out: one attempt only')
  }

  for (let n = 1; ; n++) {
    if (signal?.aborted) {
      failure = stopReason(signal)
      break
    }
    const t0 = clock.now()
    const remaining = opts.deadlineMs - t0
    const full = remaining >= minWindow ? Math.min(requestTimeoutMs, remaining) : requestTimeoutMs
    const probe = probeTimeout(
      {
        attempt: n,
        afterRefusal,
        sinceCheckStartMs: t0 - start,
        remainingMs: remaining,
        timeoutMs: full,
        minWindowMs: minWindow,
        method: check.method,
        serviceAnswered: service.answered
      },
      refused
    )
    const timeoutMs = probe ?? full
    const outcome = await attempt(target, timeoutMs)
    if (outcome.status !== undefined && !service.answered) {
      service.answered = true
      service.firstAnswerAt = clock.now()
    }
    const verdict = judge(check, outcome)
    const record: SmokeAttempt = {
      n,
      at: new Date(t0).toISOString(),
      elapsedMs: t0 - start,
      latencyMs: round(outcome.latencyMs),
      passed: verdict.passed
    }
    if (outcome.status !== undefined) record.status = outcome.status
    if (outcome.error !== undefined) record.error = outcome.error
    if (outcome.redirects.length > 0) record.redirects = outcome.redirects
    if (outcome.response) {
      record.bodyBytes = outcome.response.bodyBytes
      if (outcome.response.truncated) record.truncated = true
    }
    if (verdict.reason !== undefined) record.reason = verdict.reason
    attempts.push(record)
    keep(outcome.response, outcome.url)
    showBody = verdict.bodyFailed

    if (signal?.aborted) {
      failure = stopReason(signal)
      break
    }
    if (verdict.passed) {
      service.passed = true
      passed = outcome
      log(`${label}: passed (${outcome.status} in ${ms(outcome.latencyMs)}, attempt ${n})`)
      break
    }
    const reason = verdict.reason ?? 'failed'
    if (outcome.terminal) {
      log(`${label}: failed, not retried: ${reason}`)
      failure = reason
      break
    }
    const retry = retryVerdict({
      kind: verdict.kind ?? 'status',
      method: check.method,
      settings: check.retry,
      sent: outcome.sent,
      retriesUsed,
      serviceAnswered: service.answered,
      answeredCorrectly: service.passed,
      sinceFirstAnswerMs: service.answered ? clock.now() - service.firstAnswerAt : 0,
      mismatchGraceMs: opts.mismatchGraceMs ?? DEFAULT_MISMATCH_GRACE_MS
    })
    if (!retry.retry) {
      log(`${label}: failed, not retried (${retry.why}): ${reason}`)
      notes.push(`not retried: ${retry.why}`)
      failure = reason
      showBody = outcome.response !== undefined
      break
    }
    const left = opts.deadlineMs - clock.now()
    if (left <= minWindow) {
      log(`${label}: failed after ${n} attempt${n === 1 ? '' : 's'}: ${reason}`)
      failure = reason
      break
    }
    // Early in the check, a refusal is retried soon and an unanswered probe at once, neither
    // growing the backoff.
    const warm = warmupStep(
      {
        refused: outcome.refused,
        unansweredProbe:
          probe !== undefined && outcome.error !== undefined && outcome.latencyMs >= probe,
        sinceCheckStartMs: clock.now() - start
      },
      refused
    )
    const wait = warm
      ? Math.min(warm.waitMs, left - minWindow)
      : backoffWait(delay, left, minWindow)
    if (warm?.style !== 'refused') {
      const when = wait > 0 ? `in ${formatWait(wait)}` : 'at once'
      log(`${label}: attempt ${n}: ${reason}; retrying ${when}`)
    } else if (!refusedLogged) {
      log(
        `${label}: attempt ${n}: ${reason}; retrying every ${formatWait(refused.intervalMs)} ` +
          `while refused (up to ${formatWait(refused.windowMs)} into the check)`
      )
    }
    refusedLogged = warm?.style === 'refused'
    afterRefusal = warm?.style === 'refused'
    if (retry.counted) retriesUsed++
    if (wait > 0) await pause(clock, wait, signal)
    if (!warm) delay = nextDelay(delay, backoff)
  }

  const result: SmokeResult = {
    check: label,
    method: check.method,
    path: check.path,
    url: url.href,
    expected: describeExpectations(check),
    passed: false,
    attempts,
    durationMs: 0,
    notes
  }
  if (check.name !== undefined) result.name = check.name

  if (passed && failure === undefined) {
    const slow = judgeAttemptLatency(check.maxLatencyMs, passed.latencyMs)
    if (slow !== undefined) {
      const last = attempts[attempts.length - 1]
      last.passed = false
      last.reason = slow
      failure = slow
      log(`${label}: failed: ${slow}`)
    }
  }
  if (passed && failure === undefined && check.samples !== undefined) {
    const startedAt = new Date(clock.now()).toISOString()
    const s = await runSamples(target, check.samples, requestTimeoutMs)
    result.samples = { startedAt, ...s.result }
    keep(s.last?.response, s.last?.url ?? url.href)
    const l = s.result.latency
    log(
      `${label}: ${s.result.passed} of ${check.samples} samples: p50 ${ms(l.p50)}, p95 ${ms(l.p95)}, max ${ms(l.max)}`
    )
    failure = s.failure ?? joinProblems(judgeSeries(check, l), `${l.count} samples`)
    if (failure !== undefined) log(`${label}: failed: ${failure}`)
  }
  if (passed && failure === undefined && check.load !== undefined) {
    const spec = check.load
    log(`${label}: load: ${describeLoad(spec)} …`)
    const r = await runLoad(target, spec, requestTimeoutMs, clock)
    // Kept with the numbers, so the report (and its chart) shows what they were judged against.
    if (check.maxP95Ms !== undefined || check.maxP99Ms !== undefined) {
      r.thresholds = {
        ...(check.maxP95Ms !== undefined ? { maxP95Ms: check.maxP95Ms } : {}),
        ...(check.maxP99Ms !== undefined ? { maxP99Ms: check.maxP99Ms } : {})
      }
    }
    result.load = r
    log(
      `${label}: load: ${r.requests} requests in ${formatWait(r.durationMs)} (${r.requestsPerSecond}/s), ` +
        `${r.successRate} % passed, p50 ${ms(r.latency.p50)}, p95 ${ms(r.latency.p95)}, p99 ${ms(r.latency.p99)}`
    )
    const problems = judgeLoad(check, r)
    failure = r.stopped ?? (problems.length > 0 ? problems.join('; ') : undefined)
    if (failure !== undefined) log(`${label}: failed: ${failure}`)
  }

  result.durationMs = clock.now() - start
  result.passed = passed !== undefined && failure === undefined
  if (!result.passed) {
    const why = failure ?? attempts[attempts.length - 1]?.reason ?? 'failed'
    result.reason =
      showBody && lastResponse && lastResponse.body !== ''
        ? `${why}; response body: ${oneLine(lastResponse.body, 200)}`
        : why
  }
  if (lastResponse) result.lastResponse = lastResponse
  return result
}

/** A check that never started because the run was stopped before it. */
function notRun(serviceUrl: URL, check: SmokeCheck, why: string): SmokeResult {
  const result: SmokeResult = {
    check: checkLabel(check),
    method: check.method,
    path: check.path,
    url: joinUrl(withScheme(serviceUrl, check.scheme), check.path).href,
    expected: describeExpectations(check),
    passed: false,
    notRun: true,
    reason: `not run: ${why}`,
    attempts: [],
    durationMs: 0,
    notes: []
  }
  if (check.name !== undefined) result.name = check.name
  return result
}

function joinProblems(problems: string[], over: string): string | undefined {
  return problems.length === 0 ? undefined : `${problems.join('; ')} (over ${over})`
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

function ms(x: number): string {
  return x < 100 ? `${round(x)} ms` : `${Math.round(x)} ms`
}
