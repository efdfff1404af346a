// An in-memory KubePort: objects in a map, watches fed from put()/remove(), and hooks to make the
// API misbehave (drop watches, fail calls). Enough of the API server's semantics for this layer.

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
} from '../../src/kube/port.js'
import type { KubeObject } from '../../src/kube/types.js'

interface Watcher {
  type: ResourceType
  options: WatchOptions
  onEvent: (type: WatchEventType, object: KubeObject) => void
  onClose: (err?: unknown) => void
}

export interface Call {
  method: string
  args: unknown[]
}

export class FakeKube implements KubePort {
  readonly objects = new Map<string, KubeObject>()
  readonly watchers = new Set<Watcher>()
  readonly calls: Call[] = []
  /** `${pod}/${container}` or `${pod}/${container}/previous` → text. */
  readonly logs = new Map<string, string>()
  /** Next call of a method throws this. */
  readonly failures = new Map<string, unknown[]>()
  /** Runs after every apply, e.g. to play the deployment controller. */
  onApply?: (object: KubeObject) => void
  private rv = 1

  put<T extends KubeObject>(object: T): T {
    const copy = structuredClone(object)
    const key = keyOf(copy.kind, copy.metadata.namespace, copy.metadata.name!)
    const existed = this.objects.has(key)
    copy.metadata.resourceVersion = String(++this.rv)
    this.objects.set(key, copy)
    this.emit(existed ? 'MODIFIED' : 'ADDED', copy)
    return copy
  }

  remove(kind: string, name: string, namespace?: string): void {
    const key = keyOf(kind, namespace, name)
    const object = this.objects.get(key)
    if (!object) return
    this.objects.delete(key)
    this.emit('DELETED', object)
  }

  /** Ends every open watch, as a dropped connection would. */
  dropWatches(err: unknown = new Error('connection reset')): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w)
      w.onClose(err)
    }
  }

  find<T extends KubeObject>(kind: string, name: string, namespace?: string): T | undefined {
    return this.objects.get(keyOf(kind, namespace, name)) as T | undefined
  }

  callsOf(method: string): Call[] {
    return this.calls.filter(c => c.method === method)
  }

  failNext(method: string, err: unknown): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), err])
  }

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args })
    const queued = this.failures.get(method)
    if (queued?.length) {
      const err = queued.shift()
      throw err
    }
  }

  private emit(type: WatchEventType, object: KubeObject): void {
    for (const w of [...this.watchers]) {
      if (matches(w.type, w.options, object)) w.onEvent(type, structuredClone(object))
    }
  }

  async get<T extends KubeObject>(
    type: ResourceType,
    name: string,
    namespace?: string
  ): Promise<T | undefined> {
    this.record('get', type.kind, name, namespace)
    const o = this.find<T>(type.kind, name, type.namespaced ? namespace : undefined)
    return o && structuredClone(o)
  }

  async list<T extends KubeObject>(
    type: ResourceType,
    options: ListOptions = {}
  ): Promise<KubeList<T>> {
    this.record('list', type.kind, options)
    const items = [...this.objects.values()].filter(o => matches(type, options, o))
    return { items: structuredClone(items) as T[], resourceVersion: String(this.rv) }
  }

  async watch(
    type: ResourceType,
    options: WatchOptions,
    onEvent: (type: WatchEventType, object: KubeObject) => void,
    onClose: (err?: unknown) => void
  ): Promise<WatchHandle> {
    this.record('watch', type.kind, options)
    const w: Watcher = { type, options, onEvent, onClose }
    this.watchers.add(w)
    return { stop: () => this.watchers.delete(w) }
  }

  async create<T extends KubeObject>(object: T): Promise<T> {
    this.record('create', object)
    if (this.find(object.kind, object.metadata.name!, object.metadata.namespace)) {
      throw new KubeApiError(
        409,
        `${object.kind} "${object.metadata.name}" already exists`,
        'AlreadyExists'
      )
    }
    return this.put(object)
  }

  async apply<T extends KubeObject>(object: T, fieldManager: string): Promise<T> {
    this.record('apply', object, fieldManager)
    const old = this.find(object.kind, object.metadata.name!, object.metadata.namespace)
    const generation = ((old?.metadata.generation as number | undefined) ?? 0) + 1
    const stored = this.put({
      ...structuredClone(object),
      metadata: { ...object.metadata, generation }
    })
    this.onApply?.(stored)
    return stored
  }

  async delete(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    options: DeleteOptions = {}
  ): Promise<boolean> {
    this.record('delete', type.kind, name, namespace, options)
    const ns = type.namespaced ? namespace : undefined
    if (!this.find(type.kind, name, ns)) return false
    this.remove(type.kind, name, ns)
    return true
  }

  async deleteCollection(
    type: ResourceType,
    namespace: string,
    options: DeleteOptions & { labelSelector?: string } = {}
  ): Promise<void> {
    this.record('deleteCollection', type.kind, namespace, options)
    for (const o of [...this.objects.values()]) {
      if (matches(type, { namespace, labelSelector: options.labelSelector }, o)) {
        this.remove(o.kind, o.metadata.name!, o.metadata.namespace)
      }
    }
  }

  async podLogs(
    namespace: string,
    pod: string,
    container: string,
    options: LogOptions = {}
  ): Promise<string> {
    this.record('podLogs', namespace, pod, container, options)
    const text = this.logs.get(`${pod}/${container}${options.previous ? '/previous' : ''}`)
    if (text === undefined) {
      throw new KubeApiError(
        400,
        `container "${container}" in pod "${pod}" has no logs`,
        'BadRequest'
      )
    }
    const lines = text.split('\n')
    return options.tailLines ? lines.slice(-options.tailLines).join('\n') : text
  }
}

function keyOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`
}

function matches(type: ResourceType, options: ListOptions, o: KubeObject): boolean {
  if (o.kind !== type.kind) return false
  if (type.namespaced && options.namespace && o.metadata.namespace !== options.namespace)
    return false
  for (const term of (options.fieldSelector ?? '').split(',').filter(Boolean)) {
    const [field, value] = term.split('=')
    if (field === 'metadata.name' && o.metadata.name !== value) return false
  }
  for (const term of (options.labelSelector ?? '').split(',').filter(Boolean)) {
    const [key, value] = term.split('=')
    if (o.metadata.labels?.[key] !== value) return false
  }
  return true
}

/** Lets pending promise callbacks and timers of 0 ms run. */
export async function settle(ms = 5): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}
