// Reads and validates every action input into one typed Config. Pure: it sees only strings
// (the inputs and the GITHUB_* run facts), so every bad value is reported before anything starts.

import { parseArgList } from './argv.js'
import { parseChartInputs, type ChartConfig } from './helm/inputs.js'
import { ownedStartFlag } from './cluster/start-flags.js'
import { containerRuntime, RUNTIME_NAMES, type ContainerRuntime } from './cluster/runtime.js'
import { parseDuration } from './duration.js'
import { InputError } from './errors.js'
import { parseImageInputs, type ImagesConfig } from './images/config.js'
import { isTag } from './images/reference.js'
import { chooseDelivery } from './images/strategy.js'
import { isDns1123Label, runKey } from './kube/names.js'
import {
  defaultReadinessPath,
  parseSmokeChecks,
  pathError,
  type SmokeCheck
} from './smoke/index.js'

export type ClusterKind = 'minikube' | 'existing'
export type TeardownMode = 'always' | 'on-success' | 'never'
export type RolloutCheck = 'none' | 'update'
export type UrlMode = 'nodeport' | 'port-forward'
export type UploadDiagnostics = 'on-failure' | 'always' | 'never'

export interface Config {
  cluster: {
    kind: ClusterKind
    /** Empty: use the minikube on PATH, else install DEFAULT_MINIKUBE_VERSION. */
    minikubeVersion: string
    /** Optional pinned SHA-256 of the minikube binary to install. */
    minikubeSha256: string
    kubernetesVersion: string
    driver: string
    profile: string
    startArgs: string[]
    /** From `--container-runtime`/`-c` in start-args, else MINIKUBE_CONTAINER_RUNTIME, else docker. */
    containerRuntime: ContainerRuntime
    cache: boolean
    startTimeoutMs: number
  }
  /** What to build (or deploy prebuilt) and how it reaches the cluster: src/images/. */
  images: ImagesConfig
  deploy: {
    manifests: string[]
    /** Empty: a namespace per run, created and deleted by this action. */
    namespace: string
    /** Undefined: 1 for generated manifests, as written for yours. */
    replicas: number | undefined
    /** Undefined: what the container declares (5000 when it declares none, and for generated). */
    containerPort: number | undefined
    /** The Service to smoke-test; empty: the one in front of the first workload running the image. */
    service: string
    /** Restarts a crash-looping container is allowed while other workloads still start. */
    maxRestarts: number
    /** Take over objects (and fields) other managers own; they are still never deleted. */
    forceConflicts: boolean
    /** How long to wait for another run that holds the objects or the namespace; 0: refuse at once. */
    queueTimeoutMs: number
    rolloutTimeoutMs: number
    rolloutCheck: RolloutCheck
    urlHost: string
    /** How the smoke test reaches the Service: its NodePort, or a port-forward the action owns. */
    urlMode: UrlMode
    /** The readiness probe path of generated manifests. */
    readinessPath: string
    /** How long every pod must stay ready after readiness for the run to pass; 0: not waited. */
    stableForMs: number
  }
  smoke: {
    checks: SmokeCheck[]
    timeoutMs: number
  }
  teardown: {
    mode: TeardownMode
    deleteCluster: boolean
  }
  /** When the diagnostics bundle is written and uploaded (see diagnostics/). */
  diagnostics: { upload: UploadDiagnostics }
  /** A Helm chart to deploy (inputs `chart`, `chart-version`, `values`, `set`, `release`). */
  chart?: ChartConfig
  run: RunFacts
}

/** Facts about the workflow run, from GitHub's environment variables. */
export interface RunFacts {
  workspace: string
  repository: string
  sha: string
  runId: string
  runAttempt: string
  /** GITHUB_JOB: the job's id (the same for every job of a matrix). */
  job: string
  /**
   * A short random key made once per use of the action (main saves it for post): what keeps the
   * names of two matrix jobs, or of two uses in one job, apart on a shared cluster.
   */
  key: string
}

export type InputReader = (name: string) => string

/** The process environment, for the few MINIKUBE_* variables minikube reads as flags. */
export type Environment = Readonly<Record<string, string | undefined>>

const DRIVERS = [
  'docker',
  'podman',
  'none',
  'kvm2',
  'qemu2',
  'qemu',
  'virtualbox',
  'vmware',
  'hyperkit',
  'hyperv',
  'parallels',
  'vfkit',
  'ssh'
]
type Text = (name: string) => string

/**
 * Every input, validated in the order the action uses them (the first bad one is reported).
 * `os`: the runner's process.platform, which decides the default url-mode.
 */
export function parseInputs(
  input: InputReader,
  run: RunFacts,
  env: Environment = {},
  os = 'linux'
): Config {
  const text: Text = (name: string): string => input(name).trim()

  const kind = oneOf(text, 'cluster', ['minikube', 'existing'], 'minikube') as ClusterKind
  const versions = versionInputs(text)
  const driver = resolveDriver(text, env)
  const profile = text('profile') || 'minikube'
  if (!isDns1123Label(profile)) {
    throw new InputError(
      'profile',
      'must be lowercase letters, digits and "-" (at most 63)',
      profile
    )
  }
  const { startArgs, runtime } = startArgsInput(input, env)
  const images = imageInputs(input, text, run, kind, runtime)
  const workloads = workloadInputs(input, text)
  const reach = reachInputs(text, os)

  const checks = parseSmokeChecks({
    checksYaml: input('smoke-checks'),
    smokePath: text('smoke-path'),
    expectStatus: text('expect-status')
  })
  const readinessPath = text('readiness-path') || defaultReadinessPath(checks)
  const readinessProblem = pathError(readinessPath)
  if (readinessProblem !== undefined) {
    throw new InputError('readiness-path', readinessProblem, readinessPath)
  }

  const chart = parseChartInputs(input)

  const mode = oneOf(text, 'teardown', ['always', 'on-success', 'never'], 'always') as TeardownMode
  const upload = oneOf(
    text,
    'upload-diagnostics',
    ['on-failure', 'always', 'never'],
    'on-failure'
  ) as UploadDiagnostics

  return {
    cluster: {
      kind,
      ...versions,
      driver,
      profile,
      startArgs,
      containerRuntime: runtime,
      cache: boolean(text, 'cache', true),
      startTimeoutMs: duration(text, 'start-timeout', 900_000, TIMEOUT)
    },
    images,
    deploy: {
      ...workloads,
      forceConflicts: boolean(text, 'force-conflicts', false),
      queueTimeoutMs: duration(text, 'queue-timeout', 0, QUEUE),
      rolloutTimeoutMs: duration(text, 'rollout-timeout', 180_000, TIMEOUT),
      ...reach,
      readinessPath,
      stableForMs: duration(text, 'stable-for', 10_000, WINDOW)
    },
    smoke: { checks, timeoutMs: duration(text, 'smoke-timeout', 60_000, TIMEOUT) },
    teardown: { mode, deleteCluster: boolean(text, 'delete-cluster', true) },
    diagnostics: { upload },
    chart,
    run
  }
}

/** `minikube-version`, `minikube-sha256` and `kubernetes-version`. */
function versionInputs(
  text: Text
): Pick<Config['cluster'], 'minikubeVersion' | 'minikubeSha256' | 'kubernetesVersion'> {
  const minikubeVersion = text('minikube-version').replace(/^v/, '')
  if (minikubeVersion !== '' && !/^\d+\.\d+\.\d+$/.test(minikubeVersion)) {
    throw new InputError(
      'minikube-version',
      'must be a version like 1.38.1, or empty',
      minikubeVersion
    )
  }
  const minikubeSha256 = text('minikube-sha256').toLowerCase()
  if (minikubeSha256 !== '' && !/^[0-9a-f]{64}$/.test(minikubeSha256)) {
    throw new InputError('minikube-sha256', 'must be 64 hexadecimal characters', minikubeSha256)
  }
  if (minikubeSha256 !== '' && minikubeVersion === '') {
    throw new InputError('minikube-sha256', 'needs minikube-version: the checksum pins one version')
  }

  const kubernetesVersion = text('kubernetes-version')
  if (
    kubernetesVersion !== '' &&
    !/^v?\d+\.\d+\.\d+$/.test(kubernetesVersion) &&
    !['stable', 'latest'].includes(kubernetesVersion)
  ) {
    throw new InputError(
      'kubernetes-version',
      'must be a version like v1.31.0, "stable" or "latest"',
      kubernetesVersion
    )
  }
  return { minikubeVersion, minikubeSha256, kubernetesVersion }
}

/** `start-args`, and the container runtime they (or MINIKUBE_CONTAINER_RUNTIME) choose. */
function startArgsInput(
  input: InputReader,
  env: Environment
): { startArgs: string[]; runtime: ContainerRuntime } {
  let startArgs: string[]
  try {
    startArgs = parseArgList(input('start-args'))
  } catch (err) {
    throw new InputError('start-args', (err as Error).message)
  }
  for (const arg of startArgs) {
    const owned = ownedStartFlag(arg)
    if (owned) throw new InputError('start-args', `must not set ${owned.flag}: ${owned.why}`)
  }

  const runtime = containerRuntime(startArgs, env.MINIKUBE_CONTAINER_RUNTIME)
  if (runtime.invalid !== undefined) {
    const expected = `must be one of ${RUNTIME_NAMES}`
    throw runtime.from === 'start-args'
      ? new InputError('start-args', `--container-runtime ${expected}`, runtime.invalid)
      : new InputError(
          'MINIKUBE_CONTAINER_RUNTIME',
          expected,
          runtime.invalid,
          'environment variable MINIKUBE_CONTAINER_RUNTIME'
        )
  }
  return { startArgs, runtime: runtime.runtime }
}

/** `tag`, `build`, `build-timeout` and the image inputs; what the inputs alone rule out of delivery. */
function imageInputs(
  input: InputReader,
  text: Text,
  run: RunFacts,
  kind: ClusterKind,
  runtime: ContainerRuntime
): ImagesConfig {
  const tag = text('tag') || defaultTag(run)
  if (!isTag(tag)) {
    throw new InputError(
      'tag',
      'must be a Docker tag: letters, digits, "_", "." and "-", at most 128, not starting with "." or "-"',
      tag
    )
  }
  const images = parseImageInputs(input, {
    build: boolean(text, 'build', true),
    tag,
    tagGiven: text('tag') !== '',
    timeoutMs: duration(text, 'build-timeout', 1800_000, TIMEOUT)
  })
  // How images reach the cluster is chosen once it is up; what the inputs alone rule out, now.
  const delivery = chooseDelivery(images, {
    kind,
    runtime: kind === 'minikube' ? runtime : undefined
  })
  if (!delivery.ok) throw new InputError(delivery.input, delivery.message)
  return images
}

/** What is deployed where: `manifests`, `namespace`, `replicas`, `container-port`, `service`, `max-restarts`. */
function workloadInputs(
  input: InputReader,
  text: Text
): Pick<
  Config['deploy'],
  'manifests' | 'namespace' | 'replicas' | 'containerPort' | 'service' | 'maxRestarts'
> {
  const manifests = splitList(input('manifests'))
  const namespace = text('namespace')
  if (namespace !== '' && !isDns1123Label(namespace)) {
    throw new InputError(
      'namespace',
      'must be a valid namespace name (RFC 1123 label: lowercase letters, digits and "-", at most 63)',
      namespace
    )
  }
  const replicas = text('replicas') === '' ? undefined : integer(text, 'replicas', 1, 50, 1)
  const containerPort =
    text('container-port') === '' ? undefined : integer(text, 'container-port', 1, 65535, 5000)
  const service = text('service')
  if (service !== '' && !isDns1123Label(service)) {
    throw new InputError(
      'service',
      'must be a Service name (RFC 1123 label: lowercase letters, digits and "-", at most 63)',
      service
    )
  }
  const maxRestarts = integer(text, 'max-restarts', 0, 100, 3)
  return { manifests, namespace, replicas, containerPort, service, maxRestarts }
}

/** How the service is reached and rolled: `rollout-check`, `url-host`, `url-mode`. */
function reachInputs(
  text: Text,
  os: string
): Pick<Config['deploy'], 'rolloutCheck' | 'urlHost' | 'urlMode'> {
  const rolloutCheck = oneOf(text, 'rollout-check', ['none', 'update'], 'none') as RolloutCheck
  const urlHost = text('url-host')
  if (
    urlHost !== '' &&
    !/^(\d{1,3}(\.\d{1,3}){3}|[A-Za-z0-9]([A-Za-z0-9.-]{0,252}))$/.test(urlHost)
  ) {
    throw new InputError(
      'url-host',
      'must be a host name or IPv4 address, without scheme or port',
      urlHost
    )
  }

  // A NodePort on the node address is reachable from Linux runners; on macOS and Windows the
  // cluster runs inside Docker Desktop's VM, whose addresses the runner cannot reach.
  const urlMode = oneOf(
    text,
    'url-mode',
    ['nodeport', 'port-forward'],
    os === 'darwin' || os === 'win32' ? 'port-forward' : 'nodeport'
  ) as UrlMode
  if (urlMode === 'port-forward' && urlHost !== '') {
    throw new InputError(
      'url-host',
      'applies to url-mode: nodeport only (a port-forward listens on 127.0.0.1)',
      urlHost
    )
  }
  if (urlMode === 'port-forward' && rolloutCheck === 'update') {
    throw new InputError(
      'rollout-check',
      'update needs url-mode: nodeport (a port-forward follows one pod, which the second rollout replaces)'
    )
  }
  return { rolloutCheck, urlHost, urlMode }
}

/** `<short sha>-<run key>`: unique per use of the action. */
export function defaultTag(run: RunFacts): string {
  const sha = /^[0-9a-f]{7,}$/i.test(run.sha) ? run.sha.slice(0, 7).toLowerCase() : 'local'
  return `${sha}-${runKey(run)}`.replace(/^local-local-/, 'local-').slice(0, 128)
}

/** `smoke-<run key>`, RFC 1123-safe; the key stays when a long run id is cut. */
export function defaultNamespace(run: RunFacts): string {
  const runPart = run.runId !== '' ? `${run.runId}-${run.runAttempt || '1'}` : 'local'
  const head = `smoke-${runPart}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 62 - run.key.length)
    .replace(/-+$/, '')
  return `${head}-${run.key}`
}

/**
 * The driver input, else MINIKUBE_DRIVER (minikube reads its flags from MINIKUBE_* variables too,
 * and --vm-driver's old MINIKUBE_VM_DRIVER), else docker; both set and different is refused.
 */
function resolveDriver(text: (n: string) => string, env: Environment): string {
  const fromInput = oneOf(text, 'driver', DRIVERS, '')
  for (const name of ['MINIKUBE_DRIVER', 'MINIKUBE_VM_DRIVER']) {
    const value = (env[name] ?? '').trim()
    if (value === '') continue
    if (!DRIVERS.includes(value)) {
      throw new InputError(
        'driver',
        `is taken from ${name} in the environment, which must be one of ${DRIVERS.map(d => `"${d}"`).join(', ')}`,
        value
      )
    }
    if (fromInput !== '' && fromInput !== value) {
      throw new InputError(
        'driver',
        `is "${fromInput}" but ${name}="${value}" in the environment asks minikube for another driver: set one of them`
      )
    }
    return value
  }
  return fromInput || 'docker'
}

function oneOf(
  text: (n: string) => string,
  name: string,
  allowed: string[],
  fallback: string
): string {
  const value = text(name)
  if (value === '') return fallback
  if (!allowed.includes(value)) {
    throw new InputError(name, `must be one of ${allowed.map(a => `"${a}"`).join(', ')}`, value)
  }
  return value
}

function integer(
  text: (n: string) => string,
  name: string,
  min: number,
  max: number,
  fallback: number
): number {
  const value = text(name)
  if (value === '') return fallback
  const n = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new InputError(name, `must be an integer from ${min} to ${max}`, value)
  }
  return n
}

function boolean(text: (n: string) => string, name: string, fallback: boolean): boolean {
  const value = text(name)
  if (value === '') return fallback
  // The same spellings as core.getBooleanInput (YAML 1.2 core schema).
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new InputError(name, 'must be true or false', value)
}

/** Seconds, as {@link parseDuration} reads them (every input duration uses that syntax). */
export function parseDurationSeconds(value: string): number | undefined {
  const ms = parseDuration(value)
  return ms === undefined ? undefined : ms / 1000
}

/** One duration input's range and its message; `off`: 0 is allowed too (turns it off). */
interface DurationRule {
  minMs: number
  maxMs: number
  off: boolean
  expected: string
}

const HOURS_6 = 6 * 3_600_000
const TIMEOUT: DurationRule = {
  minMs: 1000,
  maxMs: HOURS_6,
  off: false,
  expected: 'must be a duration from 1s to 6h, like 90, 90s, 2m or 1m30s'
}
// 0 turns these off; a wait under a second (`10ms`) is surely a slip for something longer.
const QUEUE: DurationRule = {
  minMs: 1000,
  maxMs: HOURS_6,
  off: true,
  expected: 'must be a duration from 0 to 6h, like 0, 90s, 10m or 1m30s'
}
const WINDOW: DurationRule = {
  minMs: 1000,
  maxMs: 3_600_000,
  off: true,
  expected: 'must be a duration from 0 (off) to 1h, like 10s, 30s or 2m'
}

function duration(
  text: (n: string) => string,
  name: string,
  fallbackMs: number,
  rule: DurationRule
): number {
  const value = text(name)
  if (value === '') return fallbackMs
  const ms = parseDuration(value)
  if (ms !== undefined && ((ms >= rule.minMs && ms <= rule.maxMs) || (rule.off && ms === 0))) {
    return ms
  }
  throw new InputError(name, rule.expected, value)
}

/** Multiline or comma-separated paths; blank lines and `#` comments ignored. */
export function splitList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map(s => s.trim())
    .filter(s => s !== '' && !s.startsWith('#'))
}
