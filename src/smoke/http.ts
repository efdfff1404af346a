// The real HttpPort: Node's built-in fetch (undici). One exchange, no redirect followed, the whole
// exchange bounded by a timeout, the body read capped.

import { HttpRequestError, type HttpPort, type HttpRequest, type HttpResponse } from './types.js'

export const fetchHttp: HttpPort = {
  async request(req: HttpRequest): Promise<HttpResponse> {
    const signal = AbortSignal.timeout(Math.max(1, Math.ceil(req.timeoutMs)))
    let res: Response
    try {
      res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        // Node's fetch returns the 3xx response itself (status and Location), unlike browsers'
        // opaque redirects; the engine decides whether to follow.
        redirect: 'manual',
        signal
      })
    } catch (err) {
      throw describeFetchError(err, req.timeoutMs)
    }
    const headers: Record<string, string> = {}
    res.headers.forEach((value, key) => {
      headers[key] = value
    })
    try {
      const { bytes, truncated } = await readCapped(res, req.maxBodyBytes)
      return {
        status: res.status,
        headers,
        body: new TextDecoder('utf-8').decode(bytes),
        bodyBytes: bytes.byteLength,
        truncated
      }
    } catch (err) {
      const e = describeFetchError(err, req.timeoutMs)
      const what = e.message.startsWith('no response within')
        ? `body not complete within ${Math.round(req.timeoutMs)} ms`
        : `${e.message} while reading the body`
      throw new HttpRequestError(`${what} (status ${res.status})`, e.retryable)
    }
  }
}

async function readCapped(
  res: Response,
  max: number
): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  if (res.body === null) return { bytes: new Uint8Array(0), truncated: false }
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  let truncated = false
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    if (total + value.byteLength > max) {
      chunks.push(value.subarray(0, max - total))
      total = max
      truncated = true
      // Stop the transfer: undici closes the connection instead of draining the rest.
      await reader.cancel().catch(() => undefined)
      break
    }
    chunks.push(value)
    total += value.byteLength
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const c of chunks) {
    bytes.set(c, offset)
    offset += c.byteLength
  }
  return { bytes, truncated }
}

const CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  UND_ERR_SOCKET: 'connection closed by the server before a full response',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'body stalled',
  HPE_INVALID_CONSTANT: 'the server did not speak HTTP',
  HPE_INVALID_STATUS: 'the server sent an invalid HTTP status line'
}

/** Turns fetch's `TypeError: fetch failed` (the real error is in `cause`) into one clear line. */
export function describeFetchError(err: unknown, timeoutMs: number): HttpRequestError {
  if (err instanceof HttpRequestError) return err
  const e = err as { name?: string; message?: string; cause?: unknown }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new HttpRequestError(`no response within ${Math.round(timeoutMs)} ms`)
  }
  // Walk the cause chain for a code we know.
  let cur: unknown = err
  for (let depth = 0; cur && depth < 5; depth++) {
    const c = cur as { code?: string; message?: string; cause?: unknown; errors?: unknown[] }
    const code = c.code ?? (c.errors?.[0] as { code?: string } | undefined)?.code
    if (code && CODES[code]) return new HttpRequestError(CODES[code], true, code)
    if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') {
      return new HttpRequestError(`request refused by the HTTP client: ${c.message}`, false)
    }
    if (c.message === 'bad port') {
      return new HttpRequestError(
        'fetch refuses to connect to this port (a "bad port" in the fetch standard)',
        false
      )
    }
    cur = c.cause
  }
  const cause = e?.cause as { message?: string } | undefined
  const message = cause?.message ? `${e.message}: ${cause.message}` : (e?.message ?? String(err))
  // A TypeError without a cause is fetch refusing the request itself (bad URL, bad header).
  return new HttpRequestError(message, !(err instanceof TypeError && e.cause === undefined))
}
