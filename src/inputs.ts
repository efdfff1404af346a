// Reads and validates every action input into one typed Config. Pure: it sees only strings
// (the inputs and the GITHUB_* run facts), so every bad value is reported before anything starts.

import { parseArgList } from './argv.js'
import { InputError } from './errors.js'
import { runKey } from './kube/names.js'
import { parseSmokeChecks, type SmokeCheck } from './smoke/index.js'

export type ClusterKind = 'minikube' | 'existing'
export type TeardownMode = 'always' | 'on-success' | 'never'
export type RolloutCheck = 'none' | 'update'
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
    cache: boolean
    startTimeoutMs: number
  }
  build: {
    /** Paths as given, relative to the workspace; preflight resolves and checks them. */
    context: string
    dockerfile: string
    /** Repository name, e.g. `weather-service`. */
    image: string
    tag: string
    buildArgs: Array<[string, string]>
    buildTimeoutMs: number
  }
  deploy: {
    manifests: string[]
    /** Empty: a namespace per run, created and deleted by this action. */
    namespace: string
    /** Undefined: 1 for generated manifests, as written for yours. */
    replicas: number | undefined
    containerPort: number
    rolloutTimeoutMs: number
    rolloutCheck: RolloutCheck
    urlHost: string
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
// Flags the action sets itself: passing them in start-args too would be ambiguous.
const OWNED_START_FLAGS: Record<string, string> = {
  '--driver': "use the 'driver' input instead",
  '--vm-driver': "use the 'driver' input instead",
  '--kubernetes-version': "use the 'kubernetes-version' input instead",
  '--profile': "use the 'profile' input instead",
  '-p': "use the 'profile' input instead",
  '--container-runtime':
    'the image is built through `minikube docker-env`, which needs the default docker runtime'
}

export function parseInputs(input: InputReader, run: RunFacts): Config {
  const text = (name: string): string => input(name).trim()

  const kind = oneOf(text, 'cluster', ['minikube', 'existing'], 'minikube') as ClusterKind

  const minikubeVersion = text('minikube-version').replace(/^v/, '')
  if (minikubeVersion !== '' && !/^\d+\.\d+\.\d+$/.test(minikubeVersion)) {
    throw new InputError(
      'minikube-version',
      'must be a version like 1.37.0, or empty',
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

  const driver = oneOf(text, 'driver', DRIVERS, 'docker')
  const profile = text('profile') || 'minikube'
  if (!isDnsLabel(profile)) {
    throw new InputError(
      'profile',
      'must be lowercase letters, digits and "-" (at most 63)',
      profile
    )
  }

  let startArgs: string[]
  try {
    startArgs = parseArgList(input('start-args'))
  } catch (err) {
    throw new InputError('start-args', (err as Error).message)
  }
  for (const arg of startArgs) {
    const flag = arg.split('=')[0]
    if (flag in OWNED_START_FLAGS) {
      throw new InputError('start-args', `must not set ${flag}: ${OWNED_START_FLAGS[flag]}`)
    }
  }

  const context = text('context') || 'weather-service'
  const dockerfile = text('dockerfile')
  const image = text('image') || 'weather-service'
  if (!isImageRepository(image)) {
    throw new InputError(
      'image',
      'must be an image repository name without a tag (lowercase, e.g. "weather-service" or "ghcr.io/org/app")',
      image
    )
  }
  const tag = text('tag') || defaultTag(run)
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
    throw new InputError(
      'tag',
      'must be a Docker tag: letters, digits, "_", "." and "-", at most 128, not starting with "." or "-"',
      tag
    )
  }
  const buildArgs = parseBuildArgs(input('build-args'))

  const manifests = splitList(input('manifests'))
  const namespace = text('namespace')
  if (namespace !== '' && !isDnsLabel(namespace)) {
    throw new InputError(
      'namespace',
      'must be a valid namespace name (RFC 1123 label: lowercase letters, digits and "-", at most 63)',
      namespace
    )
  }
  const replicas = text('replicas') === '' ? undefined : integer(text, 'replicas', 1, 50, 1)
  const containerPort = integer(text, 'container-port', 1, 65535, 5000)
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

  const checks = parseSmokeChecks({
    checksYaml: input('smoke-checks'),
    smokePath: text('smoke-path'),
    expectStatus: text('expect-status')
  })

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
      minikubeVersion,
      minikubeSha256,
      kubernetesVersion,
      driver,
      profile,
      startArgs,
      cache: boolean(text, 'cache', true),
      startTimeoutMs: duration(text, 'start-timeout', 900)
    },
    build: {
      context,
      dockerfile,
      image,
      tag,
      buildArgs,
      buildTimeoutMs: duration(text, 'build-timeout', 1800)
    },
    deploy: {
      manifests,
      namespace,
      replicas,
      containerPort,
      rolloutTimeoutMs: duration(text, 'rollout-timeout', 180),
      rolloutCheck,
      urlHost
    },
    smoke: { checks, timeoutMs: duration(text, 'smoke-timeout', 60) },
    teardown: { mode, deleteCluster: boolean(text, 'delete-cluster', true) },
    diagnostics: { upload },
    run
  }
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

const MAX_SECONDS = 6 * 3600

/** Seconds as `90`, `90s`, `2m`, `1m30s` or `1h`; returns milliseconds. */
export function parseDurationSeconds(value: string): number | undefined {
  if (/^\d+$/.test(value)) return Number(value)
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value)
  if (!m || value === '') return undefined
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)
}

function duration(text: (n: string) => string, name: string, fallbackSeconds: number): number {
  const value = text(name)
  if (value === '') return fallbackSeconds * 1000
  const seconds = parseDurationSeconds(value)
  if (seconds === undefined || seconds < 1 || seconds > MAX_SECONDS) {
    throw new InputError(name, 'must be a duration from 1s to 6h, like 90, 90s, 2m or 1m30s', value)
  }
  return seconds * 1000
}

/** Multiline or comma-separated paths; blank lines and `#` comments ignored. */
export function splitList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map(s => s.trim())
    .filter(s => s !== '' && !s.startsWith('#'))
}

export function parseBuildArgs(value: string): Array<[string, string]> {
  const args: Array<[string, string]> = []
  const lines = value.split('\n')
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    const key = eq < 0 ? line : line.slice(0, eq)
    if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new InputError(
        'build-args',
        `line ${index + 1} must be KEY=VALUE with KEY made of letters, digits and "_"`,
        line
      )
    }
    args.push([key, line.slice(eq + 1)])
  }
  return args
}

export function isDnsLabel(value: string): boolean {
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(value)
}

/** A Docker repository: optional registry host[:port], then lowercase path components. */
export function isImageRepository(value: string): boolean {
  if (value.length > 255) return false
  const parts = value.split('/')
  let first = 0
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0])) {
    if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(parts[0])) return false
    first = 1
  }
  const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
  return parts.length > first && parts.slice(first).every(p => component.test(p))
}
