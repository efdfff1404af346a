// The post step's work: delete exactly what the main step created, as its saved state says,
// honouring `teardown`, on the cluster main talked to. Idempotent; "already gone" is success;
// nothing here throws.

import { errorMessage } from './errors.js'
import type { CommandRunner, Logger, ProcessPort } from './effects.js'
import type { RunState } from './state.js'
import type { CachePort } from './system.js'
import { clusterTeardownAction } from './cluster/minikube.js'
import { EX_GUEST_NOT_FOUND } from './cluster/status.js'
import { stopRecordedProcess } from './expose/port-forward.js'
import {
  deleteLease,
  deleteNamespace,
  deleteOwned,
  podMakersOf,
  resourceName,
  typeOfRecord,
  type Connection,
  type ConnectOptions,
  type ObjectRecord
} from './kube/index.js'
import {
  imagesTeardownAction,
  manualRemoval,
  removeImageTags,
  type ImagesState
} from './images/index.js'

export interface TeardownPlan {
  /** The run's namespace, deleted whole only when the run created it. */
  namespace?: { name: string; deleteWhole: boolean }
  /** The run's other namespaces (the manifests named several): created by it, deleted whole. */
  otherNamespaces?: string[]
  /** Objects the run created, deleted one by one (those outside a namespace deleted whole). */
  objects: ObjectRecord[]
  cluster: 'delete' | 'stop' | 'keep'
  /** Image tags to remove from the engine they were built in (before the cluster stops). */
  images?: ImagesState
  /** Why something is kept, with how to remove it by hand. */
  kept: string[]
}

export function planTeardown(state: RunState): TeardownPlan {
  const cluster =
    state.cluster?.kind === 'minikube'
      ? clusterTeardownAction(state.cluster.prior, state.cluster.deleteCluster)
      : 'keep'
  const ns = state.namespace
  const others = state.otherNamespaces ?? []
  const wholly = new Set([...(ns?.created ? [ns.name] : []), ...others])
  const created = (state.objects ?? []).filter(o => o.created !== false)
  const individually = created.filter(o => !(o.namespaced && wholly.has(o.namespace ?? '')))
  const manual = [
    wholly.size > 0 && `kubectl delete namespace ${[...wholly].join(' ')}`,
    individually.length > 0 &&
      `kubectl delete ${individually.map(o => `${resourceName(typeOfRecord(o))}/${o.name}${o.namespace ? ` -n ${o.namespace}` : ''}`).join(' ')}`,
    state.images && manualRemoval(state.images),
    cluster === 'delete' && `minikube delete -p ${state.cluster?.profile}`,
    cluster === 'stop' && `minikube stop -p ${state.cluster?.profile}`
  ].filter(Boolean) as string[]

  const keepAll = (why: string): TeardownPlan => ({
    cluster: 'keep',
    objects: [],
    kept: [`${why}${manual.length ? `; to remove it by hand: ${manual.join(' && ')}` : ''}`]
  })
  if (state.teardown === 'never') return keepAll('teardown: never — everything is kept')
  if (state.teardown === 'on-success' && state.result !== 'passed') {
    return keepAll(
      'teardown: on-success and the run did not pass — everything is kept for debugging'
    )
  }

  const kept: string[] = []
  if (state.cluster?.kind === 'minikube' && cluster === 'keep') {
    kept.push(
      state.cluster.prior === 'running'
        ? `minikube profile "${state.cluster.profile}" was already running before this run: kept`
        : `minikube profile "${state.cluster.profile}" kept (delete-cluster: false)`
    )
  }
  const foreign = (state.objects ?? []).filter(o => o.created === false)
  if (foreign.length) {
    kept.push(
      `kept what existed before the run: ${foreign.map(o => `${resourceName(typeOfRecord(o))}/${o.name}`).join(', ')}`
    )
  }
  const images =
    state.images && imagesTeardownAction(state.images, cluster) === 'remove'
      ? state.images
      : undefined
  // Deleting the cluster removes everything in it: no need to delete anything first.
  if (cluster === 'delete') return { cluster, kept, objects: [], images }
  return {
    cluster,
    kept,
    objects: individually,
    ...(others.length ? { otherNamespaces: others } : {}),
    images,
    ...(ns ? { namespace: { name: ns.name, deleteWhole: ns.created } } : {})
  }
}

export interface TeardownDeps {
  runner: CommandRunner
  log: Logger
  connectKube: (options?: ConnectOptions) => Promise<Connection>
  cache: () => Promise<CachePort>
  processes: ProcessPort
}

export interface TeardownResult {
  removed: string[]
  problems: string[]
}

export async function runTeardown(state: RunState, deps: TeardownDeps): Promise<TeardownResult> {
  const { log } = deps
  const plan = planTeardown(state)
  const done: TeardownResult = { removed: [], problems: [] }
  for (const k of plan.kept) log.info(k)
  await stopPortForward(state, deps, done)
  await deleteClusterObjects(state, plan, deps, done)
  await deleteRunLease(state, plan, deps, done)
  // Before the cluster stops: the tags may be in minikube's own engine.
  if (plan.images) {
    const r = await removeImageTags(deps.runner, log, plan.images)
    done.removed.push(...r.removed)
    done.problems.push(...r.problems)
  }
  await stopCluster(state, plan, deps, done)
  await saveCaches(state, deps)
  log.info(done.removed.length ? `Removed: ${done.removed.join(', ')}` : 'Removed nothing.')
  for (const p of done.problems) log.warning(`teardown: ${p}`)
  return done
}

/**
 * A port-forward is a process of this job, not something in the cluster: stopped whatever
 * `teardown` says. Main stops its own; one is left in state only when main was killed.
 */
async function stopPortForward(state: RunState, deps: TeardownDeps, done: TeardownResult) {
  if (!state.portForward) return
  const { pid } = state.portForward
  const outcome = await stopRecordedProcess(deps.processes, state.portForward)
  if (outcome === 'stopped')
    done.removed.push(`the port-forward left by the main step (pid ${pid})`)
  else deps.log.info(`the port-forward of the main step (pid ${pid}) had already exited`)
}

function connect(state: RunState, deps: TeardownDeps): Promise<Connection> {
  return deps.connectKube({ context: state.kube?.context, kubeconfigPath: state.kube?.kubeconfig })
}

/** The run's namespaces (those it created) whole, then the objects it created one by one. */
async function deleteClusterObjects(
  state: RunState,
  plan: TeardownPlan,
  deps: TeardownDeps,
  done: TeardownResult
) {
  const { log } = deps
  const wholeNamespaces = [
    ...(plan.namespace?.deleteWhole ? [plan.namespace.name] : []),
    ...(plan.otherNamespaces ?? [])
  ]
  if (!wholeNamespaces.length && !plan.objects.length) {
    if (plan.namespace) log.info(`namespace "${plan.namespace.name}" existed before the run: kept`)
    return
  }
  try {
    const { kube } = await connect(state, deps)
    for (const name of wholeNamespaces) {
      // Not waited for: pods go at once (grace 0) and the namespace controller finishes within
      // seconds; waiting would add ~5 s to every run for nothing the job can use.
      const r = await deleteNamespace(kube, name, {
        wait: false,
        podMakers: podMakersOf((state.objects ?? []).filter(o => o.namespace === name)),
        log: l => log.info(l)
      })
      if (r.existed) done.removed.push(`namespace "${name}" (with everything in it)`)
      else log.info(`namespace "${name}" was already gone`)
    }
    if (plan.objects.length) {
      const r = await deleteOwned(kube, plan.objects, state.runLabel ?? '', {
        log: l => log.info(l)
      })
      done.removed.push(...r.deleted.map(o => `${resourceName(typeOfRecord(o))} "${o.name}"`))
      for (const k of r.kept)
        log.info(`${resourceName(typeOfRecord(k))} "${k.name}" kept: not shown to be this run's`)
    }
  } catch (err) {
    done.problems.push(errorMessage(err))
  }
}

/**
 * The run is over whatever `teardown` kept: its lease goes last, so a run queued behind it
 * starts once its objects are gone (and may take over what was kept).
 */
async function deleteRunLease(
  state: RunState,
  plan: TeardownPlan,
  deps: TeardownDeps,
  done: TeardownResult
) {
  if (!state.lease || plan.cluster === 'delete') return
  try {
    const { kube } = await connect(state, deps)
    if (await deleteLease(kube, state.lease.namespace, state.lease.name))
      done.removed.push(`lease "${state.lease.name}"`)
  } catch (err) {
    done.problems.push(`cannot delete lease "${state.lease.name}": ${errorMessage(err)}`)
  }
}

/** `minikube stop` or `delete`, as the plan says; a profile already gone is success. */
async function stopCluster(
  state: RunState,
  plan: TeardownPlan,
  deps: TeardownDeps,
  done: TeardownResult
) {
  if (plan.cluster === 'keep' || !state.cluster?.minikube) return
  const args = [plan.cluster, '-p', state.cluster.profile ?? 'minikube']
  deps.log.info(`Running: minikube ${args.join(' ')}`)
  const r = await deps.runner.run(state.cluster.minikube, args, {
    timeoutMs: 300_000,
    stream: true
  })
  if (r.exitCode === 0)
    done.removed.push(
      `minikube profile "${state.cluster.profile}" (${plan.cluster === 'delete' ? 'deleted' : 'stopped'})`
    )
  else if (r.exitCode === EX_GUEST_NOT_FOUND)
    deps.log.info(`minikube profile "${state.cluster.profile}" was already gone`)
  else
    done.problems.push(
      `minikube ${plan.cluster} failed (exit code ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`
    )
}

/** The caches main restored without a hit, saved now that the run has filled them. */
async function saveCaches(state: RunState, deps: TeardownDeps) {
  for (const entry of (state.caches ?? []).filter(c => !c.hit)) {
    try {
      const cache = await deps.cache()
      await cache.save(entry.paths, entry.key)
      deps.log.info(`cache: saved ${entry.key}`)
    } catch (err) {
      deps.log.info(`cache: ${entry.key} not saved: ${errorMessage(err)}`)
    }
  }
}
