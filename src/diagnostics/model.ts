// The one diagnostics model: what was read of a namespace when a run ended, collected once
// (collect.ts) and rendered three ways — log groups and job summary (kube/diagnostics-render.ts,
// through the view in kube/diagnostics.ts) and bundle files (bundle-files.ts). Plain data.

import type { ResourceType } from '../kube/api.js'
import type { KubeEvent, KubeObject, Pod } from '../kube/types.js'

/** One object of the run and the resource it is read with. */
export interface ObjectRef {
  apiVersion: string
  kind: string
  name: string
  namespace?: string
  type: ResourceType
}

export interface LiveObject {
  ref: ObjectRef
  /** Undefined when it is gone or could not be read (then `error` says why). */
  object?: KubeObject
  error?: string
  /** The server answered that it does not exist. */
  missing?: boolean
}

/** One log of one container's run, as read (or why it could not be). */
export interface LogRead {
  text?: string
  /** Longer than the bound: `text` is its beginning and its end, with a marker between. */
  cut?: boolean
  error?: string
  /** Not read: the logs already read fill the size bound. */
  skipped?: boolean
}

export interface ContainerLogRecord {
  pod: string
  container: string
  init: boolean
  /** Present when `containerLogs()` says that log exists (and it was asked for). */
  current?: LogRead
  previous?: LogRead
  /** Which of the two explains a failure (status/container-logs.ts). */
  explains?: 'current' | 'previous'
}

/** How logs were read: the last lines of each, or each whole up to a bound. */
export type LogMode =
  | { tailLines: number; maxPods: number }
  /** Each log up to `wholeUpTo` bytes; none read once those read reach `totalUpTo`. */
  | { wholeUpTo: number; totalUpTo: number }

export interface DiagnosticsModel {
  namespace: string
  collectedAt: string
  /** The run's objects as the server has them now, in the order asked for. */
  objects: LiveObject[]
  /** Without objects asked for: the namespace's Deployments. */
  deployments?: KubeObject[]
  replicaSets: KubeObject[]
  /** What the pods were listed with (undefined: every pod of the namespace). */
  podSelector?: string
  /** By name. */
  pods: Pod[]
  /** Every event of the namespace, oldest first. */
  events: KubeEvent[]
  logMode: LogMode
  logs: ContainerLogRecord[]
  /** Lists that could not be read, e.g. `list pods: connection refused`. */
  errors: string[]
}
