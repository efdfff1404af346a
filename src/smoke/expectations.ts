// What a check expects, as the report lists it.

import { DEFAULT_MIN_SUCCESS_RATE } from './parse-policy.js'
import { formatWait } from './policy/retry.js'
import type { LoadSpec, SmokeCheck } from './types.js'

export function describeExpectations(check: SmokeCheck): string[] {
  const out = [`status ${check.expectStatus.text}`]
  for (const needle of check.expectBodyContains) out.push(`body contains ${JSON.stringify(needle)}`)
  if (check.expectBodyRegex !== undefined) out.push(`body matches /${check.expectBodyRegex}/`)
  if (check.expectJson !== undefined) {
    for (const [path, value] of Object.entries(check.expectJson)) {
      out.push(`JSON ${path} matches ${oneLine(JSON.stringify(value) ?? 'null', 80)}`)
    }
  }
  if (check.maxLatencyMs !== undefined) out.push(`latency ≤ ${check.maxLatencyMs} ms`)
  const series = check.samples !== undefined ? `${check.samples} samples` : check.load ? 'load' : ''
  if (check.maxP95Ms !== undefined) out.push(`p95 ≤ ${check.maxP95Ms} ms over ${series}`)
  if (check.maxP99Ms !== undefined) out.push(`p99 ≤ ${check.maxP99Ms} ms over ${series}`)
  if (check.load !== undefined) {
    out.push(
      `load (${describeLoad(check.load)}): success ≥ ${check.minSuccessRate ?? DEFAULT_MIN_SUCCESS_RATE} %`
    )
  }
  return out
}

export function describeLoad(spec: LoadSpec): string {
  const parts: string[] = []
  if (spec.requests !== undefined) parts.push(`${spec.requests} requests`)
  if (spec.durationMs !== undefined) parts.push(`for ${formatWait(spec.durationMs)}`)
  parts.push(`concurrency ${spec.concurrency}`)
  if (spec.rate !== undefined) parts.push(`at ${spec.rate}/s`)
  return parts.join(', ')
}

/** Whitespace collapsed, cut to max characters. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}
