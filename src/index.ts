// The one bundle behind both `runs.main` and `runs.post`: main saves an isPost flag in state,
// which GitHub hands back to the post invocation. The heavy modules load after the first log line.
// The main step's work runs in a worker thread started from this same file (main-thread.ts says
// why); the post step runs here.

import * as core from '@actions/core'
import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import { isPostStep } from './state.js'
import { actionsState } from './system.js'
import { errorMessage } from './errors.js'

const MAIN_WORKER = 'minikube-smoke main step'

async function entry(): Promise<void> {
  if (!isMainThread && workerData === MAIN_WORKER && parentPort) {
    const { forwardedSignals } = await import('./main-thread.js')
    await (await import('./main.js')).run(forwardedSignals(parentPort))
  } else if (isPostStep(actionsState)) {
    core.info('minikube-smoke: post step (teardown)')
    await (await import('./post.js')).run()
  } else {
    core.info('minikube-smoke: main step')
    const { MAIN_YOUNG_GENERATION_MB, runInWorker } = await import('./main-thread.js')
    const code = await runInWorker(new URL(import.meta.url), {
      workerData: MAIN_WORKER,
      youngGenerationMb: MAIN_YOUNG_GENERATION_MB,
      source: process,
      onError: err => core.setFailed(errorMessage(err))
    })
    if (code !== 0) process.exitCode = code
  }
}

entry().catch((err: unknown) => {
  core.setFailed(err instanceof Error ? err.message : String(err))
})
