// Readiness of kinds the registry has no rule of its own for (custom resources, anything served
// by an aggregated API), and of CustomResourceDefinitions. The rules are kstatus's
// (sigs.k8s.io/cli-utils pkg/kstatus/status/generic.go, status.go and core.go CRDConditions):
// deletion, then observedGeneration, then the standard Reconciling / Stalled conditions, then a
// `Ready` condition, which many controllers set though the API conventions do not ask for it.

import type { KubeObject } from '../types.js'
import {
  condition,
  current,
  failed,
  generationPending,
  inProgress,
  suffix,
  type Verdict
} from './verdict.js'

interface Status {
  observedGeneration?: number
  conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>
}

/** What kubectl calls the object in messages: `widget "w1"`. */
function what(o: KubeObject): string {
  return `${o.kind.toLowerCase()} "${o.metadata.name}"`
}

/**
 * Whether an object shows anything to wait for: a status with observedGeneration or conditions.
 * kstatus counts an object without either as Current; the caller reports it as not waited for.
 */
export function hasObservableStatus(o: KubeObject): boolean {
  const status = o.status as Status | undefined
  return status?.observedGeneration !== undefined || (status?.conditions?.length ?? 0) > 0
}

export function genericStatus(o: KubeObject): Verdict {
  const status = (o.status ?? {}) as Status
  if (o.metadata.deletionTimestamp) {
    return failed('Terminating', `${what(o)} is being deleted`)
  }
  if (status.observedGeneration !== undefined && generationPending(o)) {
    return inProgress(
      `Waiting for ${what(o)}: generation is ${o.metadata.generation}, but latest observed generation is ${status.observedGeneration}`
    )
  }
  const reconciling = condition(status.conditions, 'Reconciling')
  if (reconciling?.status === 'True') {
    return inProgress(
      `Waiting for ${what(o)}: Reconciling${suffix(reconciling.reason)}${suffix(reconciling.message)}`
    )
  }
  const stalled = condition(status.conditions, 'Stalled')
  if (stalled?.status === 'True') {
    const reason = stalled.reason ?? 'Stalled'
    return failed(reason, `${what(o)} is stalled: ${reason}${suffix(stalled.message)}`)
  }
  const ready = condition(status.conditions, 'Ready')
  if (ready && ready.status !== 'True') {
    return inProgress(
      `Waiting for ${what(o)} to be Ready${suffix(ready.reason)}${suffix(ready.message)}`
    )
  }
  return current(ready ? `${what(o)} is Ready` : `${what(o)} is current`)
}

/** kstatus's CRDConditions: Established, or failed when its names are refused. */
export function crdStatus(crd: KubeObject): Verdict {
  const status = (crd.status ?? {}) as Status
  const names = condition(status.conditions, 'NamesAccepted')
  if (names?.status === 'False') {
    return failed(
      names.reason ?? 'NamesNotAccepted',
      `${what(crd)} was not accepted${suffix(names.reason)}${suffix(names.message)}`
    )
  }
  const established = condition(status.conditions, 'Established')
  if (established?.status === 'True') return current(`${what(crd)} established`)
  if (established?.status === 'False' && established.reason !== 'Installing') {
    return failed(
      established.reason ?? 'NotEstablished',
      `${what(crd)} cannot be established${suffix(established.reason)}${suffix(established.message)}`
    )
  }
  return inProgress(`Waiting for ${what(crd)} to be established...`)
}
