// The data the smoke engine works on: parsed checks, the HTTP port, and the results it reports.

/** Methods a check may use (CONNECT and TRACE are refused). */
export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const
export type HttpMethod = (typeof METHODS)[number]

/** Accepted status codes: a union of inclusive ranges, with the text the user wrote (normalized). */
export interface StatusPattern {
  /** e.g. `200`, `2xx`, `200-299`, `200 or 3xx`. */
  text: string
  ranges: Array<[number, number]>
}

/**
 * What a failed attempt was, for the retry policy: no response at all, a 5xx the check did not
 * expect, any other unexpected status (including redirect trouble), or the right status with a
 * body that does not match.
 */
export const RETRY_KINDS = ['connection', '5xx', 'status', 'body'] as const
export type RetryKind = (typeof RETRY_KINDS)[number]

/** A check's own retry settings (`retries`, `retry: false`, `retry-on`); absent: the default rule. */
export interface RetrySettings {
  /** At most this many retries after the first judged attempt; undefined: until the deadline. */
  maxRetries?: number
  /** Exactly these outcomes are retried; undefined: the default rule (see policy/retry.ts). */
  on?: RetryKind[]
}

/** `load:` — requests sent after the check passed, judged together. */
export interface LoadSpec {
  /** Stop after this many requests. At least one of requests and durationMs is set. */
  requests?: number
  /** Stop starting requests after this long. */
  durationMs?: number
  /** Requests in flight at most. */
  concurrency: number
  /** Requests started per second (open model); undefined: each worker sends the next at once. */
  rate?: number
}

/** TLS settings of a `scheme: https` check. */
export interface TlsSettings {
  /** `insecure: true`: the certificate is not verified. */
  insecure: boolean
  /** `ca`: the path as given (inside the workspace). */
  caFile?: string
  /** The CA file's PEM text, read before anything starts (see files.ts). */
  caPem?: string
}

/** One validated check. Plain data: JSON-serializable, no RegExp objects. */
export interface SmokeCheck {
  /** The user's `name`, if any. Display with {@link checkLabel}. */
  name?: string
  /** Starts with '/', may carry a query string; appended to the service URL. */
  path: string
  method: HttpMethod
  /** Request headers, values as strings (never Host: see `host`). */
  headers: Record<string, string>
  /** Request body; a YAML mapping/list is sent as JSON (with content-type application/json). */
  body?: string
  expectStatus: StatusPattern
  /** Every string must occur in the body. */
  expectBodyContains: string[]
  /** A JavaScript regular expression source (no flags), tested against the body. */
  expectBodyRegex?: string
  /** Top-level keys are dot paths (`data.items.0.name`, `items[0].name`); values are subsets. */
  expectJson?: Record<string, unknown>
  /** `timeout`: per request (all its redirect hops); undefined: the engine's default. */
  timeoutMs?: number
  /** `retries` / `retry: false` / `retry-on`; undefined: the default rule. */
  retry?: RetrySettings
  /** Judged on the attempt that passed. */
  maxLatencyMs?: number
  /** `samples`: requests sent one after another once the check passed. */
  samples?: number
  /** Judged on the samples or the load. */
  maxP95Ms?: number
  maxP99Ms?: number
  load?: LoadSpec
  /** Percent of load requests that must pass (default 99 with `load`). */
  minSuccessRate?: number
  /** `scheme`; undefined: the service URL's. */
  scheme?: 'http' | 'https'
  tls?: TlsSettings
  /** `host`: sent as the Host header (and as TLS SNI for HTTPS); `name` or `name:port`. */
  host?: string
}

/** One request the engine asks the port to make. The port never follows redirects. */
export interface HttpRequest {
  url: string
  method: HttpMethod
  /** Request headers; a `host` entry is sent as the Host header (and SNI for HTTPS). */
  headers: Record<string, string>
  body?: string
  /** Abort the whole exchange (connect, headers and body) after this long. */
  timeoutMs: number
  /** Read at most this many body bytes; report `truncated` when there was more. */
  maxBodyBytes: number
  /** For https: URLs. */
  tls?: Pick<TlsSettings, 'insecure' | 'caPem'>
  /** The run's stop signal: the exchange is aborted when it fires. */
  signal?: AbortSignal
}

export interface HttpResponse {
  status: number
  /** Header names in lower case. */
  headers: Record<string, string>
  /** The body read (UTF-8 decoded), at most maxBodyBytes bytes of it. */
  body: string
  /** Bytes of body read. */
  bodyBytes: number
  /** True when the body was longer than maxBodyBytes and the rest was not read. */
  truncated: boolean
}

/**
 * Makes one HTTP exchange. Resolves with any HTTP response (any status, including 3xx: no
 * redirect is followed); rejects only when there is no response (refused, reset, timeout), with
 * an {@link HttpRequestError} or any Error whose message says what happened.
 */
export interface HttpPort {
  request(req: HttpRequest): Promise<HttpResponse>
  /** Releases kept-alive connections; the engine calls it for a port it created. */
  close?(): Promise<void>
}

/**
 * A failed exchange with no response. `retryable: false` for failures waiting cannot fix; `code`
 * is the system error behind it when known (`ECONNREFUSED`, `ECONNRESET`, …).
 */
export class HttpRequestError extends Error {
  constructor(
    message: string,
    readonly retryable = true,
    readonly code?: string
  ) {
    super(message)
    this.name = 'HttpRequestError'
  }
}

export interface SmokeAttempt {
  /** 1-based. */
  n: number
  /** ISO time the attempt started. */
  at: string
  /** Since the check's first attempt started. */
  elapsedMs: number
  /** From sending the request to the end of the body read, over all redirect hops. */
  latencyMs: number
  /** HTTP status of the last hop; absent when there was no response. */
  status?: number
  /** Why there was no response: `connection refused`, `no response within 5000 ms`, … */
  error?: string
  /** Same-origin redirects followed, in order (absolute URLs). */
  redirects?: string[]
  passed: boolean
  /** Why the attempt failed. */
  reason?: string
  /** Body bytes read on the last hop, and whether the read was capped. */
  bodyBytes?: number
  truncated?: boolean
}

/** The last response seen, trimmed for the report. */
export interface ResponseExcerpt {
  status: number
  /** The URL that answered (after same-origin redirects). */
  url: string
  contentType?: string
  /** At most EXCERPT_CHARS characters of the body. */
  body: string
  /** Bytes of body read (at most the read cap). */
  bodyBytes: number
  /** The body was longer than the read cap; only the first bodyBytes were read. */
  truncated: boolean
}

/** Latency percentiles in milliseconds (nearest rank), over `count` requests. */
export interface LatencyStats {
  count: number
  min: number
  mean: number
  p50: number
  p95: number
  p99: number
  max: number
}

/** `samples: N`: the series sent one after another once the check passed. */
export interface SamplesResult {
  /** ISO time the first sample started. */
  startedAt?: string
  requested: number
  /** Samples that got an answer that passed (the series stops at the first that does not). */
  passed: number
  latency: LatencyStats
  /** Each sample's latency in ms, in order. */
  series: number[]
}

/** One second of a load run (by request start). */
export interface LoadSecond {
  /** Seconds since the load started. */
  t: number
  requests: number
  failed: number
  p50: number
  p95: number
  p99: number
}

/** One point of a latency distribution: the p-th percentile (nearest rank), in ms. */
export interface Percentile {
  p: number
  ms: number
}

export interface LoadResult {
  /** ISO time the load started. */
  startedAt?: string
  concurrency: number
  /** Requests started per second asked for, if any. */
  rate?: number
  requests: number
  succeeded: number
  failed: number
  /** succeeded ÷ requests, in percent. */
  successRate: number
  /** From the first request's start to the last one's end. */
  durationMs: number
  requestsPerSecond: number
  /** Over every request, failed ones at the time they took to fail. */
  latency: LatencyStats
  /** The distribution: p50, p75, p90, p95, p99, p99.9 and the max (p 100). */
  percentiles?: Percentile[]
  /** The check's thresholds the load was judged against. */
  thresholds?: { maxP95Ms?: number; maxP99Ms?: number }
  /** Failed requests by what went wrong: `status 500`, `connection reset`, `body`, … */
  errors: Record<string, number>
  series: LoadSecond[]
  /** Why the load stopped before its requests or duration were used up, if it did. */
  stopped?: string
}

export interface SmokeResult {
  /** Display label: `GET /health`, or `name (GET /health)`. */
  check: string
  name?: string
  method: HttpMethod
  path: string
  /** The full URL requested. */
  url: string
  /** What was expected, for the report: `status 2xx`, `body contains "ok"`, … */
  expected: string[]
  passed: boolean
  /** True for a check that never started because the smoke checks were stopped before it. */
  notRun?: boolean
  /** Why the check failed (the last attempt's reason, with the response body for body checks). */
  reason?: string
  attempts: SmokeAttempt[]
  /** From the first attempt's start to the end of the last (samples and load included). */
  durationMs: number
  lastResponse?: ResponseExcerpt
  samples?: SamplesResult
  load?: LoadResult
  /** Things worth knowing even when the check passed, e.g. a capped body read. */
  notes: string[]
}
