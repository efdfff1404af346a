// The deploy phase: the run's namespaces made (or taken over), every object dry-run first, the
// run's lease taken, pre-install hooks run, then the objects applied. Also the options the
// deploy, the hooks and the rollout share (how objects are applied, how workloads are waited for).

import { errorMessage } from '../errors.js'
import type { Logger } from '../effects.js'
import type { StateRecorder } from '../state.js'
import {
  applyAll,
  claimObjects,
  deleteNamespace,
  dryRunAll,
  ensureNamespace,
  relabelNamespace,
  Resources,
  RunLease,
  type KubeObject,
  type KubePort,
  type RunNamespace,
  type Typed,
  type WaitOptions
} from '../kube/index.js'
import { runHooks, type HookDeps } from '../helm/index.js'
import type { MainDeps } from '../pipeline.js'
import type { Run, Trail } from './run.js'
import type { Validated } from './validate.js'

export interface DeployPlan {
  /** What the deploy phase applies and the rollout waits for (hooks and tests have own steps). */
  objects: Typed[]
  /** `namespace a` or `namespaces a, b`, for the phase title. */
  into: string
  /** When each object was applied: its rollout bar in the summary's timeline starts there. */
  appliedAt: Map<string, number>
  apply: Parameters<typeof applyAll>[3]
  /** One wait for hooks and the rollout alike. */
  wait: () => WaitOptions
  hooks: () => HookDeps
}

export function planDeploy(run: Run, valid: Validated, trail: Trail): DeployPlan {
  const { config, deps, state } = run
  const { kube, prepared, namespaces, hooks } = valid
  const appliedAt = new Map<string, number>()
  const apply: DeployPlan['apply'] = {
    fieldManager: run.fieldManager,
    force: config.deploy.forceConflicts,
    strictFields: valid.server.quirks.strictFieldValidation,
    discovery: valid.discovery,
    checkedAt: valid.claim.checkedAt,
    takenOver: valid.claim.takenOver,
    record: (r: Parameters<StateRecorder['recordObject']>[0]) => {
      state.recordObject(r)
      if (r.uid) appliedAt.set(`${r.kind}/${r.name}`, deps.clock.now())
    },
    log: (line: string) => deps.log.info(line)
  }
  const wait = (): WaitOptions => ({
    namespace: oneNamespace(run, valid),
    labelSelector: run.labelSelector,
    timeoutMs: config.deploy.rolloutTimeoutMs,
    maxRestarts: config.deploy.maxRestarts,
    signal: deps.signal,
    // Progress lines carry the cluster's text (conditions, kubelet messages): untrusted.
    log: (line: string) => deps.log.untrusted(line)
  })
  const runNamespaces = namespaces.namespaces
  return {
    objects: hooks ? hooks.release : prepared.objects,
    into: `namespace${runNamespaces.length > 1 ? 's' : ''} ${runNamespaces.map(n => n.name).join(', ')}`,
    appliedAt,
    apply,
    wait,
    hooks: () => ({
      kube,
      wait: wait(),
      apply: async t => void (await applyAll(kube, [t], valid.claim.snapshot.existing, apply)),
      log: line => deps.log.info(line),
      untrusted: text => deps.log.untrusted(text),
      onFailed: hook => (trail.failedHook = hook)
    })
  }
}

/** The one namespace to watch, or undefined (every namespace) when the run has several. */
export function oneNamespace(run: Run, valid: Validated): string | undefined {
  return valid.namespaces.namespaces.length > 1 ? undefined : run.namespace
}

export async function deploy(
  run: Run,
  valid: Validated,
  plan: DeployPlan,
  trail: Trail
): Promise<void> {
  const { deps, state, report, namespace } = run
  const { kube, prepared } = valid
  const runNamespaces = valid.namespaces.namespaces
  const created = await ensureRunNamespace(run, valid, trail)
  const others = await ensureOtherNamespaces(run, kube, runNamespaces.slice(1))
  if (runNamespaces.length > 1) report.otherNamespaces = runNamespaces.slice(1).map(n => n.name)
  try {
    await dryRunAll(kube, prepared.objects, plan.apply)
  } catch (err) {
    // The namespaces existed only for the dry run: nothing was applied, nothing stays.
    for (const name of others)
      await deleteNamespace(kube, name, { wait: false }).catch(() => undefined)
    state.update({ otherNamespaces: undefined })
    report.otherNamespaces = undefined
    if (created) {
      await deleteNamespace(kube, namespace, { wait: false }).catch(() => undefined)
      state.update({ namespace: undefined })
      trail.namespaceReady = false
      report.namespace = undefined
    }
    throw err
  }
  // Before the first object is written: from now on other runs can see this one is alive.
  const lease = new RunLease(
    kube,
    namespace,
    run.runLabel,
    leaseMetadata(deps.run, run.metadata),
    line => deps.log.warning(line)
  )
  trail.lease = lease
  state.update({ lease: { namespace, name: lease.name } })
  await acquireLease(lease, deps.log)
  if (valid.hooks) await runHooks('pre-install', valid.hooks.preInstall, plan.hooks())
  await applyAll(kube, plan.objects, valid.claim.snapshot.existing, plan.apply)
}

/** The run's first namespace, made or found (taken over when a dead run made it); true if made. */
async function ensureRunNamespace(run: Run, valid: Validated, trail: Trail): Promise<boolean> {
  const { deps, state, report, namespace, metadata } = run
  const { kube, claim } = valid
  const first = valid.namespaces.namespaces[0]
  const { created } = await ensureNamespace(kube, namespace, {
    // A Namespace of the manifests mapped here brings its labels (Pod Security) too.
    labels: { ...first.labels, ...metadata.labels },
    annotations: { ...first.annotations, ...metadata.annotations },
    // Recorded before it exists, so a step killed mid-create is still cleaned up.
    onCreating: name => state.update({ namespace: { name, created: true } }),
    log: line => deps.log.info(line)
  })
  let takenOver = claim.namespaceTakenOver
  if (!created && !claim.snapshot.namespaceObject) {
    // Made by another run between the check and now: refused if it lives, as any holding.
    const again = await claimObjects(kube, {
      namespace,
      ownRun: run.runLabel,
      queueTimeoutMs: 0,
      signal: deps.signal,
      log: line => deps.log.info(line),
      read: async () => ({
        existing: new Map(),
        namespaceObject: await kube.get<KubeObject>(Resources.Namespace, namespace)
      })
    })
    takenOver = again.namespaceTakenOver
  }
  // A dead run's namespace is this run's now: deleted at its teardown, as nothing else will.
  const owned = created || takenOver
  if (!created) state.update({ namespace: { name: namespace, created: owned } })
  if (!created && owned) await relabelNamespace(kube, namespace, metadata.labels, run.fieldManager)
  trail.namespaceReady = true
  report.namespace = namespace
  deps.log.info(
    !created && owned
      ? `namespace "${namespace}" exists (taken over: deleted at teardown)`
      : namespaceLine(first, created)
  )
  return created
}

/** The other namespaces of the run, made like the first; returns those this run created. */
async function ensureOtherNamespaces(
  run: Run,
  kube: KubePort,
  others: readonly RunNamespace[]
): Promise<string[]> {
  const { deps, state, metadata } = run
  const made: string[] = []
  for (const other of others) {
    const { created } = await ensureNamespace(kube, other.name, {
      labels: { ...other.labels, ...metadata.labels },
      annotations: { ...other.annotations, ...metadata.annotations },
      // Recorded before it exists, like the first.
      onCreating: name =>
        state.update({ otherNamespaces: [...(state.value.otherNamespaces ?? []), name] }),
      log: line => deps.log.info(line)
    })
    if (created) made.push(other.name)
    deps.log.info(namespaceLine(other, created))
  }
  return made
}

function namespaceLine(ns: RunNamespace, created: boolean): string {
  if (created) return `namespace "${ns.name}" created`
  // Never changed: what it existed with stays, the manifests' Namespace labels included.
  const carried = Object.keys({ ...ns.labels, ...ns.annotations }).length
    ? `; the labels and annotations of Namespace ${ns.from.map(n => `"${n}"`).join(', ')} are not applied to it`
    : ''
  return `namespace "${ns.name}" exists: using it (it will not be deleted)${carried}`
}

/** The run's labels and annotations, and where to find the run, for the lease others read. */
function leaseMetadata(run: MainDeps['run'], metadata: Run['metadata']) {
  const url =
    run.repository && run.runId
      ? `${run.serverUrl.replace(/\/+$/, '')}/${run.repository}/actions/runs/${run.runId}/attempts/${run.runAttempt || '1'}`
      : undefined
  return {
    labels: metadata.labels,
    annotations: { ...metadata.annotations, ...(url ? { 'minikube-smoke/run-url': url } : {}) }
  }
}

/** A lease that cannot be written (RBAC) is a warning: the run itself still works. */
async function acquireLease(lease: RunLease, log: Logger): Promise<void> {
  try {
    await lease.acquire()
  } catch (err) {
    log.warning(
      `could not create lease "${lease.name}" in namespace "${lease.namespace}": ${errorMessage(err)} (other runs of this action cannot tell this run is alive)`
    )
  }
}
