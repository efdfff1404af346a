// The view of the diagnostics model (src/diagnostics/model.ts) the log groups and the job summary
// render (diagnostics-render.ts): made by diagnosticsView() in diagnostics.ts.

import type { PodDiagnostics } from '../diagnostics/describe.js'
import type { Condition } from './types.js'

export type { ContainerDiagnostics, PodDiagnostics } from '../diagnostics/describe.js'

export interface WorkloadDiagnostics {
  kind: string
  name: string
  /** e.g. `1 desired | 1 updated | 1 total | 0 available | 1 unavailable` */
  summary: string
  revision?: string
  conditions: Condition[]
}

export interface EventDiagnostics {
  type: string
  reason: string
  /** e.g. `pod/web-7d9f-abcde` */
  object: string
  message: string
  count: number
  /** ISO time of the last occurrence ('' when unknown). */
  lastSeen: string
}

export interface Diagnostics {
  namespace: string
  collectedAt: string
  /** The run's objects that have a readiness rule, and their ReplicaSets. */
  workloads: WorkloadDiagnostics[]
  pods: PodDiagnostics[]
  events: EventDiagnostics[]
  /** What could not be collected, and why. */
  errors: string[]
}
