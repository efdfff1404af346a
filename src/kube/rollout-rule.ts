// When a rollout is done, still going, or has failed, decided from recorded objects alone. The
// done rule and its messages are kubectl's (`kubectl rollout status`); the fail-fast rules name the
// pod state that makes waiting pointless.

import type {
  Condition,
  ContainerStatus,
  Deployment,
  KubeEvent,
  LabelSelector,
  Pod,
  Probe,
  ReplicaSet
} from './types.js'

export type RolloutVerdict =
  | { state: 'progressing'; message: string }
  | { state: 'done'; message: string }
  | {
      state: 'failed'
      /** The Kubernetes reason, e.g. `CrashLoopBackOff`, `ProgressDeadlineExceeded`. */
      reason: string
      message: string
      pod?: string
      container?: string
    }

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision'
export const POD_TEMPLATE_HASH = 'pod-template-hash'

/** Waiting reasons that no amount of waiting fixes. */
export const FATAL_WAITING_REASONS = [
  'ErrImageNeverPull',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError'
]

// The scheduler retries these by itself once the node is up: not a reason to give up.
const TRANSIENT_SCHEDULING = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']

/** kubectl's DeploymentStatusViewer, plus the conditions that mean the rollout cannot finish. */
export function deploymentStatus(d: Deployment): RolloutVerdict {
  const name = d.metadata.name
  const status = d.status ?? {}
  if ((d.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { state: 'progressing', message: 'Waiting for deployment spec update to be observed...' }
  }
  const progressing = condition(status.conditions, 'Progressing')
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      state: 'failed',
      reason: 'ProgressDeadlineExceeded',
      message: `deployment "${name}" exceeded its progress deadline${suffix(progressing.message)}`
    }
  }
  const replicaFailure = condition(status.conditions, 'ReplicaFailure')
  if (replicaFailure?.status === 'True') {
    return {
      state: 'failed',
      reason: replicaFailure.reason ?? 'ReplicaFailure',
      message: `deployment "${name}" failed: ${replicaFailure.reason ?? 'ReplicaFailure'}${suffix(replicaFailure.message)}`
    }
  }
  const desired = d.spec.replicas ?? 1
  const updated = status.updatedReplicas ?? 0
  const total = status.replicas ?? 0
  const available = status.availableReplicas ?? 0
  const waiting = `Waiting for deployment "${name}" rollout to finish:`
  if (updated < desired) {
    return {
      state: 'progressing',
      message: `${waiting} ${updated} out of ${desired} new replicas have been updated...`
    }
  }
  if (total > updated) {
    return {
      state: 'progressing',
      message: `${waiting} ${total - updated} old replicas are pending termination...`
    }
  }
  if (available < updated) {
    return {
      state: 'progressing',
      message: `${waiting} ${available} of ${updated} updated replicas are available...`
    }
  }
  return { state: 'done', message: `deployment "${name}" successfully rolled out` }
}

export interface PodFailure {
  reason: string
  pod: string
  container?: string
  /** e.g. `container "app" is in CrashLoopBackOff (restarted 2 times): last exit code 1 (Error)` */
  message: string
}

/** The first fail-fast state in a pod: a container that cannot start, or a pod that cannot be placed. */
export function podFailure(pod: Pod): PodFailure | undefined {
  const podName = pod.metadata.name ?? '?'
  const statuses: Array<[ContainerStatus, string]> = [
    ...(pod.status?.initContainerStatuses ?? []).map(
      s => [s, 'init container'] as [ContainerStatus, string]
    ),
    ...(pod.status?.containerStatuses ?? []).map(s => [s, 'container'] as [ContainerStatus, string])
  ]
  for (const [s, noun] of statuses) {
    const waiting = s.state?.waiting
    const reason = waiting?.reason
    if (!reason) continue
    if (FATAL_WAITING_REASONS.includes(reason)) {
      return {
        reason,
        pod: podName,
        container: s.name,
        message: `${noun} "${s.name}" is in ${reason}${suffix(waiting?.message)}`
      }
    }
    const restarts = s.restartCount ?? 0
    if (reason === 'CrashLoopBackOff' && restarts >= 1) {
      return {
        reason,
        pod: podName,
        container: s.name,
        message: `${noun} "${s.name}" is in CrashLoopBackOff (restarted ${plural(restarts, 'time')})${suffix(lastTermination(s))}`
      }
    }
  }
  const scheduled = condition(pod.status?.conditions, 'PodScheduled')
  if (
    scheduled?.status === 'False' &&
    scheduled.reason === 'Unschedulable' &&
    !TRANSIENT_SCHEDULING.some(t => scheduled.message?.includes(t))
  ) {
    return {
      reason: 'FailedScheduling',
      pod: podName,
      message: `pod "${podName}" cannot be scheduled${suffix(scheduled.message)}`
    }
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

export interface RolloutSnapshot {
  deployment?: Deployment
  /** Pods matching the Deployment's selector (old and new ReplicaSets alike). */
  pods: Iterable<Pod>
  /** pod-template-hash of the Deployment's current ReplicaSet, once known. */
  newReplicaSetHash?: string
}

/** The verdict for one moment of a rollout: the Deployment's own rule first, then its new pods. */
export function evaluateRollout(snapshot: RolloutSnapshot): RolloutVerdict {
  const d = snapshot.deployment
  if (!d) return { state: 'progressing', message: 'Waiting for the deployment to be observed...' }
  const verdict = deploymentStatus(d)
  if (verdict.state !== 'progressing') return verdict
  for (const pod of newPods(snapshot)) {
    const failure = podFailure(pod)
    if (failure) {
      return {
        state: 'failed',
        reason: failure.reason,
        pod: failure.pod,
        container: failure.container,
        message: `deployment "${d.metadata.name}" failed: ${failure.message}`
      }
    }
  }
  return verdict
}

/** Live pods of the new ReplicaSet; none until it is known (old pods must not fail a rollout). */
export function newPods(snapshot: RolloutSnapshot): Pod[] {
  const hash = snapshot.newReplicaSetHash
  if (!hash) return []
  return [...snapshot.pods].filter(
    p => p.metadata.labels?.[POD_TEMPLATE_HASH] === hash && !p.metadata.deletionTimestamp
  )
}

/** The ReplicaSet carrying the Deployment's current revision (how kubectl finds the new one). */
export function newReplicaSet(
  d: Deployment,
  replicaSets: readonly ReplicaSet[]
): ReplicaSet | undefined {
  const revision = d.metadata.annotations?.[REVISION_ANNOTATION]
  if (!revision) return undefined
  return replicaSets.find(
    rs =>
      rs.metadata.annotations?.[REVISION_ANNOTATION] === revision &&
      (rs.metadata.ownerReferences ?? []).some(
        o => o.kind === 'Deployment' && o.name === d.metadata.name
      )
  )
}

/**
 * Why new pods are not ready yet, for a timeout message: unscheduled pods, waiting containers, and
 * running-but-unready containers with their readiness probe and its latest failure event.
 */
export function explainNotReady(pods: readonly Pod[], events: readonly KubeEvent[]): string[] {
  const lines = new Map<string, string[]>()
  const add = (line: string, pod: string) => lines.set(line, [...(lines.get(line) ?? []), pod])
  for (const pod of pods) {
    const podName = pod.metadata.name ?? '?'
    const scheduled = condition(pod.status?.conditions, 'PodScheduled')
    if (scheduled?.status === 'False') {
      add(`pod is not scheduled${suffix(scheduled.message)}`, podName)
      continue
    }
    const specs = pod.spec?.containers ?? []
    for (const s of pod.status?.containerStatuses ?? []) {
      if (s.ready) continue
      const waiting = s.state?.waiting
      if (waiting) {
        add(
          `container "${s.name}" is waiting: ${waiting.reason ?? 'unknown reason'}${suffix(waiting.message)}`,
          podName
        )
        continue
      }
      if (s.state?.terminated) {
        add(
          `container "${s.name}" has terminated: ${lastTermination({ ...s, lastState: undefined }) ?? ''}`,
          podName
        )
        continue
      }
      const probe = specs.find(c => c.name === s.name)?.readinessProbe
      const failure = latestEvent(events, podName, 'Unhealthy', /^Readiness probe/)
      const what = probe ? ` (readiness probe: ${describeProbe(probe)})` : ''
      const why = failure?.message ? `: ${oneLine(failure.message)}` : ''
      add(`container "${s.name}" is running but not ready${why}${what}`, podName)
    }
    if (!pod.status?.containerStatuses?.length && pod.status?.phase) {
      add(`pod is ${pod.status.phase}${suffix(pod.status.message)}`, podName)
    }
  }
  return [...lines].map(([line, names]) => `${podList(names)}: ${line}`)
}

function podList(names: string[]): string {
  const shown = names
    .slice(0, 3)
    .map(n => `"${n}"`)
    .join(', ')
  const more = names.length > 3 ? ` and ${names.length - 3} more` : ''
  return `${names.length === 1 ? 'pod' : 'pods'} ${shown}${more}`
}

function latestEvent(
  events: readonly KubeEvent[],
  podName: string,
  reason: string,
  message: RegExp
): KubeEvent | undefined {
  return events
    .filter(
      e =>
        e.involvedObject?.name === podName && e.reason === reason && message.test(e.message ?? '')
    )
    .sort((a, b) => eventTime(a) - eventTime(b))
    .at(-1)
}

/** When an event last happened, in ms (0 when it carries no time). */
export function eventTime(e: KubeEvent): number {
  const t = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp
  const ms = t ? Date.parse(t) : NaN
  return Number.isNaN(ms) ? 0 : ms
}

/** A probe the way `kubectl describe pod` prints it. */
export function describeProbe(p: Probe): string {
  let action = 'unknown'
  if (p.httpGet) {
    const scheme = (p.httpGet.scheme ?? 'HTTP').toLowerCase()
    action = `http-get ${scheme}://${p.httpGet.host ?? ''}:${p.httpGet.port}${p.httpGet.path ?? '/'}`
  } else if (p.tcpSocket) {
    action = `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port}`
  } else if (p.exec) {
    action = `exec [${(p.exec.command ?? []).join(' ')}]`
  }
  return (
    `${action} delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s ` +
    `period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`
  )
}

/** A label selector as a query string, e.g. `app=web,tier in (a,b)`. */
export function selectorString(selector: LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`)
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',')
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`)
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`)
    else if (e.operator === 'Exists') parts.push(e.key)
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`)
  }
  return parts.join(',')
}

export function condition(
  conditions: Condition[] | undefined,
  type: string
): Condition | undefined {
  return conditions?.find(c => c.type === type)
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

function suffix(text: string | undefined): string {
  return text?.trim() ? `: ${oneLine(text)}` : ''
}

function oneLine(text: string, max = 300): string {
  const line = text.trim().replace(/\s*\n\s*/g, ' | ')
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}
