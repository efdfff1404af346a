import { describe, expect, it } from '@jest/globals'
import { RolloutError } from '../../src/kube/errors.js'
import { kindOf } from '../../src/kube/kinds.js'
import { KubeApiError } from '../../src/kube/api.js'
import type { KubeObject } from '../../src/kube/types.js'
import type { Typed } from '../../src/kube/validate.js'
import { waitForWorkloads, type WaitOptions } from '../../src/kube/wait.js'
import { FakeKube, settle } from './kube-fake.js'
import {
  crashLooping,
  daemonSet,
  deployment,
  event,
  job,
  NS,
  pod,
  replicaSet,
  running,
  SELECTOR,
  statefulSet,
  waitingFor
} from './kube-objects.js'

const typed = (o: KubeObject): Typed => ({ object: o, type: kindOf(o).type })
const opts = (extra: Partial<WaitOptions> = {}): WaitOptions => ({
  namespace: NS,
  labelSelector: SELECTOR,
  timeoutMs: 5000,
  maxRestarts: 3,
  ...extra
})

/** A cluster where deployment "web" (revision 1, ReplicaSet web-abc) has just been applied. */
function cluster(replicas = 1): FakeKube {
  const kube = new FakeKube()
  kube.put(
    deployment({ replicas, updated: replicas, total: replicas, available: 0, revision: '1' })
  )
  kube.put(replicaSet('web', 'abc', '1'))
  return kube
}
const web = typed(deployment())

async function rejection(promise: Promise<unknown>): Promise<RolloutError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(RolloutError)
    return err as RolloutError
  }
  throw new Error('expected the wait to fail')
}

describe('waitForWorkloads: Deployments (kubectl rollout status)', () => {
  it('follows the rollout by watch and resolves when kubectl would, logging progress', async () => {
    const kube = new FakeKube()
    kube.put(deployment({ replicas: 3, generation: 1, observedGeneration: 0 }))
    const lines: string[] = []
    const done = waitForWorkloads(kube, [web], opts({ log: l => lines.push(l) }))
    await settle()
    kube.put(deployment({ replicas: 3, updated: 1, total: 1, revision: '1' }))
    kube.put(replicaSet('web', 'abc', '1'))
    await settle()
    kube.put(deployment({ replicas: 3, updated: 3, total: 3, available: 2, revision: '1' }))
    await settle()
    kube.put(deployment({ replicas: 3, updated: 3, total: 3, available: 3, revision: '1' }))
    const [result] = await done
    expect(result).toMatchObject({
      kind: 'Deployment',
      name: 'web',
      state: 'current',
      message: 'deployment "web" successfully rolled out'
    })
    expect(lines).toEqual([
      'Waiting for deployment.apps "web" to be observed...',
      'Waiting for deployment spec update to be observed...',
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
      'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...',
      'deployment "web" successfully rolled out'
    ])
    expect(kube.watchers.size).toBe(0) // every watch stopped
  })

  it('fails fast on CrashLoopBackOff with the container, the rule and the crashed run log', async () => {
    const kube = cluster()
    kube.logs.set('web-abc-1/app/previous', 'line 1\nline 2\nfatal: config file missing')
    kube.logs.set('web-abc-1/app', '')
    const started = Date.now()
    const done = waitForWorkloads(kube, [web], opts({ crashLogLines: 2 }))
    await settle()
    kube.put(pod('web-abc-1', 'abc', [running()]))
    await settle()
    kube.put(pod('web-abc-1', 'abc', [crashLooping(1)]))
    const err = await rejection(done)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(err.message).toBe(
      'deployment.apps "web" failed: container "app" is in CrashLoopBackOff (restarted 1 time): last exit code 3 (Error): config file missing (no other workload of the run is starting, so it is not waiting for one)'
    )
    expect(err).toMatchObject({
      reason: 'CrashLoopBackOff',
      workload: 'Deployment/web',
      pod: 'web-abc-1',
      container: 'app'
    })
    expect(err.details).toBe(
      'last 2 log lines of container "app" of pod "web-abc-1":\nline 2\nfatal: config file missing'
    )
  })

  it('fails on the kubelet’s BackOff event before the pod status shows CrashLoopBackOff', async () => {
    const kube = cluster()
    kube.put(pod('web-abc-1', 'abc', [running(1)]))
    const done = waitForWorkloads(kube, [web], opts())
    await settle()
    kube.put(
      event(
        'Pod/web-abc-1',
        'BackOff',
        'Back-off restarting failed container',
        '2026-01-01T00:00:03Z',
        {
          involvedObject: {
            kind: 'Pod',
            name: 'web-abc-1',
            namespace: NS,
            uid: 'uid-pod-web-abc-1',
            fieldPath: 'spec.containers{app}'
          }
        }
      )
    )
    const err = await rejection(done)
    expect(err.reason).toBe('CrashLoopBackOff')
    expect(err.message).toContain('container "app" is in CrashLoopBackOff (restarted 1 time)')
  })

  it('reads the log the containerLogs rule names: the run that crashed, once it runs again', async () => {
    const kube = cluster()
    kube.put(pod('web-abc-1', 'abc', [running(1)]))
    kube.logs.set('web-abc-1/app/previous', 'fatal: the run that crashed')
    kube.logs.set('web-abc-1/app', 'starting again')
    const done = waitForWorkloads(kube, [web], opts())
    await settle()
    kube.put(
      event(
        'Pod/web-abc-1',
        'BackOff',
        'Back-off restarting failed container',
        '2026-01-01T00:00:03Z',
        {
          involvedObject: {
            kind: 'Pod',
            name: 'web-abc-1',
            namespace: NS,
            uid: 'uid-pod-web-abc-1',
            fieldPath: 'spec.containers{app}'
          }
        }
      )
    )
    const err = await rejection(done)
    expect(err.details).toBe(
      'last 20 log lines of container "app" of pod "web-abc-1":\nfatal: the run that crashed'
    )
  })

  it('fails on an ErrImageNeverPull event, and on the status seen in the first list', async () => {
    const kube = cluster()
    kube.put(pod('web-abc-1', 'abc', [waitingFor('ContainerCreating', '')]))
    const done = waitForWorkloads(kube, [web], opts())
    await settle()
    kube.put(
      event(
        'Pod/web-abc-1',
        'ErrImageNeverPull',
        'Container image "web:2" is not present with pull policy of Never',
        '2026-01-01T00:00:03Z',
        {
          involvedObject: {
            kind: 'Pod',
            name: 'web-abc-1',
            namespace: NS,
            uid: 'uid-pod-web-abc-1',
            fieldPath: 'spec.containers{app}'
          }
        }
      )
    )
    const err = await rejection(done)
    expect(err.message).toBe(
      'deployment.apps "web" failed: container "app" is in ErrImageNeverPull: Container image "web:2" is not present with pull policy of Never'
    )

    const kube2 = cluster()
    kube2.put(
      pod('web-abc-1', 'abc', [
        waitingFor(
          'ErrImageNeverPull',
          'Container image "web:2" is not present with pull policy of Never'
        )
      ])
    )
    const err2 = await rejection(waitForWorkloads(kube2, [web], opts()))
    expect(err2.reason).toBe('ErrImageNeverPull')
    expect(err2.details).toBeUndefined()
  })

  it('fails at once for an image the registry says is missing, keeps waiting on a rate limit', async () => {
    const kube = cluster()
    kube.put(
      pod('web-abc-1', 'abc', [
        waitingFor(
          'ErrImagePull',
          'rpc error: toomanyrequests: You have reached your pull rate limit'
        )
      ])
    )
    const err = await rejection(waitForWorkloads(kube, [web], opts({ timeoutMs: 200 })))
    expect(err.reason).toBe('RolloutTimeout')
    expect(err.message).toContain(
      'still retrying: container "app" is in ErrImagePull: rpc error: toomanyrequests'
    )

    const kube2 = cluster()
    kube2.put(
      pod('web-abc-1', 'abc', [
        waitingFor('ImagePullBackOff', 'Back-off pulling image "localhost:5000/web:1"')
      ])
    )
    const done = waitForWorkloads(kube2, [web], opts())
    await settle()
    kube2.put(
      event(
        'Pod/web-abc-1',
        'Failed',
        'Failed to pull image "localhost:5000/web:1": manifest for localhost:5000/web:1 not found: manifest unknown',
        '2026-01-01T00:00:03Z',
        {
          involvedObject: {
            kind: 'Pod',
            name: 'web-abc-1',
            namespace: NS,
            uid: 'uid-pod-web-abc-1',
            fieldPath: 'spec.containers{app}'
          }
        }
      )
    )
    // The pull error explains the back-off once the pod status next changes too.
    const err2 = await rejection(done)
    expect(err2.reason).toBe('ImagePullBackOff')
    expect(err2.message).toContain(
      'manifest unknown (the registry says the image cannot be pulled)'
    )
  })

  it('does not fail on a crash in the old ReplicaSet during an update', async () => {
    const kube = cluster()
    kube.put(deployment({ generation: 2, updated: 1, total: 2, available: 1, revision: '2' }))
    kube.put(replicaSet('web', 'new', '2'))
    kube.put(pod('web-abc-1', 'abc', [crashLooping(4)]))
    const done = waitForWorkloads(kube, [web], opts())
    await settle(50)
    kube.put(deployment({ generation: 2, updated: 1, total: 1, available: 1, revision: '2' }))
    await expect(done).resolves.toMatchObject([
      { message: 'deployment "web" successfully rolled out' }
    ])
  })

  it('reconnects a dropped watch and catches up with a fresh read', async () => {
    const kube = cluster()
    const done = waitForWorkloads(kube, [web], opts())
    await settle()
    expect(kube.watchers.size).toBe(7) // deployments, pods, events, replica sets; claims, classes, claim events
    kube.dropWatches()
    // What happens while disconnected reaches no watcher: only the re-list can see it.
    kube.put(deployment({ updated: 1, total: 1, available: 1, revision: '1' }))
    await expect(done).resolves.toHaveLength(1)
    expect(kube.callsOf('list').filter(c => c.args[0] === 'Deployment').length).toBe(2)
  })

  it('keeps retrying when the API server is briefly unreachable', async () => {
    const kube = cluster()
    kube.failNext('list', new Error('cannot reach the Kubernetes API server: ECONNREFUSED'))
    const done = waitForWorkloads(kube, [web], opts())
    await settle(300)
    kube.put(deployment({ updated: 1, total: 1, available: 1, revision: '1' }))
    await expect(done).resolves.toMatchObject([{ state: 'current' }])
  })

  it('times out naming the failing readiness probe', async () => {
    const kube = cluster()
    kube.put(pod('web-abc-1', 'abc', [running()]))
    kube.put(
      event(
        'Pod/web-abc-1',
        'Unhealthy',
        'Readiness probe failed: HTTP probe failed with statuscode: 500',
        '2026-01-01T00:00:03Z'
      )
    )
    const err = await rejection(waitForWorkloads(kube, [web], opts({ timeoutMs: 300 })))
    expect(err.reason).toBe('RolloutTimeout')
    expect(err.message).toBe(
      'timed out after 0.3s waiting for deployment "web": ' +
        'deployment.apps "web": Waiting for deployment "web" rollout to finish: 0 of 1 updated replicas are available...; ' +
        'pod "web-abc-1": container "app" is running but not ready: Readiness probe failed: HTTP probe failed with statuscode: 500 ' +
        '(readiness probe: http-get http://:8080/healthz delay=0s timeout=1s period=1s #success=1 #failure=3)'
    )
    expect(kube.watchers.size).toBe(0)
  })

  it('reports a workload deleted while waited for; stops when cancelled or forbidden', async () => {
    const kube = cluster()
    const done = waitForWorkloads(kube, [web], opts())
    await settle()
    kube.remove('Deployment', 'web', NS)
    expect((await rejection(done)).reason).toBe('Deleted')

    const controller = new AbortController()
    const cancelled = waitForWorkloads(cluster(), [web], opts({ signal: controller.signal }))
    await settle()
    controller.abort()
    expect((await rejection(cancelled)).reason).toBe('Aborted')

    const forbidden = cluster()
    forbidden.failNext(
      'list',
      new KubeApiError(403, 'deployments.apps is forbidden: User "ci" cannot list resource')
    )
    const err = await rejection(waitForWorkloads(forbidden, [web], opts()))
    expect(err.reason).toBe('Forbidden')
    expect(err.message).toContain('is forbidden')
  })
})

describe('waitForWorkloads: every workload kind, in parallel', () => {
  it('waits for a StatefulSet, a DaemonSet and a Job at once, and logs what it does not wait for', async () => {
    const kube = new FakeKube()
    kube.put(statefulSet({ replicas: 2, ready: 1, current: 2 }))
    kube.put(daemonSet({ desired: 1, updated: 1, available: 0 }))
    kube.put(job({ active: 1 }))
    const config = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: NS } }
    const lines: string[] = []
    const done = waitForWorkloads(
      kube,
      [typed(statefulSet()), typed(daemonSet()), typed(job()), typed(config)],
      opts({ log: l => lines.push(l) })
    )
    await settle()
    kube.put(statefulSet({ replicas: 2, ready: 2, current: 2 }))
    kube.put(daemonSet({ desired: 1, updated: 1, available: 1 }))
    await settle()
    expect(lines).toContain('Waiting for job "migrate" to complete: 0 of 1 succeeded, 1 active...')
    kube.put(job({ succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }))
    const results = await done
    expect(results.map(r => [r.kind, r.state])).toEqual([
      ['StatefulSet', 'current'],
      ['DaemonSet', 'current'],
      ['Job', 'current'],
      ['ConfigMap', 'not-waited']
    ])
    expect(lines).toContain('configmap/cfg: applied, not waited for (it has no status to wait for)')
    expect(lines).toContain(
      'Waiting for statefulset "kv" rollout to finish: 1 of 2 pods are not ready yet...'
    )
  })

  it('a failed Job fails the run at once, with the Job’s reason and its pod’s last log lines', async () => {
    const kube = new FakeKube()
    kube.put(job({ active: 1 }))
    kube.put(
      pod(
        'migrate-x1',
        'x',
        [{ state: { terminated: { exitCode: 1, reason: 'Error' } } }],
        { phase: 'Failed' },
        'Job/uid-migrate',
        'migrate'
      )
    )
    kube.logs.set('migrate-x1/migrate', 'migrating\nerror: relation "users" already exists')
    const done = waitForWorkloads(kube, [typed(job())], opts())
    await settle()
    kube.put(
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
    const err = await rejection(done)
    expect(err.message).toBe(
      'job "migrate" failed: BackoffLimitExceeded: Job has reached the specified backoff limit'
    )
    expect(err.reason).toBe('BackoffLimitExceeded')
  })

  it('a crashing Job pod is the Job’s to retry (backoffLimit), but a bad image fails at once', async () => {
    const kube = new FakeKube()
    kube.put(job({ active: 1 }))
    kube.put(pod('migrate-x1', 'x', [crashLooping(2)], {}, 'Job/uid-migrate', 'migrate'))
    const err = await rejection(waitForWorkloads(kube, [typed(job())], opts({ timeoutMs: 200 })))
    expect(err.reason).toBe('RolloutTimeout')

    const kube2 = new FakeKube()
    kube2.put(job({ active: 1 }))
    kube2.put(
      pod(
        'migrate-x1',
        'x',
        [waitingFor('ErrImageNeverPull', 'not present')],
        {},
        'Job/uid-migrate',
        'migrate'
      )
    )
    expect((await rejection(waitForWorkloads(kube2, [typed(job())], opts()))).message).toBe(
      'job.batch "migrate" failed: container "migrate" is in ErrImageNeverPull: not present'
    )
  })

  it('a StatefulSet that crashes names the workload, and only its current revision counts', async () => {
    const kube = new FakeKube()
    kube.put(statefulSet({ current: 1, updateRevision: 'kv-rev2', currentRevision: 'kv-rev1' }))
    const old = pod('kv-0', 'x', [crashLooping(5)], {}, 'StatefulSet/uid-kv', 'kv')
    old.metadata.labels!['controller-revision-hash'] = 'kv-rev1'
    kube.put(old)
    const done = waitForWorkloads(kube, [typed(statefulSet())], opts())
    await settle()
    const current = pod('kv-0', 'x', [crashLooping(1)], {}, 'StatefulSet/uid-kv', 'kv')
    current.metadata.labels!['controller-revision-hash'] = 'kv-rev2'
    kube.put(current)
    const err = await rejection(done)
    expect(err.message).toMatch(
      /^statefulset\.apps "kv" failed: container "kv" is in CrashLoopBackOff \(restarted 1 time\)/
    )
    expect(err.workload).toBe('StatefulSet/kv')
  })

  it('an OnDelete StatefulSet is reported as not waitable, not hung on', async () => {
    const kube = new FakeKube()
    const sts = statefulSet({ strategy: { type: 'OnDelete' } })
    kube.put(sts)
    const [r] = await waitForWorkloads(kube, [typed(sts)], opts())
    expect(r).toMatchObject({ state: 'unwaitable' })
    expect(r.message).toContain('OnDelete update strategy')
  })
})

describe('waitForWorkloads: storage', () => {
  const UNBOUND = '0/1 nodes are available: 1 pod has unbound immediate PersistentVolumeClaims.'
  /** StatefulSet kv's pod kv-0, unschedulable until its claim data-kv-0 (of `className`) binds. */
  function storageCluster(className: string): FakeKube {
    const kube = new FakeKube()
    kube.put(statefulSet())
    kube.put<KubeObject>({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: 'standard',
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' }
      },
      provisioner: 'k8s.io/minikube-hostpath'
    })
    kube.put<KubeObject>({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data-kv-0', namespace: NS, labels: { app: 'kv' } },
      spec: { storageClassName: className },
      status: { phase: 'Pending' }
    })
    const p = pod(
      'kv-0',
      'x',
      [],
      {
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: UNBOUND }
        ]
      },
      'StatefulSet/uid-kv',
      'kv'
    )
    p.metadata.labels!['controller-revision-hash'] = 'kv-rev1'
    p.spec!.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data-kv-0' } }]
    kube.put(p)
    return kube
  }

  it('waits for storage while the claim is being provisioned, then passes', async () => {
    const kube = storageCluster('standard')
    const lines: string[] = []
    const done = waitForWorkloads(kube, [typed(statefulSet())], opts({ log: l => lines.push(l) }))
    for (let i = 0; i < 100 && !lines.some(l => l.includes('waiting for storage')); i++) {
      await settle(20)
    }
    expect(lines).toContain(
      'statefulset.apps "kv": pod "kv-0": waiting for storage: persistentvolumeclaim "data-kv-0" is Pending, waiting for the provisioner "k8s.io/minikube-hostpath" of storageclass "standard"'
    )
    kube.put<KubeObject>({
      ...kube.find<KubeObject>('PersistentVolumeClaim', 'data-kv-0', NS)!,
      status: { phase: 'Bound' }
    })
    kube.put(statefulSet({ current: 1, ready: 1 }))
    const [r] = await done
    expect(r).toMatchObject({ kind: 'StatefulSet', state: 'current' })
  })

  it('fails at once when the claim’s StorageClass does not exist, naming claim and class', async () => {
    const kube = storageCluster('fast-ssd')
    const err = await rejection(waitForWorkloads(kube, [typed(statefulSet())], opts()))
    expect(err.message).toBe(
      'statefulset.apps "kv" failed: persistentvolumeclaim "data-kv-0" cannot be bound: storageclass "fast-ssd" not found (its storage class does not exist)'
    )
    expect(err.reason).toBe('FailedScheduling')
  })

  it('at the timeout, says which claims are still Pending and the last event of each', async () => {
    const kube = storageCluster('standard')
    kube.put<KubeObject>({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'data-kv-0.1', namespace: NS },
      involvedObject: { kind: 'PersistentVolumeClaim', name: 'data-kv-0' },
      reason: 'ExternalProvisioning',
      message:
        'waiting for a volume to be created, either by external provisioner "k8s.io/minikube-hostpath"'
    })
    const err = await rejection(
      waitForWorkloads(kube, [typed(statefulSet())], opts({ timeoutMs: 300 }))
    )
    expect(err.message).toContain(
      'persistentvolumeclaim "data-kv-0" is still Pending (last event: ExternalProvisioning: waiting for a volume to be created, either by external provisioner "k8s.io/minikube-hostpath")'
    )
  })
})

describe('waitForWorkloads: the crash policy', () => {
  // api (a Deployment) crashes until its database (a StatefulSet) is ready.
  function app(): FakeKube {
    const kube = cluster()
    kube.put(statefulSet({ ready: 0, current: 1 }))
    return kube
  }
  const both = [web, typed(statefulSet())]

  it('tolerates crashes while another workload is still starting, then passes', async () => {
    const kube = app()
    kube.put(pod('web-abc-1', 'abc', [crashLooping(1)]))
    const lines: string[] = []
    const done = waitForWorkloads(kube, both, opts({ log: line => lines.push(line) }))
    await settle(30)
    kube.put(statefulSet({ ready: 1, current: 1 })) // the database is ready
    await settle(30)
    kube.put(pod('web-abc-1', 'abc', [running(2, true)])) // the next start succeeds
    kube.put(deployment({ updated: 1, total: 1, available: 1, revision: '1' }))
    await expect(done).resolves.toHaveLength(2)
    // The log says why the crash did not fail the run, once.
    const tolerated = lines.filter(l => l.includes('tolerated while other workloads start'))
    expect(tolerated).toHaveLength(1)
    expect(tolerated[0]).toMatch(/^deployment\.apps "web": .*CrashLoopBackOff.*max-restarts 3\)$/)
  })

  it('reports when each object was ready and when each tolerated crash was seen', async () => {
    const kube = app()
    kube.put(pod('web-abc-1', 'abc', [crashLooping(1)]))
    const before = Date.now()
    const done = waitForWorkloads(kube, both, opts())
    await settle(30)
    const crashSeenBy = Date.now()
    kube.put(statefulSet({ ready: 1, current: 1 }))
    await settle(30)
    kube.put(pod('web-abc-1', 'abc', [running(2, true)]))
    kube.put(deployment({ updated: 1, total: 1, available: 1, revision: '1' }))
    const [api, db] = await done
    const after = Date.now()
    for (const r of [api, db]) {
      expect(r.startedAt).toBeGreaterThanOrEqual(before)
      expect(r.endedAt).toBeGreaterThanOrEqual(r.startedAt)
      expect(r.endedAt).toBeLessThanOrEqual(after)
      expect(r.durationMs).toBe(r.endedAt - r.startedAt)
    }
    expect(db.endedAt).toBeLessThanOrEqual(api.endedAt) // the database was ready first
    expect(api.tolerated).toHaveLength(1)
    expect(api.tolerated![0].message).toContain('CrashLoopBackOff')
    expect(api.tolerated![0].at).toBeGreaterThanOrEqual(before)
    expect(api.tolerated![0].at).toBeLessThanOrEqual(crashSeenBy)
    expect(db.tolerated).toBeUndefined()
  })

  it('a failed wait still says where each object was: the failed one, the ready one', async () => {
    const kube = app()
    const done = waitForWorkloads(kube, both, opts({ maxRestarts: 2 }))
    await settle()
    kube.put(pod('web-abc-1', 'abc', [crashLooping(1)]))
    await settle(30)
    kube.put(pod('web-abc-1', 'abc', [crashLooping(2)]))
    const err = await rejection(done)
    const [api, db] = err.results!
    expect(api).toMatchObject({
      kind: 'Deployment',
      name: 'web',
      state: 'failed',
      message: err.message
    })
    expect(api.tolerated).toHaveLength(1) // the first crash, tolerated while the database started
    expect(db).toMatchObject({ kind: 'StatefulSet', state: 'pending' })
    expect(db.endedAt).toBeGreaterThanOrEqual(db.startedAt)
  })

  it('a timeout names no object failed: each unfinished one is pending', async () => {
    const kube = app()
    const err = await rejection(waitForWorkloads(kube, both, opts({ timeoutMs: 100 })))
    expect(err.reason).toBe('RolloutTimeout')
    expect(err.results!.map(r => r.state)).toEqual(['pending', 'pending'])
  })

  it('fails when it crashes again after every other workload is ready', async () => {
    const kube = app()
    kube.put(pod('web-abc-1', 'abc', [crashLooping(1)]))
    const done = waitForWorkloads(kube, both, opts())
    await settle(30)
    kube.put(statefulSet({ ready: 1, current: 1 }))
    await settle(30)
    kube.put(pod('web-abc-1', 'abc', [running(2)]))
    await settle(30)
    kube.put(pod('web-abc-1', 'abc', [crashLooping(2)]))
    const err = await rejection(done)
    expect(err.message).toContain('(it crashed after every other workload of the run was ready)')
  })

  it('fails after max-restarts while the others are still starting', async () => {
    const kube = app()
    const done = waitForWorkloads(kube, both, opts({ maxRestarts: 2 }))
    await settle()
    kube.put(pod('web-abc-1', 'abc', [crashLooping(1)]))
    await settle(30)
    kube.put(pod('web-abc-1', 'abc', [crashLooping(2)]))
    const err = await rejection(done)
    expect(err.message).toContain('(it restarted 2 times (max-restarts 2))')
  })
})
