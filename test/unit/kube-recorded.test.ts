// The status rules and diagnostics on objects recorded from the real 1.20 cluster
// (test/fixtures/kube/record.sh), so the rules are checked against what the controllers and the
// kubelet really report.

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import { collectDiagnostics } from '../../src/kube/diagnostics.js'
import { kindOf } from '../../src/kube/kinds.js'
import { explainNotReady } from '../../src/kube/status/explain.js'
import { crdStatus } from '../../src/kube/status/generic.js'
import { podProblems } from '../../src/kube/status/pods.js'
import { schedulingVerdict } from '../../src/kube/status/scheduling.js'
import { isDefaultClass } from '../../src/kube/status/storage.js'
import {
  daemonSetStatus,
  deploymentStatus,
  jobStatus,
  statefulSetStatus
} from '../../src/kube/status/workloads.js'
import type {
  DaemonSet,
  Deployment,
  Job,
  KubeEvent,
  KubeObject,
  PersistentVolumeClaim,
  Pod,
  ReplicaSet,
  StatefulSet,
  StorageClass
} from '../../src/kube/types.js'
import { FakeKube } from './kube-fake.js'

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/kube/recorded')
function recorded<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as T
}
const items = <T>(name: string) => recorded<{ items: T[] }>(name).items

describe('recorded Deployments', () => {
  it('progressing, done, and ProgressDeadlineExceeded', () => {
    expect(deploymentStatus(recorded('deployment-progressing'))).toEqual({
      state: 'in-progress',
      message:
        'Waiting for deployment "progressing" rollout to finish: 0 of 1 updated replicas are available...'
    })
    expect(deploymentStatus(recorded('deployment-done'))).toEqual({
      state: 'current',
      message: 'deployment "progressing" successfully rolled out'
    })
    expect(deploymentStatus(recorded('deployment-progressdeadline'))).toEqual({
      state: 'failed',
      reason: 'ProgressDeadlineExceeded',
      message:
        'deployment "deadline" exceeded its progress deadline: ReplicaSet "deadline-5f7f49d55c" has timed out progressing.'
    })
  })
})

describe('recorded Pods', () => {
  it.each([
    [
      'pod-crashloop',
      'CrashLoopBackOff',
      'container "app" is in CrashLoopBackOff (restarted 1 time): last exit code 3 (Error): config file missing'
    ],
    [
      'pod-errimageneverpull',
      'ErrImageNeverPull',
      'container "app" is in ErrImageNeverPull: Container image "minikube-smoke-test/smoke-server:does-not-exist" is not present with pull policy of Never'
    ],
    [
      'pod-invalidimagename',
      'InvalidImageName',
      'container "app" is in InvalidImageName: Failed to apply default image tag "minikube-smoke-test/Smoke:UPPER": couldn\'t parse image reference "minikube-smoke-test/Smoke:UPPER": invalid reference format: repository name must be lowercase'
    ],
    [
      'pod-createcontainerconfigerror',
      'CreateContainerConfigError',
      'container "app" is in CreateContainerConfigError: configmap "missing" not found'
    ]
  ])('%s fails fast with %s', (file, reason, message) => {
    const [failure] = podProblems(recorded<Pod>(file))
    expect(failure?.reason).toBe(reason)
    expect(failure?.message).toMatch(message)
  })

  it('pod-unschedulable (Insufficient cpu, nothing leaving) fails fast, naming the rule', () => {
    const p = recorded<Pod>('pod-unschedulable')
    expect(podProblems(p)).toEqual([])
    const v = schedulingVerdict(p, {
      claims: new Map(),
      claimEvents: [],
      now: 0,
      podsLeaving: false
    })
    expect(v).toEqual({
      state: 'failed',
      message: expect.stringMatching(
        /^pod "unschedulable-[a-z0-9]+-[a-z0-9]+" cannot be scheduled: 0\/1 nodes are available: 1 Insufficient cpu\.$/
      ),
      rule: 'no pod of the run is going away to free what it needs'
    })
  })

  it('a pod whose readiness probe fails is not a fail-fast case, and is explained', () => {
    const p = recorded<Pod>('pod-unready')
    expect(podProblems(p)).toEqual([])
    const [line] = explainNotReady([p], items<KubeEvent>('events'))
    expect(line).toMatch(
      /^pod "unready-[a-z0-9-]+": container "app" is running but not ready: Readiness probe failed: HTTP probe failed with statuscode: 500 \(readiness probe: http-get http:\/\/:8080\/healthz delay=0s timeout=1s period=1s #success=1 #failure=3\)$/
    )
  })

  it('a crash-looping StatefulSet pod names its container, owned by the StatefulSet', () => {
    const p = recorded<Pod>('pod-statefulset-crashloop')
    expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'StatefulSet', name: 'kv-crash' })
    expect(podProblems(p)[0]).toMatchObject({
      kind: 'crash',
      container: 'kv',
      reason: 'CrashLoopBackOff'
    })
  })
})

describe('recorded storage (record.sh storage: the harness’s StorageClass standard and provisioner)', () => {
  const claims = new Map(
    ['storage-claim-bound', 'storage-claim-missing-class', 'storage-claim-no-class'].map(f => {
      const c = recorded<PersistentVolumeClaim>(f)
      return [c.metadata.name!, c]
    })
  )
  const snap = (now: number) => ({
    claims,
    classes: [recorded<StorageClass>('storage-class-standard')],
    claimEvents: items<KubeEvent>('storage-claim-events'),
    now,
    podsLeaving: false
  })
  const created = (name: string) => Date.parse(claims.get(name)!.metadata.creationTimestamp!)

  it('a claim on a class that does not exist fails at once, naming claim and class', () => {
    const pod = recorded<Pod>('storage-pod-missing-class')
    expect(schedulingVerdict(pod, snap(created('data-missing-0') + 1000))).toEqual({
      state: 'failed',
      message:
        'persistentvolumeclaim "data-missing-0" cannot be bound: storageclass "fast-ssd" not found',
      rule: 'its storage class does not exist'
    })
  })

  it('a claim asking for no class fails on the PV controller’s FailedBinding event', () => {
    const pod = recorded<Pod>('storage-pod-no-class')
    expect(schedulingVerdict(pod, snap(created('data-noclass-0') + 1000))).toMatchObject({
      state: 'failed',
      rule: 'nothing provisions a volume for a claim without a storage class'
    })
  })

  it('the same pod waits for storage while its claim on standard is Pending, until the provisioner’s patience runs out', () => {
    const pod = recorded<Pod>('storage-pod-missing-class')
    pod.spec!.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }]
    const pending = structuredClone(claims.get('data-db-0')!)
    pending.status = { phase: 'Pending' }
    delete pending.spec!.volumeName
    const s = { ...snap(created('data-db-0') + 1000), claims: new Map([['data-db-0', pending]]) }
    expect(schedulingVerdict(pod, s)).toMatchObject({
      state: 'waiting',
      rule: 'waiting for storage'
    })
    expect(schedulingVerdict(pod, { ...s, now: created('data-db-0') + 61_000 })).toMatchObject({
      state: 'failed',
      rule: 'the provisioner did not act within 60 s'
    })
    // Bound: the scheduler retries, nothing to fail.
    expect(schedulingVerdict(pod, snap(created('data-db-0') + 61_000))?.state).toBe('waiting')
  })

  it('the default class as the harness serves it', () => {
    const sc = recorded<StorageClass>('storage-class-standard')
    expect(isDefaultClass(sc)).toBe(true)
    expect(sc).toMatchObject({
      provisioner: 'k8s.io/minikube-hostpath',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate'
    })
  })
})

describe('recorded StatefulSet, DaemonSet, Job and CRD', () => {
  it('each is judged by its kind’s rule', () => {
    expect(statefulSetStatus(recorded<StatefulSet>('statefulset-progressing')).state).toBe(
      'in-progress'
    )
    expect(statefulSetStatus(recorded<StatefulSet>('statefulset-done'))).toEqual({
      state: 'current',
      message: 'statefulset "kv" successfully rolled out (2 new pods updated)'
    })
    expect(daemonSetStatus(recorded<DaemonSet>('daemonset-done')).state).toBe('current')
    expect(jobStatus(recorded<Job>('job-complete'))).toEqual({
      state: 'current',
      message: 'job "complete" completed (1 of 1 succeeded)'
    })
    expect(jobStatus(recorded<Job>('job-failed'))).toEqual({
      state: 'failed',
      reason: 'BackoffLimitExceeded',
      message:
        'job "migrate" failed: BackoffLimitExceeded: Job has reached the specified backoff limit'
    })
    expect(crdStatus(recorded<KubeObject>('crd-established')).state).toBe('current')
  })

  it('the registry routes each recorded object to that rule', () => {
    for (const [file, state] of [
      ['statefulset-done', 'current'],
      ['daemonset-done', 'current'],
      ['job-failed', 'failed'],
      ['crd-established', 'current']
    ] as const) {
      const o = recorded<KubeObject>(file)
      const rule = kindOf(o).readiness!.rule as unknown as (x: KubeObject) => { state: string }
      expect([file, rule(o).state]).toEqual([file, state])
    }
  })
})

describe('diagnostics of recorded objects', () => {
  it('renders the crash like kubectl describe would show it', async () => {
    const kube = new FakeKube()
    kube.put(recorded<Deployment>('deployment-crashing'))
    for (const rs of items<ReplicaSet>('replicasets-crashing'))
      kube.put({ ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' })
    const p = kube.put(recorded<Pod>('pod-crashloop'))
    for (const e of items<KubeEvent>('events')) {
      if (e.involvedObject?.name?.startsWith('crashing'))
        kube.put({ ...e, apiVersion: 'v1', kind: 'Event' })
    }
    kube.logs.set(
      `${p.metadata.name}/app/previous`,
      'smoke-server starting\nfatal: config file missing\n'
    )
    const report = await collectDiagnostics(kube, 'smoke-rec-1')
    expect(report.data.workloads.map(w => w.kind)).toEqual(['Deployment', 'ReplicaSet'])
    expect(report.text).toContain(`Pod ${p.metadata.name}: Running on minikube`)
    expect(report.text).toContain(
      'State:      Waiting (CrashLoopBackOff): back-off 10s restarting failed container=app'
    )
    expect(report.text).toMatch(
      /Last State: Terminated at 2026-\S+: exit code 3 \(Error\): config file missing/
    )
    expect(report.text).toMatch(
      /Warning +BackOff +pod\/crashing-\S+ +Back-off restarting failed container/
    )
    expect(report.markdown).toContain('fatal: config file missing')
  })
})
