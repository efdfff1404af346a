// The real HttpPort: undici's request API over kept-alive connections (one Agent per TLS setting).
// One exchange per call, no redirect followed, the whole exchange bounded by a timeout, the body
// read capped. HTTP/1.1 only, so `host` is the Host header (and the TLS server name).
//
// undici is the same package the Kubernetes client already loads before the smoke phase, so it
// is imported lazily: no cost at start-up, none for bad inputs.

import type { Agent, Dispatcher } from 'undici'
import { stopReason } from './stop.js'
import { HttpRequestError, type HttpPort, type HttpRequest, type HttpResponse } from './types.js'

type Undici = typeof import('undici')
let undici: Promise<Undici> | undefined
const loadUndici = (): Promise<Undici> => (undici ??= import('undici'))

/** Marks an abort by our own timer, so it is told apart from the run being stopped. */
class Timeout extends Error {}

/** A client with its own connection pools; close() releases them. */
export function createHttpClient(): HttpPort {
  const agents = new Map<string, Promise<Agent>>()
  const agentFor = (req: HttpRequest): Promise<Agent> => {
    const https = req.url.startsWith('https:')
    const insecure = https && req.tls?.insecure === true
    const ca = https ? req.tls?.caPem : undefined
    const key = https ? `https|${insecure}|${ca ?? ''}` : 'http'
    let agent = agents.get(key)
    if (!agent) {
      agent = loadUndici().then(
        u =>
          new u.Agent({
            allowH2: false,
            connect: https ? { rejectUnauthorized: !insecure, ...(ca ? { ca } : {}) } : undefined
          })
      )
      agents.set(key, agent)
    }
    return agent
  }

  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const agent = await agentFor(req)
      const url = new URL(req.url)
      const controller = new AbortController()
      const timer = setTimeout(
        () => controller.abort(new Timeout()),
        Math.max(1, Math.ceil(req.timeoutMs))
      )
      const stop = (): void => controller.abort(req.signal?.reason)
      if (req.signal?.aborted) stop()
      else req.signal?.addEventListener('abort', stop, { once: true })
      const fail = (err: unknown, where?: number): HttpRequestError => {
        if (req.signal?.aborted && !(err instanceof Timeout)) {
          return new HttpRequestError(`stopped: ${stopReason(req.signal)}`, false, 'ABORTED')
        }
        const e = describeHttpError(err, req.timeoutMs)
        if (where === undefined) return e
        const what = e.message.startsWith('no response within')
          ? `body not complete within ${Math.round(req.timeoutMs)} ms`
          : `${e.message} while reading the body`
        return new HttpRequestError(`${what} (status ${where})`, e.retryable, e.code)
      }
      try {
        let res: Dispatcher.ResponseData
        try {
          res = await agent.request({
            origin: url.origin,
            path: `${url.pathname}${url.search}`,
            method: req.method,
            headers: req.headers,
            body: req.body,
            signal: controller.signal
          })
        } catch (err) {
          throw fail(err)
        }
        try {
          const { bytes, truncated } = await readCapped(res.body, req.maxBodyBytes)
          return {
            status: res.statusCode,
            headers: flatHeaders(res.headers),
            body: bytes.toString('utf8'),
            bodyBytes: bytes.byteLength,
            truncated
          }
        } catch (err) {
          throw fail(err, res.statusCode)
        }
      } finally {
        clearTimeout(timer)
        req.signal?.removeEventListener('abort', stop)
      }
    },

    async close(): Promise<void> {
      const all = [...agents.values()]
      agents.clear()
      await Promise.all(all.map(async a => (await a).destroy()))
    }
  }
}

async function readCapped(
  body: Dispatcher.ResponseData['body'],
  max: number
): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (total + chunk.byteLength > max) {
      chunks.push(chunk.subarray(0, max - total))
      total = max
      // Stop the transfer: the connection is closed instead of drained.
      body.destroy()
      return { bytes: Buffer.concat(chunks, total), truncated: true }
    }
    chunks.push(chunk)
    total += chunk.byteLength
  }
  return { bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total), truncated: false }
}

function flatHeaders(
  headers: Record<string, string | string[] | undefined>
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
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

/** Turns an undici or socket error into one clear line (the real error may be in `cause`). */
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
    if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') {
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
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT'
])
