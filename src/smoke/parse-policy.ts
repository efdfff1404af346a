// Parsing the policy keys of one check: how long a request may take, what is retried, latency
// and load thresholds, and how the service is reached (scheme, TLS, Host). Pure.

import { parseDuration } from '../duration.js'
import {
  RETRY_KINDS,
  type LoadSpec,
  type RetryKind,
  type RetrySettings,
  type SmokeCheck,
  type TlsSettings
} from './types.js'

/** Throws the check's InputError (`smoke-checks: check N: …`). */
export type Fail = (problem: string, got?: unknown) => never

export const POLICY_KEYS = [
  'timeout',
  'retries',
  'retry',
  'retry-on',
  'max-latency-ms',
  'samples',
  'max-p95-ms',
  'max-p99-ms',
  'load',
  'min-success-rate',
  'scheme',
  'insecure',
  'ca',
  'host'
] as const

export const LOAD_KEYS = ['requests', 'concurrency', 'duration', 'rate'] as const

/** Bounds that keep a check from running away with the runner (or the service). */
export const LIMITS = {
  timeoutMs: { min: 10, max: 10 * 60_000 },
  retries: 1000,
  samples: 1000,
  loadRequests: 1_000_000,
  loadConcurrency: 256,
  loadDurationMs: { min: 1000, max: 10 * 60_000 },
  loadRate: 10_000
}

export const DEFAULT_LOAD_CONCURRENCY = 10
export const DEFAULT_MIN_SUCCESS_RATE = 99

type PolicyFields = Pick<
  SmokeCheck,
  | 'timeoutMs'
  | 'retry'
  | 'maxLatencyMs'
  | 'samples'
  | 'maxP95Ms'
  | 'maxP99Ms'
  | 'load'
  | 'minSuccessRate'
  | 'scheme'
  | 'tls'
  | 'host'
>

export function parsePolicyKeys(item: Record<string, unknown>, fail: Fail): PolicyFields {
  const out: PolicyFields = {}

  if (item.timeout !== undefined) {
    const ms = parseCheckDuration(item.timeout)
    const { min, max } = LIMITS.timeoutMs
    if (ms === undefined || ms < min || ms > max) {
      fail(`'timeout' must be a duration from 10ms to 10m, like 500ms, 10s or 1m`, item.timeout)
    }
    out.timeoutMs = ms
  }

  const retry = parseRetry(item, fail)
  if (retry !== undefined) out.retry = retry

  out.maxLatencyMs = positive(item, 'max-latency-ms', fail)
  out.maxP95Ms = positive(item, 'max-p95-ms', fail)
  out.maxP99Ms = positive(item, 'max-p99-ms', fail)

  if (item.samples !== undefined) {
    out.samples = integer(item, 'samples', 2, LIMITS.samples, fail)
  }
  if (item.load !== undefined && item.load !== null) out.load = parseLoad(item.load, fail)
  if (out.samples !== undefined && out.load !== undefined) {
    fail("'samples' and 'load' cannot be combined: use one series per check")
  }
  for (const key of ['max-p95-ms', 'max-p99-ms'] as const) {
    if (item[key] !== undefined && out.samples === undefined && out.load === undefined) {
      fail(`'${key}' needs 'samples' (e.g. samples: 20) or 'load' to have a series to judge`)
    }
  }
  if (item['min-success-rate'] !== undefined) {
    const rate = item['min-success-rate']
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0 || rate > 100) {
      fail("'min-success-rate' must be a percentage above 0 and at most 100, like 99.5", rate)
    }
    if (out.load === undefined) fail("'min-success-rate' needs 'load'")
    out.minSuccessRate = rate
  }
  Object.assign(out, parseTransport(item, fail))
  for (const key of Object.keys(out) as Array<keyof PolicyFields>) {
    if (out[key] === undefined) delete out[key]
  }
  return out
}

function parseRetry(item: Record<string, unknown>, fail: Fail): RetrySettings | undefined {
  const { retry, retries } = item
  const on = item['retry-on']
  if (retry !== undefined && typeof retry !== 'boolean') {
    fail("'retry' must be true or false", retry)
  }
  if (retry === false && (retries !== undefined || on !== undefined)) {
    fail("'retry: false' cannot be combined with 'retries' or 'retry-on'")
  }
  const settings: RetrySettings = {}
  if (retry === false) settings.maxRetries = 0
  if (retries !== undefined) settings.maxRetries = integer(item, 'retries', 0, LIMITS.retries, fail)
  if (on !== undefined) {
    const list = Array.isArray(on) ? on : typeof on === 'string' ? on.split(/\s*,\s*/) : [on]
    const kinds: RetryKind[] = []
    for (const kind of list) {
      if (!(RETRY_KINDS as readonly unknown[]).includes(kind)) {
        fail(
          `'retry-on' must list outcomes among ${RETRY_KINDS.join(', ')} (use 'retry: false' to retry nothing)`,
          on
        )
      }
      if (!kinds.includes(kind as RetryKind)) kinds.push(kind as RetryKind)
    }
    if (kinds.length === 0) {
      fail("'retry-on' must list at least one outcome (use 'retry: false' to retry nothing)")
    }
    settings.on = kinds
  }
  return Object.keys(settings).length > 0 ? settings : undefined
}

function parseLoad(value: unknown, fail: Fail): LoadSpec {
  const example = 'e.g. {requests: 500, concurrency: 8} or {duration: 20s, rate: 50}'
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`'load' must be a mapping (${example})`, value)
  }
  const load = value as Record<string, unknown>
  for (const key of Object.keys(load)) {
    if (!(LOAD_KEYS as readonly string[]).includes(key)) {
      fail(`'load' has an unknown key '${key}'; allowed: ${LOAD_KEYS.join(', ')}`)
    }
  }
  const spec: LoadSpec = {
    concurrency:
      load.concurrency === undefined
        ? DEFAULT_LOAD_CONCURRENCY
        : integer(load, 'concurrency', 1, LIMITS.loadConcurrency, fail, 'load.concurrency')
  }
  if (load.requests !== undefined) {
    spec.requests = integer(load, 'requests', 1, LIMITS.loadRequests, fail, 'load.requests')
  }
  if (load.duration !== undefined) {
    const ms = parseCheckDuration(load.duration)
    const { min, max } = LIMITS.loadDurationMs
    if (ms === undefined || ms < min || ms > max) {
      fail("'load.duration' must be a duration from 1s to 10m, like 20s or 2m", load.duration)
    }
    spec.durationMs = ms
  }
  if (load.rate !== undefined) {
    const rate = load.rate
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0 || rate > LIMITS.loadRate) {
      fail(`'load.rate' must be requests per second, above 0 and at most ${LIMITS.loadRate}`, rate)
    }
    spec.rate = rate
  }
  if (spec.requests === undefined && spec.durationMs === undefined) {
    fail(`'load' needs 'requests' or 'duration' (${example})`)
  }
  return spec
}

function parseTransport(
  item: Record<string, unknown>,
  fail: Fail
): Pick<SmokeCheck, 'scheme' | 'tls' | 'host'> {
  const out: Pick<SmokeCheck, 'scheme' | 'tls' | 'host'> = {}
  if (item.scheme !== undefined) {
    if (item.scheme !== 'http' && item.scheme !== 'https') {
      fail("'scheme' must be http or https", item.scheme)
    }
    out.scheme = item.scheme as 'http' | 'https'
  }
  const { insecure, ca } = item
  if (insecure !== undefined && typeof insecure !== 'boolean') {
    fail("'insecure' must be true or false", insecure)
  }
  if (ca !== undefined && (typeof ca !== 'string' || ca.trim() === '')) {
    fail("'ca' must be the path of a PEM file inside the workspace", ca)
  }
  if ((insecure !== undefined || ca !== undefined) && out.scheme !== 'https') {
    fail(`'${insecure !== undefined ? 'insecure' : 'ca'}' needs 'scheme: https'`)
  }
  if (insecure === true && ca !== undefined) {
    fail("'insecure: true' and 'ca' cannot be combined: verify with the CA, or do not verify")
  }
  if (out.scheme === 'https') {
    const tls: TlsSettings = { insecure: insecure === true }
    if (typeof ca === 'string') tls.caFile = ca.trim()
    out.tls = tls
  }
  if (item.host !== undefined) {
    const host = typeof item.host === 'string' ? item.host.trim().toLowerCase() : ''
    if (!isHostHeader(host)) {
      fail("'host' must be a host name, optionally with a port (e.g. app.example.com)", item.host)
    }
    out.host = host
  }
  return out
}

/** A DNS name or IPv4 address, optionally `:port`; what a Host header carries. */
function isHostHeader(value: string): boolean {
  const m =
    /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*)(:(\d{1,5}))?$/.exec(
      value
    )
  if (!m || m[1].length > 253) return false
  return m[6] === undefined || (Number(m[6]) >= 1 && Number(m[6]) <= 65535)
}

/** A check duration in milliseconds: the one syntax of every duration (see src/duration.ts). */
export const parseCheckDuration = parseDuration

function positive(item: Record<string, unknown>, key: string, fail: Fail): number | undefined {
  const value = item[key]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(`'${key}' must be a positive number of milliseconds`, value)
  }
  return value as number
}

function integer(
  item: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
  fail: Fail,
  label = key
): number {
  const value = item[key]
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`'${label}' must be an integer from ${min} to ${max}`, value)
  }
  return value as number
}
