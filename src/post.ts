// Entry point of the post step: tear down what the main step recorded. Never fails the job for a
// teardown problem (it warns): the main step's result is what the user needs to see. Exports
// run() like main.ts, for GitHub's local debugger.

import { checkLocalActionStubs } from './local-action.js'
import { systemProcesses } from './processes.js'
import { loadRunState } from './state.js'
import { systemJournalFiles } from './object-journal.js'
import { runTeardown } from './teardown.js'
import {
  actionsLogger,
  actionsState,
  connectKubeLazily,
  loadCache,
  processRunner
} from './system.js'

export async function run(): Promise<void> {
  checkLocalActionStubs()
  const state = loadRunState(actionsState, systemJournalFiles, line => actionsLogger.warning(line))
  if (!state) {
    actionsLogger.info('Nothing to tear down: the main step started nothing.')
    return
  }
  await actionsLogger.group('teardown', async () => {
    const started = Date.now()
    await runTeardown(state, {
      runner: processRunner,
      log: actionsLogger,
      connectKube: connectKubeLazily,
      cache: loadCache,
      processes: systemProcesses
    })
    actionsLogger.info(`teardown took ${((Date.now() - started) / 1000).toFixed(1)} s`)
  })
}
