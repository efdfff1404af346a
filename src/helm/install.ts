// What `helm install` does around the release's objects, on the run's own road: pre-install hooks
// applied and waited for one by one before the release, post-install hooks after its workloads,
// and the chart's test pods (`helm test --logs`) after the smoke checks. Every object goes through
// the same apply (ownership, records for teardown) and the same status engine.

import { PhaseError, errorMessage } from '../errors.js'
import { kindOf, Resources } from '../kube/kinds.js'
import { resourceName, type KubePort, type WatchEventType, type WatchHandle } from '../kube/api.js'
import { containerLogs } from '../kube/status/container-logs.js'
import type { KubeObject, Pod } from '../kube/types.js'
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
      if (isPod(hook)) await podCompleted(deps.kube, hook, deps)
    } catch (err) {
      deps.onFailed?.(hook)
      // The hook's own words (the migration's error) belong in the failure line.
      const logs = await hookLogs(deps.kube, hook)
      const last = logs.trim().split('\n').at(-1)?.trim().slice(0, 300)
      throw new PhaseError(
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
      if (isPod(t)) await podCompleted(deps.kube, t, deps)
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

/** A hook or test that is a pod itself (the registry's `pods: 'self'`): it must also exit 0. */
function isPod(t: Typed): boolean {
  return kindOf(t.object, t.type).readiness?.pods === 'self'
}

/**
 * The status engine counts a Ready pod as done; a hook or test pod must also have exited 0.
 * Watched (the pod is usually seconds from exiting), from the resourceVersion of a first read.
 */
async function podCompleted(kube: KubePort, t: Typed, deps: HookDeps): Promise<void> {
  const name = t.object.metadata.name!
  const namespace = t.object.metadata.namespace
  const fieldSelector = `metadata.name=${name}`
  const first = await kube.list<Pod>(Resources.Pod, { namespace, fieldSelector })
  const verdict = (pod: Pod | undefined): Error | null | undefined => {
    const phase = pod?.status?.phase
    if (phase === 'Succeeded') return null
    if (phase === 'Failed' || !pod) {
      return new PhaseError(`pod "${name}" ${pod ? 'failed' : 'was deleted'}`)
    }
    return undefined // still running
  }
  const now = verdict(first.items[0])
  if (now !== undefined) {
    if (now) throw now
    return
  }
  await new Promise<void>((resolve, reject) => {
    let handle: WatchHandle | undefined
    let done = false
    const finish = (err: Error | null) => {
      if (done) return
      done = true
      clearTimeout(timer)
      deps.wait.signal?.removeEventListener('abort', onAbort)
      handle?.stop()
      if (err) reject(err)
      else resolve()
    }
    const late = () => new PhaseError(`pod "${name}" did not finish in time (phase Running)`)
    const timer = setTimeout(() => finish(late()), deps.wait.timeoutMs)
    const onAbort = () => finish(late())
    deps.wait.signal?.addEventListener('abort', onAbort)
    const onEvent = (type: WatchEventType, o: KubeObject) => {
      const v = verdict(type === 'DELETED' ? undefined : (o as Pod))
      if (v !== undefined) finish(v)
    }
    // A watch that ends early: read the pod again and watch on (or settle it).
    const onClose = () => {
      if (done) return
      void kube
        .get<Pod>(Resources.Pod, name, namespace)
        .then(pod => {
          const v = verdict(pod)
          if (v !== undefined) finish(v)
          else setTimeout(start, 250)
        })
        .catch(() => setTimeout(onClose, 250))
    }
    const start = (resourceVersion?: string) => {
      if (done) return
      kube
        .watch(Resources.Pod, { namespace, fieldSelector, resourceVersion }, onEvent, onClose)
        .then(h => (done ? h.stop() : (handle = h)))
        .catch(onClose)
    }
    start(first.resourceVersion)
  })
}

/** The logs of a hook or test: a pod's own, or those of the pods it controls (a Job's). */
async function hookLogs(kube: KubePort, t: Typed): Promise<string> {
  const pods = await hookPods(kube, t).catch(() => [] as Pod[])
  const parts = await Promise.all(pods.map(p => podLogs(kube, p)))
  return parts.filter(Boolean).join('\n')
}

/** Live, with their statuses (which log explains a container depends on them). */
async function hookPods(kube: KubePort, t: Typed): Promise<Pod[]> {
  const { name, namespace } = t.object.metadata
  switch (kindOf(t.object, t.type).readiness?.pods) {
    case 'self': {
      const pod = await kube.get<Pod>(Resources.Pod, name!, namespace)
      return pod ? [pod] : []
    }
    case 'owner': {
      const controlled = (p: Pod) =>
        p.metadata.ownerReferences?.some(
          o => o.controller && o.kind === t.object.kind && o.name === name
        )
      return (await kube.list<Pod>(Resources.Pod, { namespace })).items.filter(controlled)
    }
    default:
      return []
  }
}

/** Each container's log that explains it (containerLogs), the other one if that is empty. */
async function podLogs(kube: KubePort, pod: Pod): Promise<string> {
  const parts: string[] = []
  for (const c of pod.spec?.containers ?? []) {
    const status = pod.status?.containerStatuses?.find(s => s.name === c.name)
    const which = containerLogs(status)
    if (status && !which.current && !which.previous) continue // never started: no log
    const read = (previous: boolean) =>
      kube
        .podLogs(pod.metadata.namespace!, pod.metadata.name!, c.name, { tailLines: 50, previous })
        .catch(() => '')
    const first = which.explains === 'previous'
    let text = await read(first)
    if (!text.trim() && (first ? which.current : which.previous)) text = await read(!first)
    if (text.trim()) parts.push(text.trimEnd())
  }
  return parts.join('\n')
}
