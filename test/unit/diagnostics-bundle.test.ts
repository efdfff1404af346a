// The bundle written from a (fake) cluster: what it holds, redaction, Secret values left out, the
// size bound with its note, `minikube logs`, and what it does when reads fail.

import { describe, expect, test } from '@jest/globals'
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { writeDiagnosticsBundle, type BundleInput } from '../../src/diagnostics/index.js'
import { SecretRegistry } from '../../src/secrets.js'
import { collectDiagnostics } from '../../src/kube/diagnostics.js'
import { kindOf, type KubeObject } from '../../src/kube/index.js'
import type { RunReport } from '../../src/report/index.js'
import { FakeKube } from './kube-fake.js'
import { NS, crashLooping, deployment, event, pod } from './kube-objects.js'
import { FakeRunner } from './fakes/runner.js'
import type { CommandResult } from '../../src/effects.js'

const SECRET = 'tok-9f8e7d6c5b4a'

function cluster() {
  const kube = new FakeKube()
  const web = {
    ...deployment({ name: 'web' }),
    metadata: { ...deployment().metadata, name: 'web', namespace: NS }
  }
  const secret: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'creds', namespace: NS },
    data: { password: Buffer.from('hunter2-password').toString('base64') }
  }
  const applied = [secret, web]
  for (const o of applied) kube.put(o)
  kube.put(pod('web-abc-1', 'abc', [crashLooping(2)]))
  kube.put(
    pod('web-abc-2', 'abc', [
      { ready: true, state: { running: { startedAt: '2026-12-01T10:00:00Z' } } }
    ])
  )
  kube.put(
    event(
      'pod/web-abc-1',
      'BackOff',
      'Back-off restarting failed container',
      '2026-12-01T10:00:09Z'
    )
  )
  kube.put(
    event(
      'pod/web-abc-1',
      'Pulled',
      'Container image "web:1" already present',
      '2026-12-01T10:00:01Z'
    )
  )
  kube.put(event('pod/web-abc-1', 'Scheduled', 'Successfully assigned', '2026-12-01T10:00:00Z'))
  const crashLog = Array.from({ length: 500 }, (_, i) => `line ${i + 1} of the crashed run`).join(
    '\n'
  )
  kube.logs.set('web-abc-1/app/previous', `${crashLog}\nAuthorization: Bearer ${SECRET}\n`)
  // A container down after a crash: the kubelet serves the run that just crashed as its current log.
  kube.logs.set('web-abc-1/app', 'the latest crashed run\n')
  kube.logs.set('web-abc-2/app', 'serving on :8080\n')
  return { kube, applied }
}

function report(): RunReport {
  return {
    result: 'failed',
    startedAt: '2026-12-01T10:00:00.000Z',
    durationMs: 1234,
    phases: [],
    smoke: [],
    error: `deployment "web" failed: CrashLoopBackOff (sent ${SECRET})`
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(e => e.isFile())
    .map(e => relative(dir, join(e.parentPath, e.name)))
    .sort()
}

async function write(
  extra: Partial<BundleInput> = {},
  maxBytes?: number,
  minikubeLogs: Partial<CommandResult> = { stdout: '==> kubelet <==\nI1201 kubelet started\n' }
) {
  const { kube, applied } = cluster()
  const dir = join(mkdtempSync(join(tmpdir(), 'bundle-')), 'minikube-smoke-diagnostics-77-1-k3y0a')
  const secrets = new SecretRegistry()
  secrets.register(SECRET)
  const runner = new FakeRunner(call => (call.args[0] === 'logs' ? minikubeLogs : undefined))
  const bundle = await writeDiagnosticsBundle(
    {
      dir,
      report: report(),
      failure: 'deployment "web" failed: CrashLoopBackOff',
      runKey: '77-1-k3y0a',
      cluster: { kube, namespace: NS },
      applied: applied.map(o => ({ object: o, type: kindOf(o).type })),
      errorDetails: 'last 20 log lines of container "app" (previous run):\nconfig file missing',
      ...extra
    },
    { runner, secrets, maxBytes }
  )
  const read = (p: string) => readFileSync(join(dir, p), 'utf8')
  return { bundle, dir, read, kube, runner }
}

describe('writeDiagnosticsBundle', () => {
  test('live objects, pods described, whole previous logs, events by time, manifests, report', async () => {
    const { bundle, dir, read } = await write()
    expect(filesUnder(dir)).toEqual([
      'README.txt',
      'error-details.txt',
      'events.txt',
      'events.yaml',
      'logs/web-abc-1/app.log',
      'logs/web-abc-1/app.previous.log',
      'logs/web-abc-2/app.log',
      'manifests/applied.yaml',
      'objects/deployment-web.yaml',
      'objects/secret-creds.yaml',
      'pods/web-abc-1.txt',
      'pods/web-abc-1.yaml',
      'pods/web-abc-2.txt',
      'pods/web-abc-2.yaml',
      'report.json'
    ])
    expect(bundle.files.map(f => f.path).sort()).toEqual(filesUnder(dir))
    // The whole log of the crashed run, not a tail.
    const previous = read('logs/web-abc-1/app.previous.log')
    expect(previous).toContain('line 1 of the crashed run\n')
    expect(previous).toContain('line 500 of the crashed run\n')
    // Oldest first.
    const events = read('events.txt').split('\n')
    expect(events[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+COUNT\s+MESSAGE$/)
    expect(events.slice(1, 4).map(l => l.split(/\s+/)[2])).toEqual([
      'Scheduled',
      'Pulled',
      'BackOff'
    ])
    const described = read('pods/web-abc-1.txt')
    expect(described).toMatch(/^Name: +web-abc-1$/m)
    expect(described).toMatch(/State: +Waiting \(CrashLoopBackOff\)/)
    expect(described).toMatch(/Last State: +Terminated/)
    expect(described).toMatch(/Restart Count: 2/)
    expect(described).toMatch(/Events:\n {2}LAST SEEN .*\n {2}\S.*Scheduled/)
    expect(described.endsWith('Back-off restarting failed container\n')).toBe(true)
    expect(read('objects/deployment-web.yaml')).toMatch(/^kind: Deployment$/m)
    expect(read('manifests/applied.yaml')).toMatch(/^---\napiVersion: v1\nkind: Secret/)
    expect(JSON.parse(read('report.json')).result).toBe('failed')
    expect(read('README.txt')).toContain('Failure: deployment "web" failed: CrashLoopBackOff')
    expect(read('README.txt')).toContain('logs/web-abc-1/app.previous.log')
  })

  test('registered secrets are *** in every file, and Secret values are left out', async () => {
    const { dir, read } = await write()
    for (const f of filesUnder(dir)) expect(read(f)).not.toContain(SECRET)
    expect(read('logs/web-abc-1/app.previous.log')).toContain('Authorization: Bearer ***')
    expect(read('report.json')).toContain('(sent ***)')
    for (const f of ['objects/secret-creds.yaml', 'manifests/applied.yaml']) {
      expect(read(f)).toContain("password: '<value left out: 16 bytes>'")
      expect(read(f)).not.toContain(Buffer.from('hunter2-password').toString('base64'))
    }
  })

  test('the JUnit file when it exists, minikube logs for a minikube cluster', async () => {
    const junit = join(mkdtempSync(join(tmpdir(), 'junit-')), 'minikube-smoke-junit-77-1-k3y0a.xml')
    writeFileSync(
      junit,
      `<testsuite name="smoke"><testcase name="GET /" secret="${SECRET}"/></testsuite>\n`
    )
    const { read, runner } = await write({
      junitPath: junit,
      minikube: { binary: '/opt/minikube', profile: 'ci' }
    })
    expect(read('junit.xml')).toContain('<testcase name="GET /" secret="***"/>')
    expect(runner.lines()).toEqual(['minikube logs -p ci --length=2000'])
    expect(runner.calls[0].options.timeoutMs).toBe(60_000)
    expect(read('minikube-logs.txt')).toContain('kubelet started')
  })

  test('no JUnit file: none in the bundle; a failing minikube logs is said in errors.txt', async () => {
    const { dir, read } = await write(
      {
        junitPath: join(tmpdir(), 'does-not-exist.xml'),
        minikube: { binary: 'minikube', profile: 'minikube' }
      },
      undefined,
      {
        exitCode: 83,
        stderr: '* The control-plane node minikube host is not running: state=Stopped'
      }
    )
    expect(existsSync(join(dir, 'junit.xml'))).toBe(false)
    expect(existsSync(join(dir, 'minikube-logs.txt'))).toBe(false)
    expect(read('errors.txt')).toContain(
      'minikube logs -p minikube: exit code 83: * The control-plane node minikube host is not running'
    )
  })

  test('bounded: past the budget a log keeps its end, TRUNCATED.txt says what was cut', async () => {
    const { kube } = cluster()
    const big = `${'x'.repeat(99)}\n`.repeat(3000) + 'the reason it crashed\n'
    kube.logs.set('web-abc-1/app/previous', big)
    const maxBytes = 160 * 1024
    const { bundle, dir, read } = await write({ cluster: { kube, namespace: NS } }, maxBytes)
    const total = filesUnder(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0)
    expect(total).toBeLessThanOrEqual(maxBytes)
    expect(bundle.bytes).toBe(total)
    const log = read('logs/web-abc-1/app.previous.log')
    expect(log.endsWith('the reason it crashed\n')).toBe(true)
    expect(log.length).toBeLessThan(big.length)
    expect(read('TRUNCATED.txt')).toMatch(
      /logs\/web-abc-1\/app\.previous\.log: cut to \d+ of 300022 bytes \(the end kept\)/
    )
    expect(read('README.txt')).toContain('see TRUNCATED.txt')
  })

  test('what cannot be read is listed in errors.txt, the rest is still written', async () => {
    const { kube } = cluster()
    kube.failNext('list', new Error('connection refused'))
    const { dir, read } = await write({ cluster: { kube, namespace: NS } })
    expect(read('errors.txt')).toMatch(/list (pods|events): connection refused/)
    expect(filesUnder(dir)).toContain('report.json')
    expect(filesUnder(dir)).toContain('objects/deployment-web.yaml')
  })

  test('a shared namespace: only the pods the selector picks', async () => {
    const { kube } = cluster()
    const other = pod('other-xyz-1', 'xyz')
    other.metadata.labels = { app: 'other' }
    kube.put(other)
    const { dir } = await write({ cluster: { kube, namespace: NS, podSelector: 'app=web' } })
    expect(filesUnder(dir).filter(f => f.startsWith('pods/'))).toEqual([
      'pods/web-abc-1.txt',
      'pods/web-abc-1.yaml',
      'pods/web-abc-2.txt',
      'pods/web-abc-2.yaml'
    ])
  })

  test('renders the model the failure’s diagnostics collected: no pod, event or log read again', async () => {
    const { kube, applied } = cluster()
    kube.logs.set('web-abc-1/app', 'the run that just crashed\n')
    const typed = applied.map(o => ({ object: o, type: kindOf(o).type }))
    const diagnostics = await collectDiagnostics(kube, NS, {
      objects: typed.map(t => ({
        kind: t.object.kind,
        name: t.object.metadata.name!,
        type: t.type
      })),
      bundle: {}
    })
    const before = kube.calls.length
    const { dir, read } = await write({
      cluster: { kube, namespace: NS },
      collected: [diagnostics.model]
    })
    expect(kube.calls.slice(before).map(c => c.method)).toEqual([])
    // Down after a crash: both logs containerLogs() says exist, the one that explains it first.
    expect(read('logs/web-abc-1/app.log')).toBe('the run that just crashed\n')
    expect(read('logs/web-abc-1/app.previous.log')).toContain('line 500 of the crashed run')
    expect(filesUnder(dir)).toEqual(
      expect.arrayContaining(['objects/deployment-web.yaml', 'objects/secret-creds.yaml'])
    )
    expect(existsSync(join(dir, 'errors.txt'))).toBe(false)
  })

  test('before any cluster (a build failure): the report and the details only', async () => {
    const { dir, read } = await write({ cluster: undefined, applied: [] })
    expect(filesUnder(dir)).toEqual(['README.txt', 'error-details.txt', 'report.json'])
    expect(read('error-details.txt')).toContain('config file missing')
  })
})
