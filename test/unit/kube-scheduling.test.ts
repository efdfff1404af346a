// The scheduling and storage rules (status/scheduling.ts, status/storage.ts), table-style over
// snapshots. Scheduler messages, claims, classes and events are shaped as the local 1.20 cluster
// writes them (the recorded ones are in kube-recorded.test.ts, from test/fixtures/kube/recorded/
// storage-*.json); "1.24+" messages are written from the scheduler's source, which appends
// ". preemption: ..." to the same reasons.

import { describe, expect, it } from '@jest/globals'
import { schedulingReasons, schedulingVerdict } from '../../src/kube/status/scheduling.js'
import { pendingClaimLines, type StorageSnapshot } from '../../src/kube/status/storage.js'
import type { KubeEvent, PersistentVolumeClaim, Pod, StorageClass } from '../../src/kube/types.js'

const T0 = Date.parse('2026-12-06T19:00:00Z')
const UNBOUND = '0/1 nodes are available: 1 pod has unbound immediate PersistentVolumeClaims.'

function pod(message: string, claims: string[] = []): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'db-0', uid: 'pod-1' },
    spec: {
      containers: [{ name: 'db', image: 'db:1' }],
      volumes: claims.map(c => ({ name: c, persistentVolumeClaim: { claimName: c } }))
    },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }]
    }
  }
}

function claim(
  name: string,
  storageClassName: string | undefined,
  phase = 'Pending',
  ageMs = 1000
): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name,
      uid: `uid-${name}`,
      creationTimestamp: new Date(T0 - ageMs).toISOString()
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(storageClassName !== undefined ? { storageClassName } : {})
    },
    status: { phase }
  }
}

const standard: StorageClass = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: {
    name: 'standard',
    annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' }
  },
  provisioner: 'k8s.io/minikube-hostpath',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'Immediate'
}

function event(claimName: string, reason: string, message: string, component: string): KubeEvent {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${claimName}.1` },
    involvedObject: { kind: 'PersistentVolumeClaim', name: claimName, uid: `uid-${claimName}` },
    reason,
    message,
    type: reason === 'ProvisioningFailed' ? 'Warning' : 'Normal',
    lastTimestamp: new Date(T0 - 500).toISOString(),
    source: { component }
  }
}

function snapshot(
  claims: PersistentVolumeClaim[],
  classes: StorageClass[] | undefined,
  events: KubeEvent[] = [],
  podsLeaving = false
) {
  return {
    claims: new Map(claims.map(c => [c.metadata.name!, c])),
    classes,
    claimEvents: events,
    now: T0,
    podsLeaving
  }
}

const EXTERNAL = event(
  'data-db-0',
  'ExternalProvisioning',
  'waiting for a volume to be created, either by external provisioner "k8s.io/minikube-hostpath" or manually created by system administrator',
  'persistentvolume-controller'
)

describe('schedulingReasons', () => {
  it.each([
    [UNBOUND, ['1 pod has unbound immediate PersistentVolumeClaims']],
    [
      "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had taint {node.kubernetes.io/not-ready: }, that the pod didn't tolerate.",
      [
        '1 Insufficient cpu',
        "1 node(s) had taint {node.kubernetes.io/not-ready: }, that the pod didn't tolerate"
      ]
    ],
    [
      // 1.24+
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
      ["1 node(s) didn't match Pod's node affinity/selector"]
    ]
  ])('%s', (message, reasons) => {
    expect(schedulingReasons(message)).toEqual(reasons)
  })
})

describe('schedulingVerdict: storage', () => {
  it.each<[string, Pod, ReturnType<typeof snapshot>, object]>([
    [
      'a claim of standard still being provisioned waits for storage',
      pod(UNBOUND, ['data-db-0']),
      snapshot([claim('data-db-0', 'standard')], [standard], [EXTERNAL]),
      {
        state: 'waiting',
        rule: 'waiting for storage',
        message: expect.stringContaining(
          'pod "db-0": waiting for storage: persistentvolumeclaim "data-db-0" is Pending, waiting for the provisioner "k8s.io/minikube-hostpath" of storageclass "standard" (last event: ExternalProvisioning'
        )
      }
    ],
    [
      'classes not listed yet: waits',
      pod(UNBOUND, ['uploads']),
      snapshot([claim('uploads', 'fast-ssd')], undefined),
      { state: 'waiting' }
    ],
    [
      'a claim not seen yet: waits',
      pod(UNBOUND, ['uploads']),
      snapshot([], [standard]),
      {
        state: 'waiting',
        message: 'pod "db-0": waiting for storage: persistentvolumeclaim "uploads" is not seen yet'
      }
    ],
    [
      'its StorageClass does not exist',
      pod(UNBOUND, ['uploads']),
      snapshot([claim('uploads', 'fast-ssd')], [standard]),
      {
        state: 'failed',
        message:
          'persistentvolumeclaim "uploads" cannot be bound: storageclass "fast-ssd" not found',
        rule: 'its storage class does not exist'
      }
    ],
    [
      'no class and the cluster has no default one (the PV controller says so)',
      pod(UNBOUND, ['uploads']),
      snapshot(
        [claim('uploads', undefined)],
        [],
        [
          event(
            'uploads',
            'FailedBinding',
            'no persistent volumes available for this claim and no storage class is set',
            'persistentvolume-controller'
          )
        ]
      ),
      {
        state: 'failed',
        message:
          'persistentvolumeclaim "uploads" cannot be bound: it names no storageclass, the cluster has no default one, and no persistentvolume matches it',
        rule: 'nothing provisions a volume for a claim without a storage class'
      }
    ],
    [
      'storageClassName "" with no event yet: waits for a matching volume',
      pod(UNBOUND, ['uploads']),
      snapshot([claim('uploads', '')], [standard]),
      { state: 'waiting' }
    ],
    [
      'provisioning failed',
      pod(UNBOUND, ['data-db-0']),
      snapshot(
        [claim('data-db-0', 'standard')],
        [standard],
        [
          EXTERNAL,
          event(
            'data-db-0',
            'ProvisioningFailed',
            'failed to provision volume: disk quota exceeded',
            'k8s.io/minikube-hostpath_minikube'
          )
        ]
      ),
      {
        state: 'failed',
        message:
          'persistentvolumeclaim "data-db-0" cannot be bound: provisioning failed: failed to provision volume: disk quota exceeded',
        rule: 'the ProvisioningFailed event of k8s.io/minikube-hostpath_minikube'
      }
    ],
    [
      'the provisioner never acted within its patience',
      pod(UNBOUND, ['data-db-0']),
      snapshot([claim('data-db-0', 'standard', 'Pending', 61_000)], [standard], [EXTERNAL]),
      {
        state: 'failed',
        message: expect.stringMatching(
          /^persistentvolumeclaim "data-db-0" cannot be bound: the provisioner "k8s.io\/minikube-hostpath" of storageclass "standard" has not provisioned a volume for it in 61 s \(last event: ExternalProvisioning: waiting for a volume/
        ),
        rule: 'the provisioner did not act within 60 s'
      }
    ],
    [
      'every claim bound already (a stale status): waits for the scheduler',
      pod(UNBOUND, ['data-db-0']),
      snapshot([claim('data-db-0', 'standard', 'Bound')], [standard]),
      {
        state: 'waiting',
        message: 'pod "db-0": waiting for storage: its claims are bound, the scheduler retries'
      }
    ],
    [
      'one claim binds, another cannot: fails on that one',
      pod(UNBOUND, ['data-db-0', 'uploads']),
      snapshot([claim('data-db-0', 'standard'), claim('uploads', 'fast-ssd')], [standard]),
      { state: 'failed', message: expect.stringContaining('storageclass "fast-ssd" not found') }
    ]
  ])('%s', (_name, p, s, expected) => {
    expect(schedulingVerdict(p, s)).toEqual(expect.objectContaining(expected))
  })
})

describe('schedulingVerdict: the other reasons', () => {
  const taint = (key: string) =>
    `0/1 nodes are available: 1 node(s) had taint {${key}: }, that the pod didn't tolerate.`
  it.each<[string, string, boolean, 'waiting' | 'failed', string]>([
    [
      'a node still starting (not-ready)',
      taint('node.kubernetes.io/not-ready'),
      false,
      'waiting',
      'the node is still starting (its taint clears once it is ready)'
    ],
    [
      'a cloud node not initialized yet',
      taint('node.cloudprovider.kubernetes.io/uninitialized'),
      false,
      'waiting',
      'the node is still starting (its taint clears once it is ready)'
    ],
    [
      'an unreachable node',
      taint('node.kubernetes.io/unreachable'),
      false,
      'waiting',
      'the node is still starting (its taint clears once it is ready)'
    ],
    [
      'a taint of the user',
      taint('dedicated=gpu'),
      false,
      'failed',
      'no node matches it, and nodes do not change by themselves'
    ],
    [
      'CPU held by old pods of a rolling update',
      '0/1 nodes are available: 1 Insufficient cpu.',
      true,
      'waiting',
      'pods of the run that are going away still hold what it needs'
    ],
    [
      'CPU and nothing going away',
      '0/1 nodes are available: 1 Insufficient cpu.',
      false,
      'failed',
      'no pod of the run is going away to free what it needs'
    ],
    [
      'a host port held by an old pod',
      "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.",
      true,
      'waiting',
      'pods of the run that are going away still hold what it needs'
    ],
    [
      'a node selector no node matches',
      "0/1 nodes are available: 1 node(s) didn't match node selector.",
      false,
      'failed',
      'no node matches it, and nodes do not change by themselves'
    ],
    [
      '1.24+: node affinity',
      "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
      false,
      'failed',
      'no node matches it, and nodes do not change by themselves'
    ],
    [
      'a claim that does not exist',
      '0/1 nodes are available: persistentvolumeclaim "gone" not found.',
      false,
      'failed',
      'a claim it mounts does not exist'
    ],
    [
      'two nodes: one starting, one full',
      "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had taint {node.kubernetes.io/not-ready: }, that the pod didn't tolerate.",
      false,
      'waiting',
      'the node is still starting (its taint clears once it is ready)'
    ],
    [
      'an unknown reason',
      '0/1 nodes are available: 1 node(s) exceed max volume count.',
      false,
      'failed',
      'the scheduler gave no reason known to clear by itself'
    ]
  ])('%s → %s', (_name, message, leaving, state, rule) => {
    const v = schedulingVerdict(pod(message), snapshot([], [standard], [], leaving))
    expect(v).toMatchObject({ state, rule })
    if (state === 'failed') expect(v?.message).toBe(`pod "db-0" cannot be scheduled: ${message}`)
  })

  it('says nothing about a scheduled pod', () => {
    const p = pod(UNBOUND)
    p.status!.conditions = [{ type: 'PodScheduled', status: 'True' }]
    expect(schedulingVerdict(p, snapshot([], [standard]))).toBeUndefined()
  })
})

describe('pendingClaimLines (for the timeout message)', () => {
  it('lists each claim still Pending with its last event, once', () => {
    const s: StorageSnapshot = snapshot(
      [claim('data-db-0', 'standard'), claim('uploads', 'standard', 'Bound')],
      [standard],
      [EXTERNAL]
    )
    expect(
      pendingClaimLines([pod(UNBOUND, ['data-db-0', 'uploads']), pod(UNBOUND, ['data-db-0'])], s)
    ).toEqual([
      'persistentvolumeclaim "data-db-0" is still Pending (last event: ExternalProvisioning: waiting for a volume to be created, either by external provisioner "k8s.io/minikube-hostpath" or manually created by system administrator)'
    ])
  })
})
