// Load: how many requests, when each starts, how they are tallied, and the verdict.

import { DEFAULT_MIN_SUCCESS_RATE, LIMITS } from '../parse-policy.js'
import type { LoadResult, LoadSecond, LoadSpec, Percentile, SmokeCheck } from '../types.js'
import { judgeSeries, latencyStats, rank, round } from './latency.js'

/** The bounds a load always has: a count and a time, whatever was given. */
export function loadLimits(spec: LoadSpec): { maxRequests: number; durationMs: number } {
  return {
    maxRequests: spec.requests ?? LIMITS.loadRequests,
    durationMs: spec.durationMs ?? LIMITS.loadDurationMs.max
  }
}

/** When request i (0-based) starts, in ms after the load started; 0 without a rate. */
export function scheduledStart(i: number, rate: number | undefined): number {
  return rate === undefined ? 0 : (i * 1000) / rate
}

/** The percentiles a load's distribution is reported at (100: the slowest request). */
export const LOAD_PERCENTILES = [50, 75, 90, 95, 99, 99.9, 100] as const

/** Distinct error kinds kept by name; the rest are counted as `other`. */
export const MAX_ERROR_KINDS = 20

/**
 * Collects every request of a load run: start (ms after the load started), latency, and what
 * went wrong if it failed. Typed arrays, so a long run costs 17 bytes a request.
 */
export class LoadTally {
  private starts = new Float64Array(1024)
  private latencies = new Float64Array(1024)
  private failedAt = new Uint8Array(1024)
  private n = 0
  private lastEnd = 0
  private readonly errors = new Map<string, number>()

  add(startMs: number, latencyMs: number, error?: string): void {
    if (this.n === this.starts.length) this.grow()
    this.starts[this.n] = startMs
    this.latencies[this.n] = latencyMs
    this.failedAt[this.n] = error === undefined ? 0 : 1
    this.n++
    this.lastEnd = Math.max(this.lastEnd, startMs + latencyMs)
    if (error !== undefined) {
      const key = this.errors.has(error) || this.errors.size < MAX_ERROR_KINDS ? error : 'other'
      this.errors.set(key, (this.errors.get(key) ?? 0) + 1)
    }
  }

  get count(): number {
    return this.n
  }

  result(spec: LoadSpec, stopped?: string): LoadResult {
    const n = this.n
    const latencies = this.latencies.subarray(0, n)
    let failed = 0
    for (let i = 0; i < n; i++) failed += this.failedAt[i]
    const first = n > 0 ? this.starts[0] : 0
    const durationMs = Math.max(0, this.lastEnd - first)
    const out: LoadResult = {
      concurrency: spec.concurrency,
      requests: n,
      succeeded: n - failed,
      failed,
      successRate: n === 0 ? 0 : Math.floor(((n - failed) / n) * 10000) / 100,
      durationMs: round(durationMs),
      requestsPerSecond: durationMs > 0 ? round((n * 1000) / durationMs) : 0,
      latency: latencyStats(latencies),
      percentiles: percentiles(latencies),
      errors: Object.fromEntries([...this.errors].sort((a, b) => b[1] - a[1])),
      series: this.series()
    }
    if (spec.rate !== undefined) out.rate = spec.rate
    if (stopped !== undefined) out.stopped = stopped
    return out
  }

  /** Per second of request start: count, failures and percentiles. */
  private series(): LoadSecond[] {
    const buckets = new Map<number, number[]>()
    for (let i = 0; i < this.n; i++) {
      const t = Math.floor(this.starts[i] / 1000)
      let b = buckets.get(t)
      if (!b) buckets.set(t, (b = []))
      b.push(i)
    }
    return [...buckets.keys()]
      .sort((a, b) => a - b)
      .map(t => {
        const idx = buckets.get(t)!
        const sorted = Float64Array.from(idx, i => this.latencies[i]).sort()
        let failed = 0
        for (const i of idx) failed += this.failedAt[i]
        return {
          t,
          requests: idx.length,
          failed,
          p50: round(rank(sorted, 50)),
          p95: round(rank(sorted, 95)),
          p99: round(rank(sorted, 99))
        }
      })
  }

  private grow(): void {
    const size = this.starts.length * 2
    const grow = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size)
      b.set(a)
      return b
    }
    this.starts = grow(this.starts, s => new Float64Array(s))
    this.latencies = grow(this.latencies, s => new Float64Array(s))
    this.failedAt = grow(this.failedAt, s => new Uint8Array(s))
  }
}

/** The latencies at LOAD_PERCENTILES (nearest rank); none for no requests. */
export function percentiles(values: ArrayLike<number>): Percentile[] {
  if (values.length === 0) return []
  const sorted = Float64Array.from(values).sort()
  return LOAD_PERCENTILES.map(p => ({ p, ms: round(rank(sorted, p)) }))
}

/** The thresholds the load missed (empty when it passed). */
export function judgeLoad(
  check: Pick<SmokeCheck, 'minSuccessRate' | 'maxP95Ms' | 'maxP99Ms'>,
  r: LoadResult
): string[] {
  const problems: string[] = []
  const min = check.minSuccessRate ?? DEFAULT_MIN_SUCCESS_RATE
  if (r.requests === 0) return ['no load request was sent']
  if (r.successRate < min) {
    const top = Object.entries(r.errors)
      .slice(0, 3)
      .map(([kind, count]) => `${kind} × ${count}`)
      .join(', ')
    problems.push(
      `success rate ${r.successRate} % (${r.succeeded} of ${r.requests}) under min-success-rate ${min} %` +
        (top ? `; errors: ${top}` : '')
    )
  }
  return [...problems, ...judgeSeries(check, r.latency)]
}
