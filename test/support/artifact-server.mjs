// A local stand-in for the part of GitHub's artifact service that @actions/artifact 6 calls when
// uploading, on 127.0.0.1, so a test can assert the files that arrive. Read from the library's
// source (node_modules/@actions/artifact/lib/internal/upload/): it posts Twirp JSON to
// $ACTIONS_RESULTS_URL/twirp/github.actions.results.api.v1.ArtifactService/{CreateArtifact,
// FinalizeArtifact} with the runtime token as a bearer, and uploads the zip in between with the
// Azure blob client to the signed URL CreateArtifact returned (PUT ?comp=block&blockid=…, then
// PUT ?comp=blocklist with the block ids as XML). The token's `scp` claim names the backend ids.
//
//   const server = await startArtifactServer()
//   env: server.env  → ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL
//   server.artifacts → [{ name, request, finalize, zip: Buffer, files: Map<path, Buffer> }]
//   await server.close()

import { createServer } from 'node:http'
import { inflateRawSync } from 'node:zlib'

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/'
const RUN_BACKEND = 'c0ffee00-0000-4000-8000-000000000001'
const JOB_BACKEND = 'c0ffee00-0000-4000-8000-000000000002'

/** A JWT whose payload carries the scope @actions/artifact reads (the signature is not checked). */
export function runtimeToken() {
  const part = obj => Buffer.from(JSON.stringify(obj)).toString('base64url')
  const scp = `Actions.GenericRead:x Actions.Results:${RUN_BACKEND}:${JOB_BACKEND}`
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ scp })}.c2lnbmF0dXJl`
}

export async function startArtifactServer() {
  const token = runtimeToken()
  const artifacts = []
  const blocks = new Map() // blob path → Map<blockId, Buffer>
  const blobs = new Map() // blob path → Buffer
  const problems = []
  let nextId = 4100

  const server = createServer(async (req, res) => {
    const chunks = []
    for await (const c of req) chunks.push(c)
    const body = Buffer.concat(chunks)
    const url = new URL(req.url, 'http://127.0.0.1')
    const reply = (status, json, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers })
      res.end(json === undefined ? '' : JSON.stringify(json))
    }
    try {
      if (url.pathname.startsWith(SERVICE)) {
        if (req.headers.authorization !== `Bearer ${token}`) return reply(401, { msg: 'bad token' })
        const request = JSON.parse(body.toString('utf8'))
        const method = url.pathname.slice(SERVICE.length)
        if (
          request.workflow_run_backend_id !== RUN_BACKEND ||
          request.workflow_job_run_backend_id !== JOB_BACKEND
        ) {
          problems.push(`${method}: backend ids ${JSON.stringify(request)}`)
          return reply(400, { msg: 'wrong backend ids' })
        }
        if (method === 'CreateArtifact') {
          if (artifacts.some(a => a.name === request.name)) {
            return reply(409, { msg: `an artifact named ${request.name} already exists` })
          }
          const blob = `/devstoreaccount1/actions-results/${encodeURIComponent(request.name)}.zip`
          artifacts.push({ name: request.name, request })
          const port = server.address().port
          return reply(200, {
            ok: true,
            signed_upload_url: `http://127.0.0.1:${port}${blob}?sig=not-a-real-signature`
          })
        }
        if (method === 'FinalizeArtifact') {
          const a = artifacts.find(x => x.name === request.name)
          if (!a) return reply(404, { msg: 'no such artifact' })
          a.finalize = request
          a.id = nextId++
          a.zip = blobs.get(`/devstoreaccount1/actions-results/${encodeURIComponent(a.name)}.zip`)
          a.files = a.zip ? readZip(a.zip) : new Map()
          return reply(200, { ok: true, artifact_id: String(a.id) })
        }
        return reply(404, { msg: `unknown method ${method}` })
      }
      // The blob service (Azure Block Blob REST, the two calls uploadStream makes).
      if (req.method === 'PUT' && url.searchParams.get('sig')) {
        const comp = url.searchParams.get('comp')
        const blob = url.pathname
        const azure = { 'x-ms-request-id': `req-${Date.now()}`, 'x-ms-version': '2025-01-05' }
        if (comp === 'block') {
          const id = url.searchParams.get('blockid')
          if (!blocks.has(blob)) blocks.set(blob, new Map())
          blocks.get(blob).set(id, body)
          return reply(201, undefined, azure)
        }
        if (comp === 'blocklist') {
          const ids = [
            ...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)</g)
          ].map(m => m[1])
          const staged = blocks.get(blob) ?? new Map()
          blobs.set(blob, Buffer.concat(ids.map(id => staged.get(id) ?? Buffer.alloc(0))))
          return reply(201, undefined, {
            ...azure,
            etag: '"0x1"',
            'last-modified': new Date().toUTCString()
          })
        }
      }
      problems.push(`unexpected ${req.method} ${req.url}`)
      reply(400, { msg: 'unexpected request' })
    } catch (err) {
      problems.push(`${req.method} ${req.url}: ${err.stack}`)
      reply(500, { msg: String(err) })
    }
  })
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = server.address().port
  return {
    env: { ACTIONS_RUNTIME_TOKEN: token, ACTIONS_RESULTS_URL: `http://127.0.0.1:${port}/` },
    artifacts,
    problems,
    close: () => new Promise(resolve => server.close(() => resolve()))
  }
}

/** The files of a zip archive (stored or deflated entries), read from its central directory. */
export function readZip(zip) {
  const files = new Map()
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
  if (end < 0) throw new Error('not a zip archive: no end of central directory')
  const count = zip.readUInt16LE(end + 10)
  let p = zip.readUInt32LE(end + 16)
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry')
    const method = zip.readUInt16LE(p + 10)
    const compressed = zip.readUInt32LE(p + 20)
    const nameLength = zip.readUInt16LE(p + 28)
    const extraLength = zip.readUInt16LE(p + 30)
    const commentLength = zip.readUInt16LE(p + 32)
    const local = zip.readUInt32LE(p + 42)
    const name = zip.subarray(p + 46, p + 46 + nameLength).toString('utf8')
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28)
    const data = zip.subarray(dataStart, dataStart + compressed)
    if (!name.endsWith('/'))
      files.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data))
    p += 46 + nameLength + extraLength + commentLength
  }
  return files
}
