// The real HttpPort: Node's http/https clients over kept-alive connections (one Agent per TLS
// setting). One exchange per call, no redirect followed, the whole exchange bounded by a
// timeout, the body read capped. HTTP/1.1, so `host` is the Host header, and Node's agent sends
// it as the TLS server name too (none for an IP address).
//
// Why not undici (which the Kubernetes client uses): measured at 32 concurrent requests of 50 ms
// for 10 s (~620 req/s), the process grew 28 MB with undici's dispatcher and 19 MB with
// node:http; with undici's request() and an AbortController per request, its V8 heap alone grew
// to 157 MB. The action's peak RSS under a load check is what the bench's goal bounds.

import http from 'node:http'
import https from 'node:https'
import { stopReason } from './stop.js'
import { HttpRequestError, type HttpPort, type HttpRequest, type HttpResponse } from './types.js'

/** Marks our own timer firing, so it is told apart from the run being stopped. */
class Timeout extends Error {}

/**
 * A client with its own connection pools; close() releases them. `keepAlive: false` opens a
 * connection per request (a prober that must see endpoint changes, not one pod's socket).
 */
export function createHttpClient(options: { keepAlive?: boolean } = {}): HttpPort {
  const keepAlive = options.keepAlive ?? true
  const agents = new Map<string, http.Agent>()
  const agentFor = (secure: boolean, req: HttpRequest): http.Agent => {
    const insecure = secure && req.tls?.insecure === true
    const ca = secure ? req.tls?.caPem : undefined
    const key = secure ? `https|${insecure}|${ca ?? ''}` : 'http'
    let agent = agents.get(key)
    if (!agent) {
      agent = secure
        ? new https.Agent({ keepAlive, rejectUnauthorized: !insecure, ...(ca ? { ca } : {}) })
        : new http.Agent({ keepAlive })
      agents.set(key, agent)
    }
    return agent
  }

  return {
    request(req: HttpRequest): Promise<HttpResponse> {
      return new Promise<HttpResponse>((resolve, reject) =>
        exchange(req, agentFor, resolve, reject)
      )
    },
    async close(): Promise<void> {
      for (const agent of agents.values()) agent.destroy()
      agents.clear()
    }
  }
}

function exchange(
  req: HttpRequest,
  agentFor: (secure: boolean, req: HttpRequest) => http.Agent,
  resolve: (res: HttpResponse) => void,
  reject: (err: HttpRequestError) => void
): void {
  let settled = false
  let status = 0
  let headers: Record<string, string> = {}
  const body = new CappedBody(req.maxBodyBytes)
  let outgoing: http.ClientRequest | undefined

  const finish = (): boolean => {
    if (settled) return false
    settled = true
    clearTimeout(timer)
    req.signal?.removeEventListener('abort', onStop)
    return true
  }
  const done = (truncated: boolean): void => {
    if (!finish()) return
    resolve({ status, headers, body: body.text(), bodyBytes: body.bytes, truncated })
  }
  const fail = (err: unknown): void => {
    if (!finish()) return
    outgoing?.destroy()
    if (req.signal?.aborted && !(err instanceof Timeout)) {
      reject(new HttpRequestError(`stopped: ${stopReason(req.signal)}`, false, 'ABORTED'))
      return
    }
    const e = describeHttpError(err, req.timeoutMs)
    if (status === 0) return reject(e)
    const what = e.message.startsWith('no response within')
      ? `body not complete within ${Math.round(req.timeoutMs)} ms`
      : `${e.message} while reading the body`
    reject(new HttpRequestError(`${what} (status ${status})`, e.retryable, e.code))
  }
  const onStop = (): void => fail(new Error('stopped'))
  const timer = setTimeout(() => fail(new Timeout()), Math.max(1, Math.ceil(req.timeoutMs)))
  if (req.signal?.aborted) return onStop()
  req.signal?.addEventListener('abort', onStop, { once: true })

  try {
    outgoing = openRequest(req, agentFor)
  } catch (err) {
    return fail(err)
  }
  outgoing.on('error', fail)
  outgoing.on('response', res => {
    status = res.statusCode ?? 0
    headers = flatHeaders(res.headers)
    res.on('data', (chunk: Buffer) => {
      if (settled || body.add(chunk)) return
      done(true)
      // Stop the transfer: the connection is closed instead of drained.
      res.destroy()
    })
    res.on('end', () => done(false))
    res.on('error', fail)
    res.on('aborted', () => fail(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })))
  })
  outgoing.end(req.body)
}

function openRequest(
  req: HttpRequest,
  agentFor: (secure: boolean, req: HttpRequest) => http.Agent
): http.ClientRequest {
  const url = new URL(req.url)
  const secure = url.protocol === 'https:'
  return (secure ? https : http).request(url, {
    method: req.method,
    headers: req.headers,
    agent: agentFor(secure, req)
  })
}

/** Header names in lower case (as Node gives them), repeated values joined with ", ". */
function flatHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const key in raw) {
    const value = raw[key]
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

/** A response body read up to a byte cap. */
class CappedBody {
  private readonly chunks: Buffer[] = []
  bytes = 0
  constructor(private readonly max: number) {}

  /** Keeps the chunk, or the part of it under the cap; false once the cap is reached. */
  add(chunk: Buffer): boolean {
    if (this.bytes + chunk.byteLength > this.max) {
      this.chunks.push(chunk.subarray(0, this.max - this.bytes))
      this.bytes = this.max
      return false
    }
    this.chunks.push(chunk)
    this.bytes += chunk.byteLength
    return true
  }

  text(): string {
    const body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.bytes)
    return body.toString('utf8')
  }
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
  HPE_INVALID_CONSTANT: 'the server did not speak HTTP',
  HPE_INVALID_STATUS: 'the server sent an invalid HTTP status line'
}

/** Certificate problems: waiting does not fix them, so they are not retried. */
const TLS_VERIFY_CODES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in an untrusted self-signed CA',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is not signed by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate is not signed by a trusted CA',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host'
}

/** Requests Node's client will not send (a header value it refuses, a bad path). */
const REFUSED_BY_CLIENT: ReadonlySet<string> = new Set([
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_INVALID_CHAR',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_UNESCAPED_CHARACTERS',
  'ERR_INVALID_URL'
])

/** Turns a client or socket error into one clear line (the real error may be in `cause`). */
export function describeHttpError(err: unknown, timeoutMs: number): HttpRequestError {
  if (err instanceof HttpRequestError) return err
  const e = err as { name?: string; message?: string; cause?: unknown }
  if (err instanceof Timeout || e?.name === 'TimeoutError') {
    return new HttpRequestError(`no response within ${Math.round(timeoutMs)} ms`)
  }
  // Walk the cause chain for a code we know.
  let cur: unknown = err
  for (let depth = 0; cur && depth < 5; depth++) {
    const c = cur as { code?: string; message?: string; cause?: unknown; errors?: unknown[] }
    const code = c.code ?? (c.errors?.[0] as { code?: string } | undefined)?.code
    if (code && CODES[code]) return new HttpRequestError(CODES[code], true, code)
    if (code && TLS_VERIFY_CODES[code]) {
      return new HttpRequestError(
        `TLS: ${TLS_VERIFY_CODES[code]} (${c.message}); give the check its 'ca', or 'insecure: true'`,
        false,
        code
      )
    }
    if (code === 'EPROTO' || /wrong version number|packet length too long/.test(c.message ?? '')) {
      return new HttpRequestError(
        'TLS handshake failed: the server did not answer in TLS (is the port plain HTTP? then use scheme: http)',
        false,
        code
      )
    }
    if (code !== undefined && REFUSED_BY_CLIENT.has(code)) {
      return new HttpRequestError(`request refused by the HTTP client: ${c.message}`, false, code)
    }
    cur = c.cause
  }
  const cause = e?.cause as { message?: string } | undefined
  const message = cause?.message ? `${e.message}: ${cause.message}` : (e?.message ?? String(err))
  return new HttpRequestError(message, true)
}

/** Codes meaning the request never left: safe to send again whatever its method. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH'
])
