// Deleting what a run created, and nothing else. Idempotent: what is already gone is success.
// An object is deleted only when the run recorded creating it (the server answered 201 to its
// apply), with its uid as a precondition, so an object someone made again under the same name
// is left alone. An apply that never answered (the step was killed) is checked first: deleted
// only if the object carries this run's label and was created after the run saw it absent.
//
// Speed, measured on 1.20: the namespace controller starts 5 s after the delete (a fixed delay), and
// when pods are still there it estimates their spec grace period (30 s) and looks again only after
// half of it, so a namespace with running pods takes ~11–43 s to go. Deleting the pods first with
// grace period 0 removes them from the API at once (the kubelet still stops their containers, with
// its 2 s minimum), and the namespace is gone in ~5–6 s, i.e. the controller's fixed delay.

import { errorMessage, PhaseError } from '../errors.js'
import { typeOfRecord, type ObjectRecord } from './apply.js'
import { forEachBounded } from './bounded.js'
import { kindOf, knownKind, Resources } from './kinds.js'
import { RUN_LABEL } from './names.js'
import { isConflict, resourceName, type KubePort, type ResourceType } from './api.js'
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
  /** The kinds of the run that make pods (stopped first so nothing recreates the pods). */
  podMakers?: readonly ResourceType[]
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
      await stopPods(kube, name, grace, options.podMakers ?? [Resources.Deployment])
    }
    const existed = await kube.delete(Resources.Namespace, name, undefined, {
      propagationPolicy: 'Background'
    })
    options.log?.(`namespace "${name}" deleted`)
    if (!options.wait) return { existed, gone: false, durationMs: Date.now() - started }
    const gone = await waitUntilGone(kube, name, options.timeoutMs ?? 60_000)
    return { existed, gone, durationMs: Date.now() - started }
  } catch (err) {
    throw new PhaseError(`cannot delete namespace "${name}": ${errorMessage(err)}`)
  }
}

/**
 * Stops the controllers first (and what their entries say they stop with them: a Deployment's
 * ReplicaSets), then deletes the pods with a short grace period. Deleting a
 * controller with `Orphan` marks it deleted at once, and controllers leave a deleted owner alone,
 * so nothing recreates the pods; `Background` would instead have the garbage collector delete the
 * pods with their full grace period, which a kubelet of 1.20 keeps to even after a shorter one is
 * requested. Containers still get SIGTERM and `grace` seconds (kubelet minimum 2).
 */
async function stopPods(
  kube: KubePort,
  namespace: string,
  grace: number,
  podMakers: readonly ResourceType[]
): Promise<void> {
  const makers = [
    ...podMakers,
    ...podMakers.flatMap(t => knownKind(t.group, t.kind)?.alsoStops ?? [])
  ]
  const seen = new Set<string>()
  for (const type of makers) {
    const key = `${type.group}/${type.version}/${type.plural}`
    if (seen.has(key)) continue
    seen.add(key)
    await kube.deleteCollection(type, namespace, { propagationPolicy: 'Orphan' })
  }
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

/** The kinds among the records that make pods, as the registry knows them. */
export function podMakersOf(records: readonly ObjectRecord[]): ResourceType[] {
  return records
    .map(r => ({
      r,
      entry: kindOf({ apiVersion: r.apiVersion, kind: r.kind, metadata: {} }, typeOfRecord(r))
    }))
    .filter(x => x.entry.makesPods)
    .map(x => typeOfRecord(x.r))
}

export interface DeleteOwnedResult {
  deleted: ObjectRecord[]
  /** Objects kept because this run did not create them (or cannot be shown to have). */
  kept: ObjectRecord[]
}

/**
 * Deletes the recorded objects this run created, in reverse apply order (custom resources before
 * their CRDs). `runLabel` is the value of the run label this run put on its objects.
 */
export async function deleteOwned(
  kube: KubePort,
  records: readonly ObjectRecord[],
  runLabel: string,
  options: { log?: (message: string) => void } = {}
): Promise<DeleteOwnedResult> {
  const deleted: ObjectRecord[] = []
  const kept: ObjectRecord[] = []
  const failures: string[] = []
  // Rank by rank in reverse (custom resources before their CRDs), a few requests at a time.
  const ranks = new Map<number, ObjectRecord[]>()
  for (const r of records) {
    const rank = kindOf(
      { apiVersion: r.apiVersion, kind: r.kind, metadata: {} },
      typeOfRecord(r)
    ).rank
    if (!ranks.has(rank)) ranks.set(rank, [])
    ranks.get(rank)!.push(r)
  }
  const leftovers: Array<() => Promise<void>> = []
  for (const [, recorded] of [...ranks].sort(([a], [b]) => b - a)) {
    const batch = [...recorded].reverse()
    await forEachBounded(batch, r => deleteRecorded(kube, r, runLabel), {
      inOrder: (i, outcome) => {
        const r = batch[i]
        const what = `${resourceName(typeOfRecord(r))} "${r.name}"${r.namespace ? ` in namespace "${r.namespace}"` : ''}`
        if (outcome.ok) {
          const { leaves } = outcome.value
          if (leaves) leftovers.push(() => deleteLeftovers(kube, leaves, failures, options.log))
        }
        if (outcome.ok && outcome.value.result === 'deleted') {
          deleted.push(r)
          options.log?.(`${what} deleted`)
        } else if (outcome.ok && outcome.value.result === 'not ours') {
          kept.push(r)
        } else if (!outcome.ok && isConflict(outcome.error)) {
          options.log?.(`${what} kept: it was made again by someone else (another uid)`)
          kept.push(r)
        } else if (!outcome.ok) {
          failures.push(`${what}: ${errorMessage(outcome.error)}`)
        }
      }
    })
  }
  for (const run of leftovers) await run()
  if (failures.length) {
    throw new PhaseError(`could not delete ${failures.join('; ')}`)
  }
  return { deleted, kept }
}

/** Deletes one recorded object if it is shown to be this run's (uid precondition). */
async function deleteRecorded(
  kube: KubePort,
  r: ObjectRecord,
  runLabel: string
): Promise<{ result: 'deleted' | 'gone' | 'not ours'; leaves?: Leaves }> {
  const type = typeOfRecord(r)
  let uid = r.created === true ? r.uid : undefined
  if (r.created === 'pending') uid = await ownedUid(kube, type, r, runLabel)
  if (!uid) return { result: r.created === true ? 'gone' : 'not ours' }
  const leaves = await leftoversOf(kube, r, type, uid)
  const existed = await kube.delete(type, r.name, r.namespace, {
    propagationPolicy: 'Background',
    uid
  })
  return { result: existed ? 'deleted' : 'gone', leaves }
}

interface Leaves {
  type: ResourceType
  namespace?: string
  madeBy: (candidate: KubeObject) => boolean
}

/** What the object makes that outlives it (kinds.ts `leaves`), read while it still exists. */
async function leftoversOf(
  kube: KubePort,
  r: ObjectRecord,
  type: ResourceType,
  uid: string
): Promise<Leaves | undefined> {
  const entry = kindOf({ apiVersion: r.apiVersion, kind: r.kind, metadata: {} }, type)
  if (!entry.leaves) return undefined
  const live = await kube.get<KubeObject>(type, r.name, r.namespace)
  if (!live || live.metadata.uid !== uid) return undefined
  return { type: entry.leaves.type, namespace: r.namespace, madeBy: entry.leaves.madeBy(live) }
}

/** Deletes them uid-preconditioned (a volume provisioned for a claim goes with it: reclaim Delete). */
async function deleteLeftovers(
  kube: KubePort,
  leaves: Leaves,
  failures: string[],
  log?: (message: string) => void
): Promise<void> {
  const list = await kube.list<KubeObject>(leaves.type, { namespace: leaves.namespace })
  for (const o of list.items.filter(leaves.madeBy)) {
    const what = `${resourceName(leaves.type)} "${o.metadata.name}"${leaves.namespace ? ` in namespace "${leaves.namespace}"` : ''}`
    try {
      const uid = o.metadata.uid
      if (await kube.delete(leaves.type, o.metadata.name!, leaves.namespace, { uid })) {
        log?.(`${what} deleted`)
      }
    } catch (err) {
      if (isConflict(err)) log?.(`${what} kept: it was made again by someone else (another uid)`)
      else failures.push(`${what}: ${errorMessage(err)}`)
    }
  }
}

/**
 * The uid of an object whose creating apply never answered, if it is this run's: it carries the
 * run's label (its random key is in no one else's objects) and was created after the run saw it
 * absent (to the second: creationTimestamp has no finer precision).
 */
async function ownedUid(
  kube: KubePort,
  type: ResourceType,
  r: ObjectRecord,
  runLabel: string
): Promise<string | undefined> {
  const live = await kube.get<KubeObject>(type, r.name, r.namespace)
  if (!live || live.metadata.labels?.[RUN_LABEL] !== runLabel) return undefined
  const created = Date.parse(live.metadata.creationTimestamp ?? '')
  const absent = Date.parse(r.absentAt ?? '')
  if (Number.isNaN(created) || Number.isNaN(absent)) return undefined
  return created >= Math.floor(absent / 1000) * 1000 ? live.metadata.uid : undefined
}
