// Smoke checks: parse the inputs into checks, run them against the service URL with retries,
// and return one result per check for the report.
//
// Public API
//
//   parseSmokeChecks({checksYaml, smokePath, expectStatus}): SmokeCheck[]
//     Pure. Throws InputError naming 'smoke-checks', 'smoke-path' or 'expect-status'.
//     - `smoke-checks` (a YAML list) wins alone; combined with a non-empty `smoke-path` or
//       `expect-status` it is refused (action.yml must give those two an empty default).
//     - `smoke-path` / `expect-status` alone: one GET check, path default '/', status default 2xx.
//     - nothing: GET / expecting 2xx.
//     Check keys: name, path (required, starts with '/', never a URL), method (GET, HEAD, POST,
//     PUT, PATCH, DELETE, OPTIONS; default GET), headers (mapping), body (string, or YAML
//     mapping/list sent as JSON with content-type application/json; not with GET/HEAD),
//     expect-status (default 200; 200 | 2xx | 200-299 | list, e.g. "200, 204" or [200, 3xx]),
//     expect-body-contains (string or list; all must occur), expect-body-regex (JS regex, no
//     flags), expect-json (mapping of dot path → expected subset: `data.temp: 21`,
//     `items.0.name: x`, `items[0]: {name: x}`; objects match as subsets, arrays need the same
//     length, scalars strict equality), max-latency-ms (per attempt, request to end of body).
//
//   runSmokeChecks(baseUrl, checks, {deadlineMs, clock, http?, log?, requestTimeoutMs?,
//                  maxBodyBytes?, backoff?, refused?, maxRedirects?}): Promise<SmokeResult[]>
//     Sequential; retries with capped exponential backoff (250 ms ×2, cap 2 s) until the
//     absolute deadlineMs — but a refused connection in a check's first 5 s is retried every
//     100 ms, and until the service has answered, the first attempt and those after a refusal
//     wait at most 250 ms for an answer, then retry at once (a fresh NodePort refuses until
//     kube-proxy catches up, and its switch-over can swallow a connection); see RefusedRetry.
//     Only baseUrl's origin is ever contacted: same-origin redirects are followed (at most 5
//     hops per attempt), a redirect to any other origin is reported and not followed. Bodies are
//     read up to 1 MiB (truncation is stated in the attempt, the result's notes and
//     lastResponse.truncated).
//
//   HttpPort { request(req): Promise<HttpResponse> } — one exchange, no redirect following.
//     fetchHttp is the real one (global fetch, redirect: 'manual', AbortSignal.timeout).
//
//   checkLabel(check), checkUrl(baseUrl, path) — labels and URLs as the report shows them.

export { parseSmokeChecks, CHECK_KEYS, type SmokeInputs } from './parse.js'
export {
  runSmokeChecks,
  checkLabel,
  checkUrl,
  DEFAULT_BACKOFF,
  DEFAULT_REFUSED_RETRY,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  MIN_ATTEMPT_WINDOW_MS,
  type Backoff,
  type RefusedRetry,
  type RunSmokeOptions
} from './run.js'
export { fetchHttp, describeFetchError } from './http.js'
export { evaluate, matchJson, matchSubset, parseJsonPath, type Verdict } from './match.js'
export { parseStatusPattern, statusMatches } from './status.js'
export {
  HttpRequestError,
  METHODS,
  type HttpMethod,
  type HttpPort,
  type HttpRequest,
  type HttpResponse,
  type ResponseExcerpt,
  type SmokeAttempt,
  type SmokeCheck,
  type SmokeResult,
  type StatusPattern
} from './types.js'
