// The shape of what diagnostics collect (diagnostics.ts) and render (diagnostics-render.ts).

import type { Condition } from './types.js'

export interface WorkloadDiagnostics {
  kind: string
  name: string
  /** e.g. `1 desired | 1 updated | 1 total | 0 available | 1 unavailable` */
  summary: string
  revision?: string
  conditions: Condition[]
}

export interface ContainerDiagnostics {
  name: string
  init: boolean
  image?: string
  ready: boolean
  restartCount: number
  /** e.g. `Waiting (CrashLoopBackOff): back-off 10s restarting failed container` */
  state: string
  lastState?: string
  /** The last lines of the current run's log. */
  logs?: string
  /** The last lines of the previous run's log (after a restart). */
  previousLogs?: string
}

export interface PodDiagnostics {
  name: string
  phase: string
  node?: string
  /** Conditions that are not True, e.g. `Ready=False (ContainersNotReady)`. */
  conditions: string[]
  message?: string
  containers: ContainerDiagnostics[]
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
