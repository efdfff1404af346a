// The rollout-check phase (`rollout-check: update`): the smoke target rolled again while the
// first check's request is sent and judged by the smoke engine; failed requests fail the run.

import { PhaseError } from '../errors.js'
import {
  kindOf,
  rolloutUpdateCheck,
  UpdateCheckError,
  type Deployment,
  type Typed
} from '../kube/index.js'
import { checkProbe } from '../smoke/index.js'
import type { Run } from './run.js'
import type { Validated } from './validate.js'

export async function updateCheck(
  run: Run,
  valid: Validated,
  objects: readonly Typed[],
  url: string
): Promise<void> {
  const { config, checked, deps, report } = run
  const { workload } = valid.prepared.target
  const target = objects.find(
    t => t.object.kind === workload.kind && t.object.metadata.name === workload.name
  )
  if (!target || !kindOf(target.object, target.type).updateCheck) {
    throw new PhaseError(
      `rollout-check: update rolls a Deployment; the smoke target is ${workload.kind.toLowerCase()} "${workload.name}"`
    )
  }
  // The first check's request, sent and judged by the smoke engine.
  const probe = checkProbe(url, checked.smokeChecks[0], { http: deps.http })
  try {
    const r = await rolloutUpdateCheck(valid.kube, {
      namespace: run.namespace,
      deployment: target.object as Deployment,
      fieldManager: run.fieldManager,
      labelSelector: run.labelSelector,
      maxRestarts: config.deploy.maxRestarts,
      probe,
      timeoutMs: config.deploy.rolloutTimeoutMs,
      signal: deps.signal,
      log: line => deps.log.info(line)
    })
    report.rollout = updateFacts(r)
    deps.log.info(
      `update check: ${r.failedRequests} of ${r.totalRequests} requests failed during the second rollout`
    )
  } catch (err) {
    if (err instanceof UpdateCheckError) report.rollout = updateFacts(err.result)
    throw err
  } finally {
    await probe.close()
  }
}

function updateFacts(r: {
  failedRequests: number
  totalRequests: number
  durationMs: number
  maxUnavailable: number
  failures: string[]
}) {
  return {
    'update check: failed requests': `${r.failedRequests} of ${r.totalRequests}`,
    'update check: duration': `${(r.durationMs / 1000).toFixed(1)} s`,
    'update check: maxUnavailable': r.maxUnavailable,
    ...(r.failures.length ? { 'update check: first failures': r.failures.join('; ') } : {})
  }
}
