// The main step, top to bottom:
//   inputs → preflight → cluster → image → validate → deploy → rollout → expose → smoke
//   → stable (the rest of the stable-for window) → (update check) → diagnostics bundle (on
//   failure) → report, job summary. The pods are watched from readiness to the window's end.
// A cancel (deps.signal) ends the phase under way at once; the runner stops its child processes.
// Teardown is not here: the post step does it from what this records in state, so it also runs
// when this step fails or is killed.

import { PhaseError, errorMessage } from './errors.js'
import {
  parseInputs,
  defaultNamespace,
  type Config,
  type Environment,
  type InputReader,
  type RunFacts
} from './inputs.js'
import type { Clock, CommandRunner, Logger, ProcessPort, StateStore } from './ports.js'
import { preflight } from './preflight.js'
import { markMainStarted, StateRecorder } from './state.js'
import type { ObjectJournal } from './object-journal.js'
import { upCluster } from './cluster/up.js'
import type { Platform, ToolCachePort } from './cluster/install.js'
import type { ClusterSession } from './cluster/types.js'
import type { CachePort } from './system.js'
import { findKubectl, startPortForward, type PortForward } from './expose/port-forward.js'
import { deliverImages, imageLabels, primaryReference } from './images/index.js'
import {
  applyAll,
  checkFields,
  checkManifestSet,
  claimObjects,
  collectDiagnostics,
  deleteNamespace,
  Discovery,
  dryRunAll,
  ensureNamespace,
  mapNamespaces,
  nodeInternalIP,
  nodePortUrl,
  planNamespaces,
  prepareManifests,
  readExisting,
  readServer,
  relabelNamespace,
  resolveTypes,
  Resources,
  rolloutUpdateCheck,
  RunLease,
  runFieldManager,
  RUN_LABEL,
  runMetadata,
  SchemaIndex,
  UpdateCheckError,
  waitForWorkloads,
  watchStability,
  formatWindow,
  windowLeft,
  RolloutError,
  type Connection,
  type ConnectOptions,
  type Deployment,
  type KubeObject,
  type Stability,
  type KubePort,
  type NamespacePlan,
  type OpenApiV2,
  type PreparedManifests,
  type RunNamespace,
  type Typed,
  type WorkloadResult as WaitResult
} from './kube/index.js'
import { checkProbe, runSmokeChecks, type HttpPort } from './smoke/index.js'
import {
  checkChartClash,
  deleteFailedHook,
  renderForServer,
  runChartTests,
  runHooks,
  splitBy,
  type ChartObjects,
  type HookDeps
} from './helm/index.js'
import { credentialValues } from './smoke/credentials.js'
import { untilCancelled } from './cancel.js'
import type { SecretRegistry } from './secrets.js'
import { bundleWanted, saveDiagnostics, type ArtifactPort } from './diagnostics/index.js'
import type { DiagnosticsModel } from './diagnostics/index.js'
import { runKey } from './kube/names.js'
import { describeWaitTargets } from './kube/kinds.js'
import {
  failureMessage,
  outputsFor,
  PhaseRecorder,
  writeSummary,
  type RunReport,
  type SummaryPort,
  type WorkloadResult
} from './report/index.js'

export interface MainDeps {
  input: InputReader
  run: RunFacts & { serverUrl: string }
  /** The process environment (MINIKUBE_* variables are read like the inputs they stand for). */
  env?: Environment
  runner: CommandRunner
  log: Logger
  state: StateStore
  /** Where each object is recorded before it is applied (a file under RUNNER_TEMP). */
  objectJournal: ObjectJournal
  clock: Clock
  platform: Platform
  processes: ProcessPort
  docker: string
  kubectl: string
  toolCache: () => Promise<ToolCachePort>
  cache: () => Promise<CachePort>
  connectKube: (options?: ConnectOptions) => Promise<Connection>
  http?: HttpPort
  summary: SummaryPort
  writeReport: (path: string, report: RunReport) => Promise<void>
  reportPath: string
  /** The JUnit file, next to the report (optional: no file when absent). */
  writeJUnit?: (path: string, report: RunReport) => Promise<void>
  junitPath?: string
  setOutput: (name: string, value: string) => void
  /** Aborted on SIGINT/SIGTERM: children stop, waits end, the step exits (cancel.ts). */
  signal?: AbortSignal
  /** Values never shown: masked in the log, redacted in every file the action writes. */
  secrets: SecretRegistry
  /** Where the diagnostics bundle goes, and the artifact service that uploads it. */
  diagnostics: { dir: string; artifacts: ArtifactPort }
}

export interface MainOutcome {
  /** Undefined when the inputs were bad: nothing started and nothing was reported. */
  report?: RunReport
  /** The one line for core.setFailed; empty when the run passed. */
  failure: string
}

export async function runMain(deps: MainDeps): Promise<MainOutcome> {
  const { log, clock } = deps
  const startedAt = clock.now()
  // First, so the post invocation of this same bundle knows it is the post step, even when the
  // inputs turn out to be bad.
  markMainStarted(deps.state)

  // Everything that can be checked without starting anything, first.
  let config: Config
  let checked: Awaited<ReturnType<typeof preflight>>
  let forwardKubectl = ''
  try {
    config = parseInputs(deps.input, deps.run, deps.env, deps.platform.os)
    // Secret values first: nothing printed or written after this shows them.
    for (const secret of config.images.secrets) deps.secrets.register(secret.value)
    for (const value of credentialValues(config.smoke.checks)) deps.secrets.register(value)
    checked = await preflight(config, primaryReference(config.images), deps)
    if (config.deploy.urlMode === 'port-forward') {
      forwardKubectl = await findKubectl(deps.toolCache)
    }
  } catch (err) {
    return { failure: errorMessage(err) }
  }
  const state = new StateRecorder(deps.state, config.teardown.mode, deps.objectJournal)
  const phases = new PhaseRecorder(clock)
  const namespace = config.deploy.namespace || defaultNamespace(config.run)
  const metadata = runMetadata(config.run)
  const runLabel = metadata.labels[RUN_LABEL]
  const labelSelector = `${RUN_LABEL}=${runLabel}`
  // Per run, so the server itself reports a conflict when two runs write the same field.
  const fieldManager = runFieldManager(runLabel)
  const report: RunReport = {
    result: 'failed',
    startedAt: new Date(startedAt).toISOString(),
    durationMs: 0,
    phases: phases.phases,
    smoke: []
  }
  let kube: KubePort | undefined
  let prepared: PreparedManifests | undefined
  // The run's namespaces: `namespace` first, then one per further namespace the manifests name.
  let namespaces: NamespacePlan | undefined
  // A chart's objects by role: the release, its install hooks, its tests.
  let hooks: ChartObjects<Typed> | undefined
  let failedHook: Typed | undefined
  let namespaceReady = false
  let forward: PortForward | undefined
  let lease: RunLease | undefined
  let stability: Stability | undefined
  // For the diagnostics bundle.
  let applied: Typed[] = []
  let errorDetails: string | undefined
  let diagnosticsText: string | undefined
  const collected: DiagnosticsModel[] = []

  try {
    const cluster: ClusterSession = await phase('cluster', 'Start the cluster', () =>
      upCluster(config, {
        runner: deps.runner,
        log,
        state,
        platform: deps.platform,
        toolCache: deps.toolCache,
        cache: deps.cache,
        env: deps.env
      })
    )

    const images = await phase('image', imagesTitle(config), () =>
      deliverImages(config.images, checked.sources, cluster, {
        runner: deps.runner,
        log,
        state,
        clock,
        docker: deps.docker,
        labels: imageLabels(deps.run)
      })
    )
    report.image = images.images[0].ref
    report.images = images.images

    // Nothing is written here: every problem the cluster can find in the manifests, at once.
    const ready = await phase('validate', 'Check the manifests against the cluster', async () => {
      const connection = await deps.connectKube({ context: cluster.kubeContext })
      kube = connection.kube
      state.update({
        kube: { context: connection.context, kubeconfig: connection.kubeconfigPath },
        runLabel
      })
      const server = await readServer(kube)
      log.info(
        `Kubernetes ${server.version.gitVersion} at ${connection.server} (context ${connection.context})`
      )
      const discovery = new Discovery(kube)
      // Servers before 1.25 cannot be asked to reject unknown fields: their schema is checked
      // below. Fetched (about a second on 1.20) while the chart renders.
      const openapi = server.quirks.strictFieldValidation
        ? undefined
        : kube.getJson<OpenApiV2>('/openapi/v2')
      openapi?.catch(() => undefined) // awaited below; a failure surfaces there
      // A chart is rendered again with what this server serves (.Capabilities).
      const chart =
        checked.chart &&
        (await renderForServer(checked.chart, discovery, server.version, l => log.info(l)))
      report.chart = checked.chart?.info
      const toApply = chart
        ? [...checked.objects, ...chart.release, ...chart.preInstall, ...chart.postInstall]
        : checked.objects
      if (chart && config.chart!.tests) toApply.push(...chart.tests)
      else if (chart?.tests.length) log.info('chart tests not run (chart-tests: false)')
      if (chart) checkChartClash(checked.objects, toApply.slice(checked.objects.length))
      if (chart) checkManifestSet(toApply)
      const typed = await resolveTypes(toApply, discovery, server.version)
      if (openapi) checkFields(toApply, new SchemaIndex(await openapi), server.quirks)
      prepared = prepareManifests(typed, {
        // A kustomize `images:` entry may have renamed an image: those names mean it too.
        images: images.substitutions.map(i => ({
          ...i,
          aliases: [...(i.aliases ?? []), ...(checked.imageAliases.get(i.repository) ?? [])]
        })),
        labels: metadata.labels,
        annotations: metadata.annotations,
        containerPort: config.deploy.containerPort,
        replicas: config.deploy.replicas,
        service: config.deploy.service,
        // A port-forward reaches any Service with a selector: no NodePort needs adding.
        exposeAsNodePort: config.deploy.urlMode !== 'port-forward'
      })
      // The manifests' own namespaces onto the run's; the smoke target's becomes `namespace`.
      namespaces = planNamespaces(prepared.objects, {
        namespace,
        given: Boolean(config.deploy.namespace),
        primary: prepared.target.namespace
      })
      prepared.objects = mapNamespaces(prepared.objects, namespaces)
      if (namespaces.line) log.info(namespaces.line)
      for (const w of [...namespaces.warnings, ...prepared.warnings]) log.warning(w)
      if (chart) hooks = splitBy(prepared.objects, t => t.object)
      applied = prepared.objects
      log.info(`smoke target: ${prepared.target.why} (port ${prepared.target.port})`)
      if (prepared.target.exposed) log.info(prepared.target.exposed)
      const objects = prepared.objects
      // Another run's objects (or namespace): refused while it may still run, or waited for.
      const claim = await claimObjects(kube, {
        namespace,
        ownRun: runLabel,
        queueTimeoutMs: config.deploy.queueTimeoutMs,
        signal: deps.signal,
        log: line => log.info(line),
        read: async () => ({
          existing: await readExisting(kube!, objects, {
            fieldManager,
            force: config.deploy.forceConflicts
          }),
          namespaceObject: await kube!.get<KubeObject>(Resources.Namespace, namespace)
        })
      })
      return { server, discovery, claim, existing: claim.snapshot.existing }
    })

    const applyOptions = {
      fieldManager,
      force: config.deploy.forceConflicts,
      strictFields: ready.server.quirks.strictFieldValidation,
      discovery: ready.discovery,
      checkedAt: ready.claim.checkedAt,
      takenOver: ready.claim.takenOver,
      record: (r: Parameters<StateRecorder['recordObject']>[0]) => {
        state.recordObject(r)
        // When each object was applied: its rollout bar in the summary's timeline starts there.
        if (r.uid) appliedAt.set(`${r.kind}/${r.name}`, clock.now())
      },
      log: (line: string) => log.info(line)
    }
    // Hooks and tests are applied by their own steps below.
    const objects: Typed[] = hooks ? hooks.release : prepared!.objects
    const runNamespaces = namespaces!.namespaces
    const into = `namespace${runNamespaces.length > 1 ? 's' : ''} ${runNamespaces.map(n => n.name).join(', ')}`
    const appliedAt = new Map<string, number>()
    // One wait for hooks and the rollout alike.
    const waitOptions = () => ({
      namespace: oneNamespace(),
      labelSelector,
      timeoutMs: config.deploy.rolloutTimeoutMs,
      maxRestarts: config.deploy.maxRestarts,
      signal: deps.signal,
      // Progress lines carry the cluster's text (conditions, kubelet messages): untrusted.
      log: (line: string) => log.untrusted(line)
    })
    const hookDeps = (): HookDeps => ({
      kube: kube!,
      wait: waitOptions(),
      apply: async t => void (await applyAll(kube!, [t], ready.existing, applyOptions)),
      log: line => log.info(line),
      untrusted: text => log.untrusted(text),
      onFailed: hook => (failedHook = hook)
    })
    await phase('deploy', `Apply ${objects.length} objects to ${into}`, async () => {
      const { created } = await ensureNamespace(kube!, namespace, {
        // A Namespace of the manifests mapped here brings its labels (Pod Security) too.
        labels: { ...runNamespaces[0].labels, ...metadata.labels },
        annotations: { ...runNamespaces[0].annotations, ...metadata.annotations },
        // Recorded before it exists, so a step killed mid-create is still cleaned up.
        onCreating: name => state.update({ namespace: { name, created: true } }),
        log: line => log.info(line)
      })
      let takenOver = ready.claim.namespaceTakenOver
      if (!created && !ready.claim.snapshot.namespaceObject) {
        // Made by another run between the check and now: refused if it lives, as any holding.
        const again = await claimObjects(kube!, {
          namespace,
          ownRun: runLabel,
          queueTimeoutMs: 0,
          signal: deps.signal,
          log: line => log.info(line),
          read: async () => ({
            existing: new Map(),
            namespaceObject: await kube!.get<KubeObject>(Resources.Namespace, namespace)
          })
        })
        takenOver = again.namespaceTakenOver
      }
      // A dead run's namespace is this run's now: deleted at its teardown, as nothing else will.
      const owned = created || takenOver
      if (!created) state.update({ namespace: { name: namespace, created: owned } })
      if (!created && owned) await relabelNamespace(kube!, namespace, metadata.labels, fieldManager)
      namespaceReady = true
      report.namespace = namespace
      log.info(
        !created && owned
          ? `namespace "${namespace}" exists (taken over: deleted at teardown)`
          : namespaceLine(runNamespaces[0], created)
      )
      const others = await ensureOtherNamespaces(runNamespaces.slice(1))
      if (runNamespaces.length > 1) report.otherNamespaces = runNamespaces.slice(1).map(n => n.name)
      try {
        await dryRunAll(kube!, prepared!.objects, applyOptions)
      } catch (err) {
        // The namespaces existed only for the dry run: nothing was applied, nothing stays.
        for (const name of others)
          await deleteNamespace(kube!, name, { wait: false }).catch(() => undefined)
        state.update({ otherNamespaces: undefined })
        report.otherNamespaces = undefined
        if (created) {
          await deleteNamespace(kube!, namespace, { wait: false }).catch(() => undefined)
          state.update({ namespace: undefined })
          namespaceReady = false
          report.namespace = undefined
        }
        throw err
      }
      // Before the first object is written: from now on other runs can see this one is alive.
      lease = new RunLease(kube!, namespace, runLabel, leaseMetadata(deps.run, metadata), line =>
        log.warning(line)
      )
      state.update({ lease: { namespace, name: lease.name } })
      await acquireLease(lease, log)
      if (hooks) await runHooks('pre-install', hooks.preInstall, hookDeps())
      await applyAll(kube!, objects, ready.existing, applyOptions)
    })

    report.workloads = await phase('rollout', `Wait for ${describeTargets(objects)}`, async () => {
      const results = await waitForWorkloads(kube!, objects, waitOptions()).catch(
        (err: unknown) => {
          // A failed rollout still reports where each object was (the summary draws it).
          if (err instanceof RolloutError && err.results) {
            report.workloads = err.results.map(r => workloadReport(r, appliedAt))
          }
          throw err
        }
      )
      for (const r of results) {
        if (r.state === 'current') log.info(`${r.message} in ${(r.durationMs / 1000).toFixed(1)} s`)
      }
      if (hooks) await runHooks('post-install', hooks.postInstall, hookDeps())
      return results.map(r => workloadReport(r, appliedAt))
    })

    // Ready: from now on every pod must stay ready (stable-for), through the checks.
    const readyAt = clock.now()
    stability = watchStability(kube!, {
      namespace: oneNamespace(),
      labelSelector,
      windowMs: config.deploy.stableForMs,
      readyAt,
      now: () => clock.now()
    })
    const target = prepared!.target
    const url = await phase('expose', `Find the URL of service ${target.service}`, async () => {
      if (config.deploy.urlMode === 'port-forward') {
        forward = await startPortForward(deps.processes, {
          kubectl: forwardKubectl,
          context: state.value.kube?.context,
          kubeconfig: state.value.kube?.kubeconfig,
          namespace,
          service: target.service,
          port: target.port,
          log: line => log.info(line),
          warn: line => log.warning(line),
          onStarted: record => state.update({ portForward: record })
        })
        report.url = forward.url
        log.info(`service "${target.service}" answers at ${forward.url} (port-forward)`)
        return forward.url
      }
      const host =
        config.deploy.urlHost || (await cluster.urlHost()) || (await nodeInternalIP(kube!))
      const u = await nodePortUrl(kube!, namespace, target.service, host, target.port)
      report.url = u.url
      report.nodePort = u.nodePort
      log.info(`service "${target.service}" answers at ${u.url}`)
      return u.url
    })

    const held = stability
    await phase('smoke', `Smoke-test ${url}`, async () => {
      // A pod that restarts or turns unready while the checks run fails the run, even if the
      // checks pass: a service that answers three requests and then crashes is not healthy.
      unstable(held, 'smoke')
      held.during = 'while the smoke checks ran'
      try {
        report.smoke = await runSmokeChecks(url, checked.smokeChecks, {
          deadlineMs: clock.now() + config.smoke.timeoutMs,
          clock,
          http: deps.http,
          // No point checking a service that just broke.
          signal: deps.signal ? AbortSignal.any([held.signal, deps.signal]) : held.signal,
          log: line => log.untrusted(line)
        })
      } finally {
        held.during = undefined
      }
      unstable(held, 'smoke')
      if (report.smoke.some(r => !r.passed)) throw new PhaseError('smoke', failureMessage(report))
    })

    // Inside the window: a test pod runs to completion, which the stability watch leaves alone.
    if (hooks?.tests.length) {
      const tests = hooks.tests
      await phase('chart-tests', `Run the chart's ${tests.length} test pods`, async () => {
        report.chartTests = await runChartTests(tests, hookDeps())
        const failed = report.chartTests.find(t => !t.passed)
        if (failed) {
          throw new PhaseError(
            'chart-tests',
            `chart test pod "${failed.name}" failed: ${failed.message}`,
            failed.logs && `logs of pod "${failed.name}":\n${failed.logs}`
          )
        }
      })
    }

    // The rest of the window: the checks already used their part of it.
    const windowMs = config.deploy.stableForMs
    if (windowMs > 0) {
      const left = windowLeft(readyAt, windowMs, clock.now())
      const title = `Every pod stays ready until ${formatWindow(windowMs)} after readiness (${(left / 1000).toFixed(1)} s left)`
      await phase('stable', title, async () => {
        await held.waitOut(deps.signal)
        unstable(held, 'stable')
        if (!deps.signal?.aborted) {
          log.info(
            `every pod of the run stayed ready for ${formatWindow(windowMs)} after readiness`
          )
        }
      })
    } else {
      await held.waitOut(deps.signal) // a problem seen at the checks' end, its logs on the way
      unstable(held, 'smoke')
    }
    held.stop() // before the update check, which replaces the pods on purpose

    if (config.deploy.rolloutCheck === 'update') {
      await phase(
        'rollout-check',
        'Roll the Deployment again while requesting the service',
        async () => {
          if (target.workload.kind !== 'Deployment') {
            throw new PhaseError(
              'rollout-check',
              `rollout-check: update rolls a Deployment; the smoke target is ${target.workload.kind.toLowerCase()} "${target.workload.name}"`
            )
          }
          const deployment = objects.find(
            t => t.object.kind === 'Deployment' && t.object.metadata.name === target.workload.name
          )!.object as Deployment
          // The first check's request, sent and judged by the smoke engine.
          const probe = checkProbe(url, checked.smokeChecks[0], { http: deps.http })
          try {
            const r = await rolloutUpdateCheck(kube!, {
              namespace,
              deployment,
              fieldManager,
              labelSelector,
              maxRestarts: config.deploy.maxRestarts,
              probe,
              timeoutMs: config.deploy.rolloutTimeoutMs,
              signal: deps.signal,
              log: line => log.info(line)
            })
            report.rollout = updateFacts(r)
            log.info(
              `update check: ${r.failedRequests} of ${r.totalRequests} requests failed during the second rollout`
            )
          } catch (err) {
            if (err instanceof UpdateCheckError) report.rollout = updateFacts(err.result)
            throw err
          } finally {
            await probe.close()
          }
        }
      )
    }
    report.result = 'passed'
  } catch (err) {
    stability?.stop()
    report.result = 'failed'
    const failedSmoke = report.smoke.some(r => !r.passed)
    if (!failedSmoke) report.error = errorMessage(err)
    if (err instanceof PhaseError && err.details) {
      errorDetails = err.details
      await log.group('Details', async () => log.untrusted(err.details!))
    }
    // Cancelled: exit promptly, the post step cleans up; no time for diagnostics.
    if (kube && namespaceReady && !deps.signal?.aborted) {
      const markdown: string[] = []
      const text: string[] = []
      for (const ns of [namespace, ...(state.value.otherNamespaces ?? [])]) {
        const diagnostics = await collectDiagnostics(kube, ns, {
          labelSelector,
          objects: prepared?.objects
            .filter(t =>
              t.type.namespaced ? t.object.metadata.namespace === ns : ns === namespace
            )
            .map(t => ({ kind: t.object.kind, name: t.object.metadata.name!, type: t.type })),
          // Read once for the bundle too (it keeps the run's namespace; see saveBundle).
          bundle:
            ns === namespace
              ? { podSelector: state.value.namespace?.created ? undefined : labelSelector }
              : undefined
        })
        collected.push(diagnostics.model)
        const where = ns === namespace ? '' : ` (namespace ${ns})`
        for (const g of diagnostics.groups)
          await log.group(`Diagnostics: ${g.title}${where}`, async () => log.untrusted(g.text))
        markdown.push(diagnostics.markdown)
        text.push(diagnostics.text)
      }
      report.diagnosticsMarkdown = markdown.join('\n\n')
      diagnosticsText = text.join('\n\n')
    }
  }

  if (stability && config.deploy.stableForMs > 0) report.stability = stability.facts()
  if (forward) {
    await forward.stop()
    state.update({ portForward: undefined })
  }
  // Later steps of the job may use what the run deployed: the lease stands until post deletes it.
  // A cancelled run's post step follows at once: its lease just goes stale.
  if (lease && !deps.signal?.aborted) await lease.holdUntilPost()
  else lease?.stop()
  report.durationMs = clock.now() - startedAt
  state.update({ result: report.result })
  await publish(deps, report)
  const failure = report.result === 'passed' ? '' : failureMessage(report)

  if (
    bundleWanted(config.diagnostics.upload, report.result === 'passed') &&
    !deps.signal?.aborted
  ) {
    report.diagnosticsBundle = await saveBundle(failure)
    // Again, now with where the bundle is (the one in the bundle cannot know its own link).
    if (report.diagnosticsBundle) await writeReport(deps, report)
  }
  deps.setOutput('diagnostics-dir', report.diagnosticsBundle?.dir ?? '')
  // The name another job downloads it by (a path means nothing outside this job).
  deps.setOutput('diagnostics-artifact', report.diagnosticsBundle?.artifact?.name ?? '')
  if (kube && failedHook && !deps.signal?.aborted) {
    await deleteFailedHook(kube, failedHook, line => log.info(line))
  }
  await writeSummaryFile(deps, report)
  return { report, failure }

  /** The diagnostics bundle of the run as it ended, written and uploaded (diagnostics/). */
  function saveBundle(failure: string) {
    const cluster = state.value.cluster
    const created = state.value.namespace?.created ?? false
    return saveDiagnostics(
      {
        dir: deps.diagnostics.dir,
        report: deps.secrets.redactDeep(report),
        failure,
        runKey: runKey(config.run),
        cluster:
          kube && namespaceReady
            ? {
                kube,
                namespace,
                // A namespace the run did not create: only the run's own pods.
                podSelector: created
                  ? undefined
                  : `${RUN_LABEL}=${runMetadata(config.run).labels[RUN_LABEL]}`
              }
            : undefined,
        applied,
        errorDetails,
        diagnosticsText,
        collected,
        junitPath: deps.junitPath,
        minikube:
          cluster?.kind === 'minikube' && cluster.minikube && cluster.prior
            ? { binary: cluster.minikube, profile: cluster.profile ?? 'minikube' }
            : undefined
      },
      {
        mode: config.diagnostics.upload,
        runner: deps.runner,
        secrets: deps.secrets,
        artifacts: deps.diagnostics.artifacts,
        log,
        run: deps.run
      }
    )
  }

  /** The other namespaces of the run, made like the first; returns those this run created. */
  async function ensureOtherNamespaces(others: readonly RunNamespace[]): Promise<string[]> {
    const made: string[] = []
    for (const other of others) {
      const { created } = await ensureNamespace(kube!, other.name, {
        labels: { ...other.labels, ...metadata.labels },
        annotations: { ...other.annotations, ...metadata.annotations },
        // Recorded before it exists, like the first.
        onCreating: name =>
          state.update({ otherNamespaces: [...(state.value.otherNamespaces ?? []), name] }),
        log: line => log.info(line)
      })
      if (created) made.push(other.name)
      log.info(namespaceLine(other, created))
    }
    return made
  }

  /** The one namespace to watch, or undefined (every namespace) when the run has several. */
  function oneNamespace(): string | undefined {
    return (namespaces?.namespaces.length ?? 1) > 1 ? undefined : namespace
  }

  /** The run's pods did not stay ready: the failure, in the phase that saw it. */
  function unstable(held: Stability, name: string): void {
    const p = held.problem
    if (p) throw new PhaseError(name, p.message, p.details)
  }

  async function phase<T>(name: string, title: string, fn: () => Promise<T>): Promise<T> {
    return log.group(`${name}: ${title}`, async () => {
      try {
        return await phases.run(name, () => untilCancelled(fn(), deps.signal))
      } finally {
        const p = phases.phases.at(-1)
        if (p) log.info(`${name}: ${p.status} in ${(p.durationMs / 1000).toFixed(2)} s`)
      }
    })
  }
}

/** The run's labels and annotations, and where to find the run, for the lease others read. */
function leaseMetadata(
  run: MainDeps['run'],
  metadata: { labels: Record<string, string>; annotations: Record<string, string> }
) {
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

function namespaceLine(ns: RunNamespace, created: boolean): string {
  if (created) return `namespace "${ns.name}" created`
  // Never changed: what it existed with stays, the manifests' Namespace labels included.
  const carried = Object.keys({ ...ns.labels, ...ns.annotations }).length
    ? `; the labels and annotations of Namespace ${ns.from.map(n => `"${n}"`).join(', ')} are not applied to it`
    : ''
  return `namespace "${ns.name}" exists: using it (it will not be deleted)${carried}`
}

/** `deployment/web, statefulset/kv and 2 more`, for the rollout phase's title. */
function describeTargets(objects: readonly Typed[]): string {
  return describeWaitTargets(objects)
}

/** A wait result as the report keeps it: applied (or waited) from, ready or failed at. */
function workloadReport(r: WaitResult, appliedAt: ReadonlyMap<string, number>): WorkloadResult {
  const out: WorkloadResult = {
    kind: r.kind,
    name: r.name,
    passed: r.state !== 'failed' && r.state !== 'pending',
    durationMs: r.durationMs,
    message: r.message,
    state:
      r.state === 'failed'
        ? 'failed'
        : r.state === 'pending'
          ? 'waiting'
          : r.state === 'not-waited'
            ? 'not-waited'
            : 'ready',
    startedAt: new Date(
      Math.min(appliedAt.get(`${r.kind}/${r.name}`) ?? r.startedAt, r.startedAt)
    ).toISOString(),
    endedAt: new Date(r.endedAt).toISOString()
  }
  if (r.tolerated) {
    out.tolerated = r.tolerated.map(t => ({ at: new Date(t.at).toISOString(), message: t.message }))
  }
  return out
}

function imagesTitle(config: Config): string {
  const names = config.images.images.map(i => i.ref || `${i.name}:${config.images.tag}`)
  const verb = config.images.build ? 'Build and deliver' : 'Use prebuilt'
  return `${verb} ${names.length === 1 ? names[0] : `${names.length} images (${names.join(', ')})`}`
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

/** Outputs, the JSON report and the JUnit file; a failure to write one never hides the result. */
async function publish(deps: MainDeps, report: RunReport): Promise<void> {
  await writeReport(deps, report)
  const junit = await writeJUnit(deps, report)
  for (const [name, value] of Object.entries(outputsFor(report, deps.reportPath, junit)))
    deps.setOutput(name, value)
}

async function writeReport(deps: MainDeps, report: RunReport): Promise<void> {
  try {
    await deps.writeReport(deps.reportPath, deps.secrets.redactDeep(report))
  } catch (err) {
    deps.log.warning(`could not write the report ${deps.reportPath}: ${errorMessage(err)}`)
  }
}

/** The JUnit file (redacted, like every file the action writes), for test-report tools. */
async function writeJUnit(deps: MainDeps, report: RunReport): Promise<string> {
  if (!deps.writeJUnit || !deps.junitPath) return ''
  try {
    await deps.writeJUnit(deps.junitPath, deps.secrets.redactDeep(report))
    return deps.junitPath
  } catch (err) {
    deps.log.warning(`could not write the JUnit file ${deps.junitPath}: ${errorMessage(err)}`)
    return ''
  }
}

/** The job summary, redacted: the runner masks its log, not the files a step writes. */
async function writeSummaryFile(deps: MainDeps, report: RunReport): Promise<void> {
  const redacting = {
    addRaw: (text: string, eol?: boolean) => deps.summary.addRaw(deps.secrets.redact(text), eol),
    write: () => deps.summary.write()
  }
  try {
    await writeSummary(report, redacting)
  } catch (err) {
    deps.log.warning(`could not write the job summary: ${errorMessage(err)}`)
  }
}
