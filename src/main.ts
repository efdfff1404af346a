// Entry point of the main step: real ports in, the pipeline, one setFailed line out. SIGINT and
// SIGTERM (a cancelled job) abort the run: children stop, the state is saved, the step exits.
// Exports run(), as actions/typescript-action's entry modules do, so GitHub's local debugger
// (@github/local-action, `npm run local-action`) can run it.

import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import * as core from '@actions/core'
import { newRunKey, runKey } from './kube/names.js'
import { checkLocalActionStubs } from './local-action.js'
import { runMain } from './pipeline.js'
import { systemProcesses } from './processes.js'
import { writeJUnitFile, writeReportFile } from './report/index.js'
import { handleCancelSignals, type SignalSource } from './cancel.js'
import { SecretRegistry } from './secrets.js'
import { systemJournalFiles } from './object-journal.js'
import {
  actionsLogger,
  actionsState,
  artifactService,
  connectKubeLazily,
  createProcessRunner,
  loadCache,
  loadToolCache,
  systemClock
} from './system.js'

const KILL_GRACE_MS = 2500

/** `signals`: the process's own, or those the main thread forwards to the worker (main-thread.ts). */
export async function run(signals: SignalSource = process): Promise<void> {
  checkLocalActionStubs()
  const env = process.env
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const key = newRunKey(n => randomBytes(n))
  const runId = env.GITHUB_RUN_ID ?? ''
  const runAttempt = env.GITHUB_RUN_ATTEMPT ?? ''
  const files = env.RUNNER_TEMP || workspace
  const useKey = runKey({ runId, runAttempt, key })

  const cancel = new AbortController()
  const runner = createProcessRunner({ signal: cancel.signal, killGraceMs: KILL_GRACE_MS })
  const removeHandlers = handleCancelSignals(cancel, {
    source: signals,
    log: line => core.info(line),
    onSecond: () => void runner.settled(0)
  })
  // A last resort before the runner's SIGTERM (7.5 s after its SIGINT): never hang on cancel.
  cancel.signal.addEventListener('abort', () => {
    setTimeout(() => void runner.settled(0).then(() => process.exit(1)), 6000).unref()
  })

  const outcome = await runMain({
    input: name => core.getInput(name),
    run: {
      workspace,
      repository: env.GITHUB_REPOSITORY ?? '',
      sha: env.GITHUB_SHA ?? '',
      runId,
      runAttempt,
      job: env.GITHUB_JOB ?? '',
      key,
      serverUrl: env.GITHUB_SERVER_URL || 'https://github.com'
    },
    env,
    runner,
    log: actionsLogger,
    state: actionsState,
    objectJournal: {
      path: join(files, `minikube-smoke-objects-${useKey}.jsonl`),
      files: systemJournalFiles
    },
    clock: systemClock,
    platform: { os: process.platform, arch: process.arch },
    processes: systemProcesses,
    docker: 'docker',
    kubectl: 'kubectl',
    toolCache: loadToolCache,
    cache: loadCache,
    connectKube: connectKubeLazily,
    summary: core.summary,
    writeReport: writeReportFile,
    reportPath: join(files, `minikube-smoke-report-${useKey}.json`),
    writeJUnit: writeJUnitFile,
    junitPath: join(files, `minikube-smoke-junit-${useKey}.xml`),
    setOutput: (name, value) => core.setOutput(name, value),
    signal: cancel.signal,
    secrets: new SecretRegistry(value => core.setSecret(value)),
    diagnostics: {
      dir: join(files, `minikube-smoke-diagnostics-${useKey}`),
      artifacts: artifactService
    }
  })
  removeHandlers()
  if (outcome.failure) core.setFailed(outcome.failure)
  if (cancel.signal.aborted) {
    // Nothing this step started may outlive it; then exit at once (open sockets would hold it;
    // in the worker this ends the thread, and the main thread exits with its code).
    await runner.settled(KILL_GRACE_MS + 1000)
    process.exit(1)
  }
}
