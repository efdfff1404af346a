// Deleting what a run created. Idempotent: a namespace or object already gone is success.
//
// Speed, measured on 1.20: the namespace controller starts 5 s after the delete (a fixed delay), and
// when pods are still there it estimates their spec grace period (30 s) and looks again only after
// half of it, so a namespace with running pods takes ~11–43 s to go. Deleting the pods first with
// grace period 0 removes them from the API at once (the kubelet still stops their containers, with
// its 2 s minimum), and the namespace is gone in ~5–6 s, i.e. the controller's fixed delay.

import { PhaseError } from '../errors.js'
import { KubePhase } from './errors.js'
import { Resources, type KubePort } from './port.js'
import { sortForApply } from './manifests.js'
import type { KubeObject } from './types.js'

export interface DeleteNamespaceOptions {
  /** Wait until the namespace is gone (default false). */
  wait?: boolean
  /** Bound on the wait (default 60 s). */
  timeoutMs?: number
  /**
   * Grace period for the namespace's pods, deleted before the namespace (default 0: removed from
   * the API at once). `null` leaves them to the namespace controller and their own grace period.
   */
  podGracePeriodSeconds?: number | null
  log?: (message: string) => void
}

export interface DeleteNamespaceResult {
  /** False when there was nothing to delete. */
  existed: boolean
  /** True when the namespace is confirmed gone (always false without `wait`). */
  gone: boolean
  durationMs: number
}

export async function deleteNamespace(
  kube: KubePort,
  name: string,
  options: DeleteNamespaceOptions = {}
): Promise<DeleteNamespaceResult> {
  const started = Date.now()
  const grace = options.podGracePeriodSeconds === undefined ? 0 : options.podGracePeriodSeconds
  try {
    const ns = await kube.get<KubeObject>(Resources.Namespace, name)
    if (!ns) return { existed: false, gone: true, durationMs: Date.now() - started }
    if (grace !== null && !ns.metadata.deletionTimestamp) {
      await deleteWorkloads(kube, name, grace)
    }
    const existed = await kube.delete(Resources.Namespace, name, undefined, {
      propagationPolicy: 'Background'
    })
    options.log?.(`namespace "${name}" deleted`)
    if (!options.wait) return { existed, gone: false, durationMs: Date.now() - started }
    const gone = await waitUntilGone(kube, name, options.timeoutMs ?? 60_000)
    return { existed, gone, durationMs: Date.now() - started }
  } catch (err) {
    throw new PhaseError(
      KubePhase.teardown,
      `cannot delete namespace "${name}": ${err instanceof Error ? err.message : String(err)}`
    )
  }
}

/**
 * Stops the controllers first, then deletes the pods with a short grace period. Deleting a
 * Deployment or ReplicaSet with `Orphan` marks it deleted at once, and controllers leave a deleted
 * owner alone, so nothing recreates the pods; `Background` would instead have the garbage collector
 * delete the pods with their full grace period, which a kubelet of 1.20 keeps to even after a
 * shorter one is requested. Containers still get SIGTERM and `grace` seconds (kubelet minimum 2).
 */
async function deleteWorkloads(kube: KubePort, namespace: string, grace: number): Promise<void> {
  await kube.deleteCollection(Resources.Deployment, namespace, { propagationPolicy: 'Orphan' })
  await kube.deleteCollection(Resources.ReplicaSet, namespace, { propagationPolicy: 'Orphan' })
  await kube.deleteCollection(Resources.Pod, namespace, { gracePeriodSeconds: grace })
}

async function waitUntilGone(kube: KubePort, name: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (!(await kube.get(Resources.Namespace, name))) return true
    if (Date.now() >= deadline) return false
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}

/** What teardown needs to delete an object; small enough to save in the post step's state. */
export interface ObjectRef {
  apiVersion: string
  kind: string
  name: string
  namespace?: string
}

export function objectRef(o: KubeObject): ObjectRef {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name!,
    namespace: o.metadata.namespace
  }
}

/**
 * Deletes the given objects in reverse apply order, for a namespace this run did not create (it
 * stays). Objects already gone count as deleted. Returns the refs that were actually deleted.
 */
export async function deleteObjects(
  kube: KubePort,
  refs: readonly ObjectRef[],
  options: { log?: (message: string) => void } = {}
): Promise<ObjectRef[]> {
  const deleted: ObjectRef[] = []
  const failures: string[] = []
  const order = sortForApply(refs.map(r => ({ ...r, metadata: { name: r.name } }))).reverse()
  for (const ref of order) {
    const type = Object.values(Resources).find(
      r => r.kind === ref.kind && r.apiVersion === ref.apiVersion
    )
    const what = `${ref.kind.toLowerCase()} "${ref.name}"`
    if (!type) {
      failures.push(`${what}: unsupported kind`)
      continue
    }
    try {
      if (await kube.delete(type, ref.name, ref.namespace, { propagationPolicy: 'Background' })) {
        deleted.push({
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          name: ref.name,
          namespace: ref.namespace
        })
        options.log?.(`${what} deleted`)
      }
    } catch (err) {
      failures.push(`${what}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  if (failures.length) {
    throw new PhaseError(KubePhase.teardown, `could not delete ${failures.join('; ')}`)
  }
  return deleted
}
