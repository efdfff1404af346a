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
import type {
  ContainerStatus,
  Deployment,
  KubeObject,
  Pod,
  ResourceType,
  Service
} from '../../src/kube/index.js'
import { KubeApiError, leaseObject } from '../../src/kube/index.js'
import { fakeConnection, FakeKube } from './kube-fake.js'
import { crashLooping, pod, replicaSet, running } from './kube-objects.js'
import { FakeRunner, MemoryLogger } from './fakes/runner.js'
import { FakeProcesses } from './fakes/processes.js'
import { NULL_STATUS, PROFILE_LIST_DOCKER } from './fakes/minikube-outputs.js'
import { SecretRegistry } from '../../src/secrets.js'
import { CancelledError } from '../../src/cancel.js'
import { MemoryJournalFiles } from './fakes/journal.js'

const ROOT = new URL('../..', import.meta.url).pathname
const RUNNING = '{"Name":"minikube","Host":"Running","Kubelet":"Running","APIServer":"Running"}'
const ABSENT = '{"Name":"minikube","Host":"Nonexistent"}'
/** The object journals of every run in this file, each at its own path. */
const journalFiles = new MemoryJournalFiles()
let journals = 0

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
        // Its pod, ready, with the template's labels (the run's): what stable-for watches.
        kube.put(readyPodOf(d))
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

const READY = { conditions: [{ type: 'Ready', status: 'True' }] }

/** The Deployment's one pod, running and ready (or as `status` says). */
function readyPodOf(d: Deployment, status: Partial<ContainerStatus> = running(0, true)): Pod {
  const p = pod(
    `${d.metadata.name}-h1-1`,
    'h1',
    [status],
    status.ready ? READY : { conditions: [{ type: 'Ready', status: 'False' }] }
  )
  p.metadata.namespace = d.metadata.namespace
  p.metadata.labels = { ...d.spec.template.metadata?.labels }
  return p
}

function setup(fault: Fault, inputs: Record<string, string> = {}) {
  let started = false
  const runner = new FakeRunner(call => {
    const [sub] = call.args
    if (call.command === 'minikube') {
      if (sub === 'version') return { stdout: 'v1.38.1\n' }
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
  const junit: Array<{ path: string; result: string }> = []
  const values: Record<string, string> = {
    context: 'weather-service',
    manifests: 'weather-service/k8s',
    'rollout-timeout': '1s',
    'smoke-timeout': '1s',
    // Off unless a test is about it: the default would make every run here last 10 s.
    'stable-for': '0',
    ...inputs
  }
  const cache: CachePort = {
    available: () => false,
    restore: async () => undefined,
    save: async () => {}
  }
  const processes = new FakeProcesses()
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
    objectJournal: { path: `/tmp/objects-${++journals}.jsonl`, files: journalFiles },
    clock: { now: () => Date.now(), sleep: ms => new Promise(r => setTimeout(r, ms)) },
    platform: { os: 'linux', arch: 'x64' },
    processes,
    docker: 'docker',
    kubectl: 'kubectl',
    toolCache: async () => ({
      find: () => '',
      downloadTool: async () => '',
      cacheFile: async () => '',
      sha256: async () => '',
      readText: async () => '',
      chmodExecutable: async () => {},
      which: async (command: string) => command
    }),
    cache: async () => cache,
    connectKube: async o => fakeConnection(kube, o?.context ?? 'fake'),
    http,
    summary: { addRaw: () => undefined, write: async () => undefined },
    writeReport: async () => {},
    reportPath: '/tmp/report.json',
    writeJUnit: async (path, report) => {
      junit.push({ path, result: report.result })
    },
    junitPath: '/tmp/junit.xml',
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
  return { deps, runner, kube, saved, outputs, cache, processes, bundleDir, junit }
}

function stateOf(saved: Map<string, string>): RunState {
  const state = loadRunState({ save: () => {}, get: k => saved.get(k) ?? '' }, journalFiles)
  if (!state) throw new Error('no state saved')
  return state
}

/** The post step on the state main saved: the commands it ran and what it logged. */
async function teardown(
  state: RunState,
  {
    runner,
    kube,
    cache,
    processes = new FakeProcesses()
  }: { runner: FakeRunner; kube: FakeKube; cache: CachePort; processes?: FakeProcesses }
): Promise<{ commands: string[]; log: string; problems: string[] }> {
  runner.calls = []
  const log = new MemoryLogger()
  const r = await runTeardown(state, {
    runner,
    log,
    connectKube: async () => fakeConnection(kube),
    cache: async () => cache,
    processes
  })
  return { commands: runner.lines(), log: log.lines.join('\n'), problems: r.problems }
}

describe('runMain', () => {
  test('generated manifests probe readiness-path: never a check that expects a non-2xx', async () => {
    const { deps, kube } = setup('none', {
      manifests: '',
      'smoke-checks': '- {path: /admin, expect-status: 401}\n- {path: "/ready?deep=1"}'
    })
    deps.http = {
      request: async req => ({
        status: req.url.includes('/admin') ? 401 : 200,
        headers: {},
        body: '',
        bodyBytes: 0,
        truncated: false
      })
    }
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe('')
    const deployment = kube.find('Deployment', 'weather-service', 'smoke-77-1-k3y0a') as Deployment
    expect(deployment.spec.template.spec.containers[0].readinessProbe).toMatchObject({
      httpGet: { path: '/ready' }
    })
  })
  test('a JUnit file that cannot be written: a warning, an empty junit output, the result kept', async () => {
    const { deps, outputs } = setup('none')
    deps.writeJUnit = async () => {
      throw new Error('EACCES: permission denied')
    }
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe('')
    expect(outputs).toMatchObject({ result: 'passed', junit: '' })
    expect((deps.log as MemoryLogger).lines).toContain(
      'warning: could not write the JUnit file /tmp/junit.xml: EACCES: permission denied'
    )
  })

  test('stable-for: only the rest of the window is waited for; the report says it held', async () => {
    const { deps } = setup('none', { 'stable-for': '1s' })
    let summary = ''
    deps.summary = { addRaw: t => (summary += t), write: async () => undefined }
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe('')
    const phases = outcome.report!.phases
    expect(phases.map(p => [p.name, p.status]).slice(-3)).toEqual([
      ['expose', 'ok'],
      ['smoke', 'ok'],
      ['stable', 'ok']
    ])
    const rolloutEnd = Date.parse(phases.find(p => p.name === 'rollout')!.endedAt)
    const stableEnd = Date.parse(phases.find(p => p.name === 'stable')!.endedAt)
    expect(stableEnd - rolloutEnd).toBeGreaterThanOrEqual(990) // the window, counted from readiness
    expect(outcome.report!.stability).toMatchObject({ windowMs: 1000, result: 'held' })
    expect(summary).toContain('**Stable for:** 1.0 s after readiness: ✅ held')
    expect((deps.log as MemoryLogger).lines).toContain(
      'every pod of the run stayed ready for 1s after readiness'
    )
  })

  test('stable-for: a restart in the window fails the run naming the pod, the container, the exit code, with its log', async () => {
    const { deps, kube } = setup('none', { 'stable-for': '30s' })
    const onApply = kube.onApply!
    kube.onApply = o => {
      onApply(o)
      if (o.kind !== 'Deployment') return
      const d = o as Deployment
      kube.logs.set(`${d.metadata.name}-h1-1/app/previous`, 'serving\nfatal: lost the database')
      // Well after readiness (20 ms) and the instant checks: inside the window.
      setTimeout(() => kube.put(readyPodOf(d, crashLooping(1))), 400)
    }
    const outcome = await runMain(deps)
    expect(outcome.failure).toMatch(
      /^container "app" of pod "weather-service-h1-1" restarted \d+\.\d s after every workload was ready \(stable-for 30s\): last exit code 3 \(Error\): config file missing$/
    )
    const report = outcome.report!
    expect(report.phases.at(-1)).toMatchObject({ name: 'stable', status: 'failed' })
    expect(report.phases.at(-1)!.durationMs).toBeLessThan(20_000) // at the crash, not the window's end
    expect(report.stability).toMatchObject({ windowMs: 30_000, result: 'broken' })
    expect((deps.log as MemoryLogger).lines.join('\n')).toContain(
      'last 20 log lines of container "app" of pod "weather-service-h1-1":\nserving\nfatal: lost the database'
    )
  })

  test('success: every phase ok, outputs set, teardown deletes the cluster it started', async () => {
    const { deps, runner, outputs, saved, kube, cache, junit } = setup('none')
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe('')
    expect(junit).toEqual([{ path: '/tmp/junit.xml', result: 'passed' }])
    expect(outputs.junit).toBe('/tmp/junit.xml')
    expect(outcome.report?.phases.map(p => [p.name, p.status])).toEqual([
      ['cluster', 'ok'],
      ['image', 'ok'],
      ['validate', 'ok'],
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
    expect(build.options.env).toMatchObject({ DOCKER_HOST: 'tcp://192.168.49.2:2376' })
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

  test('a deploy folder with its own Namespace: mapped onto the run namespace, which gets its labels', async () => {
    const { deps, outputs, saved, kube } = setup('none', {
      manifests: 'test/fixtures/e2e/namespaces/own'
    })
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe('')
    const ns = 'smoke-77-1-k3y0a'
    expect(outputs.namespace).toBe(ns)
    expect((deps.log as MemoryLogger).lines).toContain(
      `namespaces: shop-prod → ${ns}; the manifests' own namespaces are never created, changed or deleted`
    )
    expect(kube.find('Namespace', 'shop-prod')).toBeUndefined()
    expect(kube.find('Namespace', ns)?.metadata).toMatchObject({
      labels: {
        'pod-security.kubernetes.io/enforce': 'baseline',
        'minikube-smoke/run': '77-1-k3y0a'
      },
      annotations: { 'shop.example.test/owner': 'team-shop' }
    })
    expect(kube.find('Deployment', 'weather-service', ns)).toBeDefined()
    expect(kube.find<KubeObject>('RoleBinding', 'weather-view', ns)?.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'weather', namespace: ns }
    ])
    const state = stateOf(saved)
    expect(state.namespace).toEqual({ name: ns, created: true })
    expect(state.otherNamespaces).toBeUndefined()
    expect(state.objects?.every(o => !o.namespaced || o.namespace === ns)).toBe(true)
  })

  test.each([
    [
      'cluster',
      /minikube start failed \(exit code 80\): X Exiting due to DRV_NOT_HEALTHY/,
      ['cluster']
    ],
    [
      'image',
      /docker build of weather-service:\S+ failed \(exit code 1\): .*COPY failed: file not found in build context/,
      ['cluster', 'image']
    ],
    ['deploy', /forbidden/, ['cluster', 'image', 'validate', 'deploy']],
    [
      'rollout',
      /deployment "weather-service"/,
      ['cluster', 'image', 'validate', 'deploy', 'rollout']
    ],
    [
      'smoke',
      /GET \/: expected status 2xx, got 500 after \d+ attempts/,
      ['cluster', 'image', 'validate', 'deploy', 'rollout', 'expose', 'smoke']
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

  test('the report times each waited object from its apply to ready, also when the rollout fails', async () => {
    for (const fault of ['none', 'rollout'] as const) {
      const { report } = await runMain(setup(fault).deps)
      const deploy = report!.phases.find(p => p.name === 'deploy')!
      const rollout = report!.phases.find(p => p.name === 'rollout')!
      const web = report!.workloads!.find(w => w.kind === 'Deployment')!
      // Applied during the deploy phase; ready (or still waiting at the timeout) in the rollout.
      expect(Date.parse(web.startedAt!)).toBeGreaterThanOrEqual(Date.parse(deploy.startedAt))
      expect(Date.parse(web.startedAt!)).toBeLessThanOrEqual(Date.parse(deploy.endedAt))
      expect(Date.parse(web.endedAt!)).toBeLessThanOrEqual(Date.parse(rollout.endedAt))
      expect(web.state).toBe(fault === 'none' ? 'ready' : 'waiting')
      expect(web.passed).toBe(fault === 'none')
    }
  })

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
    // The kept cluster's Docker engine loses the tag this run built into it.
    expect(commands).toEqual(['docker image rm --force weather-service:abcdef1-77-1-k3y0a'])
    expect(runner.calls[0].options.env).toEqual({ DOCKER_HOST: 'tcp://192.168.49.2:2376' })
    expect(kube.find('Namespace', 'smoke-77-1-k3y0a')).toBeUndefined()
    expect(log).toContain('was already running before this run: kept')
  })

  test.each([
    ['null, exit 0 (minikube 1.37)', NULL_STATUS, 0],
    ['null, exit 7 (minikube 1.38)', NULL_STATUS, 7],
    ['text that is no status', 'E0101 status.go:1] oops', 1]
  ])(
    'a status that says nothing (%s) fails the cluster phase; the profile is never started or deleted',
    async (_name, stdout, exitCode) => {
      const { deps, runner, saved, kube, cache } = setup('none')
      const base = deps.runner
      deps.runner = {
        run: (c, a, o) =>
          a[0] === 'status'
            ? Promise.resolve({ exitCode, stdout, stderr: '', timedOut: false })
            : base.run(c, a, o)
      }
      const outcome = await runMain(deps)
      expect(outcome.failure).toContain('the action leaves this profile alone')
      expect(outcome.report?.phases.map(p => [p.name, p.status])).toEqual([['cluster', 'failed']])
      expect(runner.lines().filter(l => l.startsWith('minikube start'))).toEqual([])
      const state = stateOf(saved)
      expect(state.cluster).toBeUndefined()
      expect((await teardown(state, { runner, kube, cache })).commands).toEqual([])
    }
  )

  test('a reused profile with another driver is reported, nothing built or started', async () => {
    const { deps, runner, saved, kube, cache } = setup('none', { driver: 'podman' })
    const base = deps.runner
    deps.runner = {
      run: (c, a, o) =>
        a[0] === 'status'
          ? Promise.resolve({ exitCode: 0, stdout: RUNNING, stderr: '', timedOut: false })
          : a[0] === 'profile'
            ? Promise.resolve({
                exitCode: 0,
                stdout: PROFILE_LIST_DOCKER,
                stderr: '',
                timedOut: false
              })
            : base.run(c, a, o)
    }
    const outcome = await runMain(deps)
    expect(outcome.failure).toContain(
      `minikube profile "minikube" already exists with the "docker" driver, but input 'driver' is "podman"`
    )
    expect(runner.lines()).toEqual(['minikube version --short'])
    expect((await teardown(stateOf(saved), { runner, kube, cache })).commands).toEqual([])
  })

  test('url-mode port-forward: the URL is kubectl’s 127.0.0.1 port, stopped when main ends', async () => {
    const { deps, saved, outputs, processes } = setup('none', { 'url-mode': 'port-forward' })
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe('')
    expect(outputs.url).toBe('http://127.0.0.1:41234')
    expect(processes.children.map(c => [c.command, ...c.args].join(' '))).toEqual([
      'kubectl --context minikube port-forward --namespace smoke-77-1-k3y0a --address 127.0.0.1 service/weather-service :5000'
    ])
    expect(processes.children[0].signals).toEqual(['SIGTERM'])
    expect(processes.alive.size).toBe(0)
    expect(stateOf(saved).portForward).toBeUndefined()
  })

  test('url-mode port-forward: a failed smoke test still stops the forwarder', async () => {
    const { deps, processes } = setup('smoke', { 'url-mode': 'port-forward' })
    const outcome = await runMain(deps)
    expect(outcome.failure).toMatch(/expected status 2xx, got 500/)
    expect(processes.children).toHaveLength(1)
    expect(processes.alive.size).toBe(0)
  })

  test('url-mode port-forward without kubectl: one line before anything starts', async () => {
    const { deps, runner } = setup('none', { 'url-mode': 'port-forward' })
    const tc = await deps.toolCache()
    deps.toolCache = async () => ({ ...tc, which: async () => '' })
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe(
      "input 'url-mode' port-forward needs kubectl on PATH (GitHub's hosted runners have it): install it, or set url-mode: nodeport"
    )
    expect(runner.calls).toEqual([])
  })

  test('containerd: built on the runner, minikube image load; teardown removes the runner’s tag though the cluster is deleted', async () => {
    const { deps, runner, saved, kube, cache } = setup('none', {
      'start-args': '--container-runtime=containerd'
    })
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe('')
    const ref = 'weather-service:abcdef1-77-1-k3y0a'
    expect(runner.lines()).toContain(`minikube image load --daemon ${ref} -p minikube`)
    expect(runner.lines().some(l => l.startsWith('minikube docker-env'))).toBe(false)
    const build = runner.calls.find(c => c.args[0] === 'build')!
    expect(build.options.env).not.toHaveProperty('DOCKER_HOST')
    expect(outcome.report?.images?.[0]).toMatchObject({
      ref,
      delivery: expect.stringMatching(/^image-load/)
    })
    expect((await teardown(stateOf(saved), { runner, kube, cache })).commands).toEqual([
      `docker image rm --force ${ref}`,
      'minikube delete -p minikube'
    ])
  })

  test('several images need manifests: the generated Deployment runs one', async () => {
    const { deps, runner } = setup('none', {
      context: '',
      manifests: '',
      images:
        '- {name: front, context: test/fixtures/e2e/front}\n- {name: api, context: weather-service}'
    })
    expect(await runMain(deps)).toEqual({
      failure:
        "input 'manifests' must be given when 'images' lists several images: the generated Deployment runs one image"
    })
    expect(runner.calls).toEqual([])
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

  test('rollout-check: update with a StatefulSet target fails that phase, naming the target; no request sent', async () => {
    const { deps, kube } = setup('none', {
      manifests: 'test/fixtures/pipeline/statefulset-target.yaml',
      'rollout-check': 'update'
    })
    const onApply = kube.onApply!
    kube.onApply = o => {
      onApply(o)
      if (o.kind !== 'StatefulSet') return
      const replicas = { replicas: 1, readyReplicas: 1, updatedReplicas: 1 }
      const revisions = { currentRevision: 'r1', updateRevision: 'r1' }
      setTimeout(() => {
        kube.put({
          ...o,
          status: { observedGeneration: o.metadata.generation, ...replicas, ...revisions }
        })
      }, 20)
    }
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe(
      'rollout-check: update rolls a Deployment; the smoke target is statefulset "weather-service"'
    )
    const phases = outcome.report!.phases.map(p => [p.name, p.status])
    expect(phases.slice(-3)).toEqual([
      ['expose', 'ok'],
      ['smoke', 'ok'],
      ['rollout-check', 'failed']
    ])
    expect((deps.log as MemoryLogger).lines.filter(l => l.includes('update check:'))).toEqual([])
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
    namespace: { name: 'smoke-1-1', created: true },
    objects: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        plural: 'deployments',
        namespaced: true,
        name: 'web',
        namespace: 'smoke-1-1',
        created: true,
        uid: 'u1'
      }
    ]
  }
  test('always: a started cluster is deleted (which takes the namespace with it)', () => {
    expect(planTeardown({ ...base, result: 'failed' })).toEqual({
      cluster: 'delete',
      kept: [],
      objects: []
    })
  })
  test('a reused cluster: only the namespace goes', () => {
    const plan = planTeardown({
      ...base,
      cluster: { ...base.cluster!, prior: 'running' },
      result: 'passed'
    })
    expect(plan.cluster).toBe('keep')
    expect(plan.namespace).toEqual({ name: 'smoke-1-1', deleteWhole: true })
    expect(plan.objects).toEqual([]) // they go with the namespace
  })
  test('a user namespace that existed: only the objects the run created go', () => {
    const theirs = { ...base.objects![0], name: 'theirs', created: false as const, uid: undefined }
    const plan = planTeardown({
      ...base,
      cluster: { kind: 'existing', deleteCluster: false },
      namespace: { ...base.namespace!, created: false },
      objects: [...base.objects!, theirs]
    })
    expect(plan.namespace?.deleteWhole).toBe(false)
    expect(plan.objects.map(o => o.name)).toEqual(['web'])
    expect(plan.kept).toEqual(['kept what existed before the run: deployment.apps/theirs'])
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
  test('the other namespaces of a run go whole, with everything in them', () => {
    const monitoring = {
      ...base.objects![0],
      name: 'prometheus',
      namespace: 'smoke-1-1-monitoring',
      uid: 'u2'
    }
    const state: RunState = {
      ...base,
      cluster: { kind: 'existing', deleteCluster: false },
      otherNamespaces: ['smoke-1-1-monitoring'],
      objects: [...base.objects!, monitoring]
    }
    const plan = planTeardown(state)
    expect(plan.namespace).toEqual({ name: 'smoke-1-1', deleteWhole: true })
    expect(plan.otherNamespaces).toEqual(['smoke-1-1-monitoring'])
    expect(plan.objects).toEqual([]) // they go with their namespaces
    expect(planTeardown({ ...state, teardown: 'never' }).kept[0]).toContain(
      'kubectl delete namespace smoke-1-1 smoke-1-1-monitoring'
    )
  })
  test('a stopped cluster that was started is stopped again', () => {
    expect(planTeardown({ ...base, cluster: { ...base.cluster!, prior: 'stopped' } }).cluster).toBe(
      'stop'
    )
  })
})

describe('runTeardown: processes and minikube', () => {
  const base: RunState = { teardown: 'always', result: 'failed' }
  const fakes = () => {
    const cache: CachePort = {
      available: () => true,
      restore: async () => undefined,
      save: async () => {}
    }
    return { runner: new FakeRunner(), kube: new FakeKube(), cache }
  }

  test('a port-forward left by a killed main is stopped, by pid and start time', async () => {
    const processes = new FakeProcesses()
    processes.alive.set(777, 'ticks-123')
    const { log } = await teardown(
      { ...base, portForward: { pid: 777, startTime: 'ticks-123' } },
      { ...fakes(), processes }
    )
    expect(processes.signals).toEqual([[777, 'SIGTERM']])
    expect(processes.alive.has(777)).toBe(false)
    expect(log).toContain('the port-forward left by the main step (pid 777)')
  })

  test('a reused pid (another start time) is never signalled, even with teardown: never', async () => {
    const processes = new FakeProcesses()
    processes.alive.set(777, 'ticks-999')
    const { log } = await teardown(
      { ...base, teardown: 'never', portForward: { pid: 777, startTime: 'ticks-123' } },
      { ...fakes(), processes }
    )
    expect(processes.signals).toEqual([])
    expect(log).toContain('had already exited')
  })

  test('minikube stop exiting 85 means the profile is already gone, not a problem', async () => {
    const f = fakes()
    f.runner = new FakeRunner(() => ({ exitCode: 85, stdout: '* Profile "minikube" not found.' }))
    const r = await teardown(
      {
        ...base,
        cluster: {
          kind: 'minikube',
          minikube: 'minikube',
          profile: 'minikube',
          prior: 'stopped',
          deleteCluster: true
        }
      },
      f
    )
    expect(r.commands).toEqual(['minikube stop -p minikube'])
    expect(r.problems).toEqual([])
    expect(r.log).toContain('minikube profile "minikube" was already gone')
  })

  test('every cache entry that missed is saved under its own key', async () => {
    const saves: string[] = []
    const f = fakes()
    f.cache.save = async (_paths: string[], key: string) => {
      saves.push(key)
    }
    await teardown(
      {
        ...base,
        caches: [
          { key: 'base', paths: ['/c/kic'], hit: true },
          { key: 'k8s', paths: ['/c/preloaded-tarball'], hit: false }
        ]
      },
      f
    )
    expect(saves).toEqual(['k8s'])
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

  test('diagnostics-artifact names the uploaded artifact; empty when none was uploaded', async () => {
    const kept = setup('rollout')
    await runMain(kept.deps)
    expect(kept.outputs['diagnostics-artifact']).toBe('')
    const uploaded = setup('rollout')
    uploaded.deps.diagnostics.artifacts = {
      unavailable: () => undefined,
      upload: async () => ({ id: 7, size: 10 })
    }
    await runMain(uploaded.deps)
    expect(uploaded.outputs['diagnostics-artifact']).toMatch(
      /^minikube-smoke-diagnostics-\S+-k3y0a$/
    )
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
    // The loop below must have files to look at: the failed run wrote its bundle.
    const written = (files(bundleDir) as string[]).filter(f =>
      statSync(join(bundleDir, f)).isFile()
    )
    expect(written).toEqual(expect.arrayContaining(['README.txt', 'report.json']))
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
    expect(outcome.report?.diagnosticsMarkdown).toBeUndefined() // no diagnostics
    expect(files(bundleDir)).toEqual([])
    const state = stateOf(saved)
    expect(state.namespace).toMatchObject({ name: 'smoke-77-1-k3y0a', created: true })
    expect((await teardown(state, { runner, kube, cache })).commands).toEqual([
      'minikube delete -p minikube'
    ])
  })
})

// A chart with a pre-install migration (hook-succeeded), a post-install Job, a test pod and a
// pre-delete hook, as the fake helm renders it.
const CHART_RENDER = `---
# Source: weather/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata: {name: weather}
spec:
  selector: {matchLabels: {app: weather}}
  template:
    metadata: {labels: {app: weather}}
    spec:
      containers: [{name: web, image: weather-service:2.4.0, ports: [{containerPort: 5000}]}]
---
# Source: weather/templates/service.yaml
apiVersion: v1
kind: Service
metadata: {name: weather}
spec:
  type: NodePort
  selector: {app: weather}
  ports: [{port: 80, targetPort: 5000}]
---
# Source: weather/templates/migrate.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: {helm.sh/hook: pre-install, helm.sh/hook-delete-policy: hook-succeeded}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: weather-service:2.4.0}]
---
# Source: weather/templates/notify.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: notify
  annotations: {helm.sh/hook: post-install}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: notify, image: weather-service:2.4.0}]
---
# Source: weather/templates/tests/test.yaml
apiVersion: v1
kind: Pod
metadata:
  name: weather-test
  annotations: {helm.sh/hook: test}
spec:
  restartPolicy: Never
  containers: [{name: check, image: weather-service:2.4.0}]
---
# Source: weather/templates/backup.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: backup
  annotations: {helm.sh/hook: pre-delete}
`

/** setup() with a fake helm and a cluster that completes Jobs (or fails `failing`) and pods. */
function chartSetup(failing?: string, inputs: Record<string, string> = {}, render = CHART_RENDER) {
  const s = setup('none', {
    manifests: '',
    chart: 'test/fixtures/charts/weather',
    set: 'greeting=hi',
    ...inputs
  })
  const base = s.deps.runner
  const helm: string[][] = []
  s.deps.runner = {
    run: (c, a, o) => {
      if (c !== 'helm') return base.run(c, a, o)
      helm.push([...a])
      const stdout =
        a[0] === 'version'
          ? 'v3.18.0+gcc58e3f\n'
          : a[0] === 'show'
            ? 'name: weather\nversion: 0.3.0\n'
            : render
      return Promise.resolve({ exitCode: 0, stdout, stderr: '', timedOut: false })
    }
  }
  const deploymentController = s.kube.onApply!
  const applied: string[] = []
  s.kube.onApply = o => {
    // The run's lease is the action's own bookkeeping, not an object of the chart.
    if (o.kind !== 'Lease') applied.push(`${o.kind}/${o.metadata.name}`)
    deploymentController(o)
    const ns = o.metadata.namespace
    if (o.kind === 'Job') {
      const fails = o.metadata.name === failing
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${o.metadata.name}-x1`,
          namespace: ns,
          labels: { 'job-name': o.metadata.name! },
          // As the Job controller makes them: the Job is the pod's controller.
          ownerReferences: [{ kind: 'Job', name: o.metadata.name!, controller: true }]
        },
        spec: { containers: [{ name: o.metadata.name! }] }
      }
      s.kube.put(pod)
      s.kube.logs.set(
        `${pod.metadata.name}/${o.metadata.name}`,
        fails ? 'step 1\nmigration failed: duplicate column\n' : 'ok\n'
      )
      const condition = fails
        ? { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }
        : { type: 'Complete', status: 'True' }
      setTimeout(
        () => s.kube.put({ ...o, status: { succeeded: fails ? 0 : 1, conditions: [condition] } }),
        10
      )
    }
    if (o.kind === 'Pod') {
      s.kube.logs.set(`${o.metadata.name}/check`, 'test: answered 200\n')
      setTimeout(
        () =>
          s.kube.put({
            ...o,
            status: { phase: failing === o.metadata.name ? 'Failed' : 'Succeeded' }
          }),
        10
      )
    }
  }
  return { ...s, helm, applied }
}

describe('runMain with a chart', () => {
  test('pre-install hook first, release, post-install after the rollout, tests after the smoke checks', async () => {
    const { deps, helm, applied, kube } = chartSetup()
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe('')
    // Offline render in preflight, then again with the server's capabilities.
    const renders = helm.filter(a => a[0] === 'template')
    expect(renders).toHaveLength(2)
    expect(renders[0]).not.toContain('--kube-version')
    expect(renders[1]).toEqual(
      expect.arrayContaining([
        '--kube-version',
        'v1.30.0',
        '--api-versions',
        'apps/v1/Deployment',
        '--set',
        'greeting=hi'
      ])
    )
    expect(applied.filter(a => !a.startsWith('Namespace'))).toEqual([
      'Job/migrate',
      'Service/weather',
      'Deployment/weather',
      'Job/notify',
      'Pod/weather-test'
    ])
    expect(kube.find('Job', 'migrate', 'smoke-77-1-k3y0a')).toBeUndefined() // hook-succeeded
    expect(kube.find('Job', 'notify', 'smoke-77-1-k3y0a')).toBeDefined()
    expect(kube.find('ConfigMap', 'backup', 'smoke-77-1-k3y0a')).toBeUndefined() // not run
    const report = outcome.report!
    expect(report.chart).toMatchObject({ name: 'weather', version: '0.3.0', release: 'weather' })
    expect(report.chartTests).toEqual([
      expect.objectContaining({ name: 'weather-test', passed: true, logs: 'test: answered 200' })
    ])
    expect(report.phases.map(p => p.name)).toEqual([
      'cluster',
      'image',
      'validate',
      'deploy',
      'rollout',
      'expose',
      'smoke',
      'chart-tests'
    ])
    const log = (deps.log as MemoryLogger).lines.join('\n')
    expect(log).toContain(
      'hooks not run (an install runs pre-install, post-install and test hooks only): ConfigMap "backup" (pre-delete)'
    )
    // The run's image replaced the chart's.
    const d = kube.find('Deployment', 'weather', 'smoke-77-1-k3y0a') as Deployment
    expect(d.spec.template.spec.containers[0].image).toBe('weather-service:abcdef1-77-1-k3y0a')
  })

  test('a failed pre-install hook fails the deploy phase with its name and its last log line; nothing else applied', async () => {
    const { deps, applied } = chartSetup('migrate')
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe(
      'pre-install hook job.batch "migrate" failed: job "migrate" failed: BackoffLimitExceeded; its log ends: migration failed: duplicate column'
    )
    expect(applied.filter(a => !a.startsWith('Namespace'))).toEqual(['Job/migrate'])
    expect(outcome.report?.phases.at(-1)).toMatchObject({ name: 'deploy', status: 'failed' })
  })

  test('hook-delete-policy hook-failed: the failed hook is deleted after the diagnostics bundle has its logs', async () => {
    const { deps, kube, bundleDir } = chartSetup(
      'migrate',
      {},
      CHART_RENDER.replace('hook-delete-policy: hook-succeeded', 'hook-delete-policy: hook-failed')
    )
    const outcome = await runMain(deps)
    expect(outcome.failure).toContain('pre-install hook job.batch "migrate" failed')
    expect(kube.find('Job', 'migrate', 'smoke-77-1-k3y0a')).toBeUndefined()
    const log = (deps.log as MemoryLogger).lines.join('\n')
    expect(log).toContain('job.batch "migrate" deleted (helm.sh/hook-delete-policy: hook-failed)')
    expect(log.indexOf('diagnostics:')).toBeGreaterThanOrEqual(0)
    expect(log.indexOf('diagnostics:')).toBeLessThan(
      log.indexOf('hook-delete-policy: hook-failed)')
    )
    expect(readdirSync(bundleDir).length).toBeGreaterThan(0)
  })

  test('without hook-failed a failed hook stays for teardown', async () => {
    const { deps, kube } = chartSetup('migrate')
    await runMain(deps)
    expect(kube.find('Job', 'migrate', 'smoke-77-1-k3y0a')).toBeDefined()
  })

  test('a failing test pod fails the run with its logs; chart-tests: false does not run it', async () => {
    const failed = chartSetup('weather-test')
    const outcome = await runMain(failed.deps)
    expect(outcome.failure).toContain('chart test pod "weather-test" failed')
    expect(outcome.report?.chartTests?.[0]).toMatchObject({
      passed: false,
      logs: 'test: answered 200'
    })
    const skipped = chartSetup('weather-test', { 'chart-tests': 'false' })
    expect((await runMain(skipped.deps)).failure).toBe('')
    expect(skipped.applied).not.toContain('Pod/weather-test')
    expect((skipped.deps.log as MemoryLogger).lines).toContain(
      'chart tests not run (chart-tests: false)'
    )
  })
})

describe('the run’s lease', () => {
  test('a namespace another run made between the check and the create: refused while it lives, no object written', async () => {
    const { deps, kube } = setup('none', {
      cluster: 'existing',
      namespace: 'staging',
      'url-host': '127.0.0.1'
    })
    const meta = { labels: {}, annotations: {} }
    const get = kube.get.bind(kube)
    let reads = 0
    let timer: ReturnType<typeof setInterval> | undefined
    kube.get = (async (type: ResourceType, name: string, ns?: string) => {
      const r = await get(type, name, ns)
      if (type.kind === 'Namespace' && name === 'staging' && ++reads === 1) {
        // Right after this run's check: the other run creates it, then its lease, and renews it.
        kube.put({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'staging', labels: { 'minikube-smoke/run': 'other' } },
          status: { phase: 'Active' }
        })
        kube.put(leaseObject('staging', 'other', meta, Date.now()))
        timer = setInterval(() => kube.put(leaseObject('staging', 'other', meta, Date.now())), 100)
      }
      return r
    }) as FakeKube['get']
    const outcome = await runMain(deps)
    clearInterval(timer)
    expect(outcome.failure).toMatch(/namespace "staging" belongs to run "other".*still running/)
    expect(kube.callsOf('apply')).toEqual([])
    expect(kube.find('Lease', 'minikube-smoke-77-1-k3y0a', 'staging')).toBeUndefined()
  })

  test('a namespace a dead run made (no lease) is taken over: relabelled as this run’s, deleted at its teardown', async () => {
    const { deps, runner, saved, kube, cache } = setup('none', {
      cluster: 'existing',
      namespace: 'staging',
      'url-host': '127.0.0.1'
    })
    kube.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'staging', labels: { 'minikube-smoke/run': 'dead-run' } },
      status: { phase: 'Active' }
    })
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe('')
    expect(kube.find('Namespace', 'staging')?.metadata.labels?.['minikube-smoke/run']).toBe(
      '77-1-k3y0a'
    )
    const state = stateOf(saved)
    expect(state.namespace).toEqual({ name: 'staging', created: true })
    await teardown(state, { runner, kube, cache })
    expect(kube.find('Namespace', 'staging')).toBeUndefined()
  })

  test('made before the objects, held until post when main ends, deleted by post even with teardown: never', async () => {
    const { deps, runner, saved, kube, cache } = setup('none', {
      cluster: 'existing',
      namespace: 'staging',
      'url-host': '127.0.0.1',
      teardown: 'never'
    })
    const outcome = await runMain(deps)
    expect(outcome.failure).toBe('')
    const writes = kube.calls
      .filter(c => c.method === 'create' || c.method === 'apply')
      .map(c => (c.args[0] as KubeObject).kind)
    expect(writes.slice(0, 3)).toEqual(['Namespace', 'Lease', 'Service'])
    const lease = kube.find('Lease', 'minikube-smoke-77-1-k3y0a', 'staging')!
    expect(lease.metadata.annotations).toMatchObject({
      'minikube-smoke/held-until-post': 'true',
      'minikube-smoke/run-url': 'https://github.com/octo/weather/actions/runs/77/attempts/1'
    })
    // Every object under the run's own field manager.
    expect(
      kube
        .callsOf('apply')
        .every(
          c => (c.args[1] as { fieldManager: string }).fieldManager === 'minikube-smoke/77-1-k3y0a'
        )
    ).toBe(true)
    const state = stateOf(saved)
    expect(state.lease).toEqual({ namespace: 'staging', name: 'minikube-smoke-77-1-k3y0a' })
    const { log } = await teardown(state, { runner, kube, cache })
    expect(kube.find('Lease', 'minikube-smoke-77-1-k3y0a', 'staging')).toBeUndefined()
    expect(kube.find('Deployment', 'weather-service', 'staging')).toBeDefined()
    expect(log).toContain('lease "minikube-smoke-77-1-k3y0a"')
  })
})
