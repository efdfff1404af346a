import { describe, expect, it } from '@jest/globals'
import {
  deploymentStatus,
  describeProbe,
  evaluateRollout,
  explainNotReady,
  newReplicaSet,
  podFailure,
  selectorString
} from '../../src/kube/rollout-rule.js'
import { crashLooping, deployment, event, pod, replicaSet, waitingFor } from './kube-objects.js'

describe('deploymentStatus (kubectl rollout status rule)', () => {
  it('waits for the spec update to be observed', () => {
    const v = deploymentStatus(
      deployment({ generation: 2, observedGeneration: 1, updated: 1, available: 1 })
    )
    expect(v).toEqual({
      state: 'progressing',
      message: 'Waiting for deployment spec update to be observed...'
    })
  })

  it('waits for new replicas to be updated', () => {
    const v = deploymentStatus(deployment({ replicas: 3, updated: 1, total: 1 }))
    expect(v.message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...'
    )
  })

  it('waits for old replicas to terminate', () => {
    const v = deploymentStatus(deployment({ replicas: 2, updated: 2, total: 3, available: 2 }))
    expect(v.message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...'
    )
  })

  it('waits for updated replicas to become available', () => {
    const v = deploymentStatus(deployment({ replicas: 3, updated: 3, total: 3, available: 1 }))
    expect(v.message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...'
    )
  })

  it('is done when observed, updated, no old replicas and all available', () => {
    const v = deploymentStatus(deployment({ replicas: 3, updated: 3, total: 3, available: 3 }))
    expect(v).toEqual({ state: 'done', message: 'deployment "web" successfully rolled out' })
  })

  it('honours observedGeneration greater than generation', () => {
    const v = deploymentStatus(
      deployment({ generation: 1, observedGeneration: 2, updated: 1, available: 1 })
    )
    expect(v.state).toBe('done')
  })

  it('fails on ProgressDeadlineExceeded', () => {
    const v = deploymentStatus(
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
    expect(v).toEqual({
      state: 'failed',
      reason: 'ProgressDeadlineExceeded',
      message:
        'deployment "web" exceeded its progress deadline: ReplicaSet "web-abc" has timed out progressing.'
    })
  })

  it('fails when the ReplicaSet cannot create pods', () => {
    const v = deploymentStatus(
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
    expect(v.state).toBe('failed')
    expect(v).toMatchObject({ reason: 'FailedCreate' })
    expect(v.message).toContain('exceeded quota')
  })
})

describe('podFailure (fail fast)', () => {
  it('CrashLoopBackOff after a restart names the container, restarts and last exit', () => {
    const f = podFailure(pod('web-abc-1', 'abc', [crashLooping(2)]))
    expect(f).toEqual({
      reason: 'CrashLoopBackOff',
      pod: 'web-abc-1',
      container: 'app',
      message:
        'container "app" is in CrashLoopBackOff (restarted 2 times): last exit code 3 (Error): config file missing'
    })
  })

  it('says "1 time"', () => {
    expect(podFailure(pod('p', 'abc', [crashLooping(1)]))?.message).toContain('(restarted 1 time)')
  })

  it('does not fail on CrashLoopBackOff before any restart', () => {
    expect(podFailure(pod('p', 'abc', [crashLooping(0)]))).toBeUndefined()
  })

  it.each([
    ['ErrImageNeverPull', 'Container image "web:2" is not present with pull policy of Never'],
    ['ImagePullBackOff', 'Back-off pulling image "web:2"'],
    ['ErrImagePull', 'rpc error: code = Unknown desc = pull access denied'],
    [
      'InvalidImageName',
      'Failed to apply default image tag "Web:x": couldn\'t parse image reference'
    ],
    ['CreateContainerConfigError', 'configmap "settings" not found']
  ])('%s fails at once with the kubelet message', (reason, message) => {
    const f = podFailure(pod('web-abc-1', 'abc', [waitingFor(reason, message)]))
    expect(f).toEqual({
      reason,
      pod: 'web-abc-1',
      container: 'app',
      message: `container "app" is in ${reason}: ${message}`
    })
  })

  it('names init containers as such', () => {
    const p = pod('p', 'abc', [], {
      initContainerStatuses: [
        {
          name: 'migrate',
          restartCount: 0,
          state: { waiting: { reason: 'ErrImageNeverPull', message: 'm' } }
        }
      ]
    })
    expect(podFailure(p)).toMatchObject({
      container: 'migrate',
      message: 'init container "migrate" is in ErrImageNeverPull: m'
    })
  })

  it('fails on an unschedulable pod', () => {
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
    expect(podFailure(p)).toEqual({
      reason: 'FailedScheduling',
      pod: 'p',
      message: 'pod "p" cannot be scheduled: 0/1 nodes are available: 1 Insufficient cpu.'
    })
  })

  it('lets the scheduler retry while the node is not ready yet', () => {
    const p = pod('p', 'abc', [], {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message:
            "0/1 nodes are available: 1 node(s) had taint {node.kubernetes.io/not-ready: }, that the pod didn't tolerate."
        }
      ]
    })
    expect(podFailure(p)).toBeUndefined()
  })

  it('ignores ordinary waiting (ContainerCreating) and running containers', () => {
    expect(podFailure(pod('p', 'abc', [waitingFor('ContainerCreating', '')]))).toBeUndefined()
    expect(
      podFailure(pod('p', 'abc', [{ state: { running: { startedAt: 't' } } }]))
    ).toBeUndefined()
  })
})

describe('evaluateRollout', () => {
  const progressing = deployment({ updated: 1, total: 1, available: 0, revision: '2' })

  it('fails on a pod of the new ReplicaSet', () => {
    const v = evaluateRollout({
      deployment: progressing,
      pods: [pod('web-new-1', 'new', [crashLooping(1)])],
      newReplicaSetHash: 'new'
    })
    expect(v).toMatchObject({
      state: 'failed',
      reason: 'CrashLoopBackOff',
      pod: 'web-new-1',
      container: 'app'
    })
    expect(v.message).toMatch(/^deployment "web" failed: container "app" is in CrashLoopBackOff/)
  })

  it('ignores old ReplicaSet pods and pods being deleted', () => {
    const deleting = pod('web-new-2', 'new', [crashLooping(3)])
    deleting.metadata.deletionTimestamp = '2026-01-01T00:00:00Z'
    const v = evaluateRollout({
      deployment: progressing,
      pods: [pod('web-old-1', 'old', [crashLooping(5)]), deleting],
      newReplicaSetHash: 'new'
    })
    expect(v.state).toBe('progressing')
  })

  it('does not judge pods before the new ReplicaSet is known', () => {
    const v = evaluateRollout({
      deployment: progressing,
      pods: [pod('x', 'new', [crashLooping(3)])]
    })
    expect(v.state).toBe('progressing')
  })

  it('done wins over a pod state seen at the same time', () => {
    const v = evaluateRollout({
      deployment: deployment({ updated: 1, total: 1, available: 1 }),
      pods: [pod('x', 'new', [crashLooping(1)])],
      newReplicaSetHash: 'new'
    })
    expect(v.state).toBe('done')
  })
})

describe('newReplicaSet', () => {
  it('is the ReplicaSet owned by the Deployment with its revision', () => {
    const d = deployment({ revision: '2' })
    const found = newReplicaSet(d, [
      replicaSet('web', 'old', '1'),
      replicaSet('web', 'new', '2'),
      replicaSet('other', 'x', '2')
    ])
    expect(found?.metadata.name).toBe('web-new')
  })
})

describe('explainNotReady', () => {
  it('names the readiness probe and its last failure', () => {
    const p = pod('web-abc-1', 'abc', [{ state: { running: { startedAt: 't' } } }])
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

  it('groups pods with the same reason', () => {
    const pods = [1, 2, 3, 4].map(i =>
      pod(`web-${i}`, 'abc', [waitingFor('ContainerCreating', '')])
    )
    expect(explainNotReady(pods, [])).toEqual([
      'pods "web-1", "web-2", "web-3" and 1 more: container "app" is waiting: ContainerCreating'
    ])
  })

  it('reports unscheduled pods', () => {
    const p = pod('p', 'abc', [], {
      phase: 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'no nodes' }
      ]
    })
    expect(explainNotReady([p], [])).toEqual(['pod "p": pod is not scheduled: no nodes'])
  })
})

describe('describeProbe and selectorString', () => {
  it('prints probes like kubectl describe', () => {
    expect(describeProbe({ tcpSocket: { port: 5000 }, periodSeconds: 2 })).toBe(
      'tcp-socket :5000 delay=0s timeout=1s period=2s #success=1 #failure=3'
    )
    expect(describeProbe({ exec: { command: ['cat', '/tmp/ok'] } })).toMatch(
      /^exec \[cat \/tmp\/ok\] /
    )
  })

  it('turns label selectors into query strings', () => {
    expect(
      selectorString({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'x', operator: 'NotIn', values: ['y'] },
          { key: 'e', operator: 'Exists' },
          { key: 'd', operator: 'DoesNotExist' }
        ]
      })
    ).toBe('app=web,tier in (a,b),x notin (y),e,!d')
  })
})
