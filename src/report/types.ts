import type { DeliveredImage } from '../images/deliver.js'
import type { SmokeResult } from '../smoke/index.js'
import type { ChartInfo, ChartTestResult } from '../helm/index.js'

export type PhaseStatus = 'ok' | 'failed' | 'skipped'

export interface Phase {
  /** e.g. `cluster`, `image`, `deploy`, `expose`, `rollout`, `smoke`. */
  name: string
  /** ISO times. */
  startedAt: string
  endedAt: string
  durationMs: number
  status: PhaseStatus
  /** Why it failed (or was skipped). */
  error?: string
}

/** How one workload's rollout went: a test case of the JUnit file. */
export interface WorkloadResult {
  /** e.g. `Deployment`, `StatefulSet`, `Job`. */
  kind: string
  name: string
  passed: boolean
  durationMs: number
  /** What happened: `successfully rolled out`, or the failure. */
  message: string
}

export interface RunReport {
  result: 'passed' | 'failed'
  /** ISO time the run started. */
  startedAt: string
  durationMs: number
  /** Full reference of the image under test, as deployed, e.g. `weather-service:abc1234-42-1`. */
  image?: string
  /** Every image of the run: reference, build time, how it reached the cluster. */
  images?: DeliveredImage[]
  namespace?: string
  /** The service URL the smoke checks used. */
  url?: string
  nodePort?: number
  phases: Phase[]
  smoke: SmokeResult[]
  /** Every object of the run the rollout phase looked at, and how it ended (a JUnit test case each). */
  workloads?: WorkloadResult[]
  /** Free-form extras from the rollout (update check counts, replicas, …): shown as key/value. */
  rollout?: Record<string, unknown>
  /** The Helm chart deployed (input `chart`): name, version, release, helm's version. */
  chart?: ChartInfo
  /** The chart's test pods (`helm test --logs`), one JUnit test case each. */
  chartTests?: ChartTestResult[]
  /** The error that stopped the run, when it was not a smoke check. */
  error?: string
  /** Markdown from the diagnostics layer (pods, events, logs); shown in the summary on failure. */
  diagnosticsMarkdown?: string
  /** The diagnostics bundle: where it is, and the artifact it was uploaded as (or why not). */
  diagnosticsBundle?: {
    dir: string
    files: number
    bytes: number
    artifact?: { name: string; id?: number; url?: string }
    notUploaded?: string
  }
}
