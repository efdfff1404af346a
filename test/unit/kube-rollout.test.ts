import { describe, expect, it } from '@jest/globals'
import { RolloutError } from '../../src/kube/errors.js'
import { KubeApiError } from '../../src/kube/port.js'
import { waitForRollout, waitForRollouts } from '../../src/kube/rollout.js'
import { FakeKube, settle } from './kube-fake.js'
import { crashLooping, deployment, event, NS, pod, replicaSet, waitingFor } from './kube-objects.js'

/** A cluster where deployment "web" (revision 1, ReplicaSet web-abc) has just been applied. */
function cluster(replicas = 1): FakeKube {
  const kube = new FakeKube()
  kube.put(
    deployment({ replicas, updated: replicas, total: replicas, available: 0, revision: '1' })
  )
  kube.put(replicaSet('web', 'abc', '1'))
  return kube
}

async function rejection(promise: Promise<unknown>): Promise<RolloutError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(RolloutError)
    return err as RolloutError
  }
  throw new Error('expected the rollout to fail')
}

describe('waitForRollout', () => {
  it('follows the rollout by watch and resolves when kubectl would, logging progress', async () => {
    const kube = new FakeKube()
    kube.put(deployment({ replicas: 3, generation: 1, observedGeneration: 0 }))
    const lines: string[] = []
    const done = waitForRollout(kube, NS, 'web', { timeoutMs: 5000, log: l => lines.push(l) })
    await settle()
    kube.put(deployment({ replicas: 3, updated: 1, total: 1, revision: '1' }))
    kube.put(replicaSet('web', 'abc', '1'))
    await settle()
    kube.put(deployment({ replicas: 3, updated: 3, total: 3, available: 2, revision: '1' }))
    await settle()
    kube.put(deployment({ replicas: 3, updated: 3, total: 3, available: 3, revision: '1' }))
    const result = await done
    expect(result).toMatchObject({
      deployment: 'web',
      replicas: 3,
      reconnects: 0,
      message: 'deployment "web" successfully rolled out'
    })
    expect(lines).toEqual([
      'Waiting for deployment spec update to be observed...',
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
      'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
      'deployment "web" successfully rolled out'
    ])
    expect(kube.watchers.size).toBe(0) // every watch stopped
  })

  it('resolves at once for a deployment that has already rolled out', async () => {
    const kube = new FakeKube()
    kube.put(deployment({ updated: 1, total: 1, available: 1, revision: '1' }))
    await expect(waitForRollout(kube, NS, 'web', { timeoutMs: 1000 })).resolves.toMatchObject({
      replicas: 1
    })
  })

  it('fails fast on CrashLoopBackOff with the container, the reason and the crashed run log', async () => {
    const kube = cluster()
    kube.logs.set('web-abc-1/app/previous', 'line 1\nline 2\nfatal: config file missing')
    const started = Date.now()
    const done = waitForRollout(kube, NS, 'web', { timeoutMs: 10_000, crashLogLines: 2 })
    await settle()
    kube.put(pod('web-abc-1', 'abc', [{ state: { running: { startedAt: 't' } } }]))
    await settle()
    kube.put(pod('web-abc-1', 'abc', [crashLooping(1)]))
    const err = await rejection(done)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(err.message).toBe(
      'deployment "web" failed: container "app" is in CrashLoopBackOff (restarted 1 time): last exit code 3 (Error): config file missing'
    )
    expect(err).toMatchObject({
      reason: 'CrashLoopBackOff',
      deployment: 'web',
      pod: 'web-abc-1',
      container: 'app',
      phase: 'rollout'
    })
    expect(err.details).toBe(
      'last 2 log lines of container "app" (previous run):\nline 2\nfatal: config file missing'
    )
    expect(kube.callsOf('podLogs')[0].args).toEqual([
      NS,
      'web-abc-1',
      'app',
      { previous: true, tailLines: 2 }
    ])
  })

  it('fails fast on ErrImageNeverPull seen in the first list', async () => {
    const kube = cluster()
    kube.put(
      pod('web-abc-1', 'abc', [
        waitingFor(
          'ErrImageNeverPull',
          'Container image "web:2" is not present with pull policy of Never'
        )
      ])
    )
    const err = await rejection(waitForRollout(kube, NS, 'web', { timeoutMs: 10_000 }))
    expect(err.message).toBe(
      'deployment "web" failed: container "app" is in ErrImageNeverPull: Container image "web:2" is not present with pull policy of Never'
    )
    expect(err.reason).toBe('ErrImageNeverPull')
    expect(err.details).toBeUndefined()
  })

  it('fails fast on ProgressDeadlineExceeded', async () => {
    const kube = cluster()
    const done = waitForRollout(kube, NS, 'web', { timeoutMs: 10_000 })
    await settle()
    kube.put(
      deployment({
        updated: 1,
        total: 1,
        revision: '1',
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
    const err = await rejection(done)
    expect(err.reason).toBe('ProgressDeadlineExceeded')
    expect(err.message).toBe(
      'deployment "web" exceeded its progress deadline: ReplicaSet "web-abc" has timed out progressing.'
    )
  })

  it('does not fail on a crash in the old ReplicaSet during an update', async () => {
    const kube = cluster()
    kube.put(deployment({ generation: 2, updated: 1, total: 2, available: 1, revision: '2' }))
    kube.put(replicaSet('web', 'new', '2'))
    kube.put(pod('web-abc-1', 'abc', [crashLooping(4)]))
    const done = waitForRollout(kube, NS, 'web', { timeoutMs: 5000 })
    await settle(50)
    kube.put(deployment({ generation: 2, updated: 1, total: 1, available: 1, revision: '2' }))
    await expect(done).resolves.toMatchObject({
      message: 'deployment "web" successfully rolled out'
    })
  })

  it('reconnects a dropped watch and catches up with a fresh read', async () => {
    const kube = cluster()
    const done = waitForRollout(kube, NS, 'web', { timeoutMs: 5000 })
    await settle()
    expect(kube.watchers.size).toBe(2) // deployment and pods
    kube.dropWatches()
    // What happens while disconnected reaches no watcher: only the re-list can see it.
    kube.put(deployment({ updated: 1, total: 1, available: 1, revision: '1' }))
    const result = await done
    expect(result.reconnects).toBeGreaterThanOrEqual(1)
    const deploymentLists = kube.callsOf('list').filter(c => c.args[0] === 'Deployment')
    expect(deploymentLists.length).toBe(2)
  })

  it('re-lists after a clean end of the watch (server timeout) and after an ERROR event (410 Gone)', async () => {
    const kube = cluster()
    const done = waitForRollout(kube, NS, 'web', { timeoutMs: 5000 })
    await settle()
    for (const w of [...kube.watchers]) {
      kube.watchers.delete(w)
      w.onClose()
    }
    await settle()
    expect(kube.watchers.size).toBe(2)
    const [w] = [...kube.watchers].filter(x => x.type.kind === 'Deployment')
    w.onEvent('ERROR', {
      apiVersion: 'v1',
      kind: 'Status',
      metadata: {},
      message: 'too old resource version',
      code: 410
    })
    await settle(300)
    kube.put(deployment({ updated: 1, total: 1, available: 1, revision: '1' }))
    const result = await done
    expect(result.reconnects).toBeGreaterThanOrEqual(3)
  })

  it('keeps retrying when the API server is briefly unreachable', async () => {
    const kube = cluster()
    kube.failNext('list', new Error('cannot reach the Kubernetes API server: ECONNREFUSED'))
    const done = waitForRollout(kube, NS, 'web', { timeoutMs: 5000 })
    await settle(300)
    kube.put(deployment({ updated: 1, total: 1, available: 1, revision: '1' }))
    await expect(done).resolves.toMatchObject({ deployment: 'web' })
  })

  it('times out naming the failing readiness probe', async () => {
    const kube = cluster()
    kube.put(pod('web-abc-1', 'abc', [{ state: { running: { startedAt: 't' } } }]))
    kube.put(
      event(
        'Pod/web-abc-1',
        'Unhealthy',
        'Readiness probe failed: HTTP probe failed with statuscode: 500',
        '2026-01-01T00:00:03Z'
      )
    )
    const err = await rejection(waitForRollout(kube, NS, 'web', { timeoutMs: 300 }))
    expect(err.reason).toBe('RolloutTimeout')
    expect(err.message).toBe(
      'timed out after 0.3s waiting for deployment "web" to roll out: Waiting for deployment "web" rollout to finish: 0 of 1 updated replicas are available...\n' +
        '  pod "web-abc-1": container "app" is running but not ready: Readiness probe failed: HTTP probe failed with statuscode: 500 ' +
        '(readiness probe: http-get http://:8080/healthz delay=0s timeout=1s period=1s #success=1 #failure=3)'
    )
    expect(kube.watchers.size).toBe(0)
  })

  it('reports a missing or deleted deployment', async () => {
    const empty = new FakeKube()
    const missing = await rejection(waitForRollout(empty, NS, 'web', { timeoutMs: 1000 }))
    expect(missing.message).toBe(`deployments.apps "web" not found in namespace "${NS}"`)
    expect(missing.reason).toBe('NotFound')

    const kube = cluster()
    const done = waitForRollout(kube, NS, 'web', { timeoutMs: 1000 })
    await settle()
    kube.remove('Deployment', 'web', NS)
    expect((await rejection(done)).reason).toBe('Deleted')
  })

  it('stops at once when cancelled, or when access is forbidden', async () => {
    const kube = cluster()
    const controller = new AbortController()
    const done = waitForRollout(kube, NS, 'web', { timeoutMs: 10_000, signal: controller.signal })
    await settle()
    controller.abort()
    expect((await rejection(done)).reason).toBe('Aborted')
    expect(kube.watchers.size).toBe(0)

    kube.failNext(
      'list',
      new KubeApiError(403, 'deployments.apps is forbidden: User "ci" cannot list resource')
    )
    const forbidden = await rejection(waitForRollout(kube, NS, 'web', { timeoutMs: 10_000 }))
    expect(forbidden.reason).toBe('Forbidden')
    expect(forbidden.message).toContain('is forbidden')
  })

  it('waits for several Deployments at once', async () => {
    const kube = cluster()
    kube.put(deployment({ name: 'api', updated: 1, total: 1, available: 1, revision: '1' }))
    const done = waitForRollouts(kube, NS, ['web', 'api'], { timeoutMs: 5000 })
    await settle()
    kube.put(deployment({ updated: 1, total: 1, available: 1, revision: '1' }))
    expect((await done).map(r => r.deployment)).toEqual(['web', 'api'])
  })

  it('the first failure among several stops the other waits and is the error', async () => {
    const kube = cluster()
    kube.put(deployment({ name: 'api', updated: 1, total: 1, revision: '1' })) // never becomes available
    const done = waitForRollouts(kube, NS, ['api', 'web'], { timeoutMs: 10_000 })
    await settle()
    kube.put(pod('web-abc-1', 'abc', [waitingFor('ErrImageNeverPull', 'not present')]))
    const err = await rejection(done)
    expect(err).toMatchObject({ reason: 'ErrImageNeverPull', deployment: 'web' })
    await settle()
    expect(kube.watchers.size).toBe(0)
  })
})
