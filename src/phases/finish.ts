// The end of the main step, passed or failed: what the run still holds is stopped or handed to
// the post step, then the report, outputs, JUnit file, diagnostics bundle and job summary.

import { errorMessage } from '../errors.js'
import { runKey } from '../kube/names.js'
import { deleteFailedHook } from '../helm/index.js'
import { bundleWanted, saveDiagnostics } from '../diagnostics/index.js'
import { failureMessage, outputsFor, writeSummary, type RunReport } from '../report/index.js'
import type { MainDeps, MainOutcome } from '../pipeline.js'
import type { Run, Trail } from './run.js'

export async function finish(run: Run, trail: Trail, startedAt: number): Promise<MainOutcome> {
  const { config, deps, state, report } = run
  const { forward, lease, stability } = trail
  const aborted = () => deps.signal?.aborted ?? false
  if (stability && config.deploy.stableForMs > 0) report.stability = stability.facts()
  if (forward) {
    await forward.stop()
    state.update({ portForward: undefined })
  }
  // Later steps of the job may use what the run deployed: the lease stands until post deletes it.
  // A cancelled run's post step follows at once: its lease just goes stale.
  if (lease && !aborted()) await lease.holdUntilPost()
  else lease?.stop()
  report.durationMs = deps.clock.now() - startedAt
  state.update({ result: report.result })
  await publish(deps, report)
  const failure = report.result === 'passed' ? '' : failureMessage(report)

  if (bundleWanted(config.diagnostics.upload, report.result === 'passed') && !aborted()) {
    report.diagnosticsBundle = await saveBundle(run, trail, failure)
    // Again, now with where the bundle is (the one in the bundle cannot know its own link).
    if (report.diagnosticsBundle) await writeReport(deps, report)
  }
  deps.setOutput('diagnostics-dir', report.diagnosticsBundle?.dir ?? '')
  // The name another job downloads it by (a path means nothing outside this job).
  deps.setOutput('diagnostics-artifact', report.diagnosticsBundle?.artifact?.name ?? '')
  if (trail.kube && trail.failedHook && !aborted()) {
    await deleteFailedHook(trail.kube, trail.failedHook, line => deps.log.info(line))
  }
  await writeSummaryFile(deps, report)
  return { report, failure }
}

/** The diagnostics bundle of the run as it ended, written and uploaded (diagnostics/). */
function saveBundle(run: Run, trail: Trail, failure: string) {
  const { config, deps, state } = run
  const cluster = state.value.cluster
  const created = state.value.namespace?.created ?? false
  return saveDiagnostics(
    {
      dir: deps.diagnostics.dir,
      report: deps.secrets.redactDeep(run.report),
      failure,
      runKey: runKey(config.run),
      cluster:
        trail.kube && trail.namespaceReady
          ? {
              kube: trail.kube,
              namespace: run.namespace,
              // A namespace the run did not create: only the run's own pods.
              podSelector: created ? undefined : run.labelSelector
            }
          : undefined,
      applied: trail.applied ?? [],
      errorDetails: trail.errorDetails,
      diagnosticsText: trail.diagnosticsText,
      collected: trail.collected,
      junitPath: deps.junitPath,
      minikube:
        cluster?.kind === 'minikube' && cluster.minikube && cluster.prior
          ? { binary: cluster.minikube, profile: cluster.profile ?? 'minikube' }
          : undefined
    },
    {
      mode: config.diagnostics.upload,
      runner: deps.runner,
      secrets: deps.secrets,
      artifacts: deps.diagnostics.artifacts,
      log: deps.log,
      run: deps.run
    }
  )
}

/** Outputs, the JSON report and the JUnit file; a failure to write one never hides the result. */
async function publish(deps: MainDeps, report: RunReport): Promise<void> {
  await writeReport(deps, report)
  const junit = await writeJUnit(deps, report)
  for (const [name, value] of Object.entries(outputsFor(report, deps.reportPath, junit)))
    deps.setOutput(name, value)
}

async function writeReport(deps: MainDeps, report: RunReport): Promise<void> {
  try {
    await deps.writeReport(deps.reportPath, deps.secrets.redactDeep(report))
  } catch (err) {
    deps.log.warning(`could not write the report ${deps.reportPath}: ${errorMessage(err)}`)
  }
}

/** The JUnit file (redacted, like every file the action writes), for test-report tools. */
async function writeJUnit(deps: MainDeps, report: RunReport): Promise<string> {
  if (!deps.writeJUnit || !deps.junitPath) return ''
  try {
    await deps.writeJUnit(deps.junitPath, deps.secrets.redactDeep(report))
    return deps.junitPath
  } catch (err) {
    deps.log.warning(`could not write the JUnit file ${deps.junitPath}: ${errorMessage(err)}`)
    return ''
  }
}

/** The job summary, redacted: the runner masks its log, not the files a step writes. */
async function writeSummaryFile(deps: MainDeps, report: RunReport): Promise<void> {
  const redacting = {
    addRaw: (text: string, eol?: boolean) => deps.summary.addRaw(deps.secrets.redact(text), eol),
    write: () => deps.summary.write()
  }
  try {
    await writeSummary(report, redacting)
  } catch (err) {
    deps.log.warning(`could not write the job summary: ${errorMessage(err)}`)
  }
}
