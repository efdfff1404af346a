// The status engine: waits, in parallel and by watching (never polling), for every object of the
// run whose kind has a readiness rule (kinds.ts), and fails as soon as one cannot become ready —
// from the workload's own status, its pods' states, or the kubelet's events, which arrive about a
// second before the pod status shows the same thing.
//
// One watch per kind of the run's objects, one for their pods, one for ReplicaSets (to tell a
// Deployment's current pods from old ones) and one for the namespace's pod events: all select the
// run's label, so a shared namespace's other objects are never looked at.

import { errorMessage } from '../errors.js'
import { withTimeout } from '../timeout.js'
import { RolloutError } from './errors.js'
import { kindOf, Resources, type KindEntry } from './kinds.js'
import { listWatch, type ListWatchLoop } from './list-watch.js'
import { KubeApiError, resourceName, type KubePort, type ResourceType } from './port.js'
import { explainNotReady } from './status/explain.js'
import { schedulingVerdict } from './status/scheduling.js'
import { pendingClaimLines } from './status/storage.js'
import { watchStorage, type StorageWatch } from './storage-watch.js'
import { hasObservableStatus } from './status/generic.js'
import {
  crashCounts,
  crashVerdict,
  eventOverlay,
  overlayKey,
  podProblems,
  type EventOverlay,
  type PodProblem
} from './status/pods.js'
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
const REVISION = 'deployment.kubernetes.io/revision'

interface Workload {
  key: string
  kind: string
  name: string
  namespace?: string
  type: ResourceType
  entry: KindEntry
  live?: KubeObject
  verdict: Verdict
  doneAt?: number
  /** Crash counts of its containers when every other workload was ready (crash policy). */
  baseline?: Map<string, number>
  tolerated?: Array<{ at: number; message: string }>
}

/** Objects the rule has nothing to observe on: logged, not waited for. */
export function notWaited(typed: readonly Typed[]): Array<{ t: Typed; why: string }> {
  const out: Array<{ t: Typed; why: string }> = []
  for (const t of typed) {
    const entry = kindOf(t.object, t.type)
    if (!entry.readiness) out.push({ t, why: entry.notWaited ?? 'it has no status to wait for' })
    else if (!entry.notWaited && !knownRule(entry) && !hasObservableStatus(t.object)) {
      out.push({ t, why: 'it has no status to wait for' })
    }
  }
  return out
}

function knownRule(entry: KindEntry): boolean {
  return entry.readiness?.pods !== undefined || entry.type.kind === 'CustomResourceDefinition'
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
  const log = options.log ?? (() => {})
  const skipped = notWaited(applied)
  const skippedSet = new Set(skipped.map(s => s.t))
  const workloads: Workload[] = applied
    .filter(t => !skippedSet.has(t))
    .map(t => {
      const entry = kindOf(t.object, t.type)
      return {
        key: `${t.object.kind}/${t.object.metadata.name}`,
        kind: t.object.kind,
        name: t.object.metadata.name!,
        namespace: t.object.metadata.namespace,
        type: t.type,
        entry,
        verdict: {
          state: 'in-progress',
          message: `Waiting for ${resourceName(t.type)} "${t.object.metadata.name}" to be observed...`
        }
      }
    })
  for (const s of skipped) {
    log(`${resourceName(s.t.type)}/${s.t.object.metadata.name}: applied, not waited for (${s.why})`)
  }
  /** Every object's result; `failed` names the one a RolloutError is about (Kind/name). */
  const results = (failed?: RolloutError): WorkloadResult[] => {
    const now = Date.now()
    return [
      ...workloads.map(w => {
        // A timeout or a cancel is about every unfinished object, not the one it names first.
        const failedHere =
          failed?.workload === w.key &&
          !['RolloutTimeout', 'Aborted', 'Forbidden'].includes(failed.reason)
        const endedAt = w.doneAt ?? now
        const r: WorkloadResult = {
          kind: w.kind,
          name: w.name,
          state: failedHere ? 'failed' : settledState(w.verdict.state),
          message: failedHere ? failed.message : w.verdict.message,
          durationMs: endedAt - started,
          startedAt: started,
          endedAt
        }
        if (w.tolerated) r.tolerated = w.tolerated
        return r
      }),
      ...skipped.map(s => ({
        kind: s.t.object.kind,
        name: s.t.object.metadata.name!,
        state: 'not-waited' as const,
        message: `not waited for: ${s.why}`,
        durationMs: 0,
        startedAt: started,
        endedAt: started
      }))
    ]
  }
  if (workloads.length === 0) return Promise.resolve(results())

  const pods = new Map<string, Pod>()
  const replicaSets = new Map<string, ReplicaSet>()
  const overlays = new Map<string, EventOverlay>()
  const retrying = new Map<string, string>()
  const toleratedLogged = new Set<string>()
  const loops: ListWatchLoop[] = []
  const messages = new Map<string, string>()
  const waitingLogged = new Set<string>()
  let storage: StorageWatch | undefined
  // Re-judges unschedulable pods each second: a provisioner's patience runs out with no event.
  let tick: NodeJS.Timeout | undefined
  let lastError: unknown

  return new Promise<WorkloadResult[]>((resolve, rejectWith) => {
    // Every rejection carries where each object was, for the report's timeline.
    const reject = (err: unknown) => {
      if (err instanceof RolloutError) err.results = results(err)
      rejectWith(err)
    }
    let settled = false
    const finish = () => {
      settled = true
      clearTimeout(timer)
      clearInterval(tick)
      options.signal?.removeEventListener('abort', onAbort)
      for (const loop of loops) loop.stop()
    }
    const fail = (err: RolloutError) => {
      if (settled) return
      finish()
      reject(err)
    }
    const onAbort = () =>
      fail(new RolloutError('waiting for the rollout was cancelled', 'Aborted', workloads[0].key))
    const timer = setTimeout(() => {
      if (settled) return
      finish()
      timeoutError().then(reject, reject)
    }, options.timeoutMs)
    if (options.signal?.aborted) return onAbort()
    options.signal?.addEventListener('abort', onAbort)

    const onError = (err: unknown) => {
      lastError = err
      // Credentials and permissions do not fix themselves: no point retrying until the timeout.
      if (err instanceof KubeApiError && (err.code === 401 || err.code === 403)) {
        fail(
          new RolloutError(
            `cannot watch the run's objects: ${err.message}`,
            'Forbidden',
            workloads[0].key
          )
        )
      }
    }
    const loopOptions = {
      watchTimeoutSeconds: options.watchTimeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS
    }
    const watchInto = <T extends KubeObject>(
      type: ResourceType,
      into: (items: T[] | undefined, event?: { type: string; object: T }) => void
    ) =>
      loops.push(
        listWatch<T>(
          kube,
          type,
          {
            namespace: type.namespaced ? options.namespace : undefined,
            labelSelector: options.labelSelector
          },
          {
            onList: items => {
              into(items)
              evaluate()
            },
            onEvent: (type, object) => {
              into(undefined, { type, object })
              evaluate()
            },
            onError
          },
          loopOptions
        )
      )

    // The run's own objects, one watch per kind.
    const byType = new Map<string, Workload[]>()
    for (const w of workloads) {
      const k = `${w.type.group}/${w.type.version}/${w.type.plural}`
      byType.set(k, [...(byType.get(k) ?? []), w])
    }
    for (const group of byType.values()) {
      watchInto<KubeObject>(group[0].type, (items, event) => {
        for (const o of items ?? [event!.object]) {
          const w = group.find(
            x =>
              x.name === o.metadata.name && (!x.namespace || x.namespace === o.metadata.namespace)
          )
          if (!w) continue
          if (event?.type === 'DELETED') {
            return fail(
              new RolloutError(
                `${resourceName(w.type)} "${w.name}" was deleted while the run waited for it`,
                'Deleted',
                w.key
              )
            )
          }
          w.live = o
        }
      })
    }
    const needPods = workloads.some(w => w.entry.readiness?.pods)
    if (needPods) {
      watchInto<Pod>(Resources.Pod, (items, event) => {
        if (items) {
          pods.clear()
          for (const p of items) pods.set(p.metadata.uid ?? p.metadata.name!, p)
        } else if (event!.type === 'DELETED')
          pods.delete(event!.object.metadata.uid ?? event!.object.metadata.name!)
        else pods.set(event!.object.metadata.uid ?? event!.object.metadata.name!, event!.object)
      })
      // The kubelet's word on a pod, about a second before its status says the same.
      loops.push(
        listWatch<KubeEvent>(
          kube,
          Resources.Event,
          { namespace: options.namespace, fieldSelector: 'involvedObject.kind=Pod' },
          {
            onList: items => {
              for (const e of items) takeEvent(e)
              evaluate()
            },
            onEvent: (_type, e) => {
              takeEvent(e)
              evaluate()
            },
            onError
          },
          loopOptions
        )
      )
    }
    if (needPods) {
      storage = watchStorage(kube, options.namespace, () => evaluate(), loopOptions)
      loops.push(...storage.loops)
    }
    if (workloads.some(w => w.entry.readiness?.pods === 'replicaset')) {
      watchInto<ReplicaSet>(Resources.ReplicaSet, (items, event) => {
        if (items) {
          replicaSets.clear()
          for (const rs of items) replicaSets.set(rs.metadata.uid!, rs)
        } else if (event!.type === 'DELETED') replicaSets.delete(event!.object.metadata.uid!)
        else replicaSets.set(event!.object.metadata.uid!, event!.object)
      })
    }

    function takeEvent(e: KubeEvent) {
      const found = eventOverlay(e)
      const uid = e.involvedObject?.uid
      if (!found || !uid) return
      const pod = pods.get(uid)
      if (!pod) return // not a pod of the run (or not seen yet: its status will tell)
      overlays.set(overlayKey(uid, found.container), {
        ...found.overlay,
        podResourceVersion: pod.metadata.resourceVersion
      })
    }

    function podsOf(w: Workload): Pod[] {
      const uid = w.live?.metadata.uid
      if (!uid) return []
      const live = [...pods.values()].filter(p => !p.metadata.deletionTimestamp)
      const owner = (p: KubeObject) => p.metadata.ownerReferences?.find(o => o.controller)
      switch (w.entry.readiness?.pods) {
        case 'self':
          return live.filter(p => p.metadata.uid === uid)
        case 'owner': {
          const mine = live.filter(p => owner(p)?.uid === uid)
          // A StatefulSet's current pods carry its update revision; older ones do not count.
          const revision = (w.live?.status as { updateRevision?: string } | undefined)
            ?.updateRevision
          if (w.kind === 'StatefulSet' && revision) {
            return mine.filter(p => p.metadata.labels?.['controller-revision-hash'] === revision)
          }
          return mine
        }
        case 'replicaset': {
          const revision = w.live?.metadata.annotations?.[REVISION]
          const current = [...replicaSets.values()].find(
            rs => owner(rs)?.uid === uid && rs.metadata.annotations?.[REVISION] === revision
          )
          return current ? live.filter(p => owner(p)?.uid === current.metadata.uid) : []
        }
        default:
          return []
      }
    }

    const isDone = (w: Workload) =>
      w.verdict.state === 'current' || w.verdict.state === 'unwaitable'

    function evaluate() {
      if (settled) return
      for (const w of workloads) {
        if (!w.live) continue
        w.verdict = (w.entry.readiness!.rule as (o: KubeObject) => Verdict)(w.live)
        if (isDone(w) && w.doneAt === undefined) w.doneAt = Date.now()
      }
      for (const w of workloads) {
        const message = w.verdict.message
        if (messages.get(w.key) !== message && w.verdict.state !== 'failed') {
          messages.set(w.key, message)
          log(message)
        }
        if (w.verdict.state === 'failed') {
          return fail(new RolloutError(w.verdict.message, w.verdict.reason, w.key))
        }
        if (isDone(w)) continue
        const others = workloads.filter(x => x !== w)
        const othersReady = others.every(isDone)
        const current = podsOf(w)
        const problems = [
          ...current.flatMap(p => podProblems(p, { jobPod: w.entry.readiness?.jobPods, overlays })),
          ...schedulingProblems(w, current)
        ]
        if (othersReady && !w.baseline) {
          w.baseline = others.length ? crashCounts(current) : new Map()
        }
        for (const p of problems) {
          if (p.kind === 'retrying') {
            retrying.set(`${p.pod}/${p.container}`, p.message)
            continue
          }
          let rule: string | undefined = p.kind === 'fatal' ? p.rule : undefined
          if (p.kind === 'crash') {
            rule = crashVerdict(p, {
              maxRestarts: options.maxRestarts,
              othersReady,
              baseline: w.baseline,
              hasOthers: others.length > 0
            })
            if (!rule) {
              const tolerated = `${p.message} (tolerated while other workloads start, max-restarts ${options.maxRestarts})`
              retrying.set(`${p.pod}/${p.container}`, tolerated)
              // Once per restart, so the log shows why a crashing pod did not fail the run.
              const key = `${p.pod}/${p.container}/${p.restarts}`
              if (!toleratedLogged.has(key)) {
                toleratedLogged.add(key)
                w.tolerated = [...(w.tolerated ?? []), { at: Date.now(), message: p.message }]
                log(`${resourceName(w.type)} "${w.name}": ${tolerated}`)
              }
              continue
            }
          }
          failWith(w, p, rule)
          return
        }
      }
      if (workloads.every(isDone)) {
        finish()
        resolve(results())
      }
    }

    /** Unschedulable pods that cannot be scheduled without the user; logs the ones that wait. */
    function schedulingProblems(w: Workload, current: Pod[]): PodProblem[] {
      const out: PodProblem[] = []
      if (!storage) return out
      const all = [...pods.values()]
      const podsLeaving =
        all.some(p => p.metadata.deletionTimestamp) ||
        all.length > workloads.reduce((n, x) => n + podsOf(x).length, 0)
      for (const pod of current) {
        const snapshot = storage.snapshot(Date.now(), pod.metadata.namespace)
        const v = schedulingVerdict(pod, { ...snapshot, podsLeaving })
        if (v?.state === 'failed') {
          out.push({
            kind: 'fatal',
            reason: 'FailedScheduling',
            pod: pod.metadata.name ?? '?',
            message: v.message,
            rule: v.rule
          })
        } else if (v) {
          tick ??= setInterval(() => evaluate(), 1000)
          if (!waitingLogged.has(v.message)) {
            waitingLogged.add(v.message)
            log(`${resourceName(w.type)} "${w.name}": ${v.message}`)
          }
        }
      }
      return out
    }

    function failWith(w: Workload, p: PodProblem, rule: string | undefined) {
      finish()
      const container = 'container' in p ? p.container : undefined
      const message = `${resourceName(w.type)} "${w.name}" failed: ${p.message}${rule ? ` (${rule})` : ''}`
      const withLogs = async () => {
        let details: string | undefined
        if (container && (p.reason === 'CrashLoopBackOff' || w.kind === 'Job')) {
          const lines = options.crashLogLines ?? 20
          // A crash-looping container is down: its "current" log is the run that just crashed;
          // the one before it (previous) is there too once it has restarted.
          const read = (previous: boolean) =>
            withTimeout(
              kube.podLogs((w.namespace ?? options.namespace)!, p.pod, container, {
                previous,
                tailLines: lines
              }),
              5000
            ).catch(() => undefined)
          const latest = await read(false)
          const text = latest?.trim() ? latest : await read(true)
          if (text?.trim()) {
            details = `last ${lines} log lines of container "${container}" of pod "${p.pod}":\n${text.trimEnd()}`
          }
        }
        return new RolloutError(message, p.reason, w.key, p.pod, container, details)
      }
      withLogs().then(reject, reject)
    }

    async function timeoutError(): Promise<RolloutError> {
      const seconds = Math.round(options.timeoutMs / 100) / 10
      const events = await withTimeout(
        kube.list<KubeEvent>(Resources.Event, { namespace: options.namespace }),
        5000
      ).catch(() => undefined)
      const waiting = workloads.filter(w => !isDone(w))
      // One line (it is the run's failure line): each unfinished workload, then why its pods are not ready.
      const parts: string[] = []
      for (const w of waiting) {
        parts.push(`${resourceName(w.type)} "${w.name}": ${w.verdict.message}`)
        parts.push(...explainNotReady(podsOf(w), events?.items ?? []))
        if (storage) {
          const snapshot = storage.snapshot(Date.now(), podsOf(w)[0]?.metadata.namespace)
          parts.push(...pendingClaimLines(podsOf(w), snapshot))
        }
      }
      for (const r of retrying.values()) parts.push(`still retrying: ${r}`)
      if (lastError && waiting.every(w => !w.live))
        parts.push(`last API error: ${errorMessage(lastError)}`)
      const names = waiting.map(w => `${w.kind.toLowerCase()} "${w.name}"`).join(', ')
      const message = `timed out after ${seconds}s waiting for ${names}: ${parts.join('; ')}`
      return new RolloutError(message, 'RolloutTimeout', waiting[0]?.key ?? workloads[0].key)
    }

    // The first evaluation: maybe nothing needs a watch event (all current already).
    evaluate()
  })
}

function settledState(state: Verdict['state']): WorkloadResult['state'] {
  return state === 'current' || state === 'unwaitable' || state === 'failed' ? state : 'pending'
}
