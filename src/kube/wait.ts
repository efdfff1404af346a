// The status engine: waits, in parallel and by watching (never polling), for every object of the
// run whose kind has a readiness rule (kinds.ts), and fails as soon as one cannot become ready —
// from the workload's own status, its pods' states, or the kubelet's events, which arrive about a
// second before the pod status shows the same thing.
//
// This file is the driver: it watches, keeps the latest of everything for a snapshot, and acts on
// what the pure engine (status/rollout.ts `evaluate`) decides: logs, finishes, or fails (with the
// log of a crashed container). One watch per kind of the run's objects, one for their pods and one
// for ReplicaSets (to tell a Deployment's current pods from old ones), all selecting the run's
// label. Two kinds of objects cannot carry the label and are watched across the namespace: pod
// events (only those about the run's pods are kept) and, in storage-watch.ts, claims, their events
// and the cluster's StorageClasses (only the claims the run's pods mount are judged).

import { RolloutError } from './errors.js'
import { kindOf, Resources } from './kinds.js'
import { listWatch, type ListWatchLoop, type ListWatchOptions } from './list-watch.js'
import { KubeApiError, resourceName, type KubePort, type ResourceType } from './api.js'
import { readExplainingLog } from './crash-log.js'
import { withTimeout } from '../timeout.js'
import { watchStorage, type StorageWatch } from './storage-watch.js'
import { genericStatus, hasObservableStatus } from './status/generic.js'
import { eventOverlay, overlayKey, type EventOverlay } from './status/pods.js'
import {
  evaluate,
  NO_MEMORY,
  timeoutMessage,
  verdictOf,
  type RolloutDecision,
  type RolloutFailure,
  type RolloutMemory,
  type RolloutSnapshot,
  type WaitedObject
} from './status/rollout.js'
import type { Verdict } from './status/verdict.js'
import type { KubeEvent, KubeObject, Pod, ReplicaSet } from './types.js'
import type { Typed } from './validate.js'

export interface WaitOptions {
  /** Undefined: the run's several namespaces, all watched (the run's label selects its objects). */
  namespace?: string
  /** `minikube-smoke/run=<key>`: what every object of the run carries. */
  labelSelector: string
  timeoutMs: number
  /** Input `max-restarts`: restarts tolerated while other workloads are still starting. */
  maxRestarts: number
  signal?: AbortSignal
  /** Progress lines, worded like `kubectl rollout status`. */
  log?: (line: string) => void
  /** Server-side end of each watch; a shorter one makes the reconnect path testable. */
  watchTimeoutSeconds?: number
  /** Log lines of a failed container attached to the error (default 20). */
  crashLogLines?: number
}

export interface WorkloadResult {
  kind: string
  name: string
  /** `current`: ready; `unwaitable`: cannot be observed; `not-waited`: nothing to wait for. */
  state: 'current' | 'unwaitable' | 'not-waited' | 'failed' | 'pending'
  message: string
  /** From the start of the wait until it was ready (or failed). */
  durationMs: number
  /** Epoch ms: the wait's start, and when it was ready or failed (else when the wait ended). */
  startedAt: number
  endedAt: number
  /** Crashes tolerated while other workloads still started: when each was seen (epoch ms). */
  tolerated?: Array<{ at: number; message: string }>
}

const DEFAULT_WATCH_TIMEOUT_SECONDS = 25 // below client-node's 30 s inactivity abort

type Skipped = { t: Typed; why: string }

/** Objects the rule has nothing to observe on: logged, not waited for. */
export function notWaited(typed: readonly Typed[]): Skipped[] {
  const out: Skipped[] = []
  for (const t of typed) {
    const entry = kindOf(t.object, t.type)
    if (!entry.readiness) out.push({ t, why: entry.notWaited ?? 'it has no status to wait for' })
    // Only the generic rule (a kind the registry does not know) may find nothing to observe.
    else if (
      !entry.notWaited &&
      entry.readiness.rule === genericStatus &&
      !hasObservableStatus(t.object)
    ) {
      out.push({ t, why: 'it has no status to wait for' })
    }
  }
  return out
}

/**
 * Resolves with one result per object when every waited object is ready; rejects with a
 * RolloutError naming the workload, container and reason as soon as one cannot be, or at the
 * timeout with what each unfinished one is waiting for.
 */
export function waitForWorkloads(
  kube: KubePort,
  applied: readonly Typed[],
  options: WaitOptions
): Promise<WorkloadResult[]> {
  const started = Date.now()
  const skipped = notWaited(applied)
  const skippedSet = new Set(skipped.map(s => s.t))
  const workloads: WaitedObject[] = applied
    .filter(t => !skippedSet.has(t))
    .map(t => ({
      key: `${t.object.kind}/${t.object.metadata.name}`,
      kind: t.object.kind,
      name: t.object.metadata.name!,
      namespace: t.object.metadata.namespace,
      type: t.type,
      entry: kindOf(t.object, t.type)
    }))
  for (const s of skipped) {
    options.log?.(
      `${resourceName(s.t.type)}/${s.t.object.metadata.name}: applied, not waited for (${s.why})`
    )
  }
  if (workloads.length === 0) {
    return Promise.resolve(results({ workloads, skipped, started, memory: NO_MEMORY }))
  }
  return new RolloutWatch(kube, workloads, skipped, started, options).run()
}

/** The watch loop around `evaluate`: one per wait. */
class RolloutWatch {
  private readonly pods = new Map<string, Pod>()
  private readonly replicaSets = new Map<string, ReplicaSet>()
  private readonly overlays = new Map<string, EventOverlay>()
  private memory: RolloutMemory = NO_MEMORY
  private readonly loops: ListWatchLoop[] = []
  private storage?: StorageWatch
  /** Re-evaluates each second while a pod waits to be scheduled: patience runs out with no event. */
  private tick?: NodeJS.Timeout
  private timer?: NodeJS.Timeout
  private lastError: unknown
  private settled = false
  private resolve: (results: WorkloadResult[]) => void = () => {}
  private rejectWith: (err: unknown) => void = () => {}
  private readonly log: (line: string) => void
  private readonly loopOptions: ListWatchOptions
  private readonly onAbort = () =>
    this.fail(
      new RolloutError('waiting for the rollout was cancelled', 'Aborted', this.workloads[0].key)
    )

  constructor(
    private readonly kube: KubePort,
    private readonly workloads: WaitedObject[],
    private readonly skipped: readonly Skipped[],
    private readonly started: number,
    private readonly options: WaitOptions
  ) {
    this.log = options.log ?? (() => {})
    this.loopOptions = {
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS
    }
  }

  run(): Promise<WorkloadResult[]> {
    return new Promise<WorkloadResult[]>((resolve, reject) => {
      this.resolve = resolve
      this.rejectWith = reject
      this.timer = setTimeout(() => this.onTimeout(), this.options.timeoutMs)
      if (this.options.signal?.aborted) return this.onAbort()
      this.options.signal?.addEventListener('abort', this.onAbort)
      this.watchObjects()
      if (this.workloads.some(w => w.entry.readiness?.pods)) this.watchPods()
      if (this.workloads.some(w => w.entry.readiness?.pods === 'replicaset')) {
        this.watchInto<ReplicaSet>(Resources.ReplicaSet, this.replicaSets, o => o.metadata.uid!)
      }
      // The first evaluation: maybe nothing needs a watch event (all current already).
      this.evaluate()
    })
  }

  /** The run's own objects, one watch per kind; a deleted one fails the wait. */
  private watchObjects(): void {
    const byType = new Map<string, WaitedObject[]>()
    for (const w of this.workloads) {
      const k = `${w.type.group}/${w.type.version}/${w.type.plural}`
      byType.set(k, [...(byType.get(k) ?? []), w])
    }
    for (const group of byType.values()) {
      const take = (o: KubeObject, deleted: boolean) => {
        const w = group.find(
          x => x.name === o.metadata.name && (!x.namespace || x.namespace === o.metadata.namespace)
        )
        if (!w) return
        if (!deleted) return void (w.live = o)
        const message = `${resourceName(w.type)} "${w.name}" was deleted while the run waited for it`
        this.fail(new RolloutError(message, 'Deleted', w.key))
      }
      this.listWatch<KubeObject>(group[0].type, {
        onList: items => items.forEach(o => take(o, false)),
        onEvent: (type, o) => take(o, type === 'DELETED')
      })
    }
  }

  /** The run's pods, the kubelet's events about them, and the claims they mount. */
  private watchPods(): void {
    this.watchInto<Pod>(Resources.Pod, this.pods, p => p.metadata.uid ?? p.metadata.name!)
    // The kubelet's word on a pod, about a second before its status says the same.
    this.loops.push(
      listWatch<KubeEvent>(
        this.kube,
        Resources.Event,
        { namespace: this.options.namespace, fieldSelector: 'involvedObject.kind=Pod' },
        {
          onList: items => {
            for (const e of items) this.takeEvent(e)
            this.evaluate()
          },
          onEvent: (_type, e) => {
            this.takeEvent(e)
            this.evaluate()
          },
          onError: err => this.onError(err)
        },
        this.loopOptions
      )
    )
    const onChange = () => this.evaluate()
    this.storage = watchStorage(this.kube, this.options.namespace, onChange, this.loopOptions)
    this.loops.push(...this.storage.loops)
  }

  /** Keeps `into` equal to the labelled objects of `type`, by `key`. */
  private watchInto<T extends KubeObject>(
    type: ResourceType,
    into: Map<string, T>,
    key: (o: T) => string
  ): void {
    this.listWatch<T>(type, {
      onList: items => {
        into.clear()
        for (const o of items) into.set(key(o), o)
      },
      onEvent: (type, o) => {
        if (type === 'DELETED') into.delete(key(o))
        else into.set(key(o), o)
      }
    })
  }

  /** A list-watch of the run's labelled objects of `type`; evaluates after each change. */
  private listWatch<T extends KubeObject>(
    type: ResourceType,
    take: { onList(items: T[]): void; onEvent(type: string, o: T): void }
  ): void {
    const query = {
      namespace: type.namespaced ? this.options.namespace : undefined,
      labelSelector: this.options.labelSelector
    }
    const handlers = {
      onList: (items: T[]) => {
        take.onList(items)
        this.evaluate()
      },
      onEvent: (eventType: string, o: T) => {
        take.onEvent(eventType, o)
        this.evaluate()
      },
      onError: (err: unknown) => this.onError(err)
    }
    this.loops.push(listWatch<T>(this.kube, type, query, handlers, this.loopOptions))
  }

  private takeEvent(e: KubeEvent): void {
    const found = eventOverlay(e)
    const uid = e.involvedObject?.uid
    if (!found || !uid) return
    const pod = this.pods.get(uid)
    if (!pod) return // not a pod of the run (or not seen yet: its status will tell)
    this.overlays.set(overlayKey(uid, found.container), {
      ...found.overlay,
      podResourceVersion: pod.metadata.resourceVersion
    })
  }

  private onError(err: unknown): void {
    this.lastError = err
    // Credentials and permissions do not fix themselves: no point retrying until the timeout.
    if (err instanceof KubeApiError && (err.code === 401 || err.code === 403)) {
      const message = `cannot watch the run's objects: ${err.message}`
      this.fail(new RolloutError(message, 'Forbidden', this.workloads[0].key))
    }
  }

  private snapshot(): RolloutSnapshot {
    const now = Date.now()
    const storage = this.storage
    return {
      now,
      workloads: this.workloads,
      pods: [...this.pods.values()],
      replicaSets: [...this.replicaSets.values()],
      overlays: this.overlays,
      storage: storage && (namespace => storage.snapshot(Date.now(), namespace)),
      maxRestarts: this.options.maxRestarts,
      memory: this.memory
    }
  }

  private evaluate(): void {
    if (this.settled) return
    const decision: RolloutDecision = evaluate(this.snapshot())
    this.memory = decision.memory
    for (const line of decision.log) this.log(line)
    if (decision.recheck) this.tick ??= setInterval(() => this.evaluate(), 1000)
    const outcome = decision.outcome
    if (outcome.state === 'failed') this.failWithLogs(outcome.failure)
    else if (outcome.state === 'ready') {
      this.finish()
      this.resolve(this.results())
    }
  }

  private finish(): void {
    this.settled = true
    clearTimeout(this.timer)
    clearInterval(this.tick)
    this.options.signal?.removeEventListener('abort', this.onAbort)
    for (const loop of this.loops) loop.stop()
  }

  /** Every rejection carries where each object was, for the report's timeline. */
  private reject(err: unknown): void {
    if (err instanceof RolloutError) err.results = this.results(err)
    this.rejectWith(err)
  }

  private fail(err: RolloutError): void {
    if (this.settled) return
    this.finish()
    this.reject(err)
  }

  private failWithLogs(f: RolloutFailure): void {
    this.finish()
    const withLogs = async () => {
      let details: string | undefined
      if (f.log) {
        const lines = this.options.crashLogLines ?? 20
        const namespace = (f.log.namespace ?? this.options.namespace)!
        const text = await readExplainingLog(this.kube, namespace, f.log.pod, f.log.status, lines)
        if (text.trim()) {
          details = `last ${lines} log lines of container "${f.log.status.name}" of pod "${f.log.pod}":\n${text}`
        }
      }
      return new RolloutError(f.message, f.reason, f.key, f.pod, f.container, details)
    }
    withLogs().then(
      err => this.reject(err),
      err => this.reject(err)
    )
  }

  private onTimeout(): void {
    if (this.settled) return
    this.finish()
    const timedOut = async () => {
      const events = await withTimeout(
        this.kube.list<KubeEvent>(Resources.Event, { namespace: this.options.namespace }),
        5000
      ).catch(() => undefined)
      const snapshot = this.snapshot()
      const t = timeoutMessage(
        snapshot,
        this.options.timeoutMs,
        events?.items ?? [],
        this.lastError
      )
      return new RolloutError(t.message, 'RolloutTimeout', t.key)
    }
    timedOut().then(
      err => this.reject(err),
      err => this.reject(err)
    )
  }

  private results(failed?: RolloutError): WorkloadResult[] {
    const { workloads, skipped, started, memory } = this
    return results({ workloads, skipped, started, memory }, failed)
  }
}

/** Every object's result; `failed` names the one a RolloutError is about (Kind/name). */
function results(
  w: {
    workloads: readonly WaitedObject[]
    skipped: readonly Skipped[]
    started: number
    memory: RolloutMemory
  },
  failed?: RolloutError
): WorkloadResult[] {
  const now = Date.now()
  return [
    ...w.workloads.map(o => {
      // A timeout or a cancel is about every unfinished object, not the one it names first.
      const failedHere =
        failed?.workload === o.key &&
        !['RolloutTimeout', 'Aborted', 'Forbidden'].includes(failed.reason)
      const verdict = verdictOf(o)
      const endedAt = w.memory.doneAt.get(o.key) ?? now
      const r: WorkloadResult = {
        kind: o.kind,
        name: o.name,
        state: failedHere ? 'failed' : settledState(verdict),
        message: failedHere ? failed.message : verdict.message,
        durationMs: endedAt - w.started,
        startedAt: w.started,
        endedAt
      }
      const tolerated = w.memory.tolerated.get(o.key)
      if (tolerated) r.tolerated = [...tolerated]
      return r
    }),
    ...w.skipped.map(s => ({
      kind: s.t.object.kind,
      name: s.t.object.metadata.name!,
      state: 'not-waited' as const,
      message: `not waited for: ${s.why}`,
      durationMs: 0,
      startedAt: w.started,
      endedAt: w.started
    }))
  ]
}

function settledState(v: Verdict): WorkloadResult['state'] {
  return v.state === 'in-progress' ? 'pending' : v.state
}
