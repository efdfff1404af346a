// Builders for the objects the rollout rule reads, shaped like what the API server returns.

import type {
  ContainerStatus,
  Deployment,
  KubeEvent,
  Pod,
  ReplicaSet
} from '../../src/kube/types.js'

export const NS = 'smoke-1-1'

export interface DeploymentState {
  name?: string
  replicas?: number
  generation?: number
  observedGeneration?: number
  updated?: number
  total?: number
  available?: number
  revision?: string
  conditions?: Deployment['status'] extends infer S
    ? S extends { conditions?: infer C }
      ? C
      : never
    : never
}

export function deployment(s: DeploymentState = {}): Deployment {
  const name = s.name ?? 'web'
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: NS,
      generation: s.generation ?? 1,
      annotations: s.revision ? { 'deployment.kubernetes.io/revision': s.revision } : {}
    },
    spec: {
      replicas: s.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
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
      labels: { app: deploymentName, 'pod-template-hash': hash },
      annotations: { 'deployment.kubernetes.io/revision': revision },
      ownerReferences: [{ kind: 'Deployment', name: deploymentName, controller: true }]
    },
    spec: { replicas: 1 },
    status: { replicas: 1 }
  }
}

export function pod(
  name: string,
  hash: string,
  containers: Array<Partial<ContainerStatus>> = [],
  extra: Partial<NonNullable<Pod['status']>> = {},
  app = 'web'
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app, 'pod-template-hash': hash } },
    spec: {
      nodeName: 'node-1',
      containers: [
        {
          name: 'app',
          image: 'web:1',
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 }
        }
      ]
    },
    status: {
      phase: 'Running',
      containerStatuses: containers.map(c => ({
        name: 'app',
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
    involvedObject: { kind, name, namespace: NS },
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
