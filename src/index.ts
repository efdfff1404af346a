// The one bundle behind both `runs.main` and `runs.post`: main saves an isPost flag in state,
// which GitHub hands back to the post invocation. The heavy modules load after the first log line.

import * as core from '@actions/core'
import { isPostStep } from './state.js'
import { actionsState } from './system.js'

async function entry(): Promise<void> {
  if (isPostStep(actionsState)) {
    core.info('minikube-smoke: post step (teardown)')
    await (await import('./post.js')).run()
  } else {
    core.info('minikube-smoke: main step')
    await (await import('./main.js')).run()
  }
}

entry().catch((err: unknown) => {
  core.setFailed(err instanceof Error ? err.message : String(err))
})
