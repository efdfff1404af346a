// The real KubePort, over @kubernetes/client-node 2.x. Everything leaving here is plain JSON: the
// library deserializes reads into model classes with Date fields while its Watch hands out raw
// JSON, and callers should not have to care which they got.

import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  Watch
} from '@kubernetes/client-node'
import {
  KubeApiError,
  type DeleteOptions,
  type KubeList,
  type KubePort,
  type ListOptions,
  type LogOptions,
  type ResourceType,
  type WatchEventType,
  type WatchHandle,
  type WatchOptions
} from './port.js'
import type { KubeObject } from './types.js'

export interface ConnectOptions {
  /** A kubeconfig context; default: the current one. */
  context?: string
  /** Load this kubeconfig file instead of $KUBECONFIG / ~/.kube/config. */
  kubeconfigPath?: string
}

/** A KubePort for the cluster in the default kubeconfig ($KUBECONFIG, ~/.kube/config, in-cluster). */
export function connectKube(options: ConnectOptions = {}): KubePort {
  const config = new KubeConfig()
  if (options.kubeconfigPath) config.loadFromFile(options.kubeconfigPath)
  else config.loadFromDefault()
  if (options.context) {
    if (!config.getContexts().some(c => c.name === options.context)) {
      const known = config.getContexts().map(c => c.name)
      throw new Error(
        `error: context "${options.context}" does not exist in the kubeconfig` +
          (known.length ? ` (contexts: ${known.join(', ')})` : '')
      )
    }
    config.setCurrentContext(options.context)
  }
  const server = config.getCurrentCluster()?.server
  if (!server) throw new Error('error: the kubeconfig has no current cluster')
  return new ClientNodeKube(config, server)
}

class ClientNodeKube implements KubePort {
  private readonly objects: KubernetesObjectApi
  private readonly core: CoreV1Api
  private readonly apps: AppsV1Api

  constructor(
    private readonly config: KubeConfig,
    private readonly server: string
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(config)
    this.core = config.makeApiClient(CoreV1Api)
    this.apps = config.makeApiClient(AppsV1Api)
  }

  async get<T extends KubeObject>(
    type: ResourceType,
    name: string,
    namespace?: string
  ): Promise<T | undefined> {
    try {
      const spec = { apiVersion: type.apiVersion, kind: type.kind, metadata: { name, namespace } }
      return plain(await this.call(() => this.objects.read(spec))) as unknown as T
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return undefined
      throw err
    }
  }

  async list<T extends KubeObject>(
    type: ResourceType,
    options: ListOptions = {}
  ): Promise<KubeList<T>> {
    const list = await this.call(() =>
      this.objects.list(
        type.apiVersion,
        type.kind,
        options.namespace,
        undefined,
        undefined,
        undefined,
        options.fieldSelector,
        options.labelSelector
      )
    )
    // List items come without apiVersion/kind; put them back so objects are self-describing.
    const items = plain(list.items).map(item => ({
      ...item,
      apiVersion: type.apiVersion,
      kind: type.kind
    })) as T[]
    return { items, resourceVersion: list.metadata?.resourceVersion ?? '' }
  }

  async watch(
    type: ResourceType,
    options: WatchOptions,
    onEvent: (type: WatchEventType, object: KubeObject) => void,
    onClose: (err?: unknown) => void
  ): Promise<WatchHandle> {
    let stopped = false
    const query: Record<string, string | number | undefined> = {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      resourceVersion: options.resourceVersion,
      timeoutSeconds: options.timeoutSeconds,
      allowWatchBookmarks: 'true'
    }
    const controller = await new Watch(this.config).watch(
      collectionPath(type, options.namespace),
      query,
      (phase, object) => {
        if (!stopped) onEvent(phase as WatchEventType, object as KubeObject)
      },
      err => {
        if (stopped) return
        stopped = true
        onClose(err ? this.translate(err) : undefined)
      }
    )
    return {
      stop: () => {
        stopped = true
        controller.abort()
      }
    }
  }

  async create<T extends KubeObject>(object: T): Promise<T> {
    return plain(await this.call(() => this.objects.create(asClient(object)))) as unknown as T
  }

  async apply<T extends KubeObject>(object: T, fieldManager: string): Promise<T> {
    const applied = await this.call(() =>
      this.objects.patch(
        asClient(object),
        undefined,
        undefined,
        fieldManager,
        true,
        PatchStrategy.ServerSideApply
      )
    )
    return plain(applied) as unknown as T
  }

  async delete(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    options: DeleteOptions = {}
  ): Promise<boolean> {
    const spec = { apiVersion: type.apiVersion, kind: type.kind, metadata: { name, namespace } }
    try {
      await this.call(() =>
        this.objects.delete(
          spec,
          undefined,
          undefined,
          options.gracePeriodSeconds,
          undefined,
          options.propagationPolicy
        )
      )
      return true
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return false
      throw err
    }
  }

  async deleteCollection(
    type: ResourceType,
    namespace: string,
    options: DeleteOptions & { labelSelector?: string } = {}
  ): Promise<void> {
    const param = { namespace, ...options }
    await this.call(async () => {
      if (type.kind === 'Pod') return this.core.deleteCollectionNamespacedPod(param)
      if (type.kind === 'ReplicaSet') return this.apps.deleteCollectionNamespacedReplicaSet(param)
      if (type.kind === 'Deployment') return this.apps.deleteCollectionNamespacedDeployment(param)
      throw new Error(`deleteCollection does not support ${type.kind}`)
    })
  }

  async podLogs(
    namespace: string,
    pod: string,
    container: string,
    options: LogOptions = {}
  ): Promise<string> {
    return this.call(() =>
      this.core.readNamespacedPodLog({ name: pod, namespace, container, ...options })
    )
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      throw this.translate(err)
    }
  }

  /** ApiException carries the server's Status as JSON text; surface its message and code. */
  private translate(err: unknown): unknown {
    if (err instanceof KubeApiError) return err
    if (err instanceof ApiException) {
      const status = parseStatus(err.body)
      return new KubeApiError(
        err.code,
        status?.message || `the server responded with HTTP ${err.code}`,
        status?.reason
      )
    }
    const code = (err as { statusCode?: unknown })?.statusCode
    if (typeof code === 'number') {
      return new KubeApiError(code, `the server responded with HTTP ${code}`)
    }
    if (err instanceof Error && err.name !== 'AbortError' && err.name !== 'TimeoutError') {
      const cause = (err as { cause?: { message?: string } }).cause?.message
      return new Error(
        `cannot reach the Kubernetes API server at ${this.server}: ${cause ?? err.message}`
      )
    }
    return err
  }
}

function collectionPath(type: ResourceType, namespace?: string): string {
  const root = type.apiVersion.includes('/')
    ? `/apis/${type.apiVersion}`
    : `/api/${type.apiVersion}`
  const scope = type.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''
  return `${root}${scope}/${type.plural}`
}

function parseStatus(body: unknown): { message?: string; reason?: string } | undefined {
  let value = body
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body)
    } catch {
      return body.trim() ? { message: body.trim() } : undefined
    }
  }
  if (value && typeof value === 'object') return value as { message?: string; reason?: string }
  return undefined
}

// Our objects are the same JSON; client-node's type only differs in optional fields' types.
function asClient(object: KubeObject): KubernetesObject {
  return object as unknown as KubernetesObject
}

/** Model classes (with Date fields) to the JSON the server sent. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}
