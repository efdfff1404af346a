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
import type { CommandRunner } from '../effects.js'
import type { KubePort } from '../kube/api.js'
import type { Typed } from '../kube/validate.js'
import type { RunReport } from '../report/types.js'
import type { SecretRegistry } from '../secrets.js'
import { writeClusterFiles, type BundleCluster } from './bundle-files.js'
import {
  collectModel,
  DEFAULT_BUNDLE_BYTES,
  LOG_MAX_BYTES,
  readObjects,
  WHOLE_LOGS
} from './collect.js'
import type { DiagnosticsModel, LiveObject, ObjectRef } from './model.js'
import { objectsYaml } from './render.js'
import { BoundedDirectory, type WrittenFile } from './writer.js'

export { DEFAULT_BUNDLE_BYTES, LOG_MAX_BYTES }
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
  /**
   * What the failure's diagnostics already read (collectDiagnostics' `model`, per namespace): the
   * bundle renders it rather than reading the cluster again.
   */
  collected?: readonly DiagnosticsModel[]
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
    await writeClusterFiles(out, await clusterFor(input, input.cluster), errors, deps.secrets)
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

/**
 * The model to render: the one the failure's diagnostics collected for the bundle, or (a passing
 * run's bundle) one collected now; objects it does not hold (another namespace's) are read.
 */
async function clusterFor(
  input: BundleInput,
  cluster: NonNullable<BundleInput['cluster']>
): Promise<BundleCluster> {
  const { kube, namespace, podSelector } = cluster
  const refs: ObjectRef[] = input.applied.map(t => ({
    apiVersion: t.object.apiVersion,
    kind: t.object.kind,
    name: t.object.metadata.name!,
    namespace: t.object.metadata.namespace,
    type: t.type
  }))
  const collected = input.collected ?? []
  const model = collected.find(
    m => m.namespace === namespace && m.podSelector === podSelector && 'wholeUpTo' in m.logMode
  )
  if (!model) {
    const fresh = await collectModel(kube, namespace, {
      objects: refs,
      podSelector,
      replicaSets: false,
      logs: WHOLE_LOGS
    })
    return { model: fresh, objects: fresh.objects }
  }
  const key = (r: ObjectRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}`
  const known = new Map<string, LiveObject>()
  for (const live of collected.flatMap(m => m.objects)) known.set(key(live.ref), live)
  const read = new Map(
    (
      await readObjects(
        kube,
        refs.filter(r => !known.has(key(r)))
      )
    ).map(l => [key(l.ref), l])
  )
  return { model, objects: refs.map(r => known.get(key(r)) ?? read.get(key(r))!) }
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
