// The rollout phase: every workload of the run waited for by its kind's rule, then the chart's
// post-install hooks. A failed rollout still reports where each object was (the summary draws it).

import { RolloutError, waitForWorkloads, type WorkloadResult as WaitResult } from '../kube/index.js'
import { runHooks } from '../helm/index.js'
import type { WorkloadResult } from '../report/index.js'
import type { DeployPlan } from './deploy.js'
import type { Run } from './run.js'
import type { Validated } from './validate.js'

export async function rollout(
  run: Run,
  valid: Validated,
  plan: DeployPlan
): Promise<WorkloadResult[]> {
  const { deps, report } = run
  const results = await waitForWorkloads(valid.kube, plan.objects, plan.wait()).catch(
    (err: unknown) => {
      if (err instanceof RolloutError && err.results) {
        report.workloads = err.results.map(r => workloadReport(r, plan.appliedAt))
      }
      throw err
    }
  )
  for (const r of results) {
    if (r.state === 'current')
      deps.log.info(`${r.message} in ${(r.durationMs / 1000).toFixed(1)} s`)
  }
  if (valid.hooks) await runHooks('post-install', valid.hooks.postInstall, plan.hooks())
  return results.map(r => workloadReport(r, plan.appliedAt))
}

/** A wait result as the report keeps it: applied (or waited) from, ready or failed at. */
function workloadReport(r: WaitResult, appliedAt: ReadonlyMap<string, number>): WorkloadResult {
  const out: WorkloadResult = {
    kind: r.kind,
    name: r.name,
    passed: r.state !== 'failed' && r.state !== 'pending',
    durationMs: r.durationMs,
    message: r.message,
    state:
      r.state === 'failed'
        ? 'failed'
        : r.state === 'pending'
          ? 'waiting'
          : r.state === 'not-waited'
            ? 'not-waited'
            : 'ready',
    startedAt: new Date(
      Math.min(appliedAt.get(`${r.kind}/${r.name}`) ?? r.startedAt, r.startedAt)
    ).toISOString(),
    endedAt: new Date(r.endedAt).toISOString()
  }
  if (r.tolerated) {
    out.tolerated = r.tolerated.map(t => ({ at: new Date(t.at).toISOString(), message: t.message }))
  }
  return out
}
