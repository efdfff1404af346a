// The rollout engine's pure decision (status/rollout.ts `evaluate`), table-style like kstatus's
// status_compute_test.go: each row a snapshot built from objects recorded from the real 1.20
// cluster (test/fixtures/kube/recorded) and reference objects (kube-objects.ts), and the decision
// expected of it. The driver around it (wait.ts) is tested in kube-wait.test.ts.

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import { kindOf } from '../../src/kube/kinds.js'
import {
  currentPods,
  evaluate,
  NO_MEMORY,
  timeoutMessage,
  type RolloutMemory,
  type RolloutSnapshot,
  type WaitedObject
} from '../../src/kube/status/rollout.js'
import type { StorageSnapshot } from '../../src/kube/status/storage.js'
import type {
  KubeEvent,
  KubeObject,
  PersistentVolumeClaim,
  Pod,
  ReplicaSet,
  StorageClass
} from '../../src/kube/types.js'
import {
  crashLooping,
  deployment,
  job,
  pod,
  replicaSet,
  running,
  statefulSet
} from './kube-objects.js'

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/kube/recorded')
function recorded<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as T
}
const items = <T>(name: string) => recorded<{ items: T[] }>(name).items

/** The object as the wait holds it: seen (live) unless `unseen`. */
function waited(o: KubeObject, unseen = false): WaitedObject {
  const entry = kindOf(o)
  return {
    key: `${o.kind}/${o.metadata.name}`,
    kind: o.kind,
    name: o.metadata.name!,
    namespace: o.metadata.namespace,
    type: entry.type,
    entry,
    ...(unseen ? {} : { live: o })
  }
}

/** A recorded pod moved under another owner (its recorded owner was not recorded). */
function ownedBy(p: Pod, ownerUid: string, ownerKind: string): Pod {
  const copy = structuredClone(p)
  copy.metadata.ownerReferences = [
    { kind: ownerKind, name: 'owner', uid: ownerUid, controller: true }
  ]
  return copy
}

// The recorded crash: Deployment "crashing", its ReplicaSet and its crash-looping pod (restarted once).
const crashing = recorded<KubeObject>('deployment-crashing')
const crashingSets = items<ReplicaSet>('replicasets-crashing').map(rs => ({
  ...rs,
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet'
}))
const crashPod = recorded<Pod>('pod-crashloop')
const crashPodName = crashPod.metadata.name!

// A recorded StatefulSet pod crash-looping at revision kv-crash-546cc85c65.
const kvPod = recorded<Pod>('pod-statefulset-crashloop')
const kvCrash = (updateRevision: string) => {
  const s = statefulSet({ name: 'kv-crash', updateRevision, currentRevision: updateRevision })
  s.metadata.uid = kvPod.metadata.ownerReferences![0].uid
  return s
}

// Storage: recorded claims and class; a pod of StatefulSet "missing" whose class does not exist.
const claims = new Map(
  ['storage-claim-bound', 'storage-claim-missing-class', 'storage-claim-no-class'].map(f => {
    const c = recorded<PersistentVolumeClaim>(f)
    return [c.metadata.name!, c]
  })
)
const storageAt = (now: number) => (): StorageSnapshot => ({
  claims,
  classes: [recorded<StorageClass>('storage-class-standard')],
  claimEvents: items<KubeEvent>('storage-claim-events'),
  now
})
const missingPod = recorded<Pod>('storage-pod-missing-class')
const missing = statefulSet({ name: 'missing', updateRevision: 'missing-7c846dc4cf' })
missing.metadata.uid = missingPod.metadata.ownerReferences![0].uid
const missingClaimMade = Date.parse(claims.get('data-missing-0')!.metadata.creationTimestamp!)

// Reference objects: deployment "web" (revision 1, ReplicaSet web-abc) with one pod.
const webRs = replicaSet('web', 'abc', '1')
const web = deployment({ replicas: 1, updated: 1, total: 1, available: 0, revision: '1' })
const migrate = job({ name: 'migrate' })

interface Row {
  name: string
  workloads: WaitedObject[]
  pods?: Pod[]
  replicaSets?: ReplicaSet[]
  storage?: RolloutSnapshot['storage']
  maxRestarts?: number
  memory?: RolloutMemory
  now?: number
  expect: {
    outcome: 'waiting' | 'ready' | 'failed'
    reason?: string
    message?: string | RegExp
    /** The failure reads this container's log. */
    logOf?: { pod: string; container: string }
    log?: string[]
    recheck?: boolean
  }
}

const ROWS: Row[] = [
  {
    name: 'recorded Deployment, rolled out: ready, says so once',
    workloads: [waited(recorded('deployment-done'))],
    expect: { outcome: 'ready', log: ['deployment "progressing" successfully rolled out'] }
  },
  {
    name: 'recorded Deployment, progressing: waiting, with kubectl’s progress line',
    workloads: [waited(recorded('deployment-progressing'))],
    expect: {
      outcome: 'waiting',
      log: [
        'Waiting for deployment "progressing" rollout to finish: 0 of 1 updated replicas are available...'
      ]
    }
  },
  {
    name: 'the same line already logged: not logged again',
    workloads: [waited(recorded('deployment-progressing'))],
    memory: {
      ...NO_MEMORY,
      said: new Map([
        [
          'Deployment/progressing',
          'Waiting for deployment "progressing" rollout to finish: 0 of 1 updated replicas are available...'
        ]
      ])
    },
    expect: { outcome: 'waiting', log: [] }
  },
  {
    name: 'not observed yet: waiting to be observed',
    workloads: [waited(web, true)],
    expect: { outcome: 'waiting', log: ['Waiting for deployment.apps "web" to be observed...'] }
  },
  {
    name: 'recorded ProgressDeadlineExceeded: failed by the Deployment’s own status, not logged',
    workloads: [waited(recorded('deployment-progressdeadline'))],
    expect: {
      outcome: 'failed',
      reason: 'ProgressDeadlineExceeded',
      message: /^deployment "deadline" exceeded its progress deadline: ReplicaSet/,
      log: []
    }
  },
  {
    name: 'recorded Job, failed: BackoffLimitExceeded',
    workloads: [waited(recorded('job-failed'))],
    expect: { outcome: 'failed', reason: 'BackoffLimitExceeded', message: /^job "migrate" failed/ }
  },
  {
    name: 'recorded CRD, established: ready',
    workloads: [waited(recorded('crd-established'))],
    expect: { outcome: 'ready' }
  },
  {
    name: 'recorded crash, nothing else starting: failed at once, reading the crashed log',
    workloads: [waited(crashing)],
    pods: [crashPod],
    replicaSets: crashingSets,
    expect: {
      outcome: 'failed',
      reason: 'CrashLoopBackOff',
      message: new RegExp(
        `^deployment.apps "crashing" failed: container "app" is in CrashLoopBackOff \\(restarted 1 time\\).*\\(no other workload of the run is starting, so it is not waiting for one\\)$`
      ),
      logOf: { pod: crashPodName, container: 'app' }
    }
  },
  {
    name: 'recorded crash while another workload starts: tolerated, logged, retried',
    workloads: [waited(crashing), waited(web, true)],
    pods: [crashPod],
    replicaSets: crashingSets,
    expect: {
      outcome: 'waiting',
      log: [
        expect.stringMatching(/^Waiting for deployment "crashing"/) as unknown as string,
        expect.stringMatching(
          /^deployment.apps "crashing": container "app" is in CrashLoopBackOff \(restarted 1 time\).*\(tolerated while other workloads start, max-restarts 3\)$/
        ) as unknown as string,
        'Waiting for deployment.apps "web" to be observed...'
      ]
    }
  },
  {
    name: 'the same crash past max-restarts: failed by that rule',
    workloads: [waited(crashing), waited(web, true)],
    pods: [crashPod],
    replicaSets: crashingSets,
    maxRestarts: 1,
    expect: {
      outcome: 'failed',
      reason: 'CrashLoopBackOff',
      message: /\(it restarted 1 time \(max-restarts 1\)\)$/,
      logOf: { pod: crashPodName, container: 'app' }
    }
  },
  {
    name: 'recorded StatefulSet pod crashing at the update revision: failed',
    workloads: [waited(kvCrash('kv-crash-546cc85c65'))],
    pods: [kvPod],
    expect: {
      outcome: 'failed',
      reason: 'CrashLoopBackOff',
      logOf: { pod: 'kv-crash-0', container: 'kv' }
    }
  },
  {
    name: 'the same pod of an older StatefulSet revision: not a current pod, waiting',
    workloads: [waited(kvCrash('kv-crash-newer'))],
    pods: [kvPod],
    expect: { outcome: 'waiting' }
  },
  {
    name: 'recorded ErrImageNeverPull pod of a reference Deployment: failed, no log to read',
    workloads: [waited(web)],
    pods: [ownedBy(recorded('pod-errimageneverpull'), webRs.metadata.uid!, 'ReplicaSet')],
    replicaSets: [webRs],
    expect: { outcome: 'failed', reason: 'ErrImageNeverPull' }
  },
  {
    name: 'a Job’s crash-looping pod: the Job’s own policy, waiting',
    workloads: [waited(migrate)],
    pods: [pod('migrate-x', 'j', [crashLooping(5)], undefined, 'Job/uid-migrate')],
    expect: { outcome: 'waiting' }
  },
  {
    name: 'recorded pod whose claim’s class does not exist: failed at scheduling',
    workloads: [waited(missing)],
    pods: [missingPod],
    storage: storageAt(missingClaimMade + 1000),
    expect: {
      outcome: 'failed',
      reason: 'FailedScheduling',
      message:
        'statefulset.apps "missing" failed: persistentvolumeclaim "data-missing-0" cannot be bound: storageclass "fast-ssd" not found (its storage class does not exist)'
    }
  },
  {
    name: 'recorded unready pod, as a bare Pod: waiting for readiness',
    workloads: [waited(recorded('pod-unready'))],
    pods: [recorded('pod-unready')],
    expect: {
      outcome: 'waiting',
      log: ['Waiting for pod "unready-7f4c88c89f-mr2dd" to be ready (phase Running)...']
    }
  }
]

function snapshot(row: Row): RolloutSnapshot {
  return {
    now: row.now ?? 1_000,
    workloads: row.workloads,
    pods: row.pods ?? [],
    replicaSets: row.replicaSets ?? [],
    overlays: new Map(),
    storage: row.storage,
    maxRestarts: row.maxRestarts ?? 3,
    memory: row.memory ?? NO_MEMORY
  }
}

describe('evaluate(snapshot): the rollout decision', () => {
  it.each(ROWS.map(r => [r.name, r] as const))('%s', (_name, row) => {
    const decision = evaluate(snapshot(row))
    const e = row.expect
    expect(decision.outcome.state).toBe(e.outcome)
    if (e.log) expect(decision.log).toEqual(e.log)
    if (e.recheck !== undefined) expect(decision.recheck).toBe(e.recheck)
    if (decision.outcome.state !== 'failed') return
    const f = decision.outcome.failure
    if (e.reason) expect(f.reason).toBe(e.reason)
    if (typeof e.message === 'string') expect(f.message).toBe(e.message)
    else if (e.message) expect(f.message).toMatch(e.message)
    if (e.logOf) {
      expect({ pod: f.log?.pod, container: f.log?.status.name }).toEqual(e.logOf)
      expect({ pod: f.pod, container: f.container }).toEqual(e.logOf)
    } else expect(f.log).toBeUndefined()
  })

  it('remembers: when each object was ready, tolerated crashes once per restart', () => {
    const row = ROWS.find(r => r.name.startsWith('recorded crash while another'))!
    const first = evaluate({ ...snapshot(row), now: 5_000 })
    expect(first.memory.tolerated.get('Deployment/crashing')).toEqual([
      { at: 5_000, message: expect.stringContaining('CrashLoopBackOff') }
    ])
    expect([...first.memory.retrying.keys()]).toEqual([`${crashPodName}/app`])
    const again = evaluate({ ...snapshot(row), now: 6_000, memory: first.memory })
    expect(again.log).toEqual([])
    expect(again.memory.tolerated.get('Deployment/crashing')).toHaveLength(1)

    const done = evaluate({ ...snapshot(ROWS[0]), now: 7_000 })
    expect(done.memory.doneAt.get('Deployment/progressing')).toBe(7_000)
    const later = evaluate({ ...snapshot(ROWS[0]), now: 9_000, memory: done.memory })
    expect(later.memory.doneAt.get('Deployment/progressing')).toBe(7_000)
  })

  it('the input memory is left as it was (the function is pure)', () => {
    const row = ROWS.find(r => r.name.startsWith('recorded crash while another'))!
    const memory = structuredClone(NO_MEMORY)
    evaluate({ ...snapshot(row), memory })
    expect(memory).toEqual(NO_MEMORY)
  })

  it('a claim still provisioning: waiting, logged once, and a re-evaluation asked for', () => {
    const pending = structuredClone(missingPod)
    pending.spec!.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }]
    const claim = structuredClone(claims.get('data-db-0')!)
    claim.status = { phase: 'Pending' }
    delete claim.spec!.volumeName
    const made = Date.parse(claim.metadata.creationTimestamp!)
    const row: Row = {
      name: 'provisioning',
      workloads: [waited(missing)],
      pods: [pending],
      storage: () => ({ ...storageAt(made + 1000)(), claims: new Map([['data-db-0', claim]]) }),
      expect: { outcome: 'waiting' }
    }
    const d = evaluate(snapshot(row))
    expect(d.outcome.state).toBe('waiting')
    expect(d.recheck).toBe(true)
    expect(d.log.filter(l => l.startsWith('statefulset.apps "missing": '))).toHaveLength(1)
    const again = evaluate({ ...snapshot(row), memory: d.memory })
    expect(again.log).toEqual([])
  })
})

describe('currentPods: the registry says which pods count', () => {
  it('a StatefulSet’s current revision only (readiness.currentPods), a Deployment’s current ReplicaSet', () => {
    expect(currentPods(waited(kvCrash('kv-crash-546cc85c65')), [kvPod], [])).toEqual([kvPod])
    expect(currentPods(waited(kvCrash('kv-crash-newer')), [kvPod], [])).toEqual([])
    const current = pod('web-abc-1', 'abc', [running()])
    const old = pod('web-old-1', 'old', [running()])
    expect(currentPods(waited(web), [current, old], [webRs])).toEqual([current])
    expect(currentPods(waited(web), [current], [])).toEqual([]) // its ReplicaSet not seen yet
  })
})

describe('timeoutMessage', () => {
  it('names each unfinished object, why its pods are not ready, and what is retried', () => {
    const unready = recorded<Pod>('pod-unready')
    const t = timeoutMessage(
      {
        ...snapshot({
          name: 't',
          workloads: [waited(unready)],
          pods: [unready],
          expect: { outcome: 'waiting' }
        }),
        memory: {
          ...NO_MEMORY,
          retrying: new Map([['p/c', 'container "c" is in ErrImagePull: x']])
        }
      },
      90_000,
      []
    )
    expect(t.key).toBe(`Pod/${unready.metadata.name}`)
    expect(t.message).toBe(
      'timed out after 90s waiting for pod "unready-7f4c88c89f-mr2dd": ' +
        'pod "unready-7f4c88c89f-mr2dd": Waiting for pod "unready-7f4c88c89f-mr2dd" to be ready (phase Running)...; ' +
        'pod "unready-7f4c88c89f-mr2dd": container "app" is running but not ready ' +
        '(readiness probe: http-get http://:8080/healthz delay=0s timeout=1s period=1s #success=1 #failure=3); ' +
        'still retrying: container "c" is in ErrImagePull: x'
    )
  })

  it('the last API error, when nothing was ever observed', () => {
    const t = timeoutMessage(
      snapshot({ name: 't', workloads: [waited(web, true)], expect: { outcome: 'waiting' } }),
      1_500,
      [],
      new Error('connect ECONNREFUSED 127.0.0.1:8443')
    )
    expect(t.message).toBe(
      'timed out after 1.5s waiting for deployment "web": deployment.apps "web": Waiting for deployment.apps "web" to be observed...; last API error: connect ECONNREFUSED 127.0.0.1:8443'
    )
  })
})
