// The readiness rules (kubectl's status viewers, kstatus) and the fail-fast pod rules, on objects
// shaped like what the API server returns. Objects marked "1.29+"/"1.31+" are written from the
// Kubernetes API reference for fields the local 1.20 cluster cannot produce.

import { describe, expect, it } from '@jest/globals'
import { explainNotReady, describeProbe } from '../../src/kube/status/explain.js'
import { crdStatus, genericStatus, hasObservableStatus } from '../../src/kube/status/generic.js'
import {
  crashCounts,
  crashVerdict,
  eventOverlay,
  podProblems,
  type PodProblem
} from '../../src/kube/status/pods.js'
import {
  daemonSetStatus,
  deploymentStatus,
  describeStatus,
  jobStatus,
  podStatus,
  replicaSetStatus,
  statefulSetStatus
} from '../../src/kube/status/workloads.js'
import type { KubeObject } from '../../src/kube/types.js'
import {
  crashLooping,
  daemonSet,
  deployment,
  event,
  job,
  pod,
  replicaSet,
  running,
  statefulSet,
  waitingFor
} from './kube-objects.js'

describe('deploymentStatus (kubectl rollout status rule)', () => {
  it('waits for the spec update, new replicas, old replicas, then availability', () => {
    expect(
      deploymentStatus(
        deployment({ generation: 2, observedGeneration: 1, updated: 1, available: 1 })
      )
    ).toEqual({
      state: 'in-progress',
      message: 'Waiting for deployment spec update to be observed...'
    })
    expect(deploymentStatus(deployment({ replicas: 3, updated: 1, total: 1 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...'
    )
    expect(
      deploymentStatus(deployment({ replicas: 2, updated: 2, total: 3, available: 2 })).message
    ).toBe(
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...'
    )
    expect(
      deploymentStatus(deployment({ replicas: 3, updated: 3, total: 3, available: 1 })).message
    ).toBe(
      'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...'
    )
    expect(
      deploymentStatus(deployment({ replicas: 3, updated: 3, total: 3, available: 3 }))
    ).toEqual({
      state: 'current',
      message: 'deployment "web" successfully rolled out'
    })
  })

  it('honours observedGeneration greater than generation', () => {
    expect(
      deploymentStatus(
        deployment({ generation: 1, observedGeneration: 2, updated: 1, available: 1 })
      ).state
    ).toBe('current')
  })

  it('fails on ProgressDeadlineExceeded and on a ReplicaSet that cannot create pods', () => {
    expect(
      deploymentStatus(
        deployment({
          updated: 1,
          conditions: [
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: 'ReplicaSet "web-abc" has timed out progressing.'
            }
          ]
        })
      )
    ).toEqual({
      state: 'failed',
      reason: 'ProgressDeadlineExceeded',
      message:
        'deployment "web" exceeded its progress deadline: ReplicaSet "web-abc" has timed out progressing.'
    })
    const quota = deploymentStatus(
      deployment({
        conditions: [
          {
            type: 'ReplicaFailure',
            status: 'True',
            reason: 'FailedCreate',
            message: 'pods "web-abc-" is forbidden: exceeded quota: q'
          }
        ]
      })
    )
    expect(quota).toMatchObject({ state: 'failed', reason: 'FailedCreate' })
    expect(quota.message).toContain('exceeded quota')
  })
})

describe('statefulSetStatus (kubectl rollout status rule)', () => {
  it('waits to be observed, then for every replica to be ready', () => {
    expect(statefulSetStatus(statefulSet({ generation: 2, observedGeneration: 1 })).message).toBe(
      'Waiting for statefulset spec update to be observed...'
    )
    expect(statefulSetStatus(statefulSet({ replicas: 3, ready: 1, current: 3 })).message).toBe(
      'Waiting for statefulset "kv" rollout to finish: 2 of 3 pods are not ready yet...'
    )
    expect(statefulSetStatus(statefulSet({ replicas: 2, ready: 2, current: 2 }))).toEqual({
      state: 'current',
      message: 'statefulset "kv" successfully rolled out (2 new pods updated)'
    })
  })

  it('honours the partition of a rolling update', () => {
    const sts = statefulSet({ replicas: 4, ready: 4, current: 4, updated: 1 })
    sts.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }
    expect(statefulSetStatus(sts).message).toBe(
      'Waiting for statefulset "kv" partitioned roll out to finish: 1 out of 2 new pods have been updated...'
    )
    sts.status!.updatedReplicas = 2
    expect(statefulSetStatus(sts).state).toBe('current')
  })

  it('without a rollingUpdate block, waits for currentRevision to reach updateRevision', () => {
    const sts = statefulSet({
      replicas: 1,
      ready: 1,
      current: 1,
      currentRevision: 'kv-1',
      updateRevision: 'kv-2'
    })
    sts.spec.updateStrategy = { type: 'RollingUpdate' }
    expect(statefulSetStatus(sts).message).toContain(
      'waiting for statefulset rolling update to complete'
    )
    sts.status!.currentRevision = 'kv-2'
    expect(statefulSetStatus(sts)).toEqual({
      state: 'current',
      message: 'statefulset "kv" successfully rolled out'
    })
  })

  it('OnDelete cannot be observed: not waitable', () => {
    expect(statefulSetStatus(statefulSet({ strategy: { type: 'OnDelete' } })).state).toBe(
      'unwaitable'
    )
  })
})

describe('daemonSetStatus, jobStatus, replicaSetStatus, podStatus', () => {
  it('a DaemonSet: observed, updated, then available (kubectl)', () => {
    expect(daemonSetStatus(daemonSet({ observedGeneration: 0, desired: 1 })).message).toBe(
      'Waiting for daemon set spec update to be observed...'
    )
    expect(daemonSetStatus(daemonSet({ desired: 2, updated: 1 })).message).toBe(
      'Waiting for daemon set "agent" rollout to finish: 1 out of 2 new pods have been updated...'
    )
    expect(daemonSetStatus(daemonSet({ desired: 2, updated: 2, available: 1 })).message).toBe(
      'Waiting for daemon set "agent" rollout to finish: 1 of 2 updated pods are available...'
    )
    expect(daemonSetStatus(daemonSet({ desired: 2, updated: 2, available: 2 })).state).toBe(
      'current'
    )
    expect(daemonSetStatus(daemonSet({ onDelete: true })).state).toBe('unwaitable')
  })

  it('a Job is waited for until it completes; Failed fails it', () => {
    expect(jobStatus(job({ active: 1 })).message).toBe(
      'Waiting for job "migrate" to complete: 0 of 1 succeeded, 1 active...'
    )
    expect(
      jobStatus(job({ succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }))
    ).toEqual({
      state: 'current',
      message: 'job "migrate" completed (1 of 1 succeeded)'
    })
    expect(
      jobStatus(
        job({
          failed: 3,
          conditions: [
            {
              type: 'Failed',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit'
            }
          ]
        })
      )
    ).toEqual({
      state: 'failed',
      reason: 'BackoffLimitExceeded',
      message:
        'job "migrate" failed: BackoffLimitExceeded: Job has reached the specified backoff limit'
    })
  })

  it('a Job on 1.31+: SuccessCriteriaMet and FailureTarget decide before the terminal conditions', () => {
    // 1.31+ (API reference, JobStatus.conditions): set as soon as the outcome is known.
    expect(
      jobStatus(
        job({
          succeeded: 1,
          active: 0,
          conditions: [{ type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached' }]
        })
      ).state
    ).toBe('current')
    expect(
      jobStatus(
        job({
          failed: 2,
          conditions: [
            {
              type: 'FailureTarget',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit'
            }
          ]
        })
      )
    ).toMatchObject({ state: 'failed', reason: 'BackoffLimitExceeded' })
  })

  it('a ReplicaSet and a bare Pod (kstatus)', () => {
    const rs = replicaSet('web', 'abc', '1')
    rs.status = { replicas: 1, availableReplicas: 0 }
    expect(replicaSetStatus(rs).message).toBe(
      'Waiting for replicaset "web-abc": 0 of 1 replicas are available...'
    )
    rs.status.availableReplicas = 1
    expect(replicaSetStatus(rs).state).toBe('current')
    const p = pod('p', 'abc', [running(0, true)], {
      conditions: [{ type: 'Ready', status: 'True' }]
    })
    expect(podStatus(p)).toEqual({ state: 'current', message: 'pod "p" is ready' })
    expect(
      podStatus(
        pod('p', 'abc', [], {
          phase: 'Failed',
          reason: 'Evicted',
          message: 'The node was low on memory.'
        })
      )
    ).toMatchObject({
      state: 'failed',
      reason: 'Evicted'
    })
  })

  it('describes each kind in one line for diagnostics', () => {
    expect(describeStatus(statefulSet({ replicas: 2, ready: 1, current: 2 }))).toBe(
      '2 desired | 1 ready | 2 current | 2 updated | revision kv-rev1 → kv-rev1'
    )
    expect(describeStatus(job({ active: 1, failed: 1 }))).toBe(
      '1 completions | 0 succeeded | 1 failed | 1 active'
    )
    expect(describeStatus(daemonSet({ desired: 1, updated: 1, available: 1 }))).toBe(
      '1 desired | 1 current | 1 updated | 1 ready | 1 available'
    )
  })
})

describe('genericStatus (kstatus) and crdStatus', () => {
  const cr = (status?: unknown, generation = 1): KubeObject => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w1', generation },
    ...(status ? { status } : {})
  })

  it('an object without status has nothing to wait for', () => {
    expect(hasObservableStatus(cr())).toBe(false)
    expect(genericStatus(cr()).state).toBe('current')
  })

  it('follows observedGeneration, Reconciling, Stalled and Ready', () => {
    expect(hasObservableStatus(cr({ observedGeneration: 1 }))).toBe(true)
    expect(genericStatus(cr({ observedGeneration: 1 }, 2)).message).toBe(
      'Waiting for widget "w1": generation is 2, but latest observed generation is 1'
    )
    expect(
      genericStatus(
        cr({ conditions: [{ type: 'Reconciling', status: 'True', reason: 'Progressing' }] })
      ).state
    ).toBe('in-progress')
    expect(
      genericStatus(
        cr({
          conditions: [
            {
              type: 'Stalled',
              status: 'True',
              reason: 'BadConfig',
              message: 'spec.size must be > 0'
            }
          ]
        })
      )
    ).toEqual({
      state: 'failed',
      reason: 'BadConfig',
      message: 'widget "w1" is stalled: BadConfig: spec.size must be > 0'
    })
    expect(
      genericStatus(cr({ conditions: [{ type: 'Ready', status: 'False', reason: 'Pending' }] }))
        .message
    ).toBe('Waiting for widget "w1" to be Ready: Pending')
    expect(genericStatus(cr({ conditions: [{ type: 'Ready', status: 'True' }] }))).toEqual({
      state: 'current',
      message: 'widget "w1" is Ready'
    })
  })

  it('a CRD is current once Established, failed when its names are refused', () => {
    const crd = (conditions: unknown[]): KubeObject => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      status: { conditions }
    })
    expect(crdStatus(crd([])).state).toBe('in-progress')
    expect(
      crdStatus(crd([{ type: 'Established', status: 'False', reason: 'Installing' }])).state
    ).toBe('in-progress')
    expect(
      crdStatus(
        crd([
          { type: 'NamesAccepted', status: 'True' },
          { type: 'Established', status: 'True' }
        ])
      )
    ).toEqual({
      state: 'current',
      message: 'customresourcedefinition "widgets.example.com" established'
    })
    expect(
      crdStatus(
        crd([
          {
            type: 'NamesAccepted',
            status: 'False',
            reason: 'ListKindConflict',
            message: '"WidgetList" is already in use'
          }
        ])
      )
    ).toMatchObject({ state: 'failed', reason: 'ListKindConflict' })
  })
})

describe('podProblems (fail fast)', () => {
  it('a crash names the container, restarts and last exit', () => {
    expect(podProblems(pod('web-abc-1', 'abc', [crashLooping(2)]))).toEqual([
      {
        kind: 'crash',
        reason: 'CrashLoopBackOff',
        pod: 'web-abc-1',
        container: 'app',
        noun: 'container',
        restarts: 2,
        crashes: 3,
        message:
          'container "app" is in CrashLoopBackOff (restarted 2 times): last exit code 3 (Error): config file missing'
      }
    ])
    expect(podProblems(pod('p', 'abc', [crashLooping(1)]))[0].message).toContain(
      '(restarted 1 time)'
    )
  })

  it.each([
    ['ErrImageNeverPull', 'Container image "web:2" is not present with pull policy of Never'],
    [
      'InvalidImageName',
      'Failed to apply default image tag "Web:x": couldn\'t parse image reference'
    ],
    ['CreateContainerConfigError', 'configmap "settings" not found']
  ])('%s is fatal with the kubelet message', (reason, message) => {
    expect(podProblems(pod('web-abc-1', 'abc', [waitingFor(reason, message)]))).toEqual([
      {
        kind: 'fatal',
        reason,
        pod: 'web-abc-1',
        container: 'app',
        noun: 'container',
        message: `container "app" is in ${reason}: ${message}`
      }
    ])
  })

  it.each([
    [
      "rpc error: code = Unknown desc = Error response from daemon: pull access denied for x, repository does not exist or may require 'docker login'",
      'fatal'
    ],
    [
      'rpc error: code = Unknown desc = manifest for localhost:5000/web:9 not found: manifest unknown',
      'fatal'
    ],
    ['rpc error: code = Unknown desc = unauthorized: authentication required', 'fatal'],
    [
      'rpc error: code = Unknown desc = toomanyrequests: You have reached your pull rate limit',
      'retrying'
    ],
    [
      'rpc error: code = Unknown desc = Get "https://registry/v2/": net/http: TLS handshake timeout',
      'retrying'
    ]
  ])('a pull error "%s" is %s', (message, kind) => {
    expect(podProblems(pod('p', 'abc', [waitingFor('ErrImagePull', message)]))[0].kind).toBe(kind)
  })

  it('names init containers and native sidecars (1.29+) as such', () => {
    const p = pod('p', 'abc', [], {
      initContainerStatuses: [
        {
          name: 'migrate',
          restartCount: 0,
          state: { waiting: { reason: 'ErrImageNeverPull', message: 'm' } }
        }
      ]
    })
    expect(podProblems(p)[0]).toMatchObject({
      container: 'migrate',
      message: 'init container "migrate" is in ErrImageNeverPull: m'
    })
    // 1.29+ (API reference, Container.restartPolicy): an init container that keeps running.
    const sidecar = pod('p', 'abc', [running(0, true)], {
      initContainerStatuses: [{ ...crashLooping(1), name: 'proxy', started: true }]
    })
    sidecar.spec!.initContainers = [{ name: 'proxy', image: 'proxy:1', restartPolicy: 'Always' }]
    expect(podProblems(sidecar)[0].message).toMatch(
      /^sidecar container "proxy" is in CrashLoopBackOff/
    )
  })

  it('leaves an unschedulable pod to the scheduling rule (kube-scheduling.test.ts)', () => {
    const p = pod('p', 'abc', [], {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/1 nodes are available: 1 Insufficient cpu.'
        }
      ]
    })
    expect(podProblems(p)).toEqual([])
  })

  it('ignores ordinary waiting, running containers, and crashes of Job pods', () => {
    expect(podProblems(pod('p', 'abc', [waitingFor('ContainerCreating', '')]))).toEqual([])
    expect(podProblems(pod('p', 'abc', [running()]))).toEqual([])
    expect(podProblems(pod('p', 'abc', [crashLooping(2)]), { jobPod: true })).toEqual([])
  })

  it('kubelet events overlay the status until the pod changes; fatal image events never expire', () => {
    const p = pod('web-abc-1', 'abc', [running(1)])
    const backOff = eventOverlay(
      event('Pod/web-abc-1', 'BackOff', 'Back-off restarting failed container', 't', {
        involvedObject: {
          kind: 'Pod',
          name: 'web-abc-1',
          uid: 'uid-pod-web-abc-1',
          fieldPath: 'spec.containers{app}'
        }
      })
    )!
    expect(backOff).toEqual({
      container: 'app',
      overlay: { reason: 'CrashLoopBackOff', message: 'Back-off restarting failed container' }
    })
    const overlays = new Map([
      ['uid-pod-web-abc-1/app', { ...backOff.overlay, podResourceVersion: '1' }]
    ])
    expect(podProblems(p, { overlays })[0]).toMatchObject({ kind: 'crash', restarts: 1 })
    p.metadata.resourceVersion = '2' // the pod changed after the event: its status rules again
    expect(podProblems(p, { overlays })).toEqual([])
    const never = new Map([
      [
        'uid-pod-web-abc-1/app',
        { reason: 'ErrImageNeverPull', message: 'not present', podResourceVersion: '1' }
      ]
    ])
    expect(podProblems(p, { overlays: never })[0]).toMatchObject({
      kind: 'fatal',
      reason: 'ErrImageNeverPull'
    })
    expect(
      eventOverlay(event('Pod/x', 'Pulled', 'Container image already present', 't'))
    ).toBeUndefined()
  })
})

describe('the crash policy', () => {
  const crash = (restarts: number): Extract<PodProblem, { kind: 'crash' }> =>
    podProblems(pod('web-abc-1', 'abc', [crashLooping(restarts)]))[0] as never

  it('fails at once when nothing else is starting', () => {
    expect(crashVerdict(crash(0), { maxRestarts: 3, othersReady: true, hasOthers: false })).toBe(
      'no other workload of the run is starting, so it is not waiting for one'
    )
  })

  it('tolerates crashes while others start, up to max-restarts', () => {
    expect(
      crashVerdict(crash(2), { maxRestarts: 3, othersReady: false, hasOthers: true })
    ).toBeUndefined()
    expect(crashVerdict(crash(3), { maxRestarts: 3, othersReady: false, hasOthers: true })).toBe(
      'it restarted 3 times (max-restarts 3)'
    )
  })

  it('after the others are ready, only a crash after that moment counts', () => {
    const baseline = crashCounts([pod('web-abc-1', 'abc', [crashLooping(1)])])
    expect(baseline.get('web-abc-1/app')).toBe(2)
    const ctx = { maxRestarts: 5, othersReady: true, hasOthers: true, baseline }
    expect(crashVerdict(crash(1), ctx)).toBeUndefined() // the same crash, still backing off
    expect(crashVerdict(crash(2), ctx)).toBe(
      'it crashed after every other workload of the run was ready'
    )
  })
})

describe('explainNotReady and describeProbe', () => {
  it('names the readiness probe and its last failure', () => {
    const p = pod('web-abc-1', 'abc', [running()])
    const events = [
      event(
        'Pod/web-abc-1',
        'Unhealthy',
        'Readiness probe failed: HTTP probe failed with statuscode: 404',
        '2026-01-01T00:00:01Z'
      ),
      event(
        'Pod/web-abc-1',
        'Unhealthy',
        'Readiness probe failed: HTTP probe failed with statuscode: 500',
        '2026-01-01T00:00:05Z'
      ),
      event('Pod/other', 'Unhealthy', 'Readiness probe failed: nope', '2026-01-01T00:00:09Z')
    ]
    expect(explainNotReady([p], events)).toEqual([
      'pod "web-abc-1": container "app" is running but not ready: Readiness probe failed: HTTP probe failed with statuscode: 500 ' +
        '(readiness probe: http-get http://:8080/healthz delay=0s timeout=1s period=1s #success=1 #failure=3)'
    ])
  })

  it('groups pods with the same reason and reports unscheduled pods', () => {
    const pods = [1, 2, 3, 4].map(i =>
      pod(`web-${i}`, 'abc', [waitingFor('ContainerCreating', '')])
    )
    expect(explainNotReady(pods, [])).toEqual([
      'pods "web-1", "web-2", "web-3" and 1 more: container "app" is waiting: ContainerCreating'
    ])
    const p = pod('p', 'abc', [], {
      phase: 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'no nodes' }
      ]
    })
    expect(explainNotReady([p], [])).toEqual(['pod "p": pod is not scheduled: no nodes'])
  })

  it('prints probes like kubectl describe', () => {
    expect(describeProbe({ tcpSocket: { port: 5000 }, periodSeconds: 2 })).toBe(
      'tcp-socket :5000 delay=0s timeout=1s period=2s #success=1 #failure=3'
    )
    expect(describeProbe({ exec: { command: ['cat', '/tmp/ok'] } })).toMatch(
      /^exec \[cat \/tmp\/ok\] /
    )
  })
})
