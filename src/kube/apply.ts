// Writing the run's objects: the namespace, then — after reading what already exists and a dry
// run of everything — a server-side apply of each object in the registry's order, recording
// before each write whether this run is creating it. Teardown deletes only what this run created.

import { errorMessage, PhaseError } from '../errors.js'
import type { Discovery } from './discovery.js'
import { definesKinds, kindOf, Resources } from './kinds.js'
import { isActionManager } from './lease.js'
import { describeObject } from './manifests.js'
import { MANAGED_BY_LABEL } from './names.js'
import { isConflict, KubeApiError, resourceName, type KubePort, type ResourceType } from './api.js'
import { crdStatus } from './status/generic.js'
import { forEachBounded } from './bounded.js'
import type { KubeObject } from './types.js'
import type { Typed } from './validate.js'

export interface EnsureNamespaceOptions {
  labels?: Record<string, string>
  annotations?: Record<string, string>
  /**
   * Called the moment before this run creates the namespace, so the caller can save it for
   * teardown. Never called for a namespace that already existed.
   */
  onCreating?: (name: string) => void
  /** How long to wait for a namespace of the same name that is still being deleted. */
  terminatingTimeoutMs?: number
  log?: (line: string) => void
}

/** Creates the namespace unless it exists. `created` tells whether this run owns it. */
export async function ensureNamespace(
  kube: KubePort,
  name: string,
  options: EnsureNamespaceOptions = {}
): Promise<{ created: boolean }> {
  let existing = await kube.get<KubeObject>(Resources.Namespace, name)
  if (existing && isTerminating(existing)) {
    existing = await waitUntilGone(kube, name, options)
  }
  if (existing) return { created: false }
  options.onCreating?.(name)
  try {
    await kube.create(Resources.Namespace, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: { [MANAGED_BY_LABEL]: 'minikube-smoke', ...options.labels },
        annotations: options.annotations
      }
    })
  } catch (err) {
    if (isConflict(err)) return { created: false } // made by someone else between read and create
    throw new PhaseError(`cannot create namespace "${name}": ${errorMessage(err)}`)
  }
  return { created: true }
}

function isTerminating(ns: KubeObject): boolean {
  return (
    (ns.status as { phase?: string } | undefined)?.phase === 'Terminating' ||
    Boolean(ns.metadata.deletionTimestamp)
  )
}

/** A quick second run on a kept cluster finds the first one's namespace still going: wait. */
async function waitUntilGone(
  kube: KubePort,
  name: string,
  options: EnsureNamespaceOptions
): Promise<KubeObject | undefined> {
  const timeoutMs = options.terminatingTimeoutMs ?? 120_000
  options.log?.(
    `namespace "${name}" is still being deleted (Terminating): waiting up to ${timeoutMs / 1000} s for it to go`
  )
  const started = Date.now()
  for (;;) {
    const ns = await kube.get<KubeObject>(Resources.Namespace, name)
    if (!ns || !isTerminating(ns)) {
      options.log?.(
        `namespace "${name}" is gone after ${((Date.now() - started) / 1000).toFixed(1)} s`
      )
      return ns
    }
    if (Date.now() - started >= timeoutMs) {
      throw new PhaseError(
        `namespace "${name}" is still being deleted (Terminating) after ${timeoutMs / 1000} s: choose another namespace, or find what blocks its deletion (kubectl get namespace ${name} -o yaml)`
      )
    }
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

/** What teardown needs to delete an object; small enough to save in the post step's state. */
export interface ObjectRecord {
  apiVersion: string
  kind: string
  plural: string
  namespaced: boolean
  name: string
  namespace?: string
  /** True: this run made it (uid known); 'pending': the apply to create it had not answered. */
  created: boolean | 'pending'
  uid?: string
  /** For 'pending': when the run last saw it absent (ISO). */
  absentAt?: string
}

export function recordOf(
  t: Typed,
  created: ObjectRecord['created'],
  uid?: string,
  absentAt?: string
): ObjectRecord {
  return {
    apiVersion: t.object.apiVersion,
    kind: t.object.kind,
    plural: t.type.plural,
    namespaced: t.type.namespaced,
    name: t.object.metadata.name!,
    ...(t.object.metadata.namespace ? { namespace: t.object.metadata.namespace } : {}),
    created,
    ...(uid ? { uid } : {}),
    ...(absentAt ? { absentAt } : {})
  }
}

export interface ApplyPlanOptions {
  fieldManager: string
  /** Input `force-conflicts`: take over objects (and fields) other managers own. */
  force: boolean
}

/**
 * Reads every object first. One that exists and is managed by anyone but this action belongs to
 * someone else: applying it would take it over, so that is an error unless forced (and even then
 * it is never deleted). Returns, per object, whether it existed.
 */
export async function readExisting(
  kube: KubePort,
  objects: readonly Typed[],
  options: ApplyPlanOptions
): Promise<Map<Typed, KubeObject | undefined>> {
  const existing = new Map<Typed, KubeObject | undefined>()
  const conflicts: string[] = []
  const outcomes = await forEachBounded(objects, t =>
    kube.get<KubeObject>(t.type, t.object.metadata.name!, t.object.metadata.namespace)
  )
  objects.forEach((t, i) => {
    const outcome = outcomes[i]!
    if (!outcome.ok) throw outcome.error
    const live = outcome.value
    existing.set(t, live)
    if (!live || options.force) return
    const others = foreignManagers(live)
    if (others.length) {
      const where = t.type.namespaced ? ` in namespace "${t.object.metadata.namespace}"` : ''
      conflicts.push(
        `${resourceName(t.type)} "${t.object.metadata.name}"${where} already exists and is managed by ${others.map(m => `"${m}"`).join(', ')}`
      )
    }
  })
  if (conflicts.length) {
    throw new PhaseError(
      `Apply failed with ${conflicts.length} conflict${conflicts.length === 1 ? '' : 's'}: ${conflicts.join('; ')}. ` +
        "The run would take over what it did not create: remove it from the manifests, deploy into another namespace, or set 'force-conflicts: true' to take it over (it is still never deleted)"
    )
  }
  return existing
}

interface ManagedFieldsEntry {
  manager?: string
  operation?: string
  fieldsV1?: Record<string, unknown>
}

/** The control plane's own manager: what it alone made (a namespace's default ServiceAccount). */
const CONTROL_PLANE = 'kube-controller-manager'

/**
 * Who else an existing object belongs to. It is this action's own when it carries this action's
 * apply (any run's: which run, and whether it still lives, is claim.ts's business) and everyone
 * else only keeps its status (controllers do); and it is the cluster's when only the control plane
 * ever touched it. Anything else was made, or is shaped, by someone else.
 */
function foreignManagers(o: KubeObject): string[] {
  const entries = (o.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? []
  if (entries.length === 0) return ['(a manager the server did not record)']
  const ours = entries.some(e => isActionManager(e.manager))
  if (!ours && entries.every(e => e.manager === CONTROL_PLANE)) return []
  const foreign = entries.filter(
    e =>
      !isActionManager(e.manager) &&
      (!ours || e.operation === 'Apply' || ownsMoreThanStatus(e.fieldsV1))
  )
  return [...new Set(foreign.map(e => e.manager ?? '(unnamed)'))]
}

/** Fields beyond status and metadata (and the revision annotation a Deployment's controller sets). */
function ownsMoreThanStatus(fields: Record<string, unknown> | undefined): boolean {
  return Object.keys(fields ?? {}).some(k => k !== 'f:status' && k !== 'f:metadata')
}

export interface ApplyOptions extends ApplyPlanOptions {
  /** fieldValidation=Strict (servers 1.25+). */
  strictFields: boolean
  discovery: Discovery
  log?: (line: string) => void
  /** Called before each write that may create an object, and after it, with what happened. */
  record: (record: ObjectRecord) => void
  /** Bound on waiting for the run's CRDs to be established. */
  crdTimeoutMs?: number
  /** When readExisting looked (ms): objects it found absent were absent then. */
  checkedAt: number
  /** Objects of a dead run (claim.ts): applied over its fields, recorded as this run's. */
  takenOver?: ReadonlySet<Typed>
}

/** A dead run's fields are taken over whatever force-conflicts says (its manager cannot object). */
function forceFor(t: Typed, options: ApplyOptions): boolean {
  return options.force || Boolean(options.takenOver?.has(t))
}

/**
 * Dry-runs every object the server can take now (custom resources of the run's own CRDs wait for
 * them), and reports every rejection at once, each with the server's own message.
 */
export async function dryRunAll(
  kube: KubePort,
  objects: readonly Typed[],
  options: ApplyOptions
): Promise<void> {
  const problems: string[] = []
  await forEachBounded(
    objects,
    async t => {
      if (!(await options.discovery.resolve(t.object.apiVersion, t.object.kind))) return
      await applyOnceAccountReady(kube, t, {
        fieldManager: options.fieldManager,
        force: forceFor(t, options),
        strictFields: options.strictFields,
        dryRun: true
      })
    },
    {
      inOrder: (i, outcome) => {
        if (!outcome.ok)
          problems.push(
            `${describeObject(objects[i].object)}: ${applyError(objects[i], outcome.error)}`
          )
      }
    }
  )
  if (problems.length) {
    throw new PhaseError(
      problems.length === 1
        ? `the server rejected the manifests (dry run, nothing was applied): ${problems[0]}`
        : `the server rejected the manifests (dry run, nothing was applied):\n  ${problems.join('\n  ')}`
    )
  }
}

/**
 * Applies in the registry's order: rank by rank (a workload must not start before the ConfigMap
 * its pods read), the objects of one rank a few at a time, logged in manifest order. Before the
 * run's custom resources, its CRDs are waited for until Established and discovery is refreshed.
 * The first failure (in order) stops the apply; what was already in flight is still recorded.
 */
export async function applyAll(
  kube: KubePort,
  objects: readonly Typed[],
  existing: ReadonlyMap<Typed, KubeObject | undefined>,
  options: ApplyOptions
): Promise<KubeObject[]> {
  const crds = objects.filter(t => definesKinds(t.object))
  let crdsReady = crds.length === 0
  const applied: KubeObject[] = []
  for (const batch of byRank(objects)) {
    if (!crdsReady && (await needsNewTypes(batch, options.discovery))) {
      await waitForCrds(kube, crds, options)
      options.discovery.refresh()
      crdsReady = true
    }
    let failure: PhaseError | undefined
    await forEachBounded(batch, t => applyOne(kube, t, existing, options), {
      stopOnError: true,
      // Messages in manifest order, as one-at-a-time would print them; an object applied while
      // an earlier one failed is still reported (it exists, and is recorded for teardown).
      inOrder: (i, outcome) => {
        if (!outcome.ok) {
          failure ??= deployError(batch[i], outcome.error)
          return
        }
        const { object, verb } = outcome.value
        options.log?.(
          `${resourceName(batch[i].type)}/${batch[i].object.metadata.name} serverside-applied (${verb})`
        )
        applied.push(object)
      }
    })
    if (failure) throw failure
  }
  return applied
}

/** The objects in apply order, grouped by rank (manifest order within a rank). */
function byRank(objects: readonly Typed[]): Typed[][] {
  const batches = new Map<number, Typed[]>()
  for (const t of objects) {
    const rank = kindOf(t.object, t.type).rank
    if (!batches.has(rank)) batches.set(rank, [])
    batches.get(rank)!.push(t)
  }
  return [...batches.entries()].sort(([a], [b]) => a - b).map(([, batch]) => batch)
}

/** A batch that holds a kind discovery does not know yet (a custom resource of the run's CRD). */
async function needsNewTypes(batch: readonly Typed[], discovery: Discovery): Promise<boolean> {
  for (const t of batch) {
    if (definesKinds(t.object)) continue
    if (!(await discovery.resolve(t.object.apiVersion, t.object.kind))) return true
  }
  return false
}

/** One server-side apply, recorded before (when it may create) and after; how kubectl says it. */
async function applyOne(
  kube: KubePort,
  t: Typed,
  existing: ReadonlyMap<Typed, KubeObject | undefined>,
  options: ApplyOptions
): Promise<{ object: KubeObject; verb: string }> {
  const absent = !existing.get(t)
  const takenOver = !absent && Boolean(options.takenOver?.has(t))
  if (absent)
    options.record(recordOf(t, 'pending', undefined, new Date(options.checkedAt).toISOString()))
  // Recorded before the write, with the uid it has: a step killed now still deletes it.
  if (takenOver) options.record(recordOf(t, true, existing.get(t)!.metadata.uid))
  let result
  try {
    result = await applyOnceAccountReady(kube, t, {
      fieldManager: options.fieldManager,
      force: forceFor(t, options),
      strictFields: options.strictFields
    })
  } catch (err) {
    if (absent) options.record(recordOf(t, false))
    throw err
  }
  options.record(recordOf(t, result.created || takenOver, result.object.metadata.uid))
  const verb = result.created
    ? 'created'
    : takenOver
      ? 'configured (taken over from a dead run: deleted at teardown)'
      : existing.get(t)
        ? 'configured (it existed: kept at teardown)'
        : 'configured'
  return { object: result.object, verb }
}

function deployError(t: Typed, err: unknown): PhaseError {
  return new PhaseError(`${describeObject(t.object)}: ${applyError(t, err)}`)
}

async function waitForCrds(
  kube: KubePort,
  crds: readonly Typed[],
  options: ApplyOptions
): Promise<void> {
  const timeoutMs = options.crdTimeoutMs ?? 60_000
  const started = Date.now()
  for (const t of crds) {
    for (;;) {
      const live = await kube.get<KubeObject>(t.type, t.object.metadata.name!)
      const verdict = live ? crdStatus(live) : undefined
      if (verdict?.state === 'current') {
        options.log?.(verdict.message)
        break
      }
      if (verdict?.state === 'failed') throw new PhaseError(verdict.message)
      if (Date.now() - started > timeoutMs) {
        throw new PhaseError(
          `customresourcedefinition "${t.object.metadata.name}" was not established within ${timeoutMs / 1000} s`
        )
      }
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
}

/** How long a pod waits for its service account (and, before 1.24, the account's token). */
const ACCOUNT_PATIENCE_MS = 15_000

/**
 * One apply; while the ServiceAccount admission plugin refuses a pod because its account (or the
 * account's token, on servers before 1.24) does not exist *yet* — a namespace created a moment
 * ago, an account applied at an earlier rank — it is tried again, as the server's message asks.
 */
async function applyOnceAccountReady(
  kube: KubePort,
  t: Typed,
  options: Parameters<KubePort['apply']>[2]
): ReturnType<KubePort['apply']> {
  const deadline = Date.now() + ACCOUNT_PATIENCE_MS
  for (;;) {
    try {
      return await kube.apply(t.type, t.object, options)
    } catch (err) {
      if (!accountNotReady(err) || Date.now() > deadline) throw err
      await new Promise(resolve => setTimeout(resolve, 250))
    }
  }
}

/** The admission plugin's two "not yet" answers (1.20's token controller, any version's account). */
export function accountNotReady(err: unknown): boolean {
  const text = errorMessage(err)
  return (
    /No API token found for service account/.test(text) ||
    /error looking up service account [^:]+: serviceaccount "[^"]+" not found/.test(text)
  )
}

/** kubectl's wording: `error when applying deployment.apps/web (Invalid): <server message>`. */
function applyError(t: Typed, err: unknown): string {
  const reason = err instanceof KubeApiError && err.reason ? ` (${err.reason})` : ''
  // Two runs that read at the same instant: the server names the other run's field manager.
  const race =
    isConflict(err) && /conflicts? with "minikube-smoke\//.test(errorMessage(err))
      ? " (another run of this action applied it meanwhile: set 'queue-timeout' to wait for it, or keep such runs apart with a workflow 'concurrency:' group)"
      : ''
  return `error applying ${resourceName(t.type)}/${t.object.metadata.name}${reason}: ${errorMessage(err)}${race}`
}

export function typeOfRecord(r: ObjectRecord): ResourceType {
  const slash = r.apiVersion.indexOf('/')
  return {
    group: slash < 0 ? '' : r.apiVersion.slice(0, slash),
    version: r.apiVersion.slice(slash + 1),
    kind: r.kind,
    plural: r.plural,
    namespaced: r.namespaced
  }
}
