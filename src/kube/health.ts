// Keeps watching the run's pods once every workload is ready (through the smoke checks and the
// stable-for window): a service that answers three requests and then crashes is not healthy. A
// container that restarts or terminates, or a ready pod that stops being Ready or is deleted, is
// reported once, with the pod, the container, its exit code and its last log lines.

import { readExplainingLog } from './crash-log.js'
import { groupOf, KINDS, knownKind, Resources } from './kinds.js'
import { listWatch, type ListWatchLoop } from './list-watch.js'
import type { KubePort } from './api.js'
import { lastTermination } from './status/pods.js'
import { condition } from './status/verdict.js'
import type { ContainerStatus, Pod } from './types.js'

export interface HealthProblem {
  pod: string
  container?: string
  /** e.g. `container "app" of pod "web-1" restarted 4.1 s after …: last exit code 1 (Error)` */
  message: string
  /** The container's last log lines (the run that ended, after a restart or termination). */
  logs?: string
  /** `last 20 log lines of container "app" of pod "web-1":\n…`, as a crash in the rollout says. */
  details?: string
}

export interface HealthWatch {
  stop(): void
}

export interface HealthOptions {
  /** undefined: every namespace (the run's label selects its pods). */
  namespace?: string
  labelSelector: string
  logLines?: number
  /**
   * When the pods were seen ready (ms since the epoch): a restart that ended after it but before
   * the watch's first list is still caught (from the container's finishedAt).
   */
  since?: number
  /** Words for when it happened, e.g. `while the smoke checks ran`; asked at the problem. */
  when?: () => string
}

export interface Seen {
  ready: boolean
  terminating: boolean
  restarts: Map<string, number>
}

/**
 * Starts watching the run's running pods (Job pods, which end by design, are left alone) and
 * calls onProblem once, at the first restart, termination or loss of readiness.
 */
export function watchHealth(
  kube: KubePort,
  options: HealthOptions,
  onProblem: (problem: HealthProblem) => void
): HealthWatch {
  const seen = new Map<string, Seen>()
  const lines = options.logLines ?? 20
  const when = () => options.when?.() ?? 'while the smoke checks ran'
  let reported = false
  /** `what` happened `when()`: `detail`; with the container's logs when there is one. */
  const report = (pod: Pod, s: ContainerStatus | undefined, what: string, detail?: string) => {
    if (reported) return
    reported = true
    loop.stop()
    const message = `${what} ${when()}${detail ? `: ${detail}` : ''}`
    const name = pod.metadata.name ?? '?'
    const namespace = pod.metadata.namespace ?? options.namespace
    if (!s || !namespace)
      return onProblem({ pod: name, ...(s ? { container: s.name } : {}), message })
    void readExplainingLog(kube, namespace, name, s, lines).then(logs =>
      onProblem({
        pod: name,
        container: s.name,
        message,
        ...(logs
          ? {
              logs,
              details: `last ${lines} log lines of container "${s.name}" of pod "${name}":\n${logs}`
            }
          : {})
      })
    )
  }
  const look = (pod: Pod, deleted = false) => {
    if (runsToCompletion(pod) || reported) return
    const key = pod.metadata.uid ?? pod.metadata.name ?? '?'
    const change = healthChange(seen.get(key), pod, deleted, options.since)
    seen.set(key, sighting(pod))
    if (!change) return
    const name = pod.metadata.name ?? '?'
    if (change.kind === 'deleted') return report(pod, undefined, `pod "${name}" was deleted`)
    if (change.kind === 'ended') {
      const s = change.container
      const how = (s.restartCount ?? 0) > 0 ? 'restarted' : 'terminated'
      // The run that just ended: a container terminated now says so in state, not lastState.
      const why = lastTermination(s.state?.terminated ? { ...s, lastState: undefined } : s)
      return report(pod, s, `container "${s.name}" of pod "${name}" ${how}`, why)
    }
    const s = change.container
    const reason = change.reason ? ` (${change.reason})` : ''
    report(
      pod,
      s,
      `pod "${name}" stopped being ready${reason}`,
      s && `container "${s.name}" is not ready`
    )
  }
  const loop: ListWatchLoop = listWatch<Pod>(
    kube,
    Resources.Pod,
    { namespace: options.namespace, labelSelector: options.labelSelector },
    {
      onList: items => {
        for (const p of items) look(p)
      },
      onEvent: (type, p) => look(p, type === 'DELETED')
    }
  )
  return { stop: () => loop.stop() }
}

/** What a sighting of a pod keeps for the next one. */
export function sighting(pod: Pod): Seen {
  return {
    ready: condition(pod.status?.conditions, 'Ready')?.status === 'True',
    terminating: Boolean(pod.metadata.deletionTimestamp),
    restarts: new Map((pod.status?.containerStatuses ?? []).map(s => [s.name, s.restartCount ?? 0]))
  }
}

export type HealthChange =
  /** A container's run ended: restarted by the kubelet, or terminated for good. */
  | { kind: 'ended'; container: ContainerStatus }
  /** A pod that was ready is being deleted. */
  | { kind: 'deleted' }
  | { kind: 'unready'; container?: ContainerStatus; reason?: string }

/**
 * What broke between the last sighting of a pod (undefined: first seen) and this one. Pods
 * already terminating when first seen (an older revision going away) are left alone, and only a
 * pod seen ready can stop being ready or be deleted; a restart counts for any. `since`: at first
 * sight, a run that ended after it (readiness) still counts.
 */
export function healthChange(
  before: Seen | undefined,
  pod: Pod,
  deleted: boolean,
  since?: number
): HealthChange | undefined {
  const now = sighting(pod)
  const statuses = pod.status?.containerStatuses ?? []
  if (!before) {
    if (since === undefined || now.terminating) return undefined
    const crashed = statuses.find(s => finishedAt(s) >= since)
    return crashed && { kind: 'ended', container: crashed }
  }
  if (before.terminating) return undefined
  if (before.ready && (deleted || now.terminating)) return { kind: 'deleted' }
  const restarted = statuses.find(s => (s.restartCount ?? 0) > (before.restarts.get(s.name) ?? 0))
  if (restarted) return { kind: 'ended', container: restarted }
  if (!before.ready || now.ready) return undefined
  const terminated = statuses.find(s => s.state?.terminated)
  if (terminated) return { kind: 'ended', container: terminated }
  return {
    kind: 'unready',
    container: statuses.find(s => !s.ready),
    reason: condition(pod.status?.conditions, 'Ready')?.reason
  }
}

/** When the container's last run ended (ms), or -Infinity. */
function finishedAt(s: ContainerStatus): number {
  const t = s.lastState?.terminated?.finishedAt ?? s.state?.terminated?.finishedAt
  const ms = t ? Date.parse(t) : NaN
  return Number.isNaN(ms) ? -Infinity : ms
}

/**
 * A pod meant to finish (a Job's, a chart's test or hook pod: restartPolicy Never or OnFailure)
 * is not a serving pod: its exit is completion, judged by its own step, never a crash.
 */
function runsToCompletion(pod: Pod): boolean {
  const policy = pod.spec?.restartPolicy
  return (
    policy === 'Never' ||
    policy === 'OnFailure' ||
    Boolean(pod.metadata.ownerReferences?.some(isJobOwner))
  )
}

/** An owner whose pods the registry says run to completion (a Job's). */
function isJobOwner(owner: { kind: string }): boolean {
  const apiVersion = (owner as { apiVersion?: string }).apiVersion
  const entries = apiVersion
    ? [knownKind(groupOf(apiVersion), owner.kind)]
    : KINDS.filter(k => k.type.kind === owner.kind)
  return entries.some(k => k?.readiness?.jobPods)
}
