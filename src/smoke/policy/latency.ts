// Latency: the attempt that passed is judged by max-latency-ms; a series (samples or load) by
// its percentiles.

import type { LatencyStats, SmokeCheck } from '../types.js'

/** Why the passing attempt was too slow, or undefined. */
export function judgeAttemptLatency(
  maxLatencyMs: number | undefined,
  latencyMs: number
): string | undefined {
  if (maxLatencyMs === undefined || latencyMs <= maxLatencyMs) return undefined
  return `took ${ms(latencyMs)} ms, over max-latency-ms ${maxLatencyMs} (judged on the attempt that passed)`
}

/** Percentiles by nearest rank over the values (not modified); zeros for none. */
export function latencyStats(values: ArrayLike<number>): LatencyStats {
  const n = values.length
  if (n === 0) return { count: 0, min: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 }
  const sorted = Float64Array.from(values).sort()
  let sum = 0
  for (let i = 0; i < n; i++) sum += sorted[i]
  return {
    count: n,
    min: round(sorted[0]),
    mean: round(sum / n),
    p50: round(rank(sorted, 50)),
    p95: round(rank(sorted, 95)),
    p99: round(rank(sorted, 99)),
    max: round(sorted[n - 1])
  }
}

/** The nearest-rank percentile of sorted values. */
export function rank(sorted: ArrayLike<number>, p: number): number {
  // The epsilon keeps 99.9 % of 1000 at rank 999 (0.999 × 1000 is 999.0000000000001 in floats).
  const i = Math.min(
    sorted.length - 1,
    Math.max(0, Math.ceil((p / 100) * sorted.length - 1e-9) - 1)
  )
  return sorted[i]
}

/** The series' thresholds that were not met, e.g. `p95 130 ms over max-p95-ms 100`. */
export function judgeSeries(
  check: Pick<SmokeCheck, 'maxP95Ms' | 'maxP99Ms'>,
  stats: LatencyStats
): string[] {
  const problems: string[] = []
  if (check.maxP95Ms !== undefined && stats.p95 > check.maxP95Ms) {
    problems.push(`p95 ${ms(stats.p95)} ms over max-p95-ms ${check.maxP95Ms}`)
  }
  if (check.maxP99Ms !== undefined && stats.p99 > check.maxP99Ms) {
    problems.push(`p99 ${ms(stats.p99)} ms over max-p99-ms ${check.maxP99Ms}`)
  }
  return problems
}

/** Milliseconds to 0.1 ms, as the report keeps them. */
export function round(x: number): number {
  return Math.round(x * 10) / 10
}

function ms(x: number): string {
  return String(round(x))
}
