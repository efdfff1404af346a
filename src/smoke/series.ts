// The series run once a check passed: `samples` (one request after another) and `load`
// (many at once). Every request is judged like the check's attempts, but never retried.

import type { Clock } from '../effects.js'
import { attempt, type AttemptOutcome, type AttemptTarget } from './attempt.js'
import { judge } from './judge.js'
import { latencyStats, round } from './policy/latency.js'
import { LoadTally, loadLimits, scheduledStart } from './policy/load.js'
import { pause, stopReason } from './stop.js'
import type { LoadResult, LoadSpec, SamplesResult } from './types.js'

export interface SamplesRun {
  result: SamplesResult
  /** Why the series stopped early: a failing sample, or the run was stopped. */
  failure?: string
  last?: AttemptOutcome
}

export async function runSamples(
  t: AttemptTarget,
  count: number,
  timeoutMs: number
): Promise<SamplesRun> {
  const series: number[] = []
  let failure: string | undefined
  let last: AttemptOutcome | undefined
  for (let i = 1; i <= count; i++) {
    if (t.signal?.aborted) {
      failure = stopReason(t.signal)
      break
    }
    last = await attempt(t, timeoutMs)
    const j = judge(t.check, last)
    if (!j.passed) {
      failure = t.signal?.aborted ? stopReason(t.signal) : `sample ${i} of ${count}: ${j.reason}`
      break
    }
    series.push(round(last.latencyMs))
  }
  const result = { requested: count, passed: series.length, latency: latencyStats(series), series }
  return failure === undefined ? { result, last } : { result, failure, last }
}

/**
 * `concurrency` workers share one ticket counter; with a rate, ticket i starts no earlier than
 * i / rate seconds after the load started. No request starts after the duration; requests in
 * flight then finish (each bounded by the check's timeout) or are aborted with the run.
 */
export async function runLoad(
  t: AttemptTarget,
  spec: LoadSpec,
  timeoutMs: number,
  clock: Clock
): Promise<LoadResult> {
  const { maxRequests, durationMs } = loadLimits(spec)
  const tally = new LoadTally()
  const startedAt = new Date(clock.now()).toISOString()
  const t0 = t.now()
  let next = 0
  const worker = async (): Promise<void> => {
    for (;;) {
      if (t.signal?.aborted || next >= maxRequests) return
      const ticket = next++
      const at = scheduledStart(ticket, spec.rate)
      if (at >= durationMs) return
      const wait = at - (t.now() - t0)
      if (wait > 0) await pause(clock, wait, t.signal)
      if (t.signal?.aborted || t.now() - t0 >= durationMs) return
      const start = t.now()
      const o = await attempt(t, timeoutMs)
      if (t.signal?.aborted) return
      const j = judge(t.check, o)
      tally.add(start - t0, o.latencyMs, j.passed ? undefined : errorKind(o, j.reason))
    }
  }
  await Promise.all(Array.from({ length: Math.min(spec.concurrency, maxRequests) }, worker))
  const result = tally.result(spec, t.signal?.aborted ? stopReason(t.signal) : undefined)
  return { startedAt, ...result }
}

/** How a failed load request is counted: `status 503`, `connection reset`, `body: …`. */
function errorKind(o: AttemptOutcome, reason: string | undefined): string {
  if (o.error !== undefined) return o.error
  if (o.reason !== undefined) return cut(o.reason)
  if (o.status !== undefined && reason?.startsWith('expected status')) return `status ${o.status}`
  return cut(`body: ${reason ?? 'mismatch'}`)
}

function cut(text: string): string {
  return text.length > 100 ? `${text.slice(0, 99)}…` : text
}
