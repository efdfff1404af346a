// Builders for the objects the status engine reads, shaped like what the API server returns:
// every object carries the run's label, and pods, ReplicaSets and their owners are linked by uid
// through ownerReferences, as the controllers link them.

import type {
  ContainerStatus,
  DaemonSet,
  Deployment,
  Job,
  KubeEvent,
  Pod,
  ReplicaSet,
  StatefulSet
} from '../../src/kube/types.js'

export const NS = 'smoke-1-1'
export const RUN = { 'minikube-smoke/run': '1-1-k3y0a' }
export const SELECTOR = 'minikube-smoke/run=1-1-k3y0a'

export interface DeploymentState {
  name?: string
  replicas?: number
  generation?: number
  observedGeneration?: number
  updated?: number
  total?: number
  available?: number
  revision?: string
  conditions?: NonNullable<Deployment['status']>['conditions']
}

export function deployment(s: DeploymentState = {}): Deployment {
  const name = s.name ?? 'web'
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      labels: { ...RUN },
      generation: s.generation ?? 1,
      annotations: s.revision ? { 'deployment.kubernetes.io/revision': s.revision } : {}
    },
    spec: {
      replicas: s.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...RUN } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'web:1',
              readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 }
            }
          ]
        }
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } }
    },
    status: {
      observedGeneration: s.observedGeneration ?? s.generation ?? 1,
      replicas: s.total ?? s.updated ?? 0,
      updatedReplicas: s.updated ?? 0,
      availableReplicas: s.available ?? 0,
      conditions: s.conditions ?? []
    }
  }
}

export function replicaSet(deploymentName: string, hash: string, revision: string): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${deploymentName}-${hash}`,
      namespace: NS,
      uid: `uid-rs-${hash}`,
      labels: { app: deploymentName, 'pod-template-hash': hash, ...RUN },
      annotations: { 'deployment.kubernetes.io/revision': revision },
      ownerReferences: [
        { kind: 'Deployment', name: deploymentName, uid: `uid-${deploymentName}`, controller: true }
      ]
    },
    spec: { replicas: 1 },
    status: { replicas: 1 }
  }
}

export interface StatefulSetState {
  name?: string
  replicas?: number
  generation?: number
  observedGeneration?: number
  ready?: number
  current?: number
  updated?: number
  currentRevision?: string
  updateRevision?: string
  strategy?: StatefulSet['spec']['updateStrategy']
}

export function statefulSet(s: StatefulSetState = {}): StatefulSet {
  const name = s.name ?? 'kv'
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      labels: { ...RUN },
      generation: s.generation ?? 1
    },
    spec: {
      replicas: s.replicas ?? 1,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...RUN } },
        spec: { containers: [{ name: name, image: 'kv:1' }] }
      },
      // The API server defaults a RollingUpdate strategy's partition to 0.
      updateStrategy: s.strategy ?? { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }
    },
    status: {
      observedGeneration: s.observedGeneration ?? s.generation ?? 1,
      replicas: s.current ?? 0,
      readyReplicas: s.ready ?? 0,
      currentReplicas: s.current ?? 0,
      updatedReplicas: s.updated ?? s.current ?? 0,
      currentRevision: s.currentRevision ?? `${name}-rev1`,
      updateRevision: s.updateRevision ?? `${name}-rev1`
    }
  }
}

export function daemonSet(
  s: {
    name?: string
    desired?: number
    updated?: number
    available?: number
    observedGeneration?: number
    onDelete?: boolean
  } = {}
): DaemonSet {
  const name = s.name ?? 'agent'
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: NS, uid: `uid-${name}`, labels: { ...RUN }, generation: 1 },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...RUN } },
        spec: { containers: [{ name: 'agent', image: 'agent:1' }] }
      },
      updateStrategy: { type: s.onDelete ? 'OnDelete' : 'RollingUpdate' }
    },
    status: {
      ...(s.observedGeneration === undefined
        ? { observedGeneration: 1 }
        : { observedGeneration: s.observedGeneration }),
      desiredNumberScheduled: s.desired ?? 1,
      currentNumberScheduled: s.desired ?? 1,
      updatedNumberScheduled: s.updated ?? 0,
      numberAvailable: s.available ?? 0,
      numberReady: s.available ?? 0
    }
  }
}

export function job(
  s: {
    name?: string
    succeeded?: number
    active?: number
    failed?: number
    conditions?: NonNullable<Job['status']>['conditions']
  } = {}
): Job {
  const name = s.name ?? 'migrate'
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS, uid: `uid-${name}`, labels: { ...RUN }, generation: 1 },
    spec: {
      completions: 1,
      backoffLimit: 2,
      template: {
        metadata: { labels: { 'job-name': name, ...RUN } },
        spec: { containers: [{ name: 'migrate', image: 'web:1' }] }
      }
    },
    status: {
      active: s.active ?? 0,
      succeeded: s.succeeded ?? 0,
      failed: s.failed ?? 0,
      conditions: s.conditions ?? []
    }
  }
}

/** A pod owned by `owner` (`ReplicaSet/web-abc`, `StatefulSet/kv`, …; default web's ReplicaSet abc). */
export function pod(
  name: string,
  hash: string,
  containers: Array<Partial<ContainerStatus>> = [],
  extra: Partial<NonNullable<Pod['status']>> = {},
  owner = `ReplicaSet/uid-rs-${hash}`,
  container = 'app'
): Pod {
  const [ownerKind, ownerUid] = owner.split('/')
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-pod-${name}`,
      resourceVersion: '1',
      labels: { app: 'web', 'pod-template-hash': hash, ...RUN },
      ownerReferences: [{ kind: ownerKind, name: ownerUid, uid: ownerUid, controller: true }]
    },
    spec: {
      nodeName: 'node-1',
      containers: [
        {
          name: container,
          image: 'web:1',
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 }
        }
      ]
    },
    status: {
      phase: 'Running',
      containerStatuses: containers.map(c => ({
        name: container,
        ready: false,
        restartCount: 0,
        ...c
      })),
      ...extra
    }
  }
}

export function crashLooping(restartCount = 2): Partial<ContainerStatus> {
  return {
    restartCount,
    state: {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: 'back-off 10s restarting failed container=app pod=web-abc-1'
      }
    },
    lastState: {
      terminated: { exitCode: 3, reason: 'Error', message: 'config file missing\n' }
    }
  }
}

export function running(restartCount = 0, ready = false): Partial<ContainerStatus> {
  return { restartCount, ready, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }
}

export function waitingFor(reason: string, message: string): Partial<ContainerStatus> {
  return { state: { waiting: { reason, message } } }
}

export function event(
  object: string,
  reason: string,
  message: string,
  at: string,
  extra: Partial<KubeEvent> = {}
): KubeEvent {
  const [kind, name] = object.split('/')
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${name}.${Math.random().toString(16).slice(2)}`, namespace: NS },
    involvedObject: { kind, name, namespace: NS, uid: `uid-pod-${name}` },
    reason,
    message,
    type:
      reason === 'Unhealthy' || reason.startsWith('Failed') || reason === 'BackOff'
        ? 'Warning'
        : 'Normal',
    count: 1,
    firstTimestamp: at,
    lastTimestamp: at,
    ...extra
  }
}
