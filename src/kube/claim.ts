// Objects of other runs of this action (their run label is on them), checked before any write:
// refused while that run may still be running (force-conflicts does not change that), waited for
// up to `queue-timeout`, and taken over once its lease shows it dead — the taker deletes them at
// its teardown, since nothing else will. What to decide is pure (holdingsOf, refusalLine,
// judgeLiveness in liveness.ts); the loop here only reads, sleeps and logs.

import { PhaseError } from '../errors.js'
import { Resources } from './kinds.js'
import { deleteLease, LEASE_TYPE, leaseName, snapshotOf } from './lease.js'
import {
  judgeLiveness,
  mayStillBeRunning,
  watchBudgetMs,
  type Liveness,
  type Observation
} from './liveness.js'
import { RUN_LABEL } from './names.js'
import { resourceName, type KubePort } from './api.js'
import type { KubeObject } from './types.js'
import type { Typed } from './validate.js'

/** What one other run has among what this run is about to write. */
export interface Holding {
  run: string
  /** `deployment.apps "slow"`, the namespace last. */
  names: string[]
  objects: Typed[]
  /** The run's namespace was made by that run. */
  namespace: boolean
  /** Where its lease is looked for first: the run's namespace (else anywhere, by its label). */
  leaseNamespace?: string
  /** The oldest creationTimestamp among them, for its age when it has no lease. */
  since?: string
}

export interface Snapshot {
  existing: ReadonlyMap<Typed, KubeObject | undefined>
  /** The run's namespace as it is now; undefined when it does not exist. */
  namespaceObject?: KubeObject
}

/** Which existing objects, and whether the namespace, carry the label of another run. */
export function holdingsOf(snapshot: Snapshot, namespace: string, ownRun: string): Holding[] {
  const nsObject = snapshot.namespaceObject
  // A namespace being deleted takes everything in it along: ensureNamespace waits it out.
  if (nsObject?.metadata.deletionTimestamp) return []
  const byRun = new Map<string, Holding>()
  const holding = (run: string): Holding => {
    let h = byRun.get(run)
    if (!h) byRun.set(run, (h = { run, names: [], objects: [], namespace: false }))
    return h
  }
  const older = (a: string | undefined, b: string | undefined) => (a && (!b || a < b) ? a : b)
  for (const [t, live] of snapshot.existing) {
    const run = live?.metadata.labels?.[RUN_LABEL]
    if (!live || !run || run === ownRun) continue
    const h = holding(run)
    h.objects.push(t)
    h.names.push(`${resourceName(t.type)} "${t.object.metadata.name}"`)
    if (t.object.metadata.namespace === namespace) h.leaseNamespace = namespace
    h.since = older(live.metadata.creationTimestamp, h.since)
  }
  const nsRun = nsObject?.metadata.labels?.[RUN_LABEL]
  if (nsObject && nsRun && nsRun !== ownRun) {
    const h = holding(nsRun)
    h.namespace = true
    h.names.push(`namespace "${namespace}"`)
    h.leaseNamespace = namespace
    h.since = older(nsObject.metadata.creationTimestamp, h.since)
  }
  return [...byRun.values()]
}

export interface Verdict {
  holding: Holding
  liveness: Liveness
  /** The lease as last read. */
  lease?: KubeObject
}

function ago(fromIso: string | undefined, nowMs: number): string {
  const t = Date.parse(fromIso ?? '')
  if (Number.isNaN(t)) return 'at an unknown time'
  const s = Math.max(0, Math.round((nowMs - t) / 1000))
  return s < 120
    ? `${s} s ago`
    : s < 7200
      ? `${Math.round(s / 60)} min ago`
      : `${(s / 3600).toFixed(1)} h ago`
}

/** `run "123-1-ab12c" (https://…/actions/runs/123/attempts/1)`, from what its lease says. */
export function describeRun(v: Pick<Verdict, 'holding' | 'lease'>): string {
  const a = v.lease?.metadata.annotations ?? {}
  const where = a['minikube-smoke/run-url'] ?? a['minikube-smoke/repository']
  return `run "${v.holding.run}"${where ? ` (${where})` : ''}`
}

function listNames(names: readonly string[]): string {
  return names.length <= 2 ? names.join(' and ') : `${names[0]} and ${names.length - 1} more`
}

/** The one line that refuses to touch what a run that may still be running holds. */
export function refusalLine(v: Verdict, namespace: string, nowMs: number): string {
  const started = ago(v.lease?.metadata.creationTimestamp ?? v.holding.since, nowMs)
  const how =
    v.liveness.state === 'alive'
      ? 'which is still running (it renewed its lease while this run watched)'
      : v.liveness.state === 'held'
        ? 'whose main step has ended and whose post step has not removed them yet'
        : 'which may still be running (its lease did not go stale while this run watched)'
  const what = listNames(v.holding.names)
  const where =
    v.holding.names.length === 1 && v.holding.namespace ? '' : ` in namespace "${namespace}"`
  return (
    `${what}${where} belong${v.holding.names.length === 1 ? 's' : ''} to ${describeRun(v)}, started ${started}, ${how}: ` +
    'this run changes nothing of a run that may still be running (force-conflicts does not override that). ' +
    "Set 'queue-timeout' (e.g. queue-timeout: 10m) to wait for it, or keep such runs apart with a workflow 'concurrency:' group"
  )
}

export interface ClaimOptions {
  namespace: string
  /** This run's label value. */
  ownRun: string
  /** 0: refuse at once. */
  queueTimeoutMs: number
  /** Reads what exists now; called again after each wait. */
  read: () => Promise<Snapshot>
  log: (line: string) => void
  signal?: AbortSignal
  /** Between two reads of a lease (default 500 ms). */
  pollMs?: number
}

export interface Claim {
  snapshot: Snapshot
  /** Objects of dead runs: applied as this run's and deleted at its teardown. */
  takenOver: Set<Typed>
  /** The namespace was made by a dead run: this run deletes it at teardown. */
  namespaceTakenOver: boolean
  /** When the snapshot was read (ms): what it found absent was absent then. */
  checkedAt: number
}

/** Resolves once nothing this run writes belongs to a run that may still be running. */
export async function claimObjects(kube: KubePort, options: ClaimOptions): Promise<Claim> {
  const started = Date.now()
  const deadline = started + options.queueTimeoutMs
  let lastAnnounced = -Infinity
  for (;;) {
    const checkedAt = Date.now()
    const snapshot = await options.read()
    const holdings = holdingsOf(snapshot, options.namespace, options.ownRun)
    if (holdings.length === 0)
      return { snapshot, takenOver: new Set(), namespaceTakenOver: false, checkedAt }
    const verdicts = await Promise.all(holdings.map(h => watchRun(kube, h, options)))
    const running = verdicts.filter(v => mayStillBeRunning(v.liveness))
    if (running.length === 0) {
      // Its post step just deleted its lease and is removing its objects: look again.
      if (verdicts.some(v => v.liveness.state === 'ended')) continue
      await takeOver(kube, verdicts, options)
      return {
        snapshot,
        takenOver: new Set(verdicts.flatMap(v => v.holding.objects)),
        namespaceTakenOver: verdicts.some(v => v.holding.namespace),
        checkedAt
      }
    }
    const line = refusalLine(running[0], options.namespace, Date.now())
    const waited = Date.now() - started
    if (Date.now() >= deadline) {
      throw new PhaseError(
        options.queueTimeoutMs > 0
          ? `${line} (waited ${seconds(waited)} of queue-timeout ${seconds(options.queueTimeoutMs)})`
          : line
      )
    }
    if (Date.now() - lastAnnounced >= 30_000) {
      lastAnnounced = Date.now()
      const v = running[0]
      const since = ago(v.lease?.metadata.creationTimestamp ?? v.holding.since, Date.now())
      options.log(
        `queued: ${listNames(v.holding.names)} in namespace "${options.namespace}" held by ${describeRun(v)} ` +
          `(${v.liveness.state}, started ${since}); waited ${seconds(waited)}, waiting up to ${seconds(deadline - Date.now())} more (queue-timeout)`
      )
    }
    await waitWhileRunning(kube, running, deadline, options)
  }
}

/** Reads the run's lease until its liveness is known, or as long as that can take. */
async function watchRun(kube: KubePort, holding: Holding, options: ClaimOptions): Promise<Verdict> {
  const observations: Observation[] = []
  let lease: KubeObject | undefined
  for (;;) {
    lease = await readLease(kube, holding)
    observations.push({ at: Date.now(), lease: lease && snapshotOf(lease) })
    const liveness = judgeLiveness(observations, Date.now())
    const budget = watchBudgetMs(observations[0])
    if (liveness.state !== 'unknown' || Date.now() - observations[0].at >= budget) {
      return { holding, liveness, lease }
    }
    await sleep(options.pollMs ?? 500, options.signal)
  }
}

/** Until every one of them has ended or died, or the deadline. */
async function waitWhileRunning(
  kube: KubePort,
  running: readonly Verdict[],
  deadline: number,
  options: ClaimOptions
): Promise<void> {
  const windows = running.map((): Observation[] => [])
  while (Date.now() < deadline) {
    await sleep(Math.min(1_000, Math.max(0, deadline - Date.now())), options.signal)
    let still = false
    for (const [i, v] of running.entries()) {
      const lease = await readLease(kube, v.holding)
      // A window since the last change: a renewal restarts it, a silence longer than the lease ends it.
      windows[i].push({ at: Date.now(), lease: lease && snapshotOf(lease) })
      const l = judgeLiveness(windows[i], Date.now())
      if (l.state === 'alive') windows[i] = windows[i].slice(-1)
      if (mayStillBeRunning(l)) still = true
    }
    if (!still) return
  }
}

async function takeOver(kube: KubePort, verdicts: readonly Verdict[], options: ClaimOptions) {
  for (const v of verdicts) {
    const why =
      v.liveness.state === 'dead'
        ? `its lease was not renewed for ${seconds(v.liveness.silentMs)} while this run watched`
        : 'it left no lease'
    options.log(
      `${describeRun(v)} is gone (${why}): taking over ${v.holding.names.join(', ')}; this run deletes them at teardown`
    )
    if (v.lease) {
      await deleteLease(kube, v.lease.metadata.namespace ?? '', v.lease.metadata.name!).catch(
        () => undefined
      )
    }
  }
}

async function readLease(kube: KubePort, h: Holding): Promise<KubeObject | undefined> {
  if (h.leaseNamespace) {
    const lease = await kube.get<KubeObject>(LEASE_TYPE, leaseName(h.run), h.leaseNamespace)
    if (lease) return lease
  }
  // A run keeps its lease in its own first namespace, which may not be this run's: by its label.
  try {
    const list = await kube.list<KubeObject>(LEASE_TYPE, { labelSelector: `${RUN_LABEL}=${h.run}` })
    return list.items[0]
  } catch (err) {
    if (h.leaseNamespace) return undefined // not allowed to list across namespaces: not there
    throw err
  }
}

function seconds(ms: number): string {
  const s = Math.round(ms / 1000)
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(done, ms)
    function done() {
      signal?.removeEventListener('abort', abort)
      resolve()
    }
    function abort() {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', abort, { once: true })
  })
}

/**
 * A namespace taken over from a dead run gets this run's labels: a third run must see it held by
 * this one (alive), not by the dead one it would take it over from.
 */
export async function relabelNamespace(
  kube: KubePort,
  namespace: string,
  labels: Record<string, string>,
  fieldManager: string
): Promise<void> {
  await kube.apply(
    Resources.Namespace,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } },
    { fieldManager, force: true }
  )
}
