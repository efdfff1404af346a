import type { DeliveredImage } from '../images/deliver.js'
import type { SmokeResult } from '../smoke/index.js'
import type { StabilityFacts } from '../kube/stable.js'
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
  /** `ready`, `failed`, `waiting` (the wait stopped first) or `not-waited`; older reports lack it. */
  state?: 'ready' | 'failed' | 'waiting' | 'not-waited'
  /** ISO: when it was applied (else when the wait started), and when it was ready or failed. */
  startedAt?: string
  endedAt?: string
  /** Crashes tolerated while other workloads still started (max-restarts), when each was seen. */
  tolerated?: Array<{ at: string; message: string }>
}

/**
 * One timed step outside the phases, workloads and checks (e.g. a Helm hook, a chart test):
 * drawn in the summary's timeline under its section, and listed in a table.
 */
export interface TimedEntry {
  /** The timeline section it belongs to, e.g. `hooks`, `chart tests`. */
  section: string
  name: string
  /** ISO. */
  startedAt: string
  durationMs: number
  status: 'ok' | 'failed' | 'skipped'
  /** What happened, for the table. */
  note?: string
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
  /** The run's further namespaces, one per further namespace the manifests name. */
  otherNamespaces?: string[]
  /** The service URL the smoke checks used. */
  url?: string
  nodePort?: number
  phases: Phase[]
  smoke: SmokeResult[]
  /** Every object of the run the rollout phase looked at, and how it ended (a JUnit test case each). */
  workloads?: WorkloadResult[]
  /** `stable-for`: the window after readiness, and whether every pod stayed ready through it. */
  stability?: StabilityFacts
  /** Other timed steps (hooks, chart tests, …), in the order they ran. */
  timeline?: TimedEntry[]
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
