// The rollout's status engine as one pure function: given what the watches have seen (a
// snapshot) and what earlier evaluations remembered, say for each waited object whether it is
// ready, still waiting (and what to log about it), or has failed, and by which rule. The driver
// (wait.ts) feeds it snapshots and acts on the decision. The rules themselves are elsewhere in
// status/: readiness per kind (the registry's `readiness.rule`), pod states and the crash policy
// (pods.ts), scheduling and storage (scheduling.ts, storage.ts).

import { errorMessage } from '../../errors.js'
import type { KindEntry } from '../kinds.js'
import { resourceName, type ResourceType } from '../api.js'
import type { ContainerStatus, KubeEvent, KubeObject, Pod, ReplicaSet } from '../types.js'
import { explainNotReady } from './explain.js'
import { crashCounts, crashVerdict, podProblems, type Overlays, type PodProblem } from './pods.js'
import { schedulingVerdict } from './scheduling.js'
import { pendingClaimLines, type StorageSnapshot } from './storage.js'
import type { Verdict } from './verdict.js'

const REVISION = 'deployment.kubernetes.io/revision'

/** One object the rollout waits for, and its latest state seen (none: not observed yet). */
export interface WaitedObject {
  /** `Kind/name` */
  key: string
  kind: string
  name: string
  namespace?: string
  type: ResourceType
  entry: KindEntry
  live?: KubeObject
}

/** What earlier evaluations decided that later ones need (the driver passes it back). */
export interface RolloutMemory {
  /** By workload: the progress line last logged. */
  said: ReadonlyMap<string, string>
  /** By workload: when it was first seen ready (epoch ms). */
  doneAt: ReadonlyMap<string, number>
  /** By workload: its containers' crash counts when every other workload was ready. */
  baselines: ReadonlyMap<string, ReadonlyMap<string, number>>
  /** By workload: crashes tolerated while other workloads still started. */
  tolerated: ReadonlyMap<string, ReadonlyArray<{ at: number; message: string }>>
  /** `pod/container/restarts` of each tolerated crash already logged. */
  toleratedSeen: ReadonlySet<string>
  /** Scheduling waits already logged (by message). */
  waitsLogged: ReadonlySet<string>
  /** By `pod/container`: what is still being retried (image pulls, tolerated crashes). */
  retrying: ReadonlyMap<string, string>
}

export const NO_MEMORY: RolloutMemory = {
  said: new Map(),
  doneAt: new Map(),
  baselines: new Map(),
  tolerated: new Map(),
  toleratedSeen: new Set(),
  waitsLogged: new Set(),
  retrying: new Map()
}

export interface RolloutSnapshot {
  now: number
  /** In the run's order: the first failure found in this order is the one reported. */
  workloads: readonly WaitedObject[]
  /** Every pod of the run seen (terminating ones included). */
  pods: readonly Pod[]
  replicaSets: readonly ReplicaSet[]
  /** The kubelet's latest word on containers, by `overlayKey` (pods.ts). */
  overlays: Overlays
  /** Claims and classes one namespace's pods may wait for; absent when storage is not watched. */
  storage?: (namespace: string | undefined) => StorageSnapshot
  /** Input `max-restarts`. */
  maxRestarts: number
  memory: RolloutMemory
}

/** Why the rollout failed, with what its error names; `log`: the container whose log explains it. */
export interface RolloutFailure {
  key: string
  reason: string
  message: string
  pod?: string
  container?: string
  log?: { namespace?: string; pod: string; status: ContainerStatus }
}

export type RolloutOutcome =
  { state: 'waiting' } | { state: 'ready' } | { state: 'failed'; failure: RolloutFailure }

export interface RolloutDecision {
  outcome: RolloutOutcome
  /** Lines to log now, in order (progress like `kubectl rollout status`, tolerated crashes). */
  log: string[]
  /** A pod waits for scheduling that may give up with no event: evaluate again in a second. */
  recheck: boolean
  memory: RolloutMemory
}

/** The object's readiness now: its kind's rule over what was seen, or "not observed yet". */
export function verdictOf(w: WaitedObject): Verdict {
  if (!w.live) {
    return {
      state: 'in-progress',
      message: `Waiting for ${resourceName(w.type)} "${w.name}" to be observed...`
    }
  }
  return (w.entry.readiness!.rule as (o: KubeObject) => Verdict)(w.live)
}

export function isDone(v: Verdict): boolean {
  return v.state === 'current' || v.state === 'unwaitable'
}

/** The pods whose state decides the workload's rollout: its current revision's, not terminating. */
export function currentPods(
  w: WaitedObject,
  pods: readonly Pod[],
  replicaSets: readonly ReplicaSet[]
): Pod[] {
  const uid = w.live?.metadata.uid
  if (!uid) return []
  const live = pods.filter(p => !p.metadata.deletionTimestamp)
  const owner = (o: KubeObject) => o.metadata.ownerReferences?.find(r => r.controller)
  const readiness = w.entry.readiness
  switch (readiness?.pods) {
    case 'self':
      return live.filter(p => p.metadata.uid === uid)
    case 'owner': {
      const mine = live.filter(p => owner(p)?.uid === uid)
      const filter = readiness.currentPods as ((o: KubeObject, p: Pod[]) => Pod[]) | undefined
      return filter ? filter(w.live!, mine) : mine
    }
    case 'replicaset': {
      const revision = w.live?.metadata.annotations?.[REVISION]
      const current = replicaSets.find(
        rs => owner(rs)?.uid === uid && rs.metadata.annotations?.[REVISION] === revision
      )
      return current ? live.filter(p => owner(p)?.uid === current.metadata.uid) : []
    }
    default:
      return []
  }
}

/** Mutable copies of the memory, for one evaluation. */
function working(m: RolloutMemory) {
  return {
    said: new Map(m.said),
    doneAt: new Map(m.doneAt),
    baselines: new Map(m.baselines),
    tolerated: new Map(m.tolerated),
    toleratedSeen: new Set(m.toleratedSeen),
    waitsLogged: new Set(m.waitsLogged),
    retrying: new Map(m.retrying)
  }
}
type Working = ReturnType<typeof working>

/**
 * The rollout's state at one moment. In the run's order, each object's progress line (when it
 * changed); the first that failed by its own status or by a pod rule ends the rollout; it is
 * ready when every object is.
 */
export function evaluate(s: RolloutSnapshot): RolloutDecision {
  const memory = working(s.memory)
  const decision: RolloutDecision = {
    outcome: { state: 'waiting' },
    log: [],
    recheck: false,
    memory
  }
  const verdicts = new Map(s.workloads.map(w => [w.key, verdictOf(w)]))
  for (const w of s.workloads) {
    if (isDone(verdicts.get(w.key)!) && !memory.doneAt.has(w.key)) memory.doneAt.set(w.key, s.now)
  }
  for (const w of s.workloads) {
    const v = verdicts.get(w.key)!
    if (v.state !== 'failed' && memory.said.get(w.key) !== v.message) {
      memory.said.set(w.key, v.message)
      decision.log.push(v.message)
    }
    if (v.state === 'failed') {
      decision.outcome = {
        state: 'failed',
        failure: { key: w.key, reason: v.reason, message: v.message }
      }
      return decision
    }
    if (isDone(v)) continue
    const failure = podRules(s, w, verdicts, memory, decision)
    if (failure) {
      decision.outcome = { state: 'failed', failure }
      return decision
    }
  }
  if ([...verdicts.values()].every(isDone)) decision.outcome = { state: 'ready' }
  return decision
}

/** The pod rules for one unfinished workload: the first problem that fails it, if any. */
function podRules(
  s: RolloutSnapshot,
  w: WaitedObject,
  verdicts: ReadonlyMap<string, Verdict>,
  memory: Working,
  decision: RolloutDecision
): RolloutFailure | undefined {
  const others = s.workloads.filter(x => x !== w)
  const othersReady = others.every(x => isDone(verdicts.get(x.key)!))
  const current = currentPods(w, s.pods, s.replicaSets)
  const jobPod = w.entry.readiness?.jobPods
  const problems = [
    ...current.flatMap(p => podProblems(p, { jobPod, overlays: s.overlays })),
    ...schedulingProblems(s, w, current, memory, decision)
  ]
  if (othersReady && !memory.baselines.has(w.key)) {
    memory.baselines.set(w.key, others.length ? crashCounts(current) : new Map())
  }
  for (const p of problems) {
    if (p.kind === 'retrying') {
      memory.retrying.set(`${p.pod}/${p.container}`, p.message)
      continue
    }
    let rule: string | undefined = p.kind === 'fatal' ? p.rule : undefined
    if (p.kind === 'crash') {
      rule = crashVerdict(p, {
        maxRestarts: s.maxRestarts,
        othersReady,
        baseline: memory.baselines.get(w.key),
        hasOthers: others.length > 0
      })
      if (!rule) {
        tolerate(s, w, p, memory, decision)
        continue
      }
    }
    return podFailure(w, p, rule, current)
  }
  return undefined
}

/** A crash tolerated while other workloads start: retried, and logged once per restart. */
function tolerate(
  s: RolloutSnapshot,
  w: WaitedObject,
  p: Extract<PodProblem, { kind: 'crash' }>,
  memory: Working,
  decision: RolloutDecision
): void {
  const tolerated = `${p.message} (tolerated while other workloads start, max-restarts ${s.maxRestarts})`
  memory.retrying.set(`${p.pod}/${p.container}`, tolerated)
  const key = `${p.pod}/${p.container}/${p.restarts}`
  if (memory.toleratedSeen.has(key)) return
  memory.toleratedSeen.add(key)
  memory.tolerated.set(w.key, [
    ...(memory.tolerated.get(w.key) ?? []),
    { at: s.now, message: p.message }
  ])
  decision.log.push(`${resourceName(w.type)} "${w.name}": ${tolerated}`)
}

/**
 * Pods that cannot be scheduled without the user (a claim nothing will bind); those that may
 * still be are logged once each, and ask for a re-evaluation each second.
 */
function schedulingProblems(
  s: RolloutSnapshot,
  w: WaitedObject,
  current: readonly Pod[],
  memory: Working,
  decision: RolloutDecision
): PodProblem[] {
  if (!s.storage) return []
  const out: PodProblem[] = []
  const counted = s.workloads.reduce((n, x) => n + currentPods(x, s.pods, s.replicaSets).length, 0)
  const podsLeaving = s.pods.some(p => p.metadata.deletionTimestamp) || s.pods.length > counted
  for (const pod of current) {
    const v = schedulingVerdict(pod, { ...s.storage(pod.metadata.namespace), podsLeaving })
    if (v?.state === 'failed') {
      const name = pod.metadata.name ?? '?'
      out.push({
        kind: 'fatal',
        reason: 'FailedScheduling',
        pod: name,
        message: v.message,
        rule: v.rule
      })
    } else if (v) {
      decision.recheck = true
      if (memory.waitsLogged.has(v.message)) continue
      memory.waitsLogged.add(v.message)
      decision.log.push(`${resourceName(w.type)} "${w.name}": ${v.message}`)
    }
  }
  return out
}

/** The failure a pod problem makes; a crash (or a Job pod's end) brings the container's log. */
function podFailure(
  w: WaitedObject,
  p: PodProblem,
  rule: string | undefined,
  current: readonly Pod[]
): RolloutFailure {
  const container = 'container' in p ? p.container : undefined
  const message = `${resourceName(w.type)} "${w.name}" failed: ${p.message}${rule ? ` (${rule})` : ''}`
  const failure: RolloutFailure = { key: w.key, reason: p.reason, message, pod: p.pod, container }
  if (container && (p.reason === 'CrashLoopBackOff' || w.entry.readiness?.jobPods)) {
    const pod = current.find(x => x.metadata.name === p.pod)
    const status = [
      ...(pod?.status?.initContainerStatuses ?? []),
      ...(pod?.status?.containerStatuses ?? [])
    ].find(c => c.name === container)
    if (status) failure.log = { namespace: w.namespace, pod: p.pod, status }
  }
  return failure
}

/**
 * The timeout's one line: each unfinished object and why its pods are not ready, what is still
 * retried, and the last API error when nothing was ever observed.
 */
export function timeoutMessage(
  s: RolloutSnapshot,
  timeoutMs: number,
  events: readonly KubeEvent[],
  lastError?: unknown
): { message: string; key: string } {
  const seconds = Math.round(timeoutMs / 100) / 10
  const waiting = s.workloads.filter(w => !isDone(verdictOf(w)))
  const parts: string[] = []
  for (const w of waiting) {
    const pods = currentPods(w, s.pods, s.replicaSets)
    parts.push(`${resourceName(w.type)} "${w.name}": ${verdictOf(w).message}`)
    parts.push(...explainNotReady(pods, events))
    if (s.storage) parts.push(...pendingClaimLines(pods, s.storage(pods[0]?.metadata.namespace)))
  }
  for (const r of s.memory.retrying.values()) parts.push(`still retrying: ${r}`)
  if (lastError && waiting.every(w => !w.live)) {
    parts.push(`last API error: ${errorMessage(lastError)}`)
  }
  const names = waiting.map(w => `${w.kind.toLowerCase()} "${w.name}"`).join(', ')
  return {
    message: `timed out after ${seconds}s waiting for ${names}: ${parts.join('; ')}`,
    key: waiting[0]?.key ?? s.workloads[0].key
  }
}
