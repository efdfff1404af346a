// The main step, top to bottom:
//   inputs → preflight → cluster → image → validate → deploy → rollout → expose → smoke
//   → stable (the rest of the stable-for window) → (update check) → diagnostics bundle (on
//   failure) → report, job summary. The pods are watched from readiness to the window's end.
// A cancel (deps.signal) ends the phase under way at once; the runner stops its child processes.
// Teardown is not here: the post step does it from what this records in state, so it also runs
// when this step fails or is killed. Each phase's body is in src/phases/ (typed in, typed out);
// what a failure and the finish need of the run so far is in its Trail.

import { errorMessage } from './errors.js'
import {
  parseInputs,
  defaultNamespace,
  type Config,
  type Environment,
  type InputReader,
  type RunFacts
} from './inputs.js'
import type { Clock, CommandRunner, Logger, ProcessPort, StateStore } from './effects.js'
import { preflight } from './preflight.js'
import { markMainStarted, StateRecorder } from './state.js'
import type { ObjectJournal } from './object-journal.js'
import { upCluster } from './cluster/up.js'
import type { Platform, ToolCachePort } from './cluster/install.js'
import type { CachePort } from './system.js'
import { findKubectl } from './expose/port-forward.js'
import { deliverImages, imageLabels, primaryReference } from './images/index.js'
import {
  RUN_LABEL,
  runFieldManager,
  runMetadata,
  watchStability,
  formatWindow,
  windowLeft,
  type Connection,
  type ConnectOptions,
  type Stability,
  type Typed
} from './kube/index.js'
import type { HttpPort } from './smoke/index.js'
import { credentialValues } from './smoke/credentials.js'
import type { SecretRegistry } from './secrets.js'
import type { ArtifactPort } from './diagnostics/index.js'
import { describeWaitTargets } from './kube/kinds.js'
import { PhaseRecorder, type RunReport, type SummaryPort } from './report/index.js'
import { phase, type Run, type Trail } from './phases/run.js'
import { validate } from './phases/validate.js'
import { deploy, oneNamespace, planDeploy } from './phases/deploy.js'
import { rollout } from './phases/rollout.js'
import { expose } from './phases/expose.js'
import { chartTests, smoke, stayStable, unstable } from './phases/checks.js'
import { updateCheck } from './phases/update-check.js'
import { recordFailure } from './phases/failure.js'
import { finish } from './phases/finish.js'

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
  const startedAt = deps.clock.now()
  // First, so the post invocation of this same bundle knows it is the post step, even when the
  // inputs turn out to be bad.
  markMainStarted(deps.state)
  let run: Run
  try {
    run = await startRun(deps, startedAt)
  } catch (err) {
    return { failure: errorMessage(err) }
  }
  const trail: Trail = { namespaceReady: false, collected: [] }
  try {
    await runPhases(run, trail)
    run.report.result = 'passed'
  } catch (err) {
    await recordFailure(run, trail, err)
  }
  return finish(run, trail, startedAt)
}

/**
 * Everything that can be checked without starting anything (inputs, files, manifests, charts),
 * and the run those make: its names, its state and its report. Throws an input's one line.
 */
async function startRun(deps: MainDeps, startedAt: number): Promise<Run> {
  const config = parseInputs(deps.input, deps.run, deps.env, deps.platform.os)
  // Secret values first: nothing printed or written after this shows them.
  for (const secret of config.images.secrets) deps.secrets.register(secret.value)
  for (const value of credentialValues(config.smoke.checks)) deps.secrets.register(value)
  const checked = await preflight(config, primaryReference(config.images), deps)
  const forwardKubectl =
    config.deploy.urlMode === 'port-forward' ? await findKubectl(deps.toolCache) : ''
  const phases = new PhaseRecorder(deps.clock)
  const metadata = runMetadata(config.run)
  const runLabel = metadata.labels[RUN_LABEL]
  return {
    deps,
    config,
    checked,
    forwardKubectl,
    state: new StateRecorder(deps.state, config.teardown.mode, deps.objectJournal),
    phases,
    report: {
      result: 'failed',
      startedAt: new Date(startedAt).toISOString(),
      durationMs: 0,
      phases: phases.phases,
      smoke: []
    },
    namespace: config.deploy.namespace || defaultNamespace(config.run),
    metadata,
    runLabel,
    labelSelector: `${RUN_LABEL}=${runLabel}`,
    fieldManager: runFieldManager(runLabel)
  }
}

/** The phases in order; the first that fails ends the run (recordFailure, then finish). */
async function runPhases(run: Run, trail: Trail): Promise<void> {
  const { config, deps, report } = run
  const cluster = await phase(run, 'cluster', 'Start the cluster', () =>
    upCluster(config, {
      runner: deps.runner,
      log: deps.log,
      state: run.state,
      platform: deps.platform,
      toolCache: deps.toolCache,
      cache: deps.cache,
      env: deps.env
    })
  )
  const images = await phase(run, 'image', imagesTitle(config), () =>
    deliverImages(config.images, run.checked.sources, cluster, {
      runner: deps.runner,
      log: deps.log,
      state: run.state,
      clock: deps.clock,
      docker: deps.docker,
      labels: imageLabels(deps.run)
    })
  )
  report.image = images.images[0].ref
  report.images = images.images
  // Nothing is written here: every problem the cluster can find in the manifests, at once.
  const valid = await phase(run, 'validate', 'Check the manifests against the cluster', () =>
    validate(run, cluster, images, trail)
  )
  const plan = planDeploy(run, valid, trail)
  await phase(run, 'deploy', `Apply ${plan.objects.length} objects to ${plan.into}`, () =>
    deploy(run, valid, plan, trail)
  )
  report.workloads = await phase(run, 'rollout', `Wait for ${describeTargets(plan.objects)}`, () =>
    rollout(run, valid, plan)
  )

  // Ready: from now on every pod must stay ready (stable-for), through the checks.
  const readyAt = deps.clock.now()
  const held = watchStability(valid.kube, {
    namespace: oneNamespace(run, valid),
    labelSelector: run.labelSelector,
    windowMs: config.deploy.stableForMs,
    readyAt,
    now: () => deps.clock.now()
  })
  trail.stability = held
  const target = valid.prepared.target
  const url = await phase(run, 'expose', `Find the URL of service ${target.service}`, () =>
    expose(run, cluster, valid, trail)
  )
  await phase(run, 'smoke', `Smoke-test ${url}`, () => smoke(run, held, url))
  const tests = valid.hooks?.tests ?? []
  if (tests.length) {
    await phase(run, 'chart-tests', `Run the chart's ${tests.length} test pods`, () =>
      chartTests(run, tests, plan.hooks())
    )
  }
  await stableWindow(run, held, readyAt)
  held.stop() // before the update check, which replaces the pods on purpose

  if (config.deploy.rolloutCheck === 'update') {
    await phase(
      run,
      'rollout-check',
      'Roll the Deployment again while requesting the service',
      () => updateCheck(run, valid, plan.objects, url)
    )
  }
}

/** The rest of the stable-for window, its own phase; without a window, only the checks' end. */
async function stableWindow(run: Run, held: Stability, readyAt: number): Promise<void> {
  const { deps } = run
  const windowMs = run.config.deploy.stableForMs
  if (windowMs > 0) {
    const left = windowLeft(readyAt, windowMs, deps.clock.now())
    const title = `Every pod stays ready until ${formatWindow(windowMs)} after readiness (${(left / 1000).toFixed(1)} s left)`
    await phase(run, 'stable', title, () => stayStable(run, held))
  } else {
    await held.waitOut(deps.signal) // a problem seen at the checks' end, its logs on the way
    unstable(held)
  }
}

/** `deployment/web, statefulset/kv and 2 more`, for the rollout phase's title. */
function describeTargets(objects: readonly Typed[]): string {
  return describeWaitTargets(objects)
}

function imagesTitle(config: Config): string {
  const names = config.images.images.map(i => i.ref || `${i.name}:${config.images.tag}`)
  const verb = config.images.build ? 'Build and deliver' : 'Use prebuilt'
  return `${verb} ${names.length === 1 ? names[0] : `${names.length} images (${names.join(', ')})`}`
}
