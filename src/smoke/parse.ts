// Parsing and validating the smoke-check inputs. Pure: every mistake becomes one InputError line.

import { load } from 'js-yaml'
import { InputError } from '../errors.js'
import { parseJsonPath } from './match.js'
import { POLICY_KEYS, parsePolicyKeys, type Fail } from './parse-policy.js'
import { ANY_2XX, STATUS_HELP, onlySuccess, parseStatusPattern } from './status.js'
import { METHODS, type HttpMethod, type SmokeCheck } from './types.js'

export interface SmokeInputs {
  /** `smoke-checks`: a YAML list of checks; empty when not given. */
  checksYaml: string
  /** `smoke-path`: shorthand for one GET check; empty when not given. */
  smokePath: string
  /** `expect-status`: shorthand for that check's expected status; empty when not given. */
  expectStatus: string
}

export const CHECK_KEYS = [
  'name',
  'path',
  'method',
  'headers',
  'body',
  'expect-status',
  'expect-body-contains',
  'expect-body-regex',
  'expect-json',
  ...POLICY_KEYS
] as const

/** Headers the HTTP client manages itself (connection reuse, framing): refused, with the reason. */
const CLIENT_OWNED_HEADERS = new Set([
  'connection',
  'keep-alive',
  'upgrade',
  'transfer-encoding',
  'expect',
  'content-length'
])

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

/**
 * Returns the checks to run, in order:
 * - `smoke-checks` given: those checks. Combining it with `smoke-path` or `expect-status` is
 *   refused (one place says what is checked);
 * - else `smoke-path` and/or `expect-status`: one GET check of that path (default `/`) expecting
 *   that status (default `2xx`);
 * - else the default: GET `/` expecting `2xx`.
 * Throws InputError naming the input ('smoke-checks', 'smoke-path' or 'expect-status').
 */
export function parseSmokeChecks(inputs: SmokeInputs): SmokeCheck[] {
  const yamlText = inputs.checksYaml.trim()
  const smokePath = inputs.smokePath.trim()
  const expectStatus = inputs.expectStatus.trim()

  if (yamlText !== '') {
    for (const [name, value] of [
      ['smoke-path', smokePath],
      ['expect-status', expectStatus]
    ]) {
      if (value !== '') {
        throw new InputError(
          name,
          "cannot be combined with 'smoke-checks': put the path and expect-status in a check of " +
            "'smoke-checks', or drop 'smoke-checks'",
          value
        )
      }
    }
    return parseChecksYaml(yamlText)
  }

  const path = smokePath === '' ? '/' : smokePath
  const pathProblem = pathError(path)
  if (pathProblem !== undefined) throw new InputError('smoke-path', pathProblem, path)
  let status = ANY_2XX
  if (expectStatus !== '') {
    const parsed = parseStatusPattern(expectStatus)
    if (parsed === undefined) throw new InputError('expect-status', STATUS_HELP, expectStatus)
    status = parsed
  }
  return [
    {
      path,
      method: 'GET',
      headers: {},
      expectStatus: status,
      expectBodyContains: []
    }
  ]
}

function parseChecksYaml(text: string): SmokeCheck[] {
  let doc: unknown
  try {
    doc = load(text)
  } catch (err) {
    throw new InputError('smoke-checks', `is not valid YAML: ${yamlProblem(err)}`)
  }
  if (!Array.isArray(doc)) {
    throw new InputError(
      'smoke-checks',
      `must be a YAML list of checks, each starting with "- " (e.g. "- path: /health"), got ${kindOf(doc)}`
    )
  }
  if (doc.length === 0) {
    throw new InputError('smoke-checks', 'must list at least one check (e.g. "- path: /health")')
  }
  return doc.map((item, i) => parseCheck(item, i + 1))
}

function yamlProblem(err: unknown): string {
  const e = err as { reason?: unknown; mark?: { line?: number; column?: number }; message?: string }
  const reason = typeof e.reason === 'string' ? e.reason : String(e.message ?? err).split('\n')[0]
  const mark = e.mark
  return mark && typeof mark.line === 'number' && typeof mark.column === 'number'
    ? `${reason} (line ${mark.line + 1}, column ${mark.column + 1})`
    : reason
}

function parseCheck(item: unknown, n: number): SmokeCheck {
  const where = `check ${n}`
  const fail: Fail = (problem, got) => {
    throw new InputError(
      'smoke-checks',
      `${where}: ${problem}`,
      got === undefined ? undefined : show(got)
    )
  }
  if (!isMapping(item)) {
    return fail(
      `must be a mapping with at least a path (e.g. "- path: /health"), got ${kindOf(item)}`
    )
  }
  for (const key of Object.keys(item)) {
    if (!(CHECK_KEYS as readonly string[]).includes(key)) {
      const hint = suggest(key)
      fail(
        `unknown key '${key}'${hint ? ` (did you mean '${hint}'?)` : ''}; allowed keys: ${CHECK_KEYS.join(', ')}`
      )
    }
  }

  const name = parseName(item, fail)
  const path = parsePath(item, fail)
  const method = parseMethod(item, fail)
  const headers = parseHeaders(item, fail)
  const body = parseBody(item, method, headers, fail)
  const expect = parseExpectations(item, method, fail)

  const check: SmokeCheck = {
    path,
    method,
    headers,
    expectStatus: expect.expectStatus,
    expectBodyContains: expect.expectBodyContains
  }
  if (name !== undefined) check.name = name
  if (body !== undefined) check.body = body
  if (expect.expectBodyRegex !== undefined) check.expectBodyRegex = expect.expectBodyRegex
  if (expect.expectJson !== undefined) check.expectJson = expect.expectJson
  return { ...check, ...parsePolicyKeys(item, fail) }
}

type Item = Record<string, unknown>

function parseName(item: Item, fail: Fail): string | undefined {
  if (item.name === undefined) return undefined
  if (typeof item.name !== 'string' || item.name.trim() === '')
    fail("'name' must be a non-empty string", item.name)
  return (item.name as string).trim()
}

function parsePath(item: Item, fail: Fail): string {
  if (item.path === undefined || item.path === null) fail("must have a 'path' (e.g. /health)")
  if (typeof item.path !== 'string') fail("'path' must be a string such as /health", item.path)
  const path = (item.path as string).trim()
  const pathProblem = pathError(path)
  if (pathProblem !== undefined) fail(`'path' ${pathProblem}`, path)
  return path
}

function parseMethod(item: Item, fail: Fail): HttpMethod {
  if (item.method === undefined) return 'GET'
  const m = typeof item.method === 'string' ? item.method.trim().toUpperCase() : ''
  if (!(METHODS as readonly string[]).includes(m)) {
    fail(`'method' must be one of ${METHODS.join(', ')}`, item.method)
  }
  return m as HttpMethod
}

function parseHeaders(item: Item, fail: Fail): Record<string, string> {
  const headers: Record<string, string> = {}
  if (item.headers === undefined) return headers
  if (!isMapping(item.headers))
    fail("'headers' must be a mapping of header name to value", item.headers)
  for (const [key, value] of Object.entries(item.headers as Record<string, unknown>)) {
    if (!HEADER_NAME.test(key))
      fail(`header name ${JSON.stringify(key)} is not a valid HTTP header name`)
    if (key.toLowerCase() === 'host') {
      fail(`header '${key}' is set with the check key 'host' (e.g. host: app.example.com)`)
    }
    if (CLIENT_OWNED_HEADERS.has(key.toLowerCase())) {
      fail(`header '${key}' cannot be set: the HTTP client manages it`)
    }
    if (!isScalar(value)) fail(`header '${key}' must have a string value`, value)
    const text = String(value)
    if (/[\r\n\0]/.test(text)) fail(`header '${key}' must not contain line breaks`)
    headers[key] = text
  }
  return headers
}

/** The request body; a YAML mapping or list is sent as JSON (and sets content-type if unset). */
function parseBody(
  item: Item,
  method: HttpMethod,
  headers: Record<string, string>,
  fail: Fail
): string | undefined {
  if (item.body === undefined || item.body === null) return undefined
  if (method === 'GET' || method === 'HEAD') fail(`'body' is not allowed with method ${method}`)
  if (typeof item.body === 'string') return item.body
  if (!Object.keys(headers).some(h => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json'
  }
  return JSON.stringify(item.body)
}

type Expectations = Pick<
  SmokeCheck,
  'expectStatus' | 'expectBodyContains' | 'expectBodyRegex' | 'expectJson'
>

function parseExpectations(item: Item, method: HttpMethod, fail: Fail): Expectations {
  let expectStatus = ANY_2XX
  if (item['expect-status'] !== undefined) {
    const parsed = parseStatusPattern(item['expect-status'])
    if (parsed === undefined) fail(`'expect-status' ${STATUS_HELP}`, item['expect-status'])
    expectStatus = parsed as typeof expectStatus
  }
  const expectBodyContains = parseContains(item['expect-body-contains'], fail)
  const expectBodyRegex = parseRegex(item['expect-body-regex'], fail)
  const expectJson = parseExpectJson(item['expect-json'], fail)
  if (method === 'HEAD' && (expectBodyContains.length > 0 || expectBodyRegex || expectJson)) {
    fail('a HEAD response has no body: drop the expect-body-*/expect-json keys or use GET')
  }
  return { expectStatus, expectBodyContains, expectBodyRegex, expectJson }
}

function parseContains(contains: unknown, fail: Fail): string[] {
  const out: string[] = []
  if (contains === undefined) return out
  const list = Array.isArray(contains) ? contains : [contains]
  for (const needle of list) {
    if (!isScalar(needle) || String(needle) === '') {
      fail("'expect-body-contains' must be a non-empty string or a list of them", contains)
    }
    out.push(String(needle))
  }
  if (list.length === 0)
    fail("'expect-body-contains' must be a non-empty string or a list of them", contains)
  return out
}

function parseRegex(regex: unknown, fail: Fail): string | undefined {
  if (regex === undefined) return undefined
  if (typeof regex !== 'string' || regex === '') {
    fail("'expect-body-regex' must be a non-empty string (a JavaScript regular expression)", regex)
  }
  try {
    new RegExp(regex as string)
  } catch (err) {
    const why = (err as Error).message.split(': ').pop()
    fail(`'expect-body-regex' is not a valid regular expression (${why})`, regex)
  }
  return regex as string
}

function parseExpectJson(json: unknown, fail: Fail): Record<string, unknown> | undefined {
  if (json === undefined) return undefined
  if (!isMapping(json) || Object.keys(json).length === 0) {
    fail(
      "'expect-json' must be a mapping of field (dot path, e.g. data.items.0.name) to expected value",
      json
    )
  }
  for (const key of Object.keys(json as object)) {
    if (parseJsonPath(key) === undefined) {
      fail(
        `'expect-json' key is not a valid dot path (e.g. data.items.0.name or items[0].name)`,
        key
      )
    }
  }
  return json as Record<string, unknown>
}

/**
 * The readiness probe path for generated manifests when `readiness-path` is not given: the first
 * GET check that expects only 2xx (its query left out), else `/`. A check expecting 401, 404 or
 * a redirect, or a POST, would keep the pod from ever becoming Ready.
 */
export function defaultReadinessPath(checks: readonly SmokeCheck[]): string {
  const probe = checks.find(c => c.method === 'GET' && onlySuccess(c.expectStatus))
  return probe ? probe.path.split('?')[0] : '/'
}

/** Why a path cannot be used, or undefined. Only the service URL is ever contacted. */
export function pathError(path: string): string | undefined {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path) || path.startsWith('//') || path.startsWith('\\')) {
    return 'must be a path on the service such as /health, not a URL: only the service URL is contacted'
  }
  if (!path.startsWith('/')) return "must start with '/' (e.g. /health)"
  if (/[\s\0]/.test(path))
    return 'must not contain spaces or control characters (percent-encode them)'
  return undefined
}

function suggest(key: string): string | undefined {
  const norm = (s: string): string => s.toLowerCase().replace(/[_\s]/g, '-')
  const aliases: Record<string, string> = {
    status: 'expect-status',
    url: 'path',
    contains: 'expect-body-contains',
    regex: 'expect-body-regex',
    json: 'expect-json',
    latency: 'max-latency-ms',
    p95: 'max-p95-ms',
    p99: 'max-p99-ms',
    retry_on: 'retry-on',
    'success-rate': 'min-success-rate',
    sni: 'host',
    tls: 'scheme',
    'ca-file': 'ca'
  }
  const k = norm(key)
  return (
    CHECK_KEYS.find(
      allowed => allowed === k || allowed.replace(/-/g, '') === k.replace(/-/g, '')
    ) ?? aliases[k]
  )
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'nothing'
  if (Array.isArray(v)) return 'a list'
  if (typeof v === 'object') return 'a mapping'
  return `a ${typeof v} ${typeof v === 'string' ? JSON.stringify(show(v)) : show(v)}`
}

function show(v: unknown): string {
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v))
  return text.length > 120 ? `${text.slice(0, 119)}…` : text
}
