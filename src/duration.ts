// The one duration syntax of every action input and check field: a number of seconds (`90`,
// `0.5`), or `<number><unit>` parts with units h, m, s and ms (`1h2m3s`, `1m30s`, `500ms`, `1.5s`).
// Each field checks its own range and says so in its own message.

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }

/**
 * Milliseconds, or undefined when the value is not a duration. A YAML number is seconds (it may
 * be negative: the field's range check refuses it). No spaces, no sign, no exponent.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? toMs(value, 1000) : undefined
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return toMs(Number(text), 1000)
  if (!/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(text)) return undefined
  let total = 0
  for (const [, n, , unit] of text.matchAll(/(\d+(\.\d+)?)(ms|h|m|s)/g)) {
    total += toMs(Number(n), UNIT_MS[unit])
  }
  return total
}

/** Whole microseconds, so `1.1` is 1100 ms rather than 1100.0000000000002. */
function toMs(n: number, unitMs: number): number {
  return Math.round(n * unitMs * 1000) / 1000
}
