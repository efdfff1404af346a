// Real HTTP(S) servers on 127.0.0.1 (ephemeral ports) for the smoke engine's tests, a real clock,
// and a self-signed certificate made with openssl. Nothing here contacts any other address.

import { afterEach } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createSecureContext } from 'node:tls'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Clock } from '../../src/effects.js'

export const realClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms))
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void

export interface Running {
  server: Server
  port: number
  base: string
  hits: string[]
}

const servers: Server[] = []
const timers: NodeJS.Timeout[] = []
const dirs: string[] = []

afterEach(async () => {
  for (const t of timers.splice(0)) clearTimeout(t)
  await Promise.all(
    servers.splice(0).map(
      s =>
        new Promise<void>(resolve => {
          s.closeAllConnections()
          s.close(() => resolve())
        })
    )
  )
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** A timer cleared after the test. */
export function later(ms: number, fn: () => void): void {
  timers.push(setTimeout(fn, ms))
}

async function listen(server: Server, port: number): Promise<number> {
  servers.push(server)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return (server.address() as AddressInfo).port
}

export async function serve(handler: Handler, port = 0): Promise<Running> {
  const hits: string[] = []
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`)
    handler(req, res)
  })
  const actual = await listen(server, port)
  return { server, port: actual, base: `http://127.0.0.1:${actual}`, hits }
}

export interface Cert {
  dir: string
  keyFile: string
  certFile: string
  key: string
  cert: string
}

/**
 * A self-signed certificate for `app.test` and 127.0.0.1, made with openssl (scripts/test-all.sh
 * installs it on a machine without it).
 */
export function selfSignedCert(): Cert {
  const dir = mkdtempSync(join(tmpdir(), 'smoke-tls-'))
  dirs.push(dir)
  const keyFile = join(dir, 'key.pem')
  const certFile = join(dir, 'cert.pem')
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '2',
        '-subj',
        '/CN=app.test',
        '-addext',
        'subjectAltName=DNS:app.test,IP:127.0.0.1'
      ],
      { stdio: 'pipe' }
    )
  } catch (err) {
    throw new Error(
      `openssl could not make a test certificate (apt-get install openssl; scripts/test-all.sh does): ${(err as Error).message}`
    )
  }
  return {
    dir,
    keyFile,
    certFile,
    key: readFileSync(keyFile, 'utf8'),
    cert: readFileSync(certFile, 'utf8')
  }
}

/** An HTTPS server with that certificate; `servernames` records the SNI each client sent. */
export async function serveTls(
  cert: Cert,
  handler: Handler
): Promise<Running & { servernames: string[] }> {
  const hits: string[] = []
  const servernames: string[] = []
  const context = createSecureContext({ key: cert.key, cert: cert.cert })
  const options = {
    key: cert.key,
    cert: cert.cert,
    SNICallback: (name: string, cb: (err: Error | null, ctx: typeof context) => void) => {
      servernames.push(name)
      cb(null, context)
    }
  }
  const server = createHttpsServer(options, (req, res) => {
    hits.push(`${req.method} ${req.url}`)
    handler(req, res)
  })
  const port = await listen(server as unknown as Server, 0)
  return {
    server: server as unknown as Server,
    port,
    base: `http://127.0.0.1:${port}`,
    hits,
    servernames
  }
}

/** A port that was free a moment ago (nothing listens on it now). */
export async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', () => resolve()))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>(resolve => probe.close(() => resolve()))
  return port
}

export const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}
