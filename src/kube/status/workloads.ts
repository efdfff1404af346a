// Readiness of the built-in workload kinds. Deployment, StatefulSet and DaemonSet follow kubectl's
// status viewers (`kubectl rollout status`, k8s.io/kubectl polymorphichelpers) word for word where
// kubectl has words, with the workload's name added because several are waited for at once; Job,
// ReplicaSet and Pod follow kstatus (sigs.k8s.io/cli-utils pkg/kstatus/status/core.go), except that
// a Job is waited for until it has completed: a migration must finish before the smoke test.

import type {
  DaemonSet,
  Deployment,
  Job,
  KubeObject,
  Pod,
  ReplicaSet,
  StatefulSet
} from '../types.js'
import {
  condition,
  current,
  failed,
  generationPending,
  inProgress,
  isTrue,
  suffix,
  type Verdict
} from './verdict.js'

/** kubectl's DeploymentStatusViewer, plus the conditions that mean the rollout cannot finish. */
export function deploymentStatus(d: Deployment): Verdict {
  const name = d.metadata.name
  const status = d.status ?? {}
  if (generationPending(d)) {
    return inProgress('Waiting for deployment spec update to be observed...')
  }
  const progressing = condition(status.conditions, 'Progressing')
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return failed(
      'ProgressDeadlineExceeded',
      `deployment "${name}" exceeded its progress deadline${suffix(progressing.message)}`
    )
  }
  const replicaFailure = condition(status.conditions, 'ReplicaFailure')
  if (replicaFailure?.status === 'True') {
    const reason = replicaFailure.reason ?? 'ReplicaFailure'
    return failed(reason, `deployment "${name}" failed: ${reason}${suffix(replicaFailure.message)}`)
  }
  const desired = d.spec.replicas ?? 1
  const updated = status.updatedReplicas ?? 0
  const total = status.replicas ?? 0
  const available = status.availableReplicas ?? 0
  const waiting = `Waiting for deployment "${name}" rollout to finish:`
  if (updated < desired) {
    return inProgress(`${waiting} ${updated} out of ${desired} new replicas have been updated...`)
  }
  if (total > updated) {
    return inProgress(`${waiting} ${total - updated} old replicas are pending termination...`)
  }
  if (available < updated) {
    return inProgress(`${waiting} ${available} of ${updated} updated replicas are available...`)
  }
  return current(`deployment "${name}" successfully rolled out`)
}

/**
 * kubectl's StatefulSetStatusViewer: the spec observed, every replica ready, then either the
 * partitioned rollout's updated count (a RollingUpdate strategy; the API server defaults its
 * partition to 0) or currentRevision == updateRevision. OnDelete cannot be observed to finish.
 */
export function statefulSetStatus(s: StatefulSet): Verdict {
  const name = s.metadata.name
  const strategy = s.spec.updateStrategy
  if (strategy?.type === 'OnDelete') {
    return {
      state: 'unwaitable',
      message: `statefulset "${name}" uses the OnDelete update strategy: its rollout cannot be observed, not waited for`
    }
  }
  const status = s.status ?? {}
  if (!status.observedGeneration || generationPending(s)) {
    return inProgress('Waiting for statefulset spec update to be observed...')
  }
  const desired = s.spec.replicas ?? 1
  const ready = status.readyReplicas ?? 0
  const waiting = `Waiting for statefulset "${name}" rollout to finish:`
  if (ready < desired) {
    return inProgress(`${waiting} ${desired - ready} of ${desired} pods are not ready yet...`)
  }
  const updated = status.updatedReplicas ?? 0
  const partition = strategy?.rollingUpdate?.partition
  if (partition !== undefined) {
    if (updated < desired - partition) {
      return inProgress(
        `Waiting for statefulset "${name}" partitioned roll out to finish: ${updated} out of ${desired - partition} new pods have been updated...`
      )
    }
    return current(`statefulset "${name}" successfully rolled out (${updated} new pods updated)`)
  }
  if (status.updateRevision !== status.currentRevision) {
    return inProgress(
      `${waiting} waiting for statefulset rolling update to complete ${updated} pods at revision ${status.updateRevision}...`
    )
  }
  return current(`statefulset "${name}" successfully rolled out`)
}

/** A StatefulSet's current pods carry its update revision; older ones do not count. */
export function statefulSetCurrentPods(s: StatefulSet, pods: Pod[]): Pod[] {
  const revision = s.status?.updateRevision
  if (!revision) return pods
  return pods.filter(p => p.metadata.labels?.['controller-revision-hash'] === revision)
}

/** kubectl's DaemonSetStatusViewer (only RollingUpdate can be observed). */
export function daemonSetStatus(ds: DaemonSet): Verdict {
  const name = ds.metadata.name
  if (ds.spec.updateStrategy?.type === 'OnDelete') {
    return {
      state: 'unwaitable',
      message: `daemon set "${name}" uses the OnDelete update strategy: its rollout cannot be observed, not waited for`
    }
  }
  const status = ds.status ?? {}
  // kstatus: a DaemonSet the controller has acted on always has these; absent means not yet.
  if (status.observedGeneration === undefined || generationPending(ds)) {
    return inProgress('Waiting for daemon set spec update to be observed...')
  }
  const desired = status.desiredNumberScheduled ?? 0
  const updated = status.updatedNumberScheduled ?? 0
  const available = status.numberAvailable ?? 0
  const waiting = `Waiting for daemon set "${name}" rollout to finish:`
  if (updated < desired) {
    return inProgress(`${waiting} ${updated} out of ${desired} new pods have been updated...`)
  }
  if (available < desired) {
    return inProgress(`${waiting} ${available} of ${desired} updated pods are available...`)
  }
  return current(`daemon set "${name}" successfully rolled out`)
}

/**
 * A Job is done when it has completed and failed when it has failed. Servers from 1.31 set the
 * `SuccessCriteriaMet` / `FailureTarget` conditions as soon as the outcome is decided, before the
 * terminal `Complete` / `Failed` (which wait for the pods to terminate): those count too.
 */
export function jobStatus(j: Job): Verdict {
  const name = j.metadata.name
  const status = j.status ?? {}
  const conditions = status.conditions
  const completions = j.spec?.completions ?? j.spec?.parallelism ?? 1
  const succeeded = status.succeeded ?? 0
  for (const type of ['Failed', 'FailureTarget']) {
    const c = condition(conditions, type)
    if (c?.status === 'True') {
      const reason = c.reason ?? 'JobFailed'
      return failed(reason, `job "${name}" failed: ${reason}${suffix(c.message)}`)
    }
  }
  if (isTrue(conditions, 'Complete') || isTrue(conditions, 'SuccessCriteriaMet')) {
    return current(`job "${name}" completed (${succeeded} of ${completions} succeeded)`)
  }
  if (j.spec?.suspend && isTrue(conditions, 'Suspended')) {
    return {
      state: 'unwaitable',
      message: `job "${name}" is suspended: not waited for`
    }
  }
  const active = status.active ?? 0
  const failedPods = status.failed ?? 0
  const extra = failedPods > 0 ? `, ${failedPods} failed` : ''
  return inProgress(
    `Waiting for job "${name}" to complete: ${succeeded} of ${completions} succeeded, ${active} active${extra}...`
  )
}

/** kstatus's ReplicaSet rule (also ReplicationController: the same status fields). */
export function replicaSetStatus(rs: ReplicaSet): Verdict {
  const kind = rs.kind.toLowerCase()
  const name = rs.metadata.name
  if (generationPending(rs)) return inProgress(`Waiting for ${kind} spec update to be observed...`)
  const desired = rs.spec?.replicas ?? 1
  const available = rs.status?.availableReplicas ?? 0
  const total = rs.status?.replicas ?? 0
  if (available < desired) {
    return inProgress(
      `Waiting for ${kind} "${name}": ${available} of ${desired} replicas are available...`
    )
  }
  if (total > desired) {
    return inProgress(
      `Waiting for ${kind} "${name}": ${total - desired} extra replicas are pending termination...`
    )
  }
  return current(`${kind} "${name}" has ${desired} available replicas`)
}

/** kstatus's Pod rule: Ready, or completed. */
export function podStatus(p: Pod): Verdict {
  const name = p.metadata.name
  const phase = p.status?.phase
  if (phase === 'Succeeded') return current(`pod "${name}" has completed`)
  if (phase === 'Failed') {
    return failed(
      p.status?.reason ?? 'PodFailed',
      `pod "${name}" failed${suffix(p.status?.message ?? p.status?.reason)}`
    )
  }
  if (isTrue(p.status?.conditions, 'Ready')) return current(`pod "${name}" is ready`)
  return inProgress(`Waiting for pod "${name}" to be ready (phase ${phase ?? 'Pending'})...`)
}

/** One line of counts for diagnostics, like the columns `kubectl get` and `describe` show. */
export function describeStatus(o: KubeObject): string {
  const s = (o.status ?? {}) as Record<string, number | string | undefined>
  const spec = (o.spec ?? {}) as { replicas?: number; completions?: number; parallelism?: number }
  const n = (v: unknown) => (typeof v === 'number' ? v : 0)
  switch (o.kind) {
    case 'Deployment':
      return (
        `${spec.replicas ?? 1} desired | ${n(s.updatedReplicas)} updated | ${n(s.replicas)} total | ` +
        `${n(s.availableReplicas)} available | ${n(s.unavailableReplicas)} unavailable`
      )
    case 'ReplicaSet':
    case 'ReplicationController':
      return `${spec.replicas ?? 0} desired | ${n(s.replicas)} current | ${n(s.readyReplicas)} ready | ${n(s.availableReplicas)} available`
    case 'StatefulSet':
      return (
        `${spec.replicas ?? 1} desired | ${n(s.readyReplicas)} ready | ${n(s.currentReplicas)} current | ` +
        `${n(s.updatedReplicas)} updated | revision ${s.currentRevision ?? '?'} → ${s.updateRevision ?? '?'}`
      )
    case 'DaemonSet':
      return (
        `${n(s.desiredNumberScheduled)} desired | ${n(s.currentNumberScheduled)} current | ` +
        `${n(s.updatedNumberScheduled)} updated | ${n(s.numberReady)} ready | ${n(s.numberAvailable)} available`
      )
    case 'Job':
      return `${spec.completions ?? spec.parallelism ?? 1} completions | ${n(s.succeeded)} succeeded | ${n(s.failed)} failed | ${n(s.active)} active`
    case 'Pod':
      return `phase ${s.phase ?? 'Pending'}`
    default: {
      const generation = o.metadata.generation
      const observed = s.observedGeneration
      return generation === undefined
        ? 'no status'
        : `generation ${generation}, observed ${observed ?? 'none'}`
    }
  }
}
