// The smoke engine: each check is a small loop — plan the attempt, send it, judge it, record it,
// and act on what decide() (decide.ts: the warm-up and retry policies over a snapshot) says next;
// once it passed, the latency policy judges that attempt and the series (samples or load) run and
// are judged. Every attempt is recorded.

import type { Clock } from '../effects.js'
import { attempt, checkTarget, type AttemptOutcome, type AttemptTarget } from './attempt.js'
import {
  decide,
  firstProgress,
  formatLatency as ms,
  planAttempt,
  type CheckPolicy,
  type Decision
} from './decide.js'
import { createHttpClient } from './http.js'
import { judge, type Judged } from './judge.js'
import { judgeAttemptLatency, judgeSeries, round } from './policy/latency.js'
import { judgeLoad } from './policy/load.js'
import {
  DEFAULT_BACKOFF,
  DEFAULT_MISMATCH_GRACE_MS,
  formatWait,
  type Backoff
} from './policy/retry.js'
import { DEFAULT_REFUSED_RETRY, type RefusedRetry } from './policy/warmup.js'
import { runLoad, runSamples } from './series.js'
import { pause, stopReason } from './stop.js'
import { checkLabel, joinUrl, parseBase, withScheme } from './url.js'
import { describeExpectations, describeLoad, oneLine } from './expectations.js'
import type {
  HttpPort,
  HttpResponse,
  LoadSpec,
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

/** One check being run: what every step of it reads. */
interface CheckRun {
  check: SmokeCheck
  label: string
  target: AttemptTarget
  policy: CheckPolicy
  opts: RunSmokeOptions
  log: (line: string) => void
  maxBodyBytes: number
  /** clock.now() when the check started. */
  start: number
  /** What the check has seen so far, for its result. */
  attempts: SmokeAttempt[]
  notes: string[]
  lastResponse?: ResponseExcerpt
}

/** How the attempts of a check ended: passed, failed, or gave up at the deadline. */
type Ended = Exclude<Decision, { kind: 'retry' }>

async function runCheck(
  serviceUrl: URL,
  check: SmokeCheck,
  opts: RunSmokeOptions,
  http: HttpPort,
  service: ServiceState
): Promise<SmokeResult> {
  const c = startCheck(serviceUrl, check, opts, http)
  const result: SmokeResult = {
    check: c.label,
    method: check.method,
    path: check.path,
    url: c.target.url.href,
    expected: describeExpectations(check),
    passed: false,
    attempts: c.attempts,
    durationMs: 0,
    notes: c.notes
  }
  if (check.name !== undefined) result.name = check.name

  const { ended, outcome } = await attemptUntilDecided(c, service)
  let failure: string | undefined
  if (ended.kind === 'pass') {
    service.passed = true
    failure = await judgePassed(c, outcome!, result)
  } else {
    failure = ended.reason
  }

  result.durationMs = opts.clock.now() - c.start
  result.passed = ended.kind === 'pass' && failure === undefined
  if (!result.passed) {
    const why = failure ?? c.attempts[c.attempts.length - 1]?.reason ?? 'failed'
    const body = ended.kind !== 'pass' && ended.showBody ? c.lastResponse?.body : undefined
    result.reason = body ? `${why}; response body: ${oneLine(body, 200)}` : why
  }
  if (c.lastResponse) result.lastResponse = c.lastResponse
  return result
}

function startCheck(
  serviceUrl: URL,
  check: SmokeCheck,
  opts: RunSmokeOptions,
  http: HttpPort
): CheckRun {
  const { clock } = opts
  const requestTimeoutMs = check.timeoutMs ?? opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const policy: CheckPolicy = {
    method: check.method,
    retry: check.retry,
    requestTimeoutMs,
    minWindowMs: Math.min(MIN_ATTEMPT_WINDOW_MS, requestTimeoutMs),
    backoff: { ...DEFAULT_BACKOFF, ...opts.backoff },
    refused: { ...DEFAULT_REFUSED_RETRY, ...opts.refused },
    mismatchGraceMs: opts.mismatchGraceMs ?? DEFAULT_MISMATCH_GRACE_MS
  }
  const target = checkTarget(serviceUrl, check, {
    http,
    maxBodyBytes,
    maxRedirects: opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    now: clock.monotonic ? () => clock.monotonic!() : () => clock.now(),
    signal: opts.signal
  })
  const start = clock.now()
  const notes: string[] = []
  if (start >= opts.deadlineMs) {
    notes.push('started after smoke-timeout had run out: one attempt only')
  }
  const log = opts.log ?? (() => undefined)
  const label = checkLabel(check)
  return { check, label, target, policy, opts, log, maxBodyBytes, start, attempts: [], notes }
}

/**
 * The check's loop: plan the attempt, send it, record it, ask decide() what next, and act on it
 * (log, wait, try again) until it passes, fails or gives up. Stopping the run ends it at once.
 */
async function attemptUntilDecided(
  c: CheckRun,
  service: ServiceState
): Promise<{ ended: Ended; outcome?: AttemptOutcome }> {
  const { clock, signal, deadlineMs } = c.opts
  let progress = firstProgress(c.policy)
  let lastVerdict: Judged | undefined
  for (;;) {
    if (signal?.aborted) {
      const showBody = lastVerdict?.bodyFailed ?? false
      return { ended: { kind: 'fail', reason: stopReason(signal), showBody } }
    }
    const t0 = clock.now()
    const time = { sinceCheckStartMs: t0 - c.start, leftMs: deadlineMs - t0 }
    const plan = planAttempt(progress, time, service.answered, c.policy)
    const outcome = await attempt(c.target, plan.timeoutMs)
    const now = clock.now()
    if (outcome.status !== undefined && !service.answered) {
      service.answered = true
      service.firstAnswerAt = now
    }
    const verdict = judge(c.check, outcome)
    progress = { ...progress, attempts: progress.attempts + 1 }
    c.attempts.push(attemptRecord(progress.attempts, t0 - c.start, t0, outcome, verdict))
    keepResponse(c, outcome.response, outcome.url)
    const decision = decide(
      {
        progress,
        outcome,
        verdict,
        probeMs: plan.probeMs,
        service: {
          answered: service.answered,
          answeredCorrectly: service.passed,
          sinceFirstAnswerMs: service.answered ? now - service.firstAnswerAt : 0
        },
        time: { sinceCheckStartMs: now - c.start, leftMs: deadlineMs - now },
        stopped: signal?.aborted ? stopReason(signal) : undefined
      },
      c.policy
    )
    if (decision.message !== undefined) c.log(`${c.label}: ${decision.message}`)
    if (decision.kind !== 'retry') {
      if (decision.kind === 'fail' && decision.note !== undefined) c.notes.push(decision.note)
      return { ended: decision, outcome }
    }
    progress = decision.next
    lastVerdict = verdict
    if (decision.waitMs > 0) await pause(clock, decision.waitMs, signal)
  }
}

function attemptRecord(
  n: number,
  elapsedMs: number,
  t0: number,
  outcome: AttemptOutcome,
  verdict: Judged
): SmokeAttempt {
  const record: SmokeAttempt = {
    n,
    at: new Date(t0).toISOString(),
    elapsedMs,
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
  return record
}

/** Keeps the last response for the report, noting once that a body was cut at the read cap. */
function keepResponse(c: CheckRun, res: HttpResponse | undefined, at: string): void {
  if (!res) return
  if (res.truncated) {
    const note = `response body larger than ${c.maxBodyBytes} bytes: only the first ${c.maxBodyBytes} bytes were read`
    if (!c.notes.includes(note)) c.notes.push(note)
  }
  c.lastResponse = excerpt(res, at)
}

/**
 * Once an attempt passed: the latency policy judges it, then the series (samples or load) run
 * and are judged. Returns why the check failed after all, or undefined.
 */
async function judgePassed(
  c: CheckRun,
  passed: AttemptOutcome,
  result: SmokeResult
): Promise<string | undefined> {
  let failure = judgeAttemptLatency(c.check.maxLatencyMs, passed.latencyMs)
  if (failure !== undefined) {
    const last = c.attempts[c.attempts.length - 1]
    last.passed = false
    last.reason = failure
    c.log(`${c.label}: failed: ${failure}`)
  }
  if (failure === undefined && c.check.samples !== undefined) {
    failure = await samplesPhase(c, c.check.samples, result)
  }
  if (failure === undefined && c.check.load !== undefined) {
    failure = await loadPhase(c, c.check.load, result)
  }
  return failure
}

async function samplesPhase(
  c: CheckRun,
  count: number,
  result: SmokeResult
): Promise<string | undefined> {
  const startedAt = new Date(c.opts.clock.now()).toISOString()
  const s = await runSamples(c.target, count, c.policy.requestTimeoutMs)
  result.samples = { startedAt, ...s.result }
  keepResponse(c, s.last?.response, s.last?.url ?? c.target.url.href)
  const l = s.result.latency
  c.log(
    `${c.label}: ${s.result.passed} of ${count} samples: p50 ${ms(l.p50)}, p95 ${ms(l.p95)}, max ${ms(l.max)}`
  )
  const failure = s.failure ?? joinProblems(judgeSeries(c.check, l), `${l.count} samples`)
  if (failure !== undefined) c.log(`${c.label}: failed: ${failure}`)
  return failure
}

async function loadPhase(
  c: CheckRun,
  spec: LoadSpec,
  result: SmokeResult
): Promise<string | undefined> {
  const { check, label } = c
  c.log(`${label}: load: ${describeLoad(spec)} …`)
  const r = await runLoad(c.target, spec, c.policy.requestTimeoutMs, c.opts.clock)
  // Kept with the numbers, so the report (and its chart) shows what they were judged against.
  if (check.maxP95Ms !== undefined || check.maxP99Ms !== undefined) {
    r.thresholds = {
      ...(check.maxP95Ms !== undefined ? { maxP95Ms: check.maxP95Ms } : {}),
      ...(check.maxP99Ms !== undefined ? { maxP99Ms: check.maxP99Ms } : {})
    }
  }
  result.load = r
  c.log(
    `${label}: load: ${r.requests} requests in ${formatWait(r.durationMs)} (${r.requestsPerSecond}/s), ` +
      `${r.successRate} % passed, p50 ${ms(r.latency.p50)}, p95 ${ms(r.latency.p95)}, p99 ${ms(r.latency.p99)}`
  )
  const problems = judgeLoad(check, r)
  const failure = r.stopped ?? (problems.length > 0 ? problems.join('; ') : undefined)
  if (failure !== undefined) c.log(`${label}: failed: ${failure}`)
  return failure
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
