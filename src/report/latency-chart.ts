// A load check's latency distribution as a Mermaid xychart: bars at each percentile, a line at
// each threshold the check was judged against. Pure; the same numbers go in a text line beside it.

import type { LoadResult, Percentile } from '../smoke/types.js'
import { mermaidText } from './mermaid.js'

export interface LatencyChart {
  /** The Mermaid source (no fence). */
  text: string
  /** The same, in words: `p50 3.5 ms · … · max 30.4 ms; max-p95-ms 100`. */
  plain: string
}

/** The distribution of a load, or undefined when it sent no request. */
export function latencyChart(check: string, load: LoadResult): LatencyChart | undefined {
  const points = distribution(load)
  if (points.length === 0) return undefined
  const limits = thresholdLines(load)
  const top = Math.max(...points.map(p => p.ms), ...limits.map(l => l.ms))
  const yMax = niceCeiling(top * 1.1)
  const lines = [
    'xychart-beta',
    `    title "${mermaidText(`${check}: latency (ms) by percentile`, 80)}"`,
    `    x-axis [${points.map(p => `"${percentileName(p.p)}"`).join(', ')}]`,
    `    y-axis "ms" 0 --> ${yMax}`,
    `    bar [${points.map(p => p.ms).join(', ')}]`,
    ...limits.map(l => `    line [${points.map(() => l.ms).join(', ')}]`)
  ]
  const words = points.map(p => `${percentileName(p.p)} ${p.ms} ms`).join(' · ')
  const judged = limits.map(l => `${l.name} ${l.ms}`).join(', ')
  return {
    text: lines.join('\n'),
    plain: judged ? `${words}; lines: ${judged}` : words
  }
}

/** Percentiles as recorded; a report from before they were, from its latency stats. */
function distribution(load: LoadResult): Percentile[] {
  if (load.requests === 0) return []
  if (load.percentiles && load.percentiles.length > 0) return load.percentiles
  const l = load.latency
  return [
    { p: 50, ms: l.p50 },
    { p: 95, ms: l.p95 },
    { p: 99, ms: l.p99 },
    { p: 100, ms: l.max }
  ]
}

function thresholdLines(load: LoadResult): Array<{ name: string; ms: number }> {
  const t = load.thresholds ?? {}
  return [
    ...(t.maxP95Ms !== undefined ? [{ name: 'max-p95-ms', ms: t.maxP95Ms }] : []),
    ...(t.maxP99Ms !== undefined ? [{ name: 'max-p99-ms', ms: t.maxP99Ms }] : [])
  ]
}

function percentileName(p: number): string {
  return p === 100 ? 'max' : `p${p}`
}

/** 1, 2 or 5 times a power of ten, at least x (and at least 1). */
export function niceCeiling(x: number): number {
  if (!(x > 1)) return 1
  const power = 10 ** Math.floor(Math.log10(x))
  for (const step of [1, 2, 5, 10]) if (step * power >= x) return step * power
  return 10 * power
}
