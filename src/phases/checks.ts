// The phases that judge the running service: the smoke checks, the chart's tests, and the rest of
// the stable-for window. From readiness on every pod must stay ready (the stability watch): a pod
// that restarts or turns unready fails the phase that saw it, even if its checks passed.

import { PhaseError } from '../errors.js'
import { formatWindow, type Stability, type Typed } from '../kube/index.js'
import { runSmokeChecks } from '../smoke/index.js'
import { runChartTests, type HookDeps } from '../helm/index.js'
import { failureMessage } from '../report/index.js'
import type { Run } from './run.js'

export async function smoke(run: Run, held: Stability, url: string): Promise<void> {
  const { config, checked, deps, report } = run
  // A service that answers three requests and then crashes is not healthy.
  unstable(held)
  held.during = 'while the smoke checks ran'
  try {
    report.smoke = await runSmokeChecks(url, checked.smokeChecks, {
      deadlineMs: deps.clock.now() + config.smoke.timeoutMs,
      clock: deps.clock,
      http: deps.http,
      // No point checking a service that just broke.
      signal: deps.signal ? AbortSignal.any([held.signal, deps.signal]) : held.signal,
      log: line => deps.log.untrusted(line)
    })
  } finally {
    held.during = undefined
  }
  unstable(held)
  if (report.smoke.some(r => !r.passed)) throw new PhaseError(failureMessage(report))
}

/** Inside the window: a test pod runs to completion, which the stability watch leaves alone. */
export async function chartTests(run: Run, tests: Typed[], hooks: HookDeps): Promise<void> {
  const results = await runChartTests(tests, hooks)
  run.report.chartTests = results
  const failed = results.find(t => !t.passed)
  if (failed) {
    throw new PhaseError(
      `chart test pod "${failed.name}" failed: ${failed.message}`,
      failed.logs && `logs of pod "${failed.name}":\n${failed.logs}`
    )
  }
}

/** The rest of the stable-for window: the checks already used their part of it. */
export async function stayStable(run: Run, held: Stability): Promise<void> {
  const { deps } = run
  await held.waitOut(deps.signal)
  unstable(held)
  if (!deps.signal?.aborted) {
    deps.log.info(
      `every pod of the run stayed ready for ${formatWindow(run.config.deploy.stableForMs)} after readiness`
    )
  }
}

/** The run's pods did not stay ready: the failure, in the phase that saw it. */
export function unstable(held: Stability): void {
  const p = held.problem
  if (p) throw new PhaseError(p.message, p.details)
}
