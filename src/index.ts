// The one bundle behind both `runs.main` and `runs.post`: main saves an isPost flag in state,
// which GitHub hands back to the post invocation. The main step's work runs in a worker thread
// started from this same file (main-thread.ts says why); the post step runs here.
//
// This file stays light: the main thread of a main step only starts the worker and forwards
// signals, so it loads nothing else (no @actions/core, whose HTTP client alone costs the thread
// ~10 MB it would keep for the whole run). Everything heavy is imported where it is used.

import { isMainThread, parentPort, workerData } from 'node:worker_threads'
import { errorMessage } from './errors.js'
import { isPostStep } from './state.js'

const MAIN_WORKER = 'minikube-smoke main step'

/** Saved state as the runner hands it to a step (what `core.getState` reads). */
const runnerState = { get: (name: string) => process.env[`STATE_${name}`] ?? '' }

async function entry(): Promise<void> {
  if (!isMainThread && workerData === MAIN_WORKER && parentPort) {
    const { forwardedSignals } = await import('./main-thread.js')
    await (await import('./main.js')).run(forwardedSignals(parentPort))
  } else if (isPostStep(runnerState)) {
    const core = await import('@actions/core')
    core.info('minikube-smoke: post step (teardown)')
    await (await import('./post.js')).run()
  } else {
    // What core.info prints, without loading it.
    process.stdout.write('minikube-smoke: main step\n')
    const { MAIN_HEAP, runInWorker } = await import('./main-thread.js')
    const code = await runInWorker(new URL(import.meta.url), {
      workerData: MAIN_WORKER,
      heap: MAIN_HEAP,
      source: process,
      onError: err => void fail(err)
    })
    if (code !== 0) process.exitCode = code
  }
}

async function fail(err: unknown): Promise<void> {
  const core = await import('@actions/core')
  core.setFailed(errorMessage(err))
}

entry().catch(fail)
