// The post step's work: delete exactly what the main step created, as its saved state says,
// honouring `teardown`. Idempotent; "already gone" is success; nothing here throws.

import { errorMessage } from './errors.js'
import type { CommandRunner, Logger } from './ports.js'
import type { RunState } from './state.js'
import type { CachePort } from './system.js'
import { clusterTeardownAction } from './cluster/minikube.js'
import {
  imagesTeardownAction,
  manualRemoval,
  removeImageTags,
  type ImagesState
} from './images/index.js'
import { deleteNamespace, deleteObjects, type KubePort, type ObjectRef } from './kube/index.js'

export interface TeardownPlan {
  namespace?: { name: string; deleteWhole: boolean; objects: ObjectRef[] }
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
  const manual = [
    ns &&
      (ns.created
        ? `kubectl delete namespace ${ns.name}`
        : `kubectl -n ${ns.name} delete ${ns.objects.map(o => `${o.kind.toLowerCase()}/${o.name}`).join(' ')}`),
    state.images && manualRemoval(state.images),
    cluster === 'delete' && `minikube delete -p ${state.cluster?.profile}`,
    cluster === 'stop' && `minikube stop -p ${state.cluster?.profile}`
  ].filter(Boolean) as string[]

  const keepAll = (why: string): TeardownPlan => ({
    cluster: 'keep',
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
  const images =
    state.images && imagesTeardownAction(state.images, cluster) === 'remove'
      ? state.images
      : undefined
  // Deleting the cluster removes everything in it: no need to delete the namespace first.
  if (cluster === 'delete' || !ns) return { cluster, kept, images }
  return {
    cluster,
    kept,
    images,
    namespace: { name: ns.name, deleteWhole: ns.created, objects: ns.objects }
  }
}

export interface TeardownDeps {
  runner: CommandRunner
  log: Logger
  connectKube: (context?: string) => Promise<KubePort>
  cache: () => Promise<CachePort>
}

export interface TeardownResult {
  removed: string[]
  problems: string[]
}

export async function runTeardown(state: RunState, deps: TeardownDeps): Promise<TeardownResult> {
  const { log } = deps
  const plan = planTeardown(state)
  const removed: string[] = []
  const problems: string[] = []
  for (const k of plan.kept) log.info(k)

  if (plan.namespace) {
    const ns = plan.namespace
    try {
      const kube = await deps.connectKube(state.kubeContext)
      if (ns.deleteWhole) {
        // Not waited for: pods go at once (grace 0) and the namespace controller finishes within
        // seconds; waiting would add ~5 s to every run for nothing the job can use.
        const r = await deleteNamespace(kube, ns.name, { wait: false, log: l => log.info(l) })
        if (r.existed)
          removed.push(`namespace "${ns.name}" (with its pods, Deployments and Services)`)
        else log.info(`namespace "${ns.name}" was already gone`)
      } else {
        const deleted = await deleteObjects(kube, ns.objects, { log: l => log.info(l) })
        removed.push(
          ...deleted.map(o => `${o.kind.toLowerCase()} "${o.name}" in namespace "${ns.name}"`)
        )
      }
    } catch (err) {
      problems.push(errorMessage(err))
    }
  }

  // Before the cluster stops: the tags may be in minikube's own engine.
  if (plan.images) {
    const r = await removeImageTags(deps.runner, log, plan.images)
    removed.push(...r.removed)
    problems.push(...r.problems)
  }

  if (plan.cluster !== 'keep' && state.cluster?.minikube) {
    const args = [plan.cluster, '-p', state.cluster.profile ?? 'minikube']
    log.info(`Running: minikube ${args.join(' ')}`)
    const r = await deps.runner.run(state.cluster.minikube, args, {
      timeoutMs: 300_000,
      stream: true
    })
    if (r.exitCode === 0)
      removed.push(
        `minikube profile "${state.cluster.profile}" (${plan.cluster === 'delete' ? 'deleted' : 'stopped'})`
      )
    else
      problems.push(
        `minikube ${plan.cluster} failed (exit code ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`
      )
  }

  if (state.cache && !state.cache.hit) {
    try {
      const cache = await deps.cache()
      await cache.save(state.cache.paths, state.cache.key)
      log.info(`cache: saved ${state.cache.key}`)
    } catch (err) {
      log.info(`cache: not saved: ${errorMessage(err)}`)
    }
  }

  log.info(removed.length ? `Removed: ${removed.join(', ')}` : 'Removed nothing.')
  for (const p of problems) log.warning(`teardown: ${p}`)
  return { removed, problems }
}
