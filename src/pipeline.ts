// The main step, top to bottom:
//   inputs → preflight → cluster → image → deploy → rollout → expose → smoke → (update check) → report
//   → diagnostics bundle (on failure) → job summary
// A cancel (deps.signal) ends the phase under way at once; the runner stops its child processes.
// Teardown is not here: the post step does it from what this records in state, so it also runs
// when this step fails or is killed.

import { PhaseError, errorMessage } from './errors.js'
import {
  parseInputs,
  defaultNamespace,
  type Config,
  type InputReader,
  type RunFacts
} from './inputs.js'
import type { Clock, CommandRunner, Logger, StateStore } from './ports.js'
import { preflight } from './preflight.js'
import { markMainStarted, StateRecorder } from './state.js'
import { upCluster } from './cluster/up.js'
import type { Platform, ToolCachePort } from './cluster/install.js'
import type { ClusterSession } from './cluster/types.js'
import type { CachePort } from './system.js'
import { buildImage, imageLabels } from './image.js'
import {
  applyObjects,
  collectDiagnostics,
  ensureNamespace,
  FIELD_MANAGER,
  nodeInternalIP,
  nodePortUrl,
  objectRef,
  prepareManifests,
  rolloutUpdateCheck,
  runMetadata,
  UpdateCheckError,
  waitForRollouts,
  RUN_LABEL,
  type Deployment,
  type KubeObject,
  type KubePort
} from './kube/index.js'
import { runSmokeChecks, type HttpPort } from './smoke/index.js'
import { credentialValues } from './smoke/credentials.js'
import { untilCancelled } from './cancel.js'
import type { SecretRegistry } from './secrets.js'
import { bundleWanted, saveDiagnostics, type ArtifactPort } from './diagnostics/index.js'
import { runKey } from './kube/names.js'
import {
  failureMessage,
  outputsFor,
  PhaseRecorder,
  writeSummary,
  type RunReport,
  type SummaryPort
} from './report/index.js'

export interface MainDeps {
  input: InputReader
  run: RunFacts & { serverUrl: string }
  runner: CommandRunner
  log: Logger
  state: StateStore
  clock: Clock
  platform: Platform
  docker: string
  toolCache: () => Promise<ToolCachePort>
  cache: () => Promise<CachePort>
  connectKube: (context?: string) => Promise<KubePort>
  http?: HttpPort
  summary: SummaryPort
  writeReport: (path: string, report: RunReport) => Promise<void>
  reportPath: string
  setOutput: (name: string, value: string) => void
  /** Aborted on SIGINT/SIGTERM: children stop, waits end, the step exits (cancel.ts). */
  signal?: AbortSignal
  /** Values never shown: masked in the log, redacted in every file the action writes. */
  secrets: SecretRegistry
  /** Where the diagnostics bundle goes, the artifact service, the JUnit file to include. */
  diagnostics: { dir: string; artifacts: ArtifactPort; junitPath?: string }
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
  let checked: ReturnType<typeof preflight>
  try {
    config = parseInputs(deps.input, deps.run)
    checked = preflight(config, `${config.build.image}:${config.build.tag}`)
  } catch (err) {
    return { failure: errorMessage(err) }
  }
  for (const value of credentialValues(config.smoke.checks)) deps.secrets.register(value)

  const state = new StateRecorder(deps.state, config.teardown.mode)
  const phases = new PhaseRecorder(clock)
  const imageRef = `${config.build.image}:${config.build.tag}`
  const namespace = config.deploy.namespace || defaultNamespace(config.run)
  const report: RunReport = {
    result: 'failed',
    startedAt: new Date(startedAt).toISOString(),
    durationMs: 0,
    phases: phases.phases,
    smoke: []
  }
  let kube: KubePort | undefined
  let namespaceReady = false
  // For the diagnostics bundle.
  let applied: KubeObject[] = []
  let errorDetails: string | undefined
  let diagnosticsText: string | undefined

  try {
    const cluster: ClusterSession = await phase('cluster', 'Start the cluster', () =>
      upCluster(config, {
        runner: deps.runner,
        log,
        state,
        platform: deps.platform,
        toolCache: deps.toolCache,
        cache: deps.cache
      })
    )

    const image = await phase('image', `Build ${imageRef}`, () =>
      buildImage(
        deps.runner,
        log,
        {
          docker: deps.docker,
          contextDir: checked.contextDir,
          dockerfile: checked.dockerfile,
          ref: imageRef,
          buildArgs: config.build.buildArgs,
          labels: imageLabels(deps.run),
          timeoutMs: config.build.buildTimeoutMs
        },
        cluster.dockerEnv
      )
    )
    report.image = image.ref

    const metadata = runMetadata(config.run)
    const prepared = prepareManifests(checked.objects, {
      imageRepository: config.build.image,
      imageRef,
      namespace,
      labels: metadata.labels,
      annotations: metadata.annotations,
      containerPort: config.deploy.containerPort,
      replicas: config.deploy.replicas
    })
    for (const w of prepared.warnings) log.warning(w)
    applied = prepared.objects

    await phase(
      'deploy',
      `Apply ${prepared.objects.length} objects to namespace ${namespace}`,
      async () => {
        kube = await deps.connectKube(cluster.kubeContext)
        // Recorded before the namespace exists, so a step killed mid-create is still cleaned up.
        const objects = prepared.objects.map(objectRef)
        state.update({ namespace: { name: namespace, created: false, objects } })
        const { created } = await ensureNamespace(kube, namespace, {
          labels: metadata.labels,
          annotations: metadata.annotations,
          onCreated: name => state.update({ namespace: { name, created: true, objects } })
        })
        namespaceReady = true
        report.namespace = namespace
        log.info(
          created
            ? `namespace "${namespace}" created`
            : `namespace "${namespace}" exists: using it (it will not be deleted)`
        )
        await applyObjects(kube, prepared.objects, FIELD_MANAGER, line => log.info(line))
      }
    )

    await phase('rollout', `Wait for rollout (${prepared.deployments.join(', ')})`, async () => {
      const results = await waitForRollouts(kube!, namespace, prepared.deployments, {
        timeoutMs: config.deploy.rolloutTimeoutMs,
        signal: deps.signal,
        log: line => log.untrusted(line)
      })
      for (const r of results) log.info(`${r.message} in ${(r.durationMs / 1000).toFixed(1)} s`)
    })

    const url = await phase(
      'expose',
      `Find the URL of service ${prepared.target.service}`,
      async () => {
        const host =
          config.deploy.urlHost || (await cluster.urlHost()) || (await nodeInternalIP(kube!))
        const u = await nodePortUrl(
          kube!,
          namespace,
          prepared.target.service,
          host,
          prepared.target.port
        )
        report.url = u.url
        report.nodePort = u.nodePort
        log.info(`service "${prepared.target.service}" answers at ${u.url}`)
        return u.url
      }
    )

    await phase('smoke', `Smoke-test ${url}`, async () => {
      report.smoke = await runSmokeChecks(url, config.smoke.checks, {
        deadlineMs: clock.now() + config.smoke.timeoutMs,
        clock,
        http: deps.http,
        log: line => log.untrusted(line)
      })
      const failed = report.smoke.find(r => !r.passed)
      if (failed) throw new PhaseError('smoke', failureMessage(report))
    })

    if (config.deploy.rolloutCheck === 'update') {
      await phase(
        'rollout-check',
        'Roll the Deployment again while requesting the service',
        async () => {
          const deployment = prepared.objects.find(
            o => o.kind === 'Deployment' && o.metadata.name === prepared.target.deployment
          ) as Deployment
          try {
            const r = await rolloutUpdateCheck(kube!, {
              namespace,
              deployment,
              fieldManager: FIELD_MANAGER,
              probeUrl: `${url}${config.smoke.checks[0].path}`,
              timeoutMs: config.deploy.rolloutTimeoutMs,
              log: line => log.info(line)
            })
            report.rollout = updateFacts(r)
            log.info(
              `update check: ${r.failedRequests} of ${r.totalRequests} requests failed during the second rollout`
            )
          } catch (err) {
            if (err instanceof UpdateCheckError) report.rollout = updateFacts(err.result)
            throw err
          }
        }
      )
    }
    report.result = 'passed'
  } catch (err) {
    report.result = 'failed'
    const failedSmoke = report.smoke.some(r => !r.passed)
    if (!failedSmoke) report.error = errorMessage(err)
    if (err instanceof PhaseError && err.details) {
      errorDetails = err.details
      await log.group('Details', async () => log.untrusted(err.details!))
    }
    // Cancelled: exit promptly, the post step cleans up; no time for diagnostics.
    if (kube && namespaceReady && !deps.signal?.aborted) {
      const diagnostics = await collectDiagnostics(kube, namespace)
      for (const g of diagnostics.groups)
        await log.group(`Diagnostics: ${g.title}`, async () => log.untrusted(g.text))
      report.diagnosticsMarkdown = diagnostics.markdown
      diagnosticsText = diagnostics.text
    }
  }

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
        junitPath: deps.diagnostics.junitPath,
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

/** Outputs and the JSON report; a failure to write one never hides the result. */
async function publish(deps: MainDeps, report: RunReport): Promise<void> {
  await writeReport(deps, report)
  for (const [name, value] of Object.entries(outputsFor(report, deps.reportPath)))
    deps.setOutput(name, value)
}

async function writeReport(deps: MainDeps, report: RunReport): Promise<void> {
  try {
    await deps.writeReport(deps.reportPath, deps.secrets.redactDeep(report))
  } catch (err) {
    deps.log.warning(`could not write the report ${deps.reportPath}: ${errorMessage(err)}`)
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
