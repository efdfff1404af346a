// The Kubernetes operations this layer needs, and nothing more. The real implementation (client.ts)
// wraps @kubernetes/client-node; unit tests pass a fake. Objects cross this boundary as plain JSON
// exactly as the API server sends them, so watch events and reads have one shape.

import type { KubeObject } from './types.js'

export interface ResourceType {
  apiVersion: string
  kind: string
  /** The URL segment, e.g. `deployments`. */
  plural: string
  namespaced: boolean
}

function resource(apiVersion: string, kind: string, plural: string, namespaced = true) {
  return { apiVersion, kind, plural, namespaced } as const satisfies ResourceType
}

export const Resources = {
  Namespace: resource('v1', 'Namespace', 'namespaces', false),
  Node: resource('v1', 'Node', 'nodes', false),
  Pod: resource('v1', 'Pod', 'pods'),
  Service: resource('v1', 'Service', 'services'),
  Event: resource('v1', 'Event', 'events'),
  ConfigMap: resource('v1', 'ConfigMap', 'configmaps'),
  Secret: resource('v1', 'Secret', 'secrets'),
  ServiceAccount: resource('v1', 'ServiceAccount', 'serviceaccounts'),
  PersistentVolumeClaim: resource('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  Deployment: resource('apps/v1', 'Deployment', 'deployments'),
  ReplicaSet: resource('apps/v1', 'ReplicaSet', 'replicasets'),
  Role: resource('rbac.authorization.k8s.io/v1', 'Role', 'roles'),
  RoleBinding: resource('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings')
} as const

export interface ListOptions {
  namespace?: string
  labelSelector?: string
  fieldSelector?: string
}

export interface WatchOptions extends ListOptions {
  /** Start after this list's resourceVersion, so nothing between list and watch is missed. */
  resourceVersion?: string
  /** Ask the server to end the watch cleanly after this long. */
  timeoutSeconds?: number
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

export interface KubeList<T> {
  items: T[]
  resourceVersion: string
}

export interface WatchHandle {
  stop(): void
}

export interface DeleteOptions {
  gracePeriodSeconds?: number
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'
}

export interface LogOptions {
  tailLines?: number
  previous?: boolean
  limitBytes?: number
}

export interface KubePort {
  /** Undefined when the object does not exist (404). */
  get<T extends KubeObject>(
    type: ResourceType,
    name: string,
    namespace?: string
  ): Promise<T | undefined>
  list<T extends KubeObject>(type: ResourceType, options?: ListOptions): Promise<KubeList<T>>
  /**
   * Streams changes until stop() or until the connection ends; onClose is called once, with the
   * error when it ended abnormally. Resolves once the request is under way.
   */
  watch(
    type: ResourceType,
    options: WatchOptions,
    onEvent: (type: WatchEventType, object: KubeObject) => void,
    onClose: (err?: unknown) => void
  ): Promise<WatchHandle>
  create<T extends KubeObject>(object: T): Promise<T>
  /** Server-side apply with force: this field manager takes every field it sets. */
  apply<T extends KubeObject>(object: T, fieldManager: string): Promise<T>
  /** False when the object was already gone. */
  delete(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    options?: DeleteOptions
  ): Promise<boolean>
  /** Pods, ReplicaSets and Deployments only. */
  deleteCollection(
    type: ResourceType,
    namespace: string,
    options?: DeleteOptions & { labelSelector?: string }
  ): Promise<void>
  podLogs(namespace: string, pod: string, container: string, options?: LogOptions): Promise<string>
}

/** An API server refusal, with the status the server gave (e.g. 404, reason NotFound). */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason?: string
  ) {
    super(message)
    this.name = 'KubeApiError'
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 404
}

export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 409
}

export function resourceTypeOf(object: KubeObject): ResourceType | undefined {
  return Object.values(Resources).find(
    r => r.kind === object.kind && r.apiVersion === object.apiVersion
  )
}
