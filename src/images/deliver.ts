// The image phase: choose how images reach the cluster, build every image (in parallel with
// BuildKit, one at a time with the classic builder), then deliver each: nothing more for
// docker-env, `minikube image load`, or a push to the registry (prebuilt images: nothing at all).
// Tags are recorded in state before anything is built or tagged, so the post step removes them
// even when this step is killed.

import { randomBytes } from 'node:crypto'
import { PhaseError } from '../errors.js'
import type { ClusterSession } from '../cluster/types.js'
import type { Clock, CommandRunner, Logger } from '../effects.js'
import type { StateRecorder } from '../state.js'
import type { ImageSpec, ImagesConfig, LoadStrategy } from './config.js'
import {
  buildEnv,
  buildError,
  dockerBuildArgs,
  lastLine,
  loggedBuildCommand,
  probeEngine,
  type Engine
} from './docker.js'
import type { ImagesState } from './cleanup.js'
import type { ImageSource } from './sources.js'
import { chooseDelivery, deliveryLabel } from './strategy.js'
import type { PullPolicyRule, RunImage } from './substitute.js'

interface PlannedImage {
  /** The repository manifests use. */
  name: string
  /** The tag built in the engine; '' for prebuilt images. */
  built: string
  /** What containers run: `built`, the pushed reference, or the prebuilt reference. */
  ref: string
  pullPolicy: PullPolicyRule
}

/** Pure: the references of every image, given how they reach the cluster. */
function planImages(config: ImagesConfig, strategy: LoadStrategy): PlannedImage[] {
  return config.images.map(image => {
    if (image.ref !== '') {
      return { name: image.name, built: '', ref: image.ref, pullPolicy: undefined }
    }
    const built = `${image.name}:${config.tag}`
    return strategy === 'registry'
      ? { name: image.name, built, ref: `${config.registry}/${built}`, pullPolicy: 'pull' }
      : { name: image.name, built, ref: built, pullPolicy: 'Never' }
  })
}

/** The reference of the image under test before anything runs (for generated manifests). */
export function primaryReference(config: ImagesConfig): string {
  const first = config.images[0]
  return first.ref || `${first.name}:${config.tag}`
}

/** One image in the job summary and the report. */
export interface DeliveredImage {
  name: string
  ref: string
  /** How it reached the cluster, e.g. `registry: pushed to localhost:5000`. */
  delivery: string
  buildMs?: number
  deliveryMs?: number
  /** Registry digest of a pushed image. */
  digest?: string
}

export interface DeliveredImages {
  strategy: LoadStrategy
  images: DeliveredImage[]
  /** For prepareManifests: what each repository becomes in the pod specs. */
  substitutions: RunImage[]
}

export interface ImageDeps {
  runner: CommandRunner
  log: Logger
  state: StateRecorder
  clock: Clock
  docker: string
  labels: Record<string, string>
}

export async function deliverImages(
  config: ImagesConfig,
  sources: ReadonlyArray<ImageSource | undefined>,
  cluster: ClusterSession,
  deps: ImageDeps
): Promise<DeliveredImages> {
  const strategy = decideStrategy(config, cluster, deps.log)
  const planned = planImages(config, strategy)
  const substitutions = planned.map(p => ({
    repository: p.name,
    ref: p.ref,
    pullPolicy: p.pullPolicy
  }))
  if (strategy === 'none') return { strategy, substitutions, images: prebuilt(planned, deps.log) }

  const { engine, engineEnv, inCluster } = await prepareEngine(config, cluster, strategy, deps)
  const record = recordTags(planned, engineEnv, inCluster, deps)
  const parallel = engine.buildkit && planned.length > 1
  if (planned.length > 1) {
    deps.log.info(
      parallel
        ? `building ${planned.length} images in parallel (BuildKit)`
        : `building ${planned.length} images one at a time (the classic builder)`
    )
  }
  const run: DeliveryRun = {
    config,
    cluster,
    deps,
    strategy,
    engine,
    engineEnv,
    record,
    stream: !parallel,
    label: deliveryLabel(strategy, { inCluster, registry: config.registry }),
    loads: new Serial()
  }
  const one = (p: PlannedImage, index: number): Promise<DeliveredImage> =>
    buildAndDeliver(run, p, config.images[index], sources[index]!)
  const results = parallel
    ? await Promise.allSettled(planned.map(one))
    : await sequential(planned, one)
  return { strategy, substitutions, images: fulfilledOrThrow(results) }
}

/** The strategy for this cluster (a refusal is the input's error), said in the log. */
function decideStrategy(config: ImagesConfig, cluster: ClusterSession, log: Logger): LoadStrategy {
  const choice = chooseDelivery(config, cluster)
  if (!choice.ok) throw new PhaseError(`input '${choice.input}' ${choice.message}`)
  log.info(`images reach the cluster by ${choice.strategy}: ${choice.why}`)
  return choice.strategy
}

function prebuilt(planned: readonly PlannedImage[], log: Logger): DeliveredImage[] {
  for (const p of planned) log.info(`${p.ref}: prebuilt, not built; the nodes pull it`)
  const delivery = deliveryLabel('none', { inCluster: false, registry: '' })
  return planned.map(p => ({ name: p.name, ref: p.ref, delivery }))
}

/** The engine the images are built in: minikube's for docker-env, else the runner's. */
async function prepareEngine(
  config: ImagesConfig,
  cluster: ClusterSession,
  strategy: LoadStrategy,
  deps: ImageDeps
): Promise<{ engine: Engine; engineEnv: Record<string, string>; inCluster: boolean }> {
  const engineEnv = strategy === 'docker-env' ? await cluster.dockerEnv() : {}
  const engine = await probeEngine(deps.runner, deps.docker, engineEnv)
  deps.log.info(engine.description)
  if (config.secrets.length > 0 && !engine.buildkit) {
    throw new PhaseError(
      `input 'build-secrets' needs BuildKit, which this Docker does not have (${engine.description}): install the docker buildx plugin`
    )
  }
  const inCluster = cluster.kind === 'minikube' && Object.keys(engineEnv).length > 0
  return { engine, engineEnv, inCluster }
}

/** Every tag the run will make, in state before the first build (teardown removes them). */
function recordTags(
  planned: readonly PlannedImage[],
  engineEnv: Record<string, string>,
  inCluster: boolean,
  deps: ImageDeps
): ImagesState {
  const record: ImagesState = {
    docker: deps.docker,
    dockerEnv: engineEnv,
    inCluster,
    tags: planned.flatMap(p => (p.ref !== p.built ? [p.built, p.ref] : [p.built])),
    pushed: []
  }
  deps.state.update({ images: record })
  return record
}

/** What every image's build and delivery share. */
interface DeliveryRun {
  config: ImagesConfig
  cluster: ClusterSession
  deps: ImageDeps
  strategy: LoadStrategy
  engine: Engine
  engineEnv: Record<string, string>
  /** Updated as images are pushed. */
  record: ImagesState
  /** Stream the build's output (one build at a time); parallel builds show theirs when done. */
  stream: boolean
  label: string
  /** `minikube image load` runs one at a time into the same profile. */
  loads: Serial
}

async function buildAndDeliver(
  run: DeliveryRun,
  p: PlannedImage,
  spec: ImageSpec,
  source: ImageSource
): Promise<DeliveredImage> {
  const { config, deps, strategy } = run
  const { clock, log } = deps
  const job = {
    ref: p.built,
    contextDir: source.contextDir,
    dockerfile: source.dockerfile,
    buildArgs: spec.buildArgs,
    target: spec.target,
    labels: deps.labels
  }
  const t0 = clock.now()
  await build(deps, job, run.engine, run.engineEnv, config, run.stream)
  const buildMs = clock.now() - t0
  log.info(`built ${p.built} in ${(buildMs / 1000).toFixed(1)} s`)
  const t1 = clock.now()
  let digest: string | undefined
  if (strategy === 'image-load') {
    const load = run.cluster.loadImage
    if (!load) throw new PhaseError('image-load needs cluster: minikube')
    await run.loads.run(() => load(p.built, config.timeoutMs))
  } else if (strategy === 'registry') {
    digest = await push(deps, p, config, run.record)
  }
  const deliveryMs = strategy === 'docker-env' ? undefined : clock.now() - t1
  return { name: p.name, ref: p.ref, delivery: run.label, buildMs, deliveryMs, digest }
}

/** The images, or the first failure (naming how many others failed too). */
function fulfilledOrThrow(results: PromiseSettledResult<DeliveredImage>[]): DeliveredImage[] {
  const failed = results.find(r => r.status === 'rejected')
  if (!failed) return results.map(r => (r as PromiseFulfilledResult<DeliveredImage>).value)
  const others = results.filter(r => r.status === 'rejected').length - 1
  const err = failed.reason as Error
  if (others > 0 && err instanceof PhaseError) {
    throw new PhaseError(
      `${err.message} (and ${others} more image${others === 1 ? '' : 's'} failed: see the log)`,
      err.details
    )
  }
  throw err
}

async function build(
  deps: ImageDeps,
  job: Parameters<typeof dockerBuildArgs>[0],
  engine: Engine,
  engineEnv: Record<string, string>,
  config: ImagesConfig,
  stream: boolean
): Promise<void> {
  const args = dockerBuildArgs(job, engine, config.secrets)
  deps.log.info(`Running: ${loggedBuildCommand(args)}`)
  // The build prints what the Dockerfile's commands print: never let the runner obey it.
  const token = randomBytes(12).toString('hex')
  if (stream) deps.log.info(`::stop-commands::${token}`)
  const r = await deps.runner.run(deps.docker, args, {
    env: buildEnv(engineEnv, engine, config.secrets),
    timeoutMs: config.timeoutMs,
    stream
  })
  const output = `${r.stdout}\n${r.stderr}`
  if (!stream) {
    // Parallel builds are not streamed (their lines would interleave): each shows when done.
    deps.log.info(`::stop-commands::${token}`)
    deps.log.info(`── docker build output for ${job.ref} ──\n${output.trim()}`)
  }
  deps.log.info(`::${token}::`)
  if (r.timedOut) {
    throw new PhaseError(
      `docker build of ${job.ref} did not finish within ${config.timeoutMs / 1000} s`
    )
  }
  if (r.exitCode !== 0) {
    throw new PhaseError(
      `docker build of ${job.ref} failed (exit code ${r.exitCode}): ${buildError(output)}`,
      output
    )
  }
}

/** Tag, push, then untag locally: the nodes pull it for real, and nothing of it stays here. */
async function push(
  deps: ImageDeps,
  p: PlannedImage,
  config: ImagesConfig,
  record: ImagesState
): Promise<string | undefined> {
  const docker = (args: string[], timeoutMs = 60_000) =>
    deps.runner.run(deps.docker, args, { timeoutMs })
  const tagged = await docker(['tag', p.built, p.ref])
  if (tagged.exitCode !== 0) {
    throw new PhaseError(`docker tag ${p.built} ${p.ref} failed: ${lastLine(tagged.stderr)}`)
  }
  deps.log.info(`Running: docker push ${p.ref}`)
  const r = await docker(['push', p.ref], config.timeoutMs)
  if (r.exitCode !== 0 || r.timedOut) {
    const why = r.timedOut
      ? `did not finish within ${config.timeoutMs / 1000} s`
      : lastLine(r.stderr || r.stdout)
    throw new PhaseError(
      `push of ${p.ref} to registry ${config.registry} failed: ${why}`,
      `${r.stdout}\n${r.stderr}`
    )
  }
  record.pushed.push(p.ref)
  deps.state.update({ images: record })
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(r.stdout)?.[1]
  deps.log.info(`pushed ${p.ref}${digest ? ` (${digest})` : ''}`)
  const untagged = await docker(['image', 'rm', p.ref])
  if (untagged.exitCode !== 0) {
    deps.log.warning(`could not remove the local tag ${p.ref}: ${lastLine(untagged.stderr)}`)
  }
  return digest
}

async function sequential<T, R>(
  items: T[],
  fn: (item: T, index: number) => Promise<R>
): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = []
  for (const [i, item] of items.entries()) {
    try {
      out.push({ status: 'fulfilled', value: await fn(item, i) })
    } catch (reason) {
      out.push({ status: 'rejected', reason })
      break // one at a time: the first failure stops the rest
    }
  }
  return out
}

/** Runs tasks one after another (minikube image load into the same profile). */
class Serial {
  private last: Promise<unknown> = Promise.resolve()
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.last.then(task, task)
    this.last = next.catch(() => undefined)
    return next
  }
}
