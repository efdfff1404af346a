// What every phase of the main step shares: the run (inputs, state, report, the names it labels
// and manages its objects with), the trail a failure and the finish read, and the phase runner.

import type { Config } from '../inputs.js'
import type { Preflight } from '../preflight.js'
import type { StateRecorder } from '../state.js'
import type { PortForward } from '../expose/port-forward.js'
import type { KubePort, RunLease, Stability, Typed } from '../kube/index.js'
import type { DiagnosticsModel } from '../diagnostics/index.js'
import { untilCancelled } from '../cancel.js'
import type { PhaseRecorder, RunReport } from '../report/index.js'
import type { MainDeps } from '../pipeline.js'

/** The run, fixed once the inputs are read: what each phase reads (the report it also fills). */
export interface Run {
  deps: MainDeps
  config: Config
  checked: Preflight
  /** kubectl for a port-forward (url-mode: port-forward); '' otherwise. */
  forwardKubectl: string
  state: StateRecorder
  phases: PhaseRecorder
  report: RunReport
  /** The run's first namespace (the smoke target's). */
  namespace: string
  metadata: { labels: Record<string, string>; annotations: Record<string, string> }
  runLabel: string
  /** `<run label>=<value>`: every object and pod of the run. */
  labelSelector: string
  /** Per run, so the server itself reports a conflict when two runs write the same field. */
  fieldManager: string
}

/**
 * What the run has made so far, filled by the phases as they go: what a failure collects
 * diagnostics from and what the finish stops, writes and cleans up. Everything is optional
 * because a phase may fail before it exists.
 */
export interface Trail {
  kube?: KubePort
  /** The prepared objects (mapped to the run's namespaces), for diagnostics and the bundle. */
  applied?: Typed[]
  /** The run's namespace exists (created or taken): diagnostics can be read from it. */
  namespaceReady: boolean
  /** An install hook that failed: deleted at the end so a rerun can create it again. */
  failedHook?: Typed
  forward?: PortForward
  lease?: RunLease
  stability?: Stability
  /** For the diagnostics bundle. */
  errorDetails?: string
  diagnosticsText?: string
  /** Each namespace's diagnostics as collected at the failure, read once for the bundle too. */
  collected: DiagnosticsModel[]
}

/** Runs fn as the phase `name`: a log group, timed into the report, ended by a cancel. */
export async function phase<T>(
  run: Run,
  name: string,
  title: string,
  fn: () => Promise<T>
): Promise<T> {
  const { log, signal } = run.deps
  return log.group(`${name}: ${title}`, async () => {
    try {
      return await run.phases.run(name, () => untilCancelled(fn(), signal))
    } finally {
      const p = run.phases.phases.at(-1)
      if (p) log.info(`${name}: ${p.status} in ${(p.durationMs / 1000).toFixed(2)} s`)
    }
  })
}
