// The upload through the real @actions/artifact (as the action loads it) against a local server on
// 127.0.0.1 speaking the artifact service's Twirp JSON and the blob upload: the files that arrive
// are the bundle's, byte for byte; without the service, or on GHES, the directory is kept.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { artifactName, uploadBundle, type Bundle } from '../../src/diagnostics/index.js'
import { artifactService } from '../../src/system.js'
import { startArtifactServer, type ArtifactServer } from '../support/artifact-server.mjs'
import { MemoryLogger } from './fakes/runner.js'

const RUN = { serverUrl: 'https://github.com', repository: 'octo/weather', runId: '77' }
const SAVED = { ...process.env }

function bundle(): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'upload-bundle-'))
  const files: Record<string, string | Buffer> = {
    'README.txt': 'minikube-smoke diagnostics\n',
    'report.json': '{"result":"failed"}\n',
    'logs/web-7d9f-abcde/app.previous.log': 'config file not found\n'.repeat(5000),
    'pods/web-7d9f-abcde.txt': 'Name: web-7d9f-abcde\n',
    'logs/web-7d9f-abcde/bin.log': Buffer.from([0, 1, 2, 255, 254])
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  return {
    dir,
    files: Object.entries(files).map(([path, c]) => ({ path, bytes: Buffer.byteLength(c) })),
    bytes: 0,
    cuts: []
  }
}

describe('uploadBundle with @actions/artifact', () => {
  let server: ArtifactServer
  beforeAll(async () => {
    server = await startArtifactServer()
  })
  afterAll(async () => {
    await server.close()
    process.env = SAVED
  })
  beforeEach(() => {
    process.env = { ...SAVED, ...server.env, GITHUB_SERVER_URL: 'https://github.com' }
  })

  test('every file arrives under its path, and the outcome links the artifact', async () => {
    const b = bundle()
    const name = artifactName('smoke (linux)', '77-1-k3y0a')
    const log = new MemoryLogger()
    const outcome = await uploadBundle(b, {
      mode: 'on-failure',
      name,
      run: RUN,
      artifacts: artifactService,
      log
    })
    expect(server.problems).toEqual([])
    expect(name).toBe('minikube-smoke-diagnostics-smoke-linux-77-1-k3y0a')
    const received = server.artifacts.find(a => a.name === name)!
    expect(received.finalize).toBeDefined()
    expect([...received.files!.keys()].sort()).toEqual(b.files.map(f => f.path).sort())
    expect(received.files!.get('logs/web-7d9f-abcde/app.previous.log')!.toString()).toBe(
      'config file not found\n'.repeat(5000)
    )
    expect([...received.files!.get('logs/web-7d9f-abcde/bin.log')!]).toEqual([0, 1, 2, 255, 254])
    expect(outcome.artifact).toEqual({
      name,
      id: received.id,
      url: `https://github.com/octo/weather/actions/runs/77/artifacts/${received.id}`,
      bytes: Number(received.finalize!.size)
    })
    expect(log.lines.join('\n')).toContain(`uploaded as artifact "${name}"`)
  })

  test('no artifact service (a local run): nothing is sent, the directory is kept and named', async () => {
    delete process.env.ACTIONS_RUNTIME_TOKEN
    const before = server.artifacts.length
    const b = bundle()
    const log = new MemoryLogger()
    const outcome = await uploadBundle(b, {
      mode: 'always',
      name: 'minikube-smoke-diagnostics-local',
      run: RUN,
      artifacts: artifactService,
      log
    })
    expect(server.artifacts.length).toBe(before)
    expect(outcome.notUploaded).toMatch(/ACTIONS_RUNTIME_TOKEN/)
    expect(log.lines.join('\n')).toContain(`the bundle is kept in ${b.dir}`)
  })

  test('GitHub Enterprise Server (no service for @actions/artifact 2+): the directory is kept', async () => {
    process.env.GITHUB_SERVER_URL = 'https://ghes.example.internal'
    const before = server.artifacts.length
    const b = bundle()
    const log = new MemoryLogger()
    const outcome = await uploadBundle(b, {
      mode: 'on-failure',
      name: 'minikube-smoke-diagnostics-ghes',
      run: RUN,
      artifacts: artifactService,
      log
    })
    expect(server.artifacts.length).toBe(before)
    expect(outcome.notUploaded).toMatch(/GitHub Enterprise Server \(ghes\.example\.internal\)/)
    expect(log.lines.join('\n')).toContain(`the bundle is kept in ${b.dir}`)
  })

  test('upload-diagnostics: never keeps the directory without asking the service', async () => {
    const before = server.artifacts.length
    const outcome = await uploadBundle(bundle(), {
      mode: 'never',
      name: 'minikube-smoke-diagnostics-never',
      run: RUN,
      artifacts: artifactService,
      log: new MemoryLogger()
    })
    expect(server.artifacts.length).toBe(before)
    expect(outcome).toEqual({ notUploaded: 'upload-diagnostics: never' })
  })
})
