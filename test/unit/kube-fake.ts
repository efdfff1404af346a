// An in-memory KubePort: objects in a map, watches fed from put()/remove(), discovery answered
// from the kind registry, and hooks to make the API misbehave (drop watches, fail calls). Enough
// of the API server's semantics for this layer's unit tests; the integration tests use the real one.

import { KINDS } from '../../src/kube/kinds.js'
import {
  apiVersionOf,
  KubeApiError,
  type ApplyOptions,
  type ApplyResult,
  type DeleteOptions,
  type KubeList,
  type KubePort,
  type ListOptions,
  type LogOptions,
  type ResourceType,
  type WatchEventType,
  type WatchHandle,
  type WatchOptions
} from '../../src/kube/api.js'
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
  /** Runs after every (non dry-run) apply, e.g. to play the deployment controller. */
  onApply?: (object: KubeObject) => void
  /** What `/version` says. */
  version = { major: '1', minor: '30', gitVersion: 'v1.30.0' }
  /** Resources discovery serves, beyond the registry's (e.g. a CRD's). */
  readonly served: ResourceType[] = KINDS.map(k => k.type)
  /** What `/openapi/v2` answers. */
  openapi: unknown = { definitions: {} }
  private rv = 1
  private uid = 1

  put<T extends KubeObject>(object: T): T {
    const copy = structuredClone(object)
    const key = keyOf(copy.kind, copy.metadata.namespace, copy.metadata.name!)
    const existed = this.objects.get(key)
    copy.metadata.resourceVersion = String(++this.rv)
    copy.metadata.uid ??= existed?.metadata.uid ?? `uid-${this.uid++}`
    copy.metadata.creationTimestamp ??=
      existed?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z')
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

  async create<T extends KubeObject>(type: ResourceType, object: T): Promise<T> {
    this.record('create', object)
    if (this.find(type.kind, object.metadata.name!, object.metadata.namespace)) {
      throw new KubeApiError(
        409,
        `${object.kind} "${object.metadata.name}" already exists`,
        'AlreadyExists'
      )
    }
    return this.put(object)
  }

  async apply<T extends KubeObject>(
    type: ResourceType,
    object: T,
    options: ApplyOptions
  ): Promise<ApplyResult<T>> {
    this.record(options.dryRun ? 'dryRun' : 'apply', object, options)
    const ns = type.namespaced ? object.metadata.namespace : undefined
    if (type.namespaced && !this.find('Namespace', ns ?? '')) {
      throw new KubeApiError(404, `namespaces "${ns}" not found`, 'NotFound')
    }
    const old = this.find(object.kind, object.metadata.name!, ns)
    if (options.dryRun) return { object: structuredClone(object), created: !old }
    const generation = ((old?.metadata.generation as number | undefined) ?? 0) + 1
    const managedFields = [{ manager: options.fieldManager, operation: 'Apply' }]
    const stored = this.put({
      ...structuredClone(object),
      metadata: {
        ...old?.metadata,
        ...object.metadata,
        generation,
        managedFields: [
          ...((old?.metadata.managedFields as unknown[] | undefined) ?? []).filter(
            m => (m as { manager?: string }).manager !== options.fieldManager
          ),
          ...managedFields
        ]
      }
    })
    this.onApply?.(stored)
    return { object: stored, created: !old }
  }

  async delete(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    options: DeleteOptions = {}
  ): Promise<boolean> {
    this.record('delete', type.kind, name, namespace, options)
    const ns = type.namespaced ? namespace : undefined
    const o = this.find(type.kind, name, ns)
    if (!o) return false
    if (options.uid && o.metadata.uid !== options.uid) {
      throw new KubeApiError(
        409,
        `the UID in the precondition (${options.uid}) does not match`,
        'Conflict'
      )
    }
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

  async getJson<T>(path: string): Promise<T> {
    this.record('getJson', path)
    if (path === '/version') return this.version as T
    if (path === '/openapi/v2') return this.openapi as T
    if (path === '/api') return { versions: ['v1'] } as T
    if (path === '/apis') {
      const groups = new Map<string, Set<string>>()
      for (const t of this.served) {
        if (t.group) groups.set(t.group, (groups.get(t.group) ?? new Set()).add(t.version))
      }
      return {
        groups: [...groups].map(([name, versions]) => ({
          name,
          versions: [...versions].map(v => ({ groupVersion: `${name}/${v}`, version: v }))
        }))
      } as T
    }
    const m = /^\/(?:api|apis\/([^/]+))\/([^/]+)$/.exec(path)
    if (m) {
      const [, group = '', version] = m
      return {
        groupVersion: apiVersionOf({ group, version }),
        resources: this.served
          .filter(t => t.group === group && t.version === version)
          .map(t => ({ name: t.plural, namespaced: t.namespaced, kind: t.kind }))
      } as T
    }
    throw new KubeApiError(
      404,
      `the server could not find the requested resource (${path})`,
      'NotFound'
    )
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
    if (field === 'involvedObject.kind') {
      const io = (o as { involvedObject?: { kind?: string } }).involvedObject
      if (io?.kind !== value) return false
    }
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

/** A Connection to the fake, as connectKube gives the pipeline. */
export function fakeConnection(
  kube: FakeKube,
  context = 'fake'
): {
  kube: FakeKube
  context: string
  server: string
} {
  return { kube, context, server: 'https://127.0.0.1:6443' }
}
