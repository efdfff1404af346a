// The main pipeline with every port faked, and the post step's teardown on the state it saved:
// for a failure in each phase, the run fails with the phase's reason, and teardown removes
// exactly what had been created by then.

import { describe, expect, test } from '@jest/globals'
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runMain, type MainDeps } from '../../src/pipeline.js'
import { loadRunState, type RunState } from '../../src/state.js'
import { planTeardown, runTeardown } from '../../src/teardown.js'
import type { CachePort } from '../../src/system.js'
import type { HttpPort } from '../../src/smoke/index.js'
import type { Deployment, KubeObject, Service } from '../../src/kube/index.js'
import { KubeApiError } from '../../src/kube/index.js'
import { FakeKube } from './kube-fake.js'
import { replicaSet } from './kube-objects.js'
import { FakeRunner, MemoryLogger } from './fakes/runner.js'
import { SecretRegistry } from '../../src/secrets.js'
import { CancelledError } from '../../src/cancel.js'

const ROOT = new URL('../..', import.meta.url).pathname
const RUNNING = '{"Name":"minikube","Host":"Running","Kubelet":"Running","APIServer":"Running"}'
const ABSENT = '{"Name":"minikube","Host":"Nonexistent"}'

type Fault = 'none' | 'cluster' | 'image' | 'deploy' | 'rollout' | 'smoke'

/** A fake deployment controller: applied Deployments roll out at once, Services get a nodePort. */
function controller(kube: FakeKube, rolloutCompletes: boolean): void {
  kube.onApply = (o: KubeObject) => {
    if (o.kind === 'Service') {
      const s = o as Service
      kube.put({
        ...s,
        spec: { ...s.spec, ports: s.spec!.ports!.map(p => ({ ...p, nodePort: 30080 })) }
      })
    }
    if (o.kind === 'Deployment' && rolloutCompletes) {
      const d = o as Deployment
      const rs = replicaSet(d.metadata.name!, 'h1', '1')
      kube.put({ ...rs, metadata: { ...rs.metadata, namespace: d.metadata.namespace } })
      setTimeout(() => {
        kube.put({
          ...d,
          metadata: { ...d.metadata, annotations: { 'deployment.kubernetes.io/revision': '1' } },
          status: {
            observedGeneration: d.metadata.generation,
            replicas: 1,
            updatedReplicas: 1,
            availableReplicas: 1
          }
        })
      }, 20)
    }
  }
}

function setup(fault: Fault, inputs: Record<string, string> = {}) {
  let started = false
  const runner = new FakeRunner(call => {
    const [sub] = call.args
    if (call.command === 'minikube') {
      if (sub === 'version') return { stdout: 'v1.37.0\n' }
      if (sub === 'status') return started ? { stdout: RUNNING } : { stdout: ABSENT, exitCode: 85 }
      if (sub === 'start') {
        if (fault === 'cluster')
          return { exitCode: 80, stderr: 'X Exiting due to DRV_NOT_HEALTHY: docker is not running' }
        started = true
        return {}
      }
      if (sub === 'docker-env') return { stdout: 'DOCKER_HOST=tcp://192.168.49.2:2376\n' }
      if (sub === 'ip') return { stdout: '192.168.49.2\n' }
    }
    if (call.command === 'docker' && sub === 'build' && fault === 'image') {
      return {
        exitCode: 1,
        stdout:
          'Step 3/9 : COPY requirements.txt /app/\nCOPY failed: file not found in build context'
      }
    }
    if (call.command === 'docker' && sub === 'image') return { stdout: 'sha256:abc\n' }
    return {}
  })
  const kube = new FakeKube()
  controller(kube, fault !== 'rollout')
  if (fault === 'deploy')
    kube.failures.set('apply', [
      new KubeApiError(403, 'deployments.apps is forbidden: User "ci" cannot patch')
    ])
  const http: HttpPort = {
    request: async () => ({
      status: fault === 'smoke' ? 500 : 200,
      headers: {},
      body: fault === 'smoke' ? 'boom' : '{"success": true}',
      bodyBytes: 17,
      truncated: false
    })
  }
  const saved = new Map<string, string>()
  const outputs: Record<string, string> = {}
  const bundleDir = mkdtempSync(join(tmpdir(), 'pipeline-bundle-'))
  const values: Record<string, string> = {
    context: 'weather-service',
    manifests: 'weather-service/k8s',
    'rollout-timeout': '1s',
    'smoke-timeout': '1s',
    ...inputs
  }
  const cache: CachePort = {
    available: () => false,
    restore: async () => undefined,
    save: async () => {}
  }
  const deps: MainDeps = {
    input: name => values[name] ?? '',
    run: {
      workspace: ROOT,
      repository: 'octo/weather',
      sha: 'abcdef123456',
      runId: '77',
      runAttempt: '1',
      job: 'smoke',
      key: 'k3y0a',
      serverUrl: 'https://github.com'
    },
    runner,
    log: new MemoryLogger(),
    state: { save: (k, v) => saved.set(k, v), get: k => saved.get(k) ?? '' },
    clock: { now: () => Date.now(), sleep: ms => new Promise(r => setTimeout(r, ms)) },
    platform: { os: 'linux', arch: 'x64' },
    docker: 'docker',
    toolCache: async () => ({
      find: () => '',
      downloadTool: async () => '',
      cacheFile: async () => '',
      sha256: async () => '',
      readText: async () => '',
      chmodExecutable: async () => {},
      which: async () => 'minikube'
    }),
    cache: async () => cache,
    connectKube: async () => kube,
    http,
    summary: { addRaw: () => undefined, write: async () => undefined },
    writeReport: async () => {},
    reportPath: '/tmp/report.json',
    setOutput: (name, value) => (outputs[name] = value),
    secrets: new SecretRegistry(),
    diagnostics: {
      dir: bundleDir,
      artifacts: {
        unavailable: () => 'no artifact service in unit tests',
        upload: async () => ({})
      }
    }
  }
  return { deps, runner, kube, saved, outputs, cache, bundleDir }
}

function stateOf(saved: Map<string, string>): RunState {
  const state = loadRunState({ save: () => {}, get: k => saved.get(k) ?? '' })
  if (!state) throw new Error('no state saved')
  return state
}

/** The post step on the state main saved: the commands it ran and what it logged. */
async function teardown(
  state: RunState,
  { runner, kube, cache }: { runner: FakeRunner; kube: FakeKube; cache: CachePort }
): Promise<{ commands: string[]; log: string }> {
  runner.calls = []
  const log = new MemoryLogger()
  await runTeardown(state, { runner, log, connectKube: async () => kube, cache: async () => cache })
  return { commands: runner.lines(), log: log.lines.join('\n') }
}

describe('runMain', () => {
  test('success: every phase ok, outputs set, teardown deletes the cluster it started', async () => {
    const { deps, runner, outputs, saved, kube, cache } = setup('none')
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe('')
    expect(outcome.report?.phases.map(p => [p.name, p.status])).toEqual([
      ['cluster', 'ok'],
      ['image', 'ok'],
      ['deploy', 'ok'],
      ['rollout', 'ok'],
      ['expose', 'ok'],
      ['smoke', 'ok']
    ])
    expect(outputs).toMatchObject({
      result: 'passed',
      url: 'http://192.168.49.2:30080',
      namespace: 'smoke-77-1-k3y0a',
      image: 'weather-service:abcdef1-77-1-k3y0a'
    })
    const build = runner.calls.find(c => c.args[0] === 'build')!
    expect(build.options.env).toEqual({ DOCKER_HOST: 'tcp://192.168.49.2:2376' })
    const state = stateOf(saved)
    expect(state).toMatchObject({
      result: 'passed',
      cluster: { prior: 'absent', deleteCluster: true },
      namespace: { name: 'smoke-77-1-k3y0a', created: true }
    })
    expect((await teardown(state, { runner, kube, cache })).commands).toEqual([
      'minikube delete -p minikube'
    ])
  })

  test.each([
    [
      'cluster',
      /minikube start failed \(exit code 80\): X Exiting due to DRV_NOT_HEALTHY/,
      ['cluster']
    ],
    [
      'image',
      /docker build failed \(exit code 1\): .*COPY failed: file not found in build context/,
      ['cluster', 'image']
    ],
    ['deploy', /forbidden/, ['cluster', 'image', 'deploy']],
    ['rollout', /deployment "weather-service"/, ['cluster', 'image', 'deploy', 'rollout']],
    [
      'smoke',
      /GET \/: expected status 2xx, got 500 after \d+ attempts/,
      ['cluster', 'image', 'deploy', 'rollout', 'expose', 'smoke']
    ]
  ] as const)(
    'a failure in %s fails the run with the reason, and teardown still deletes the cluster',
    async (fault, message, ran) => {
      const { deps, runner, saved, kube, cache } = setup(fault)
      const outcome = await runMain(deps)
      expect(outcome.failure).toMatch(message)
      expect(outcome.failure).not.toContain('\n')
      expect(outcome.report?.phases.map(p => p.name)).toEqual(ran)
      expect(outcome.report?.phases.at(-1)?.status).toBe('failed')
      const state = stateOf(saved)
      expect(state.result).toBe('failed')
      expect(state.cluster?.prior).toBe('absent') // recorded before `minikube start` ran
      expect((await teardown(state, { runner, kube, cache })).commands).toEqual([
        'minikube delete -p minikube'
      ])
    }
  )

  test('on a reused cluster a failed run deletes its namespace and keeps the cluster', async () => {
    const { deps, runner, saved, kube, cache } = setup('rollout')
    const base = deps.runner
    deps.runner = {
      run: (c, a, o) =>
        a[0] === 'status'
          ? Promise.resolve({ exitCode: 0, stdout: RUNNING, stderr: '', timedOut: false })
          : base.run(c, a, o)
    }
    await runMain(deps)
    const state = stateOf(saved)
    expect(state.cluster?.prior).toBe('running')
    expect(kube.find('Namespace', 'smoke-77-1-k3y0a')).toBeDefined()
    const { commands, log } = await teardown(state, { runner, kube, cache })
    expect(commands).toEqual([])
    expect(kube.find('Namespace', 'smoke-77-1-k3y0a')).toBeUndefined()
    expect(log).toContain('was already running before this run: kept')
  })

  test('bad input: one line, nothing run, nothing to tear down', async () => {
    const { deps, runner, saved } = setup('none', { replicas: 'abc' })
    const outcome = await runMain(deps)
    expect(outcome).toEqual({
      failure: `input 'replicas' must be an integer from 1 to 50, got "abc"`
    })
    expect(runner.calls).toEqual([])
    expect(saved.get('isPost')).toBe('true')
    expect(loadRunState({ save: () => {}, get: k => saved.get(k) ?? '' })).toBeUndefined()
  })
})

describe('planTeardown', () => {
  const base: RunState = {
    teardown: 'always',
    cluster: {
      kind: 'minikube',
      minikube: 'minikube',
      profile: 'minikube',
      prior: 'absent',
      deleteCluster: true
    },
    namespace: {
      name: 'smoke-1-1',
      created: true,
      objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'smoke-1-1' }]
    }
  }
  test('always: a started cluster is deleted (which takes the namespace with it)', () => {
    expect(planTeardown({ ...base, result: 'failed' })).toEqual({ cluster: 'delete', kept: [] })
  })
  test('a reused cluster: only the namespace goes', () => {
    const plan = planTeardown({
      ...base,
      cluster: { ...base.cluster!, prior: 'running' },
      result: 'passed'
    })
    expect(plan.cluster).toBe('keep')
    expect(plan.namespace).toEqual({
      name: 'smoke-1-1',
      deleteWhole: true,
      objects: base.namespace!.objects
    })
  })
  test('a user namespace that existed: only the applied objects go', () => {
    const plan = planTeardown({
      ...base,
      cluster: { kind: 'existing', deleteCluster: false },
      namespace: { ...base.namespace!, created: false }
    })
    expect(plan.namespace?.deleteWhole).toBe(false)
  })
  test('on-success keeps everything after a failure (or a killed main), and says how to remove it', () => {
    for (const result of ['failed', undefined] as const) {
      const plan = planTeardown({ ...base, teardown: 'on-success', result })
      expect(plan.cluster).toBe('keep')
      expect(plan.namespace).toBeUndefined()
      expect(plan.kept[0]).toContain(
        'kubectl delete namespace smoke-1-1 && minikube delete -p minikube'
      )
    }
    expect(planTeardown({ ...base, teardown: 'on-success', result: 'passed' }).cluster).toBe(
      'delete'
    )
  })
  test('never keeps everything', () => {
    const plan = planTeardown({ ...base, teardown: 'never', result: 'passed' })
    expect(plan.cluster).toBe('keep')
    expect(plan.namespace).toBeUndefined()
    expect(plan.kept[0]).toContain('teardown: never')
  })
  test('a stopped cluster that was started is stopped again', () => {
    expect(planTeardown({ ...base, cluster: { ...base.cluster!, prior: 'stopped' } }).cluster).toBe(
      'stop'
    )
  })
})

describe('runMain: diagnostics bundle, secrets, cancel', () => {
  const files = (dir: string) => (existsSync(dir) ? readdirSync(dir, { recursive: true }) : [])

  test('a failed run writes the bundle, says where (output, summary), the report points to it', async () => {
    const { deps, outputs, bundleDir } = setup('rollout')
    let summary = ''
    const written: unknown[] = []
    deps.summary = { addRaw: t => (summary += t), write: async () => undefined }
    deps.writeReport = async (_p, r) => void written.push(r)
    const outcome = await runMain(deps)
    expect(outputs['diagnostics-dir']).toBe(bundleDir)
    expect(files(bundleDir)).toEqual(
      expect.arrayContaining(['README.txt', 'report.json', 'manifests/applied.yaml'])
    )
    expect(outcome.report?.diagnosticsBundle).toMatchObject({
      dir: bundleDir,
      notUploaded: 'no artifact service in unit tests'
    })
    expect(summary).toContain(`**Diagnostics bundle:** kept in \`${bundleDir}\``)
    expect(written.at(-1)).toMatchObject({ diagnosticsBundle: { dir: bundleDir } })
  })

  test('a passing run writes none, unless upload-diagnostics: always', async () => {
    const passing = setup('none')
    await runMain(passing.deps)
    expect(passing.outputs['diagnostics-dir']).toBe('')
    expect(files(passing.bundleDir)).toEqual([])
    const always = setup('none', { 'upload-diagnostics': 'always' })
    await runMain(always.deps)
    expect(always.outputs['diagnostics-dir']).toBe(always.bundleDir)
    expect(files(always.bundleDir)).toContain('README.txt')
  })

  test('a bad upload-diagnostics is one line before anything starts', async () => {
    const { deps, runner } = setup('none', { 'upload-diagnostics': 'sometimes' })
    expect((await runMain(deps)).failure).toBe(
      `input 'upload-diagnostics' must be one of "on-failure", "always", "never", got "sometimes"`
    )
    expect(runner.calls).toEqual([])
  })

  test('an Authorization header is masked in the log and redacted from report, summary, bundle', async () => {
    const token = 'Bearer s3cr3t-t0ken-abcdef'
    const checks = `- path: /?token=s3cr3t-t0ken-abcdef\n  headers:\n    Authorization: ${token}`
    const { deps, bundleDir } = setup('smoke', { 'smoke-checks': checks })
    const masked: string[] = []
    deps.secrets = new SecretRegistry(v => masked.push(v))
    let summary = ''
    const reports: string[] = []
    deps.summary = { addRaw: t => (summary += t), write: async () => undefined }
    deps.writeReport = async (_p, r) => void reports.push(JSON.stringify(r))
    await runMain(deps)
    expect(masked).toEqual([token, 's3cr3t-t0ken-abcdef'])
    // The check's URL carries it too: the report and summary must still not.
    expect(reports.join('')).toContain('?token=***')
    for (const text of [summary, ...reports]) expect(text).not.toContain('s3cr3t-t0ken')
    for (const f of files(bundleDir) as string[]) {
      if (statSync(join(bundleDir, f)).isFile())
        expect(readFileSync(join(bundleDir, f), 'utf8')).not.toContain('s3cr3t-t0ken')
    }
  })

  test('cancelled mid-rollout: the phase ends at once, watches stop, state kept, no bundle', async () => {
    const { deps, kube, saved, bundleDir, runner, cache } = setup('rollout', {
      'rollout-timeout': '60s'
    })
    const cancel = new AbortController()
    deps.signal = cancel.signal
    const base = kube.onApply!
    kube.onApply = o => {
      base(o)
      if (o.kind === 'Deployment') setTimeout(() => cancel.abort(new CancelledError('SIGTERM')), 50)
    }
    const started = Date.now()
    const outcome = await runMain(deps)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(outcome.failure).toBe(
      'cancelled: the step received SIGTERM; the post step removes what was created'
    )
    expect(outcome.report?.phases.at(-1)).toMatchObject({ name: 'rollout', status: 'failed' })
    expect(kube.watchers.size).toBe(0)
    expect(kube.callsOf('list').some(c => c.args[0] === 'Event')).toBe(false) // no diagnostics
    expect(files(bundleDir)).toEqual([])
    const state = stateOf(saved)
    expect(state.namespace).toMatchObject({ name: 'smoke-77-1-k3y0a', created: true })
    expect((await teardown(state, { runner, kube, cache })).commands).toEqual([
      'minikube delete -p minikube'
    ])
  })
})
