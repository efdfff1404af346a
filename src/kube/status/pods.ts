// The pod states that decide a wait early, from a pod's status and the kubelet's events, and the
// crash policy. Pure: the wait engine (wait.ts) feeds it what it watched.
//
// Fatal at once: a container that cannot start and never will (ErrImageNeverPull,
// InvalidImageName, CreateContainerConfigError), an image the registry says does not exist or may
// not be pulled. (A pod that cannot be scheduled is judged by scheduling.ts: it may be waiting for
// storage or a starting node.)
// Crashes (CrashLoopBackOff) follow the crash policy: a crash-looping container fails the run at
// once when every other workload of the run is ready — nothing it could be waiting for — and
// otherwise only after `maxRestarts` restarts, or when it crashes again after the others became
// ready. An app that exits until its database is up is started again by the kubelet, and passes.

import type { ContainerStatus, KubeEvent, Pod } from '../types.js'
import { oneLine, plural, suffix } from './verdict.js'

/** Waiting reasons that no amount of waiting fixes. */
export const FATAL_WAITING_REASONS = [
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError'
]
const PULL_REASONS = ['ErrImagePull', 'ImagePullBackOff']
/** A registry answer that means the image will never be pulled; anything else is retried. */
const PULL_NEVER =
  /not found|manifest unknown|unauthorized|authentication required|access (to the resource )?(is )?denied|pull access denied|repository does not exist|insufficient_scope/i

export interface ContainerRef {
  pod: string
  container: string
  /** `container`, `init container`, or `sidecar container` (an init container that keeps running). */
  noun: string
}

export type PodProblem =
  | (ContainerRef & { kind: 'fatal'; reason: string; message: string; rule?: string })
  | (ContainerRef & {
      kind: 'crash'
      reason: 'CrashLoopBackOff'
      message: string
      restarts: number
      /** Times the container has ended: its restarts, plus the run that just crashed. */
      crashes: number
    })
  | (ContainerRef & { kind: 'retrying'; reason: string; message: string })
  | { kind: 'fatal'; reason: 'FailedScheduling'; pod: string; message: string; rule?: string }

/** The last word from the kubelet's events about a container, newer than the pod status seen. */
export interface EventOverlay {
  reason: string
  message: string
  /** The pod's resourceVersion when the event came: once the pod changes, its status rules. */
  podResourceVersion?: string
}

export type Overlays = ReadonlyMap<string, EventOverlay>

export function overlayKey(podUid: string, container: string): string {
  return `${podUid}/${container}`
}

/**
 * What a kubelet event says about a container, if it is something the wait acts on: a back-off
 * after a crash, an image that cannot be used, a failed pull (its message explains a later
 * ImagePullBackOff, whose own message does not say why).
 */
export function eventOverlay(
  e: KubeEvent
): { container: string; overlay: EventOverlay } | undefined {
  if (e.involvedObject?.kind !== 'Pod') return undefined
  const m = /^spec\.(?:initContainers|containers)\{(.+)\}$/.exec(e.involvedObject.fieldPath ?? '')
  if (!m) return undefined
  const message = (e.message ?? '').trim()
  let reason: string | undefined
  if (e.reason === 'BackOff' && /restarting failed container/i.test(message)) {
    reason = 'CrashLoopBackOff'
  } else if (e.reason === 'ErrImageNeverPull' || e.reason === 'InspectFailed') {
    reason = e.reason === 'InspectFailed' ? 'InvalidImageName' : 'ErrImageNeverPull'
  } else if (e.reason === 'Failed' && /^Failed to pull image/i.test(message)) {
    reason = 'ErrImagePull'
  }
  return reason ? { container: m[1], overlay: { reason, message } } : undefined
}

export interface PodCheckOptions {
  /** Job pods: a crash is the Job's to count (backoffLimit); only images and scheduling fail fast. */
  jobPod?: boolean
  overlays?: Overlays
}

/** Every state in the pod the wait acts on, init containers first. */
export function podProblems(pod: Pod, options: PodCheckOptions = {}): PodProblem[] {
  const podName = pod.metadata.name ?? '?'
  const problems: PodProblem[] = []
  const sidecars = new Set(
    (pod.spec?.initContainers ?? []).filter(c => c.restartPolicy === 'Always').map(c => c.name)
  )
  const statuses: Array<[ContainerStatus, string]> = [
    ...(pod.status?.initContainerStatuses ?? []).map(
      s =>
        [s, sidecars.has(s.name) ? 'sidecar container' : 'init container'] as [
          ContainerStatus,
          string
        ]
    ),
    ...(pod.status?.containerStatuses ?? []).map(s => [s, 'container'] as [ContainerStatus, string])
  ]
  for (const [s, noun] of statuses) {
    const ref = { pod: podName, container: s.name, noun }
    const overlay = freshOverlay(pod, s.name, options.overlays)
    const waiting = s.state?.waiting
    let reason = waiting?.reason
    let message = waiting?.message
    // A fresh event is newer than the status; but a pull error only explains a pull back-off.
    if (
      overlay &&
      !(PULL_REASONS.includes(reason ?? '') && PULL_REASONS.includes(overlay.reason))
    ) {
      reason = overlay.reason
      message = overlay.message
    }
    if (!reason) continue
    if (FATAL_WAITING_REASONS.includes(reason)) {
      problems.push({
        ...ref,
        kind: 'fatal',
        reason,
        message: `${noun} "${s.name}" is in ${reason}${suffix(message)}`
      })
    } else if (PULL_REASONS.includes(reason)) {
      // ImagePullBackOff only says "Back-off pulling image": the cause is the last pull error.
      const cause = PULL_NEVER.test(message ?? '') ? message : overlay?.message
      const never = PULL_NEVER.test(cause ?? '')
      problems.push({
        ...ref,
        kind: never ? 'fatal' : 'retrying',
        reason,
        message: `${noun} "${s.name}" is in ${reason}${suffix(cause ?? message)}`,
        ...(never ? { rule: 'the registry says the image cannot be pulled' } : {})
      })
    } else if (reason === 'CrashLoopBackOff' && !options.jobPod) {
      const restarts = s.restartCount ?? 0
      problems.push({
        ...ref,
        kind: 'crash',
        reason,
        restarts,
        crashes: restarts + 1,
        message: `${noun} "${s.name}" is in CrashLoopBackOff (restarted ${plural(restarts, 'time')})${suffix(lastTermination(s))}`
      })
    }
  }
  return problems
}

function freshOverlay(
  pod: Pod,
  container: string,
  overlays: Overlays | undefined
): EventOverlay | undefined {
  const o = overlays?.get(overlayKey(pod.metadata.uid ?? '', container))
  if (!o) return undefined
  // A fatal image state never clears; a crash or a pull error is only news until the pod changes.
  if (FATAL_WAITING_REASONS.includes(o.reason)) return o
  return o.podResourceVersion === pod.metadata.resourceVersion ? o : undefined
}

/**
 * How many times each container of the pods has ended so far, by `pod/container`: its restarts,
 * plus one while it is down after a crash (terminated, or in CrashLoopBackOff) — the same count
 * a crash problem carries, so a later crash is one that happened after this moment.
 */
export function crashCounts(pods: readonly Pod[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const pod of pods) {
    const statuses = [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? [])
    ]
    for (const s of statuses) {
      const down =
        s.state?.terminated !== undefined || s.state?.waiting?.reason === 'CrashLoopBackOff'
      counts.set(`${pod.metadata.name}/${s.name}`, (s.restartCount ?? 0) + (down ? 1 : 0))
    }
  }
  return counts
}

export interface CrashContext {
  maxRestarts: number
  /** Every other workload of the run is ready. */
  othersReady: boolean
  /** Crash counts when the others became ready (absent: they were ready from the start). */
  baseline?: ReadonlyMap<string, number>
  /** There are other workloads at all (for the wording). */
  hasOthers: boolean
}

/**
 * Whether a crash-looping container fails the run now, and by which rule (said in the message).
 * Undefined: keep waiting — it may be waiting for another workload of the run that is starting.
 */
export function crashVerdict(
  p: Extract<PodProblem, { kind: 'crash' }>,
  ctx: CrashContext
): string | undefined {
  const before = ctx.baseline?.get(`${p.pod}/${p.container}`) ?? 0
  if (ctx.othersReady && p.crashes > before) {
    return ctx.hasOthers
      ? 'it crashed after every other workload of the run was ready'
      : 'no other workload of the run is starting, so it is not waiting for one'
  }
  if (p.restarts >= ctx.maxRestarts) {
    return `it restarted ${plural(p.restarts, 'time')} (max-restarts ${ctx.maxRestarts})`
  }
  return undefined
}

/** `last exit code 1 (Error): <termination message>` from the container's last termination. */
export function lastTermination(s: ContainerStatus): string | undefined {
  const t = s.lastState?.terminated ?? s.state?.terminated
  if (!t) return undefined
  const code = t.exitCode !== undefined ? `last exit code ${t.exitCode}` : 'last terminated'
  const reason = t.reason ? ` (${t.reason})` : ''
  const message = t.message?.trim() ? `: ${oneLine(t.message)}` : ''
  return `${code}${reason}${message}`
}

/** When an event last happened, in ms (0 when it carries no time). */
export function eventTime(e: KubeEvent): number {
  const t = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp
  const ms = t ? Date.parse(t) : NaN
  return Number.isNaN(ms) ? 0 : ms
}
