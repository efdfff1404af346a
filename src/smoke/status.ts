// Expected-status patterns: `200`, `2xx`, `200-299`, and lists of them (`200, 204`, `[200, 3xx]`).

import type { StatusPattern } from './types.js'

export const STATUS_HELP =
  'must be a status code (200), a class (2xx), a range (200-299) or a list of them (200, 204)'

/** Parses one pattern value (number, string, or YAML list); undefined when it is not valid. */
export function parseStatusPattern(value: unknown): StatusPattern | undefined {
  const items = Array.isArray(value) ? value : [value]
  if (items.length === 0) return undefined
  const tokens: string[] = []
  for (const item of items) {
    if (typeof item === 'number') tokens.push(String(item))
    else if (typeof item === 'string') tokens.push(...item.split(/\s*,\s*|\s+or\s+/))
    else return undefined
  }
  const ranges: Array<[number, number]> = []
  const texts: string[] = []
  for (const raw of tokens) {
    const token = raw.trim()
    const parsed = parseToken(token)
    if (parsed === undefined) return undefined
    ranges.push(parsed)
    texts.push(token.toLowerCase().replace(/\s+/g, ''))
  }
  return { text: texts.join(' or '), ranges }
}

function parseToken(token: string): [number, number] | undefined {
  let m = /^([1-5])xx$/i.exec(token)
  if (m) return [Number(m[1]) * 100, Number(m[1]) * 100 + 99]
  m = /^(\d{3})$/.exec(token)
  if (m) return isCode(Number(m[1])) ? [Number(m[1]), Number(m[1])] : undefined
  m = /^(\d{3})\s*-\s*(\d{3})$/.exec(token)
  if (m) {
    const lo = Number(m[1])
    const hi = Number(m[2])
    return isCode(lo) && isCode(hi) && lo <= hi ? [lo, hi] : undefined
  }
  return undefined
}

function isCode(n: number): boolean {
  return Number.isInteger(n) && n >= 100 && n <= 599
}

export function statusMatches(pattern: StatusPattern, status: number): boolean {
  return pattern.ranges.some(([lo, hi]) => status >= lo && status <= hi)
}

/**
 * The default of every check without `expect-status`, of `smoke-path` and of no check at all: any
 * 2xx (a POST answering 201 or a DELETE answering 204 succeeded; exact codes are one key away).
 */
export const ANY_2XX: StatusPattern = { text: '2xx', ranges: [[200, 299]] }

/** True when every status the pattern accepts is a 2xx. */
export function onlySuccess(pattern: StatusPattern): boolean {
  return pattern.ranges.every(([lo, hi]) => lo >= 200 && hi <= 299)
}
