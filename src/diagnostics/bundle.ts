// The diagnostics bundle: one directory holding what a failed run leaves to debug with, bounded in
// size (50 MB by default; what was cut is said in TRUNCATED.txt), every file redacted of secrets.
//
//   README.txt                 what the run was, what failed, the files below
//   report.json                the JSON report          junit.xml   the JUnit file, when there is one
//   error-details.txt          the failure's details (e.g. the build output)
//   diagnostics.txt            the diagnostics the job log shows
//   manifests/applied.yaml     the objects as they were sent to the API server
//   objects/<kind>-<name>.yaml each object of the run as the server has it now
//   pods/<pod>.txt|.yaml       each pod, `kubectl describe`-like and as YAML
//   events.txt|.yaml           the namespace's events, oldest first
//   logs/<pod>/<container>[.previous].log   whole container logs, the previous run after a restart
//   minikube-logs.txt          `minikube logs`, for a minikube cluster
//   errors.txt                 what could not be collected

import { readFile, stat } from 'node:fs/promises'
import { dump } from 'js-yaml'
import type { CommandRunner } from '../ports.js'
import type { KubePort } from '../kube/port.js'
import type { Typed } from '../kube/validate.js'
import type { RunReport } from '../report/types.js'
import type { SecretRegistry } from '../secrets.js'
import { containersWithLogs, readCluster, readWholeLog, type ClusterSnapshot } from './collect.js'
import { describePodText, eventsTable, objectsYaml, objectYaml } from './render.js'
import { BoundedDirectory, safePath, type WrittenFile } from './writer.js'

export const DEFAULT_BUNDLE_BYTES = 50 * 1024 * 1024
/** Per container log and run: a longer one keeps its beginning and its end. */
export const LOG_MAX_BYTES = 10 * 1024 * 1024
const MINIKUBE_LOGS_TIMEOUT_MS = 60_000

export interface BundleInput {
  dir: string
  report: RunReport
  /** The one-line failure ('' when the run passed). */
  failure: string
  runKey: string
  /** Set once the namespace exists (with the cluster to read it from). */
  cluster?: { kube: KubePort; namespace: string; podSelector?: string }
  /** The objects exactly as applied, with their resources. */
  applied: readonly Typed[]
  /** The failure's details (PhaseError.details): the build output, a crash's last lines. */
  errorDetails?: string
  /** The text of the diagnostics log groups. */
  diagnosticsText?: string
  junitPath?: string
  minikube?: { binary: string; profile: string }
}

export interface BundleDeps {
  runner: CommandRunner
  secrets: SecretRegistry
  maxBytes?: number
}

export interface Bundle {
  dir: string
  files: WrittenFile[]
  bytes: number
  /** What was cut or left out to stay within the bound. */
  cuts: string[]
}

/** Writes the bundle; never throws for something it could not collect (errors.txt says it). */
export async function writeDiagnosticsBundle(
  input: BundleInput,
  deps: BundleDeps
): Promise<Bundle> {
  const maxBytes = deps.maxBytes ?? DEFAULT_BUNDLE_BYTES
  const out = new BoundedDirectory(input.dir, maxBytes, t => deps.secrets.redact(t))
  const errors: string[] = []
  const json = (v: unknown) => `${JSON.stringify(deps.secrets.redactDeep(v), null, 2)}\n`

  await out.write('report.json', json(input.report))
  if (input.junitPath && (await exists(input.junitPath))) {
    await out.write('junit.xml', await readFile(input.junitPath, 'utf8'))
  }
  if (input.errorDetails?.trim()) await out.write('error-details.txt', `${input.errorDetails}\n`)
  if (input.diagnosticsText?.trim())
    await out.write('diagnostics.txt', `${input.diagnosticsText}\n`)
  if (input.applied.length) {
    await out.write(
      'manifests/applied.yaml',
      objectsYaml(deps.secrets.redactDeep(input.applied.map(t => t.object)))
    )
  }

  if (input.cluster) {
    const { kube, namespace } = input.cluster
    const snapshot = await readCluster(
      kube,
      namespace,
      input.applied.map(t => ({
        apiVersion: t.object.apiVersion,
        kind: t.object.kind,
        name: t.object.metadata.name!,
        namespace: t.object.metadata.namespace,
        type: t.type
      })),
      {
        podSelector: input.cluster.podSelector
      }
    )
    errors.push(...snapshot.errors)
    await writeCluster(out, snapshot, errors, deps)
    await writeLogs(out, kube, namespace, snapshot, errors)
  }

  if (input.minikube) {
    const { binary, profile } = input.minikube
    const r = await deps.runner.run(binary, ['logs', '-p', profile, '--length=2000'], {
      timeoutMs: MINIKUBE_LOGS_TIMEOUT_MS
    })
    if (r.exitCode === 0) await out.write('minikube-logs.txt', r.stdout, { keep: 'tail' })
    else
      errors.push(
        `minikube logs -p ${profile}: ${r.timedOut ? `no end within ${MINIKUBE_LOGS_TIMEOUT_MS / 1000} s` : `exit code ${r.exitCode}`}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`
      )
  }

  if (errors.length) await out.write('errors.txt', `${errors.join('\n')}\n`)
  if (out.cuts.length) {
    await out.write(
      'TRUNCATED.txt',
      `The bundle is bounded to ${maxBytes} bytes. Cut or left out:\n${out.cuts.map(c => `- ${c}`).join('\n')}\n`,
      { final: true }
    )
  }
  await out.write('README.txt', readme(input, out.files, out.cuts.length > 0), { final: true })
  return { dir: input.dir, files: out.files, bytes: out.bytes, cuts: out.cuts }
}

async function writeCluster(
  out: BoundedDirectory,
  snapshot: ClusterSnapshot,
  errors: string[],
  deps: BundleDeps
): Promise<void> {
  const redactObject = <T>(o: T) => deps.secrets.redactDeep(o)
  for (const live of snapshot.objects) {
    const name = `objects/${live.ref.kind.toLowerCase()}-${live.ref.name}.yaml`
    if (live.object) await out.write(name, objectYaml(redactObject(live.object)))
    else errors.push(`${live.ref.kind.toLowerCase()}/${live.ref.name}: ${live.error}`)
  }
  for (const pod of snapshot.pods) {
    const name = safePath(pod.metadata.name ?? 'pod')
    await out.write(`pods/${name}.txt`, describePodText(pod, snapshot.events))
    await out.write(`pods/${name}.yaml`, objectYaml(redactObject(pod)))
  }
  await out.write('events.txt', eventsTable(snapshot.events))
  await out.write(
    'events.yaml',
    dump(JSON.parse(JSON.stringify(redactObject(snapshot.events))), { lineWidth: -1, noRefs: true })
  )
}

/** Previous runs first (a crash-looping container's reason is there), then the current ones. */
async function writeLogs(
  out: BoundedDirectory,
  kube: KubePort,
  namespace: string,
  snapshot: ClusterSnapshot,
  errors: string[]
): Promise<void> {
  const containers = containersWithLogs(snapshot.pods)
  const wanted = [
    ...containers.filter(c => c.hasPrevious).map(c => ({ c, previous: true })),
    ...containers.filter(c => c.hasCurrent).map(c => ({ c, previous: false }))
  ]
  for (const { c, previous } of wanted) {
    const path = `logs/${c.pod}/${c.container}${previous ? '.previous' : ''}.log`
    try {
      const log = await readWholeLog(kube, namespace, c, previous, LOG_MAX_BYTES)
      await out.write(path, log.text, { keep: 'tail' })
      if (log.cut) out.cuts.push(`${path}: longer than ${LOG_MAX_BYTES} bytes; its middle left out`)
    } catch (err) {
      errors.push(`${path}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
}

function readme(input: BundleInput, files: readonly WrittenFile[], cut: boolean): string {
  const r = input.report
  const lines = [
    `minikube-smoke diagnostics — run ${input.runKey}: ${r.result}`,
    '',
    input.failure ? `Failure: ${input.failure}` : 'The run passed (bundle written on request).',
    `Started: ${r.startedAt}`,
    ...(r.image ? [`Image: ${r.image}`] : []),
    ...(r.namespace ? [`Namespace: ${r.namespace}`] : []),
    '',
    'Files (secrets registered with the run are replaced by ***; Secret values are left out):',
    ...files.map(f => `  ${f.path.padEnd(48)} ${f.bytes} bytes`),
    ...(cut ? ['', 'Some files were cut to stay within the size bound: see TRUNCATED.txt.'] : [])
  ]
  return `${lines.join('\n')}\n`
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
