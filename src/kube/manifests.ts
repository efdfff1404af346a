// User manifests: read from the workspace, parsed like kubectl parses them, and checked to be
// Kubernetes objects of the kinds a run may apply. Pure apart from reading the files.

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { defineScalarTag, loadAll, YAML11_SCHEMA, YAMLException } from 'js-yaml'
import { InputError } from '../errors.js'
import type { KubeObject } from './types.js'

/** Kinds a run may apply, in the order they are applied (what others reference comes first). */
export const APPLY_ORDER: ReadonlyArray<{ kind: string; apiVersion: string }> = [
  { kind: 'ServiceAccount', apiVersion: 'v1' },
  { kind: 'Secret', apiVersion: 'v1' },
  { kind: 'ConfigMap', apiVersion: 'v1' },
  { kind: 'PersistentVolumeClaim', apiVersion: 'v1' },
  { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1' },
  { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1' },
  { kind: 'Service', apiVersion: 'v1' },
  { kind: 'Deployment', apiVersion: 'apps/v1' }
]

const CLUSTER_SCOPED = new Set([
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'Node',
  'PodSecurityPolicy'
])
const OTHER_WORKLOADS = new Set([
  'Pod',
  'ReplicaSet',
  'ReplicationController',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob'
])

// Like kubectl (sigs.k8s.io/yaml over go-yaml v2): YAML 1.1, so `defaultMode: 0644` is octal and
// `<<` merges work, but timestamps stay strings instead of becoming Dates.
const SCHEMA = YAML11_SCHEMA.withTags(
  defineScalarTag('tag:yaml.org,2002:timestamp', {
    implicit: false,
    resolve: source => source,
    identify: () => false
  })
)

/** One problem with one document, e.g. `k8s/app.yaml document 2: missing "kind"`. */
function problem(source: string, index: string, reason: string): string {
  return `${source} document ${index}: ${reason}`
}

/**
 * Parses multi-document YAML (or JSON) into Kubernetes objects. `kind: List` is flattened. Every
 * document that is not a supported Kubernetes object is reported, all at once, with its index.
 */
export function parseManifests(text: string, source: string): KubeObject[] {
  let documents: unknown[]
  try {
    documents = loadAll(text, { schema: SCHEMA })
  } catch (err) {
    if (err instanceof YAMLException) {
      const at = err.mark ? ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}` : ''
      throw manifestError([`${source}: invalid YAML${at}: ${err.reason}`])
    }
    throw err
  }
  const problems: string[] = []
  const objects: KubeObject[] = []
  documents.forEach((doc, i) => {
    if (doc === null || doc === undefined) return // an empty document, e.g. a trailing `---`
    const index = String(i + 1)
    const top = asObject(doc)
    if (top?.kind === 'List' && Array.isArray(top.items)) {
      top.items.forEach((item, j) =>
        check(item, `${index} (List item ${j + 1})`, source, problems, objects)
      )
    } else {
      check(doc, index, source, problems, objects)
    }
  })
  if (problems.length > 0) throw manifestError(problems)
  return objects
}

/** Reads and parses the files from resolveManifestPaths; `workspace` shortens names in messages. */
export function loadManifests(paths: readonly string[], workspace?: string): KubeObject[] {
  const objects: KubeObject[] = []
  const problems: string[] = []
  for (const file of paths) {
    const source = workspace ? path.relative(workspace, file) || file : file
    try {
      objects.push(...parseManifests(readFileSync(file, 'utf8'), source))
    } catch (err) {
      if (!(err instanceof InputError)) throw err
      problems.push(...((err as ManifestInputError).problems ?? [err.message]))
    }
  }
  const seen = new Map<string, number>()
  for (const o of objects) {
    const key = `${o.kind} "${o.metadata.name}"`
    seen.set(key, (seen.get(key) ?? 0) + 1)
  }
  for (const [key, count] of seen) {
    if (count > 1) problems.push(`${key} is defined ${count} times`)
  }
  if (problems.length > 0) throw manifestError(problems)
  if (objects.length === 0) {
    throw new InputError('manifests', 'must contain at least one Kubernetes object')
  }
  return objects
}

interface ManifestInputError extends InputError {
  problems?: string[]
}

function manifestError(problems: string[]): InputError {
  const err: ManifestInputError = new InputError(
    'manifests',
    `must be valid YAML holding supported Kubernetes objects:\n  ${problems.join('\n  ')}`
  )
  err.problems = problems
  return err
}

function check(
  doc: unknown,
  index: string,
  source: string,
  problems: string[],
  objects: KubeObject[]
): void {
  const reason = whyNotSupported(doc)
  if (reason) problems.push(problem(source, index, reason))
  else objects.push(doc as KubeObject)
}

function whyNotSupported(doc: unknown): string | undefined {
  const o = asObject(doc)
  if (!o) {
    return `is not a Kubernetes object (it is ${Array.isArray(doc) ? 'a list' : `a ${typeof doc}`})`
  }
  const missing = ['apiVersion', 'kind'].filter(k => typeof o[k] !== 'string' || o[k] === '')
  if (missing.length > 0) {
    return `is not a Kubernetes object: missing ${missing.map(k => `"${k}"`).join(' and ')}`
  }
  const kind = o.kind as string
  const apiVersion = o.apiVersion as string
  const meta = asObject(o.metadata)
  const name = meta?.name
  const what = typeof name === 'string' ? `${kind} "${name}"` : kind
  if (kind === 'Namespace') {
    return `${what} is not supported: the namespace is chosen by the action (input 'namespace')`
  }
  if (CLUSTER_SCOPED.has(kind)) {
    return `${what} is not supported: it is cluster-scoped and would outlive the run's namespace`
  }
  if (OTHER_WORKLOADS.has(kind)) {
    return `${what} is not supported: only Deployments are rolled out and waited for`
  }
  const known = APPLY_ORDER.find(k => k.kind === kind)
  if (!known) {
    const kinds = APPLY_ORDER.map(k => k.kind).join(', ')
    return `kind "${kind}" is not supported (supported: ${kinds})`
  }
  if (known.apiVersion !== apiVersion) {
    return `${what} must have apiVersion ${known.apiVersion}, got ${apiVersion}`
  }
  if (typeof name !== 'string' || name === '') {
    return `${kind} has no metadata.name (generateName cannot be applied server-side)`
  }
  if (kind === 'Deployment') {
    const spec = asObject(o.spec)
    const podSpec = asObject(asObject(spec?.template)?.spec)
    const containers = podSpec?.containers
    if (!Array.isArray(containers) || containers.length === 0) {
      return `${what} has no spec.template.spec.containers`
    }
    if (!asObject(spec?.selector)) return `${what} has no spec.selector`
    if (containers.some(c => typeof asObject(c)?.name !== 'string')) {
      return `${what} has a container without a name`
    }
  }
  return undefined
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/** Stable sort by APPLY_ORDER. */
export function sortForApply<T extends KubeObject>(objects: readonly T[]): T[] {
  const rank = (o: KubeObject) => {
    const i = APPLY_ORDER.findIndex(k => k.kind === o.kind)
    return i < 0 ? APPLY_ORDER.length : i
  }
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
    .map(x => x.o)
}
