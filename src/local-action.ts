// GitHub's local debugger, @github/local-action (7.0.1), replaces @actions/core with its stub
// (inputs from a .env file, outputs and state kept in memory between main and post). It finds the
// module to replace with `npm ls @actions/core` run in the *current directory*
// (src/commands/run.ts), not in the action's: started from anywhere else, the real @actions/core
// runs, outputs are lost, state is printed instead of kept, and post finds nothing to tear down —
// leaving the run's namespace behind. Its launcher sets TARGET_ACTION_PATH; refuse to run there.

import { realpathSync } from 'node:fs'
import { relative, isAbsolute } from 'node:path'

export function checkLocalActionStubs(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd()
): void {
  const actionPath = env.TARGET_ACTION_PATH
  if (!actionPath) return
  const rel = relative(real(actionPath), real(cwd))
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return
  throw new Error(
    `@github/local-action was started in ${cwd}, outside the action (${actionPath}): it would not ` +
      'replace @actions/core there, so outputs and state would be lost and the post step could not ' +
      "tear down. Run it from the action's directory: npm run local-action -- <env file>"
  )
}

function real(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}
