// Smoke checks: parse the inputs into checks, run them against the service URL with per-check
// policies, and return one result per check for the report.
//
// Public API
//
//   parseSmokeChecks({checksYaml, smokePath, expectStatus}): SmokeCheck[]
//     Pure. Throws InputError naming 'smoke-checks', 'smoke-path' or 'expect-status'.
//     - `smoke-checks` (a YAML list) wins alone; combined with a non-empty `smoke-path` or
//       `expect-status` it is refused (action.yml must give those two an empty default).
//     - `smoke-path` / `expect-status` alone: one GET check, path default '/', status default 2xx.
//     - nothing: GET / expecting 2xx.
//     Request keys: name, path (required, starts with '/', never a URL), method (GET, HEAD, POST,
//     PUT, PATCH, DELETE, OPTIONS; default GET), headers (mapping; not Host), body (string, or
//     YAML mapping/list sent as JSON), scheme (http | https), insecure, ca (PEM file in the
//     workspace), host (Host header and TLS server name).
//     Expectations: expect-status (default 2xx; 200 | 2xx | 200-299 | list), expect-body-contains,
//     expect-body-regex, expect-json (dot path → subset).
//     Policy: timeout (per request: 500ms, 10s, 1m; a number is seconds), retries (N) or
//     retry: false, retry-on (connection, 5xx, status, body), max-latency-ms (the passing
//     attempt), samples (N, then p50/p95/max), max-p95-ms / max-p99-ms (samples or load),
//     load ({requests, concurrency, duration, rate}), min-success-rate (percent, default 99).
//
//   loadCheckFiles(checks, workspace): SmokeCheck[] — reads each `ca` (InputError if outside the
//     workspace or not PEM). Call before anything starts.
//   defaultReadinessPath(checks): string — the first GET check expecting only 2xx, else '/'.
//
//   runSmokeChecks(baseUrl, checks, {deadlineMs, clock, http?, log?, signal?, requestTimeoutMs?,
//                  maxBodyBytes?, backoff?, refused?, mismatchGraceMs?, maxRedirects?})
//     Sequential. Per check: attempt → judge → decide.ts (a pure decision over the check's
//     progress, from the policies: policy/warmup.ts: the kube-proxy rule;
//     policy/retry.ts: what is retried and how long to wait) until it passes, a policy stops it
//     or the deadline comes; then policy/latency.ts judges the passing attempt, and `samples` /
//     `load` run (series.ts) and are judged (policy/latency.ts, policy/load.ts). Only baseUrl's
//     host and port are ever contacted (same-origin redirects followed, at most 5 hops). `signal`
//     stops everything: the current check fails with the abort reason, the rest are not run.
//
//   HttpPort { request(req), close?() } — one exchange, no redirect following.
//     createHttpClient() is the real one (node:http/https Agents: keep-alive, TLS, Host/SNI).
//
//   checkLabel(check), checkUrl(baseUrl, path, scheme?) — labels and URLs as the report shows them.
//
//   checkProbe(baseUrl, check, {http?}): {label, send(signal?), close()} — one attempt of a check
//     per send(), judged like the checks (undefined: passed, else the reason); no retry. A fresh
//     connection per request by default. The rolling-update check counts with it.

export {
  parseSmokeChecks,
  defaultReadinessPath,
  pathError,
  CHECK_KEYS,
  type SmokeInputs
} from './parse.js'
export { LIMITS, DEFAULT_MIN_SUCCESS_RATE, parseCheckDuration } from './parse-policy.js'
export { loadCheckFiles } from './files.js'
export {
  runSmokeChecks,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  MIN_ATTEMPT_WINDOW_MS,
  type RunSmokeOptions
} from './run.js'
export { checkLabel, checkUrl } from './url.js'
export { checkProbe, type CheckProbe, type CheckProbeOptions } from './probe.js'
export {
  DEFAULT_BACKOFF,
  DEFAULT_MISMATCH_GRACE_MS,
  retryVerdict,
  type Backoff
} from './policy/retry.js'
export {
  DEFAULT_REFUSED_RETRY,
  probeTimeout,
  warmupStep,
  type RefusedRetry
} from './policy/warmup.js'
export { latencyStats, judgeSeries, judgeAttemptLatency } from './policy/latency.js'
export { LoadTally, judgeLoad, loadLimits, scheduledStart } from './policy/load.js'
export { createHttpClient, describeHttpError } from './http.js'
export { evaluate, matchJson, matchSubset, parseJsonPath, type Verdict } from './match.js'
export { parseStatusPattern, statusMatches } from './status.js'
export {
  HttpRequestError,
  METHODS,
  RETRY_KINDS,
  type HttpMethod,
  type HttpPort,
  type HttpRequest,
  type HttpResponse,
  type LatencyStats,
  type LoadResult,
  type LoadSecond,
  type LoadSpec,
  type Percentile,
  type ResponseExcerpt,
  type RetryKind,
  type SamplesResult,
  type SmokeAttempt,
  type SmokeCheck,
  type SmokeResult,
  type StatusPattern
} from './types.js'
