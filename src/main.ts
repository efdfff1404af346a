// Entry point of the main step: real ports in, the pipeline, one setFailed line out. Exports
// run(), as actions/typescript-action's entry modules do, so GitHub's local debugger
// (@github/local-action, `npm run local-action`) can run it.

import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import * as core from '@actions/core'
import { newRunKey, runKey } from './kube/names.js'
import { checkLocalActionStubs } from './local-action.js'
import { runMain } from './pipeline.js'
import { systemProcesses } from './processes.js'
import { writeJUnitFile, writeReportFile } from './report/index.js'
import {
  actionsLogger,
  actionsState,
  connectKubeLazily,
  loadCache,
  loadToolCache,
  processRunner,
  systemClock
} from './system.js'

export async function run(): Promise<void> {
  checkLocalActionStubs()
  const env = process.env
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const key = newRunKey(n => randomBytes(n))
  const runId = env.GITHUB_RUN_ID ?? ''
  const runAttempt = env.GITHUB_RUN_ATTEMPT ?? ''
  const files = env.RUNNER_TEMP || workspace
  const fileKey = runKey({ runId, runAttempt, key })
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
    mask: secret => core.setSecret(secret),
    runner: processRunner,
    log: actionsLogger,
    state: actionsState,
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
    reportPath: join(files, `minikube-smoke-report-${fileKey}.json`),
    writeJUnit: writeJUnitFile,
    junitPath: join(files, `minikube-smoke-junit-${fileKey}.xml`),
    setOutput: (name, value) => core.setOutput(name, value)
  })
  if (outcome.failure) core.setFailed(outcome.failure)
}
