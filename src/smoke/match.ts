// Matching one response against a check's expectations. Pure.

import { statusMatches } from './status.js'
import type { HttpResponse, SmokeCheck } from './types.js'

export interface Verdict {
  passed: boolean
  /** Every expectation that failed, joined with '; '. */
  reason?: string
  /** What failed: an unexpected 5xx, another unexpected status, or the body. */
  kind?: 'status' | '5xx' | 'body'
}

/** Checks status, then body (contains, regex, JSON). Latency is judged by policy/latency.ts. */
export function evaluate(check: SmokeCheck, res: HttpResponse): Verdict {
  if (!statusMatches(check.expectStatus, res.status)) {
    return {
      passed: false,
      reason: `expected status ${check.expectStatus.text}, got ${res.status}`,
      kind: res.status >= 500 ? '5xx' : 'status'
    }
  }
  const problems: string[] = []
  for (const needle of check.expectBodyContains) {
    if (!res.body.includes(needle)) problems.push(`body does not contain ${quote(needle)}`)
  }
  if (check.expectBodyRegex !== undefined && !regex(check.expectBodyRegex).test(res.body)) {
    problems.push(`body does not match /${check.expectBodyRegex}/`)
  }
  if (check.expectJson !== undefined) {
    const mismatch = matchJson(check.expectJson, res.body)
    if (mismatch !== undefined) problems.push(`expect-json ${mismatch}`)
  }
  if (problems.length === 0) return { passed: true }
  if (res.truncated) problems.push(`only the first ${res.bodyBytes} bytes of the body were read`)
  return { passed: false, reason: problems.join('; '), kind: 'body' }
}

const compiled = new Map<string, RegExp>()
/** Compiled once per source: a load check tests every response. */
function regex(source: string): RegExp {
  let re = compiled.get(source)
  if (!re) compiled.set(source, (re = new RegExp(source)))
  return re
}

/** The first mismatch between the expected subset and the JSON body, or undefined when it matches. */
export function matchJson(expected: Record<string, unknown>, body: string): string | undefined {
  let actual: unknown
  try {
    actual = JSON.parse(body)
  } catch (err) {
    return `body is not JSON (${(err as Error).message})`
  }
  for (const [path, want] of Object.entries(expected)) {
    const segments = pathSegments(path)
    if (segments === undefined) return `${quote(path)}: not a valid path`
    const found = resolvePath(actual, segments, path)
    if (!found.ok) return found.problem
    const problem = matchSubset(want, found.value, path)
    if (problem !== undefined) return problem
  }
  return undefined
}

const segmentsOf = new Map<string, string[] | undefined>()
/** parseJsonPath, once per path: a load check matches every response. */
function pathSegments(path: string): string[] | undefined {
  if (!segmentsOf.has(path)) segmentsOf.set(path, parseJsonPath(path))
  return segmentsOf.get(path)
}

/**
 * Splits `a.b.0.c` or `a.b[0].c` or `[0].name` into segments; undefined when malformed (empty
 * segment, unclosed or non-numeric bracket). A digit segment indexes an array, or is a key of an
 * object.
 */
export function parseJsonPath(path: string): string[] | undefined {
  if (path === '') return undefined
  const segments: string[] = []
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part)
    if (!m) return undefined
    const [, name, brackets] = m
    if (name === '' && brackets === '') return undefined
    if (name !== '') segments.push(name)
    for (const idx of brackets.matchAll(/\[(\d+)\]/g)) segments.push(idx[1])
  }
  return segments
}

type Found = { ok: true; value: unknown } | { ok: false; problem: string }

function resolvePath(root: unknown, segments: string[], path: string): Found {
  let cur = root
  let walked = '(the document)'
  for (const seg of segments) {
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) {
        return { ok: false, problem: `${quote(path)}: missing (${walked} is an array)` }
      }
      const i = Number(seg)
      if (i >= cur.length) {
        return {
          ok: false,
          problem: `${quote(path)}: missing (${walked} has ${cur.length} item${cur.length === 1 ? '' : 's'})`
        }
      }
      cur = cur[i]
    } else if (isPlainObject(cur)) {
      if (!Object.hasOwn(cur, seg)) return { ok: false, problem: `${quote(path)}: missing` }
      cur = cur[seg]
    } else {
      return { ok: false, problem: `${quote(path)}: missing (${walked} is ${typeName(cur)})` }
    }
    walked = walked === '(the document)' ? seg : `${walked}.${seg}`
  }
  return { ok: true, value: cur }
}

/**
 * Subset match, like jest's toMatchObject: expected objects need their keys (recursively) and
 * may have fewer than actual; arrays need the same length, each item matched as a subset;
 * scalars must be equal and of the same type.
 */
export function matchSubset(expected: unknown, actual: unknown, path: string): string | undefined {
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) {
      return `${quote(path)}: expected an object, got ${describe(actual)}`
    }
    for (const [key, want] of Object.entries(expected)) {
      const sub = `${path}.${key}`
      if (!Object.hasOwn(actual, key)) return `${quote(sub)}: missing`
      const problem = matchSubset(want, actual[key], sub)
      if (problem !== undefined) return problem
    }
    return undefined
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${quote(path)}: expected an array, got ${describe(actual)}`
    if (actual.length !== expected.length) {
      return `${quote(path)}: expected ${expected.length} items, got ${actual.length}`
    }
    for (let i = 0; i < expected.length; i++) {
      const problem = matchSubset(expected[i], actual[i], `${path}[${i}]`)
      if (problem !== undefined) return problem
    }
    return undefined
  }
  if (expected === actual) return undefined
  const typed = typeName(expected) !== typeName(actual)
  return `${quote(path)}: expected ${describe(expected, typed)}, got ${describe(actual, typed)}`
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}

/** A value for a message: JSON, shortened; with its type when asked (`"20" (a string)`). */
function describe(v: unknown, withType = false): string {
  const json = JSON.stringify(v) ?? String(v)
  const short = json.length > 80 ? `${json.slice(0, 79)}…` : json
  if (isPlainObject(v) || Array.isArray(v)) return `${typeName(v)} ${short}`
  return withType && v !== null ? `${short} (${typeName(v)})` : short
}

function quote(s: string): string {
  return JSON.stringify(s)
}
