// One request of a check, judged like the checks judge it, for callers that count outcomes
// rather than retry (the rolling-update check): the check's method, scheme, Host, headers
// (credentials), body, expectations and timeout, and the same redirect rule.

import { attempt, checkTarget } from './attempt.js'
import { createHttpClient } from './http.js'
import { judge } from './judge.js'
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_REDIRECTS, DEFAULT_REQUEST_TIMEOUT_MS } from './run.js'
import { parseBase } from './url.js'
import type { HttpPort, SmokeCheck } from './types.js'

export interface CheckProbe {
  /** What is requested, e.g. `GET http://127.0.0.1:30080/healthz`. */
  label: string
  /** One attempt: undefined when it passed, else why not (`expected status 2xx, got 401`). */
  send(signal?: AbortSignal): Promise<string | undefined>
  /** Releases the connections of a client the probe made. */
  close(): Promise<void>
}

export interface CheckProbeOptions {
  /**
   * Default: a client of its own opening a connection per request, so every request goes through
   * the Service's current endpoints rather than staying on one pod's kept-alive socket.
   */
  http?: HttpPort
  now?: () => number
}

export function checkProbe(
  baseUrl: string,
  check: SmokeCheck,
  options: CheckProbeOptions = {}
): CheckProbe {
  const http = options.http ?? createHttpClient({ keepAlive: false })
  const now = options.now ?? (() => performance.now())
  const base = parseBase(baseUrl)
  const timeoutMs = check.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const targetFor = (signal?: AbortSignal) =>
    checkTarget(base, check, {
      http,
      maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
      maxRedirects: DEFAULT_MAX_REDIRECTS,
      now,
      signal
    })
  return {
    label: `${check.method} ${targetFor().url.href}`,
    async send(signal) {
      const verdict = judge(check, await attempt(targetFor(signal), timeoutMs))
      return verdict.passed ? undefined : (verdict.reason ?? 'failed')
    },
    async close() {
      if (options.http === undefined) await http.close?.()
    }
  }
}
