// Whether an unschedulable pod is waiting for something that comes by itself or can never run
// without the user. The scheduler's message counts the nodes per reason ("0/1 nodes are available:
// 1 node(s) had taint {node.kubernetes.io/not-ready: }, that the pod didn't tolerate."; 1.24+
// append ". preemption: ..."); the pod waits while any reason may clear by itself, and fails only
// when every reason is one the user must fix, naming the rule that fired. Pure.

import type { Pod } from '../types.js'
import { unboundClaims, type StorageSnapshot } from './storage.js'
import { condition, suffix } from './verdict.js'

export interface SchedulingSnapshot extends StorageSnapshot {
  /** Pods of the run are going away (a rolling update, a replaced pod): their resources free up. */
  podsLeaving: boolean
}

export type SchedulingVerdict =
  | { state: 'waiting'; message: string; rule: string }
  | { state: 'failed'; message: string; rule: string }

// Taints a starting node carries until the kubelet (not-ready) or cloud controller (uninitialized)
// is done; `unreachable` clears when the node answers again.
const STARTING_NODE =
  /node\.kubernetes\.io\/(not-ready|unreachable)|node\.cloudprovider\.kubernetes\.io\/uninitialized/
const FREED_BY_LEAVING_PODS =
  /Insufficient (cpu|memory|ephemeral-storage|pods)|Too many pods|free ports/i
const UNBOUND_CLAIMS = /unbound immediate PersistentVolumeClaims/i

/** The reasons in a scheduler message, one per node count ("1 Insufficient cpu", ...). */
export function schedulingReasons(message: string): string[] {
  const body = message.replace(/^.*?nodes are available:\s*/, '').split(/\.\s*preemption:/i)[0]
  return body
    .replace(/\.\s*$/, '')
    .split(/,\s*(?=\d+ )/)
    .map(r => r.trim())
    .filter(Boolean)
}

/** Undefined when the pod is not unschedulable. */
export function schedulingVerdict(pod: Pod, s: SchedulingSnapshot): SchedulingVerdict | undefined {
  const scheduled = condition(pod.status?.conditions, 'PodScheduled')
  if (scheduled?.status !== 'False' || scheduled.reason !== 'Unschedulable') return undefined
  const podName = pod.metadata.name ?? '?'
  const said = scheduled.message ?? ''
  const cannot = `pod "${podName}" cannot be scheduled${suffix(said)}`
  const verdicts = schedulingReasons(said).map(r => reasonVerdict(r, pod, s))
  if (verdicts.length === 0) verdicts.push(unknownReason())
  const waiting = verdicts.find(v => v.state === 'waiting')
  if (waiting)
    return { state: 'waiting', message: `pod "${podName}": ${waiting.message}`, rule: waiting.rule }
  const failed = verdicts[0]
  return { state: 'failed', message: failed.message ?? cannot, rule: failed.rule }
}

type ReasonVerdict = { state: 'waiting' | 'failed'; rule: string; message?: string }

function reasonVerdict(reason: string, pod: Pod, s: SchedulingSnapshot): ReasonVerdict {
  if (UNBOUND_CLAIMS.test(reason)) {
    const claims = unboundClaims(pod, s)
    const failed = claims.find(c => c.state === 'failed')
    if (failed?.state === 'failed')
      return { state: 'failed', rule: failed.rule, message: failed.message }
    const first = claims[0]
    return {
      state: 'waiting',
      rule: 'waiting for storage',
      message: first
        ? `waiting for storage: ${first.message}`
        : 'waiting for storage: its claims are bound, the scheduler retries'
    }
  }
  if (STARTING_NODE.test(reason)) {
    return {
      state: 'waiting',
      rule: 'the node is still starting (its taint clears once it is ready)',
      message: `waiting for the node to be ready (${reason})`
    }
  }
  if (FREED_BY_LEAVING_PODS.test(reason)) {
    return s.podsLeaving
      ? {
          state: 'waiting',
          rule: 'pods of the run that are going away still hold what it needs',
          message: `waiting for pods of the run to go away (${reason})`
        }
      : { state: 'failed', rule: 'no pod of the run is going away to free what it needs' }
  }
  if (/persistentvolumeclaim "[^"]+" (not found|is being deleted)/i.test(reason)) {
    return { state: 'failed', rule: 'a claim it mounts does not exist' }
  }
  if (
    /didn't match|node affinity|node selector|had (untolerated )?taint|were unschedulable|volume node affinity conflict/i.test(
      reason
    )
  ) {
    return { state: 'failed', rule: 'no node matches it, and nodes do not change by themselves' }
  }
  return unknownReason()
}

function unknownReason(): ReasonVerdict {
  return { state: 'failed', rule: 'the scheduler gave no reason known to clear by itself' }
}
