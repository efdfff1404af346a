// The Kubernetes operations this layer needs, and nothing more. The real implementation (client.ts)
// speaks the API as raw JSON (the server's own shapes, nothing dropped by a client model); unit
// tests pass a fake. Every call names its resource by a ResourceType, which the kind registry
// (kinds.ts) or API discovery (discovery.ts) supplies.

import type { KubeObject } from './types.js'

export interface ResourceType {
  /** '' for the core group. */
  group: string
  version: string
  kind: string
  /** The URL segment, e.g. `deployments`. */
  plural: string
  namespaced: boolean
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group ? `${type.group}/${type.version}` : type.version
}

/** `deployment.apps`, `service`: how kubectl names a resource in its messages. */
export function resourceName(type: Pick<ResourceType, 'group' | 'kind'>): string {
  return type.group ? `${type.kind.toLowerCase()}.${type.group}` : type.kind.toLowerCase()
}

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
  /** Delete only if the object still has this uid (it was not deleted and made again by someone). */
  uid?: string
}

export interface LogOptions {
  tailLines?: number
  previous?: boolean
  limitBytes?: number
}

export interface ApplyOptions {
  fieldManager: string
  /** Take fields other managers own (kubectl's --force-conflicts). */
  force?: boolean
  /** dryRun=All: the server runs admission and validation and persists nothing. */
  dryRun?: boolean
  /** fieldValidation=Strict (servers 1.25+): unknown or duplicate fields are errors. */
  strictFields?: boolean
}

export interface ApplyResult<T> {
  object: T
  /** The server answered 201 Created: this apply made the object. */
  created: boolean
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
  create<T extends KubeObject>(type: ResourceType, object: T): Promise<T>
  /** Server-side apply of the object as raw JSON. */
  apply<T extends KubeObject>(
    type: ResourceType,
    object: T,
    options: ApplyOptions
  ): Promise<ApplyResult<T>>
  /** False when the object was already gone. */
  delete(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    options?: DeleteOptions
  ): Promise<boolean>
  deleteCollection(
    type: ResourceType,
    namespace: string,
    options?: DeleteOptions & { labelSelector?: string }
  ): Promise<void>
  podLogs(namespace: string, pod: string, container: string, options?: LogOptions): Promise<string>
  /** A GET of an API path that is not a resource (`/version`, `/apis`, `/openapi/v2`), as JSON. */
  getJson<T>(path: string): Promise<T>
}

export interface ConnectOptions {
  /** A kubeconfig context; default: the current one. */
  context?: string
  /** Load this kubeconfig file instead of $KUBECONFIG / ~/.kube/config. */
  kubeconfigPath?: string
}

export interface Connection {
  kube: KubePort
  /** The context and kubeconfig file used, so the post step talks to the same cluster. */
  context: string
  kubeconfigPath?: string
  server: string
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

export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.code === 409
}
