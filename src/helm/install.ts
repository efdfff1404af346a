// What `helm install` does around the release's objects, on the run's own road: pre-install hooks
// applied and waited for one by one before the release, post-install hooks after its workloads,
// and the chart's test pods (`helm test --logs`) after the smoke checks. Every object goes through
// the same apply (ownership, records for teardown) and the same status engine.

import { PhaseError, errorMessage } from '../errors.js'
import { Resources } from '../kube/kinds.js'
import { resourceName, type KubePort } from '../kube/port.js'
import type { Pod } from '../kube/types.js'
import type { Typed } from '../kube/validate.js'
import { waitForWorkloads, type WaitOptions } from '../kube/wait.js'
import { deletePolicies } from './hooks.js'

export interface HookDeps {
  kube: KubePort
  wait: WaitOptions
  /** Applies one object the way the release's objects are applied (records it for teardown). */
  apply: (t: Typed) => Promise<void>
  log: (line: string) => void
  /** Cluster text (pod logs): printed as untrusted. */
  untrusted: (text: string) => void
  /** Told which hook failed, so `hook-failed` can delete it once the diagnostics are saved. */
  onFailed?: (hook: Typed) => void
}

const describe = (t: Typed) => `${resourceName(t.type)} "${t.object.metadata.name}"`

/**
 * Runs hooks in order, each applied and waited for (a Job to complete, a Pod to succeed) before
 * the next. A failed hook throws at once with its name; its logs are in the error's details.
 * `hook-succeeded` hooks are deleted once they succeeded; a failed one stays for the diagnostics,
 * then `hook-failed` deletes it (deleteFailedHook), else teardown does with the rest of the run.
 */
export async function runHooks(event: string, hooks: readonly Typed[], deps: HookDeps) {
  for (const hook of hooks) {
    deps.log(`${event} hook ${describe(hook)}: applying`)
    await deps.apply(hook)
    try {
      await waitForWorkloads(deps.kube, [hook], deps.wait)
      if (hook.object.kind === 'Pod') await podCompleted(deps.kube, hook, deps)
    } catch (err) {
      deps.onFailed?.(hook)
      // The hook's own words (the migration's error) belong in the failure line.
      const logs = await hookLogs(deps.kube, hook)
      const last = logs.trim().split('\n').at(-1)?.trim().slice(0, 300)
      throw new PhaseError(
        (err as PhaseError).phase ?? 'deploy',
        `${event} hook ${describe(hook)} failed: ${errorMessage(err)}${last ? `; its log ends: ${last}` : ''}`,
        [(err as PhaseError).details, logs && `logs of ${describe(hook)}:\n${logs}`]
          .filter(Boolean)
          .join('\n\n') || undefined
      )
    }
    deps.log(`${event} hook ${describe(hook)}: succeeded`)
    if (deletePolicies(hook.object).includes('hook-succeeded')) {
      await deps.kube.delete(
        hook.type,
        hook.object.metadata.name!,
        hook.object.metadata.namespace,
        {
          propagationPolicy: 'Background'
        }
      )
      deps.log(`${describe(hook)} deleted (helm.sh/hook-delete-policy: hook-succeeded)`)
    }
  }
}

/** `helm.sh/hook-delete-policy: hook-failed`: the failed hook goes, after the diagnostics. */
export async function deleteFailedHook(kube: KubePort, hook: Typed, log: (line: string) => void) {
  if (!deletePolicies(hook.object).includes('hook-failed')) return
  await kube
    .delete(hook.type, hook.object.metadata.name!, hook.object.metadata.namespace, {
      propagationPolicy: 'Background'
    })
    .then(() => log(`${describe(hook)} deleted (helm.sh/hook-delete-policy: hook-failed)`))
    .catch(() => undefined) // teardown deletes it anyway
}

export interface ChartTestResult {
  name: string
  passed: boolean
  durationMs: number
  message: string
  logs: string
}

/** `helm test --logs`: each test pod in order, its verdict and its logs. */
export async function runChartTests(
  tests: readonly Typed[],
  deps: HookDeps
): Promise<ChartTestResult[]> {
  const results: ChartTestResult[] = []
  for (const t of tests) {
    const started = Date.now()
    const name = t.object.metadata.name!
    deps.log(`chart test ${describe(t)}: running`)
    await deps.apply(t)
    let passed = true
    let message = 'succeeded'
    try {
      await waitForWorkloads(deps.kube, [t], deps.wait)
      if (t.object.kind === 'Pod') await podCompleted(deps.kube, t, deps)
    } catch (err) {
      passed = false
      message = errorMessage(err)
    }
    const logs = await hookLogs(deps.kube, t)
    deps.log(`chart test ${describe(t)}: ${passed ? 'passed' : `failed: ${message}`}`)
    if (logs) deps.untrusted(`logs of ${describe(t)}:\n${logs}`)
    results.push({ name, passed, durationMs: Date.now() - started, message, logs })
  }
  return results
}

/** The status engine counts a Ready pod as done; a hook or test pod must also have exited 0. */
async function podCompleted(kube: KubePort, t: Typed, deps: HookDeps): Promise<void> {
  const name = t.object.metadata.name!
  const namespace = t.object.metadata.namespace
  const deadline = Date.now() + deps.wait.timeoutMs
  // Polled: this starts only once the status engine saw the pod run, and ends within seconds.
  for (;;) {
    const pod = await kube.get<Pod>(Resources.Pod, name, namespace)
    const phase = pod?.status?.phase
    if (phase === 'Succeeded') return
    if (phase === 'Failed' || !pod) {
      throw new PhaseError('deploy', `pod "${name}" ${pod ? 'failed' : 'was deleted'}`)
    }
    if (Date.now() > deadline || deps.wait.signal?.aborted) {
      throw new PhaseError('deploy', `pod "${name}" did not finish in time (phase ${phase})`)
    }
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

/** The logs of a hook: a Pod's own, or those of a Job's pods (found by `job-name`). */
async function hookLogs(kube: KubePort, t: Typed): Promise<string> {
  if (t.object.kind === 'Pod') return podLogs(kube, t.object as Pod)
  if (t.object.kind !== 'Job') return ''
  const pods = await kube
    .list<Pod>(Resources.Pod, {
      namespace: t.object.metadata.namespace,
      labelSelector: `job-name=${t.object.metadata.name}`
    })
    .catch(() => ({ items: [] as Pod[] }))
  const parts = await Promise.all(pods.items.map(p => podLogs(kube, p)))
  return parts.filter(Boolean).join('\n')
}

async function podLogs(kube: KubePort, pod: Pod): Promise<string> {
  const parts: string[] = []
  for (const c of pod.spec?.containers ?? []) {
    const text = await kube
      .podLogs(pod.metadata.namespace!, pod.metadata.name!, c.name, { tailLines: 50 })
      .catch(() => '')
    if (text.trim()) parts.push(text.trimEnd())
  }
  return parts.join('\n')
}
