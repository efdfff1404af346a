// The data the smoke engine works on: parsed checks, the HTTP port, and the results it reports.

/** Methods a check may use (what fetch can send; CONNECT and TRACE it refuses). */
export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const
export type HttpMethod = (typeof METHODS)[number]

/** Accepted status codes: a union of inclusive ranges, with the text the user wrote (normalized). */
export interface StatusPattern {
  /** e.g. `200`, `2xx`, `200-299`, `200 or 3xx`. */
  text: string
  ranges: Array<[number, number]>
}

/** One validated check. Plain data: JSON-serializable, no RegExp objects. */
export interface SmokeCheck {
  /** The user's `name`, if any. Display with {@link checkLabel}. */
  name?: string
  /** Starts with '/', may carry a query string; appended to the service URL. */
  path: string
  method: HttpMethod
  /** Request headers, values as strings. */
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
  maxLatencyMs?: number
}

/** One request the engine asks the port to make. The port never follows redirects. */
export interface HttpRequest {
  url: string
  method: HttpMethod
  headers: Record<string, string>
  body?: string
  /** Abort the whole exchange (connect, headers and body) after this long. */
  timeoutMs: number
  /** Read at most this many body bytes; report `truncated` when there was more. */
  maxBodyBytes: number
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
  /** Why the check failed (the last attempt's reason, with the response body for body checks). */
  reason?: string
  attempts: SmokeAttempt[]
  /** From the first attempt's start to the end of the last. */
  durationMs: number
  lastResponse?: ResponseExcerpt
  /** Things worth knowing even when the check passed, e.g. a capped body read. */
  notes: string[]
}
