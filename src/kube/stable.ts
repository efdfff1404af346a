// `stable-for`: a verdict that holds. From the moment every workload of the run is ready, its pods
// are watched (watchHealth) through the smoke checks and until the window has passed: counted
// from readiness, so checks that take longer than the window cost nothing extra. The first
// restart, termination or loss of readiness breaks it.

import { watchHealth, type HealthProblem } from './health.js'
import type { KubePort } from './api.js'

export type StabilityResult = 'held' | 'broken' | 'not watched to the end'

/** For the report: the window, and whether it held. */
export interface StabilityFacts {
  windowMs: number
  /** ISO time every workload was ready: the window's start. */
  readyAt: string
  result: StabilityResult
  /** What broke it, and how long after readiness. */
  problem?: string
  brokenAfterMs?: number
}

/** Milliseconds of the window still to come at `now`; 0 once it has passed. */
export function windowLeft(readyAt: number, windowMs: number, now: number): number {
  return Math.max(0, readyAt + windowMs - now)
}

/** Held only when watched to its end with no problem. */
export function stabilityResult(w: {
  readyAt: number
  windowMs: number
  problemAt?: number
  watchedUntil: number
}): StabilityResult {
  if (w.problemAt !== undefined) return 'broken'
  return windowLeft(w.readyAt, w.windowMs, w.watchedUntil) === 0 ? 'held' : 'not watched to the end'
}

/** `4.2 s after every workload was ready (stable-for 10s), while the smoke checks ran` */
export function describeMoment(sinceReadyMs: number, windowMs: number, during?: string): string {
  const after = `${(Math.max(0, sinceReadyMs) / 1000).toFixed(1)} s after every workload was ready`
  const window = windowMs > 0 ? ` (stable-for ${formatWindow(windowMs)})` : ''
  return `${after}${window}${during ? `, ${during}` : ''}`
}

/** `10s`, `1.5s`, `2m`: the input's own syntax. */
export function formatWindow(ms: number): string {
  return ms % 60_000 === 0 && ms > 0 ? `${ms / 60_000}m` : `${ms / 1000}s`
}

export interface StabilityOptions {
  /** undefined: every namespace (the run's label selects its pods). */
  namespace?: string
  labelSelector: string
  windowMs: number
  /** When every workload was ready (ms since the epoch, like now()). */
  readyAt: number
  now: () => number
  logLines?: number
}

export interface Stability {
  /** Aborted at the first problem (its message is the reason): stops what runs meanwhile. */
  readonly signal: AbortSignal
  /** What the run is doing, for the problem's message (`while the smoke checks ran`). */
  during: string | undefined
  readonly problem: HealthProblem | undefined
  /**
   * Until the window has passed or a problem came (then it is returned); ends on `signal`. With
   * the window over it returns at once, unless a problem was just seen (its logs are awaited).
   */
  waitOut(signal?: AbortSignal): Promise<HealthProblem | undefined>
  stop(): void
  facts(): StabilityFacts
}

/** Starts watching at readiness; stop() it before anything replaces the pods on purpose. */
export function watchStability(kube: KubePort, options: StabilityOptions): Stability {
  const abort = new AbortController()
  let problem: HealthProblem | undefined
  let problemAt: number | undefined
  let stoppedAt: number | undefined
  const waiters = new Set<() => void>()
  const health = watchHealth(
    kube,
    {
      namespace: options.namespace,
      labelSelector: options.labelSelector,
      logLines: options.logLines,
      since: options.readyAt,
      when: () => {
        problemAt = options.now()
        return describeMoment(problemAt - options.readyAt, options.windowMs, stability.during)
      }
    },
    p => {
      problem = p
      abort.abort(new Error(p.message))
      for (const wake of waiters) wake()
    }
  )
  const stability: Stability = {
    signal: abort.signal,
    during: undefined,
    get problem() {
      return problem
    },
    waitOut(signal) {
      return new Promise(resolve => {
        const done = () => {
          clearTimeout(timer)
          waiters.delete(done)
          signal?.removeEventListener('abort', done)
          resolve(problem)
        }
        // A problem seen but still fetching its logs is waited for, even past the window.
        const atEnd = () => {
          if (problemAt === undefined) done()
        }
        const left = windowLeft(options.readyAt, options.windowMs, options.now())
        const timer = setTimeout(atEnd, left)
        if (problem || signal?.aborted) return done()
        waiters.add(done)
        signal?.addEventListener('abort', done, { once: true })
      })
    },
    stop() {
      if (stoppedAt !== undefined) return
      stoppedAt = options.now()
      health.stop()
    },
    facts() {
      const watchedUntil = stoppedAt ?? options.now()
      const facts: StabilityFacts = {
        windowMs: options.windowMs,
        readyAt: new Date(options.readyAt).toISOString(),
        result: stabilityResult({ ...options, problemAt: problem && problemAt, watchedUntil })
      }
      if (problem) {
        facts.problem = problem.message
        if (problemAt !== undefined) facts.brokenAfterMs = problemAt - options.readyAt
      }
      return facts
    }
  }
  return stability
}
