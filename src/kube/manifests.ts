// User manifests: parsed like kubectl parses them, checked to be Kubernetes objects, each
// remembered with the document it came from so later errors can name it. Any kind is accepted
// here; whether the server serves it is checked against API discovery once a cluster is up.

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { defineScalarTag, loadAll, YAML11_SCHEMA, YAMLException } from 'js-yaml'
import { InputError } from '../errors.js'
import { isListDocument, podTemplatePath } from './kinds.js'
import type { KubeObject } from './types.js'

// Like kubectl (sigs.k8s.io/yaml over go-yaml v2): YAML 1.1, so `defaultMode: 0644` is octal and
// `<<` merges work, but timestamps stay strings instead of becoming Dates. Duplicate keys are an
// error (js-yaml's default), as they are for kubectl.
const SCHEMA = YAML11_SCHEMA.withTags(
  defineScalarTag('tag:yaml.org,2002:timestamp', {
    implicit: false,
    resolve: source => source,
    identify: () => false
  })
)

const sources = new WeakMap<KubeObject, string>()

/** Where an object was read from, e.g. `k8s/app.yaml document 2`; '' when unknown. */
export function sourceOf(object: KubeObject): string {
  return sources.get(object) ?? ''
}

/** `k8s/app.yaml document 2: Deployment "web"`, or `Deployment "web"`. */
export function describeObject(object: KubeObject): string {
  const source = sourceOf(object)
  const what = `${object.kind} "${object.metadata.name}"`
  return source ? `${source}: ${what}` : what
}

/**
 * Parses multi-document YAML (or JSON) into Kubernetes objects. `kind: List` is flattened. Every
 * document that is not a Kubernetes object the action can apply is reported, all at once.
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
  const take = (doc: unknown, where: string) => {
    const reason = whyNotApplicable(doc)
    if (reason) problems.push(`${where}: ${reason}`)
    else {
      sources.set(doc as KubeObject, where)
      objects.push(doc as KubeObject)
    }
  }
  documents.forEach((doc, i) => {
    if (doc === null || doc === undefined) return // an empty document, e.g. a trailing `---`
    const where = `${source} document ${i + 1}`
    const top = asObject(doc)
    if (top && isListDocument(top)) {
      top.items.forEach((item, j) => take(item, `${where} (List item ${j + 1})`))
    } else {
      take(doc, where)
    }
  })
  if (problems.length > 0) throw manifestError(problems)
  return objects
}

/** Reads and parses manifest files; `workspace` shortens names in messages. */
export function loadManifestFiles(paths: readonly string[], workspace?: string): KubeObject[] {
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
  if (problems.length > 0) throw manifestError(problems)
  return objects
}

/**
 * The whole set the run applies: at least one object, none defined twice (same kind, name and
 * declared namespace; two that land in one run namespace are namespaces.ts's to find).
 */
export function checkManifestSet(objects: readonly KubeObject[]): void {
  if (objects.length === 0) {
    throw new InputError('manifests', 'must contain at least one Kubernetes object')
  }
  const seen = new Map<string, number>()
  for (const o of objects) {
    const ns = o.metadata.namespace
    const key = `${o.kind} "${o.metadata.name}"${ns ? ` in namespace "${ns}"` : ''}`
    seen.set(key, (seen.get(key) ?? 0) + 1)
  }
  const problems = [...seen]
    .filter(([, n]) => n > 1)
    .map(([key, n]) => `${key} is defined ${n} times`)
  if (problems.length > 0) throw manifestError(problems)
}

interface ManifestInputError extends InputError {
  problems?: string[]
}

export function manifestError(problems: string[]): InputError {
  const err: ManifestInputError = new InputError(
    'manifests',
    problems.length === 1
      ? `must hold Kubernetes objects the action can apply: ${problems[0]}`
      : `must hold Kubernetes objects the action can apply:\n  ${problems.join('\n  ')}`
  )
  err.problems = problems
  return err
}

function whyNotApplicable(doc: unknown): string | undefined {
  const o = asObject(doc)
  if (!o) {
    return `is not a Kubernetes object (it is ${Array.isArray(doc) ? 'a list' : `a ${typeof doc}`})`
  }
  const missing = ['apiVersion', 'kind'].filter(k => typeof o[k] !== 'string' || o[k] === '')
  if (missing.length > 0) {
    return `is not a Kubernetes object: missing ${missing.map(k => `"${k}"`).join(' and ')}`
  }
  const kind = o.kind as string
  const name = asObject(o.metadata)?.name
  const what = typeof name === 'string' ? `${kind} "${name}"` : kind
  if (typeof name !== 'string' || name === '') {
    return `${kind} has no metadata.name (generateName cannot be applied server-side)`
  }
  const podSpec = podSpecOf(o)
  const { declared } = podTemplatePath(o)
  if (declared && !podSpec) return `${what} has no pod template`
  if (podSpec && declared) {
    const containers = podSpec.containers
    if (!Array.isArray(containers) || containers.length === 0) {
      return `${what} has no containers in its pod template`
    }
    if (containers.some(c => typeof asObject(c)?.name !== 'string')) {
      return `${what} has a container without a name`
    }
  }
  return undefined
}

/**
 * The pod template (`metadata`, `spec`) of anything that makes pods, where its kind's registry
 * entry says it is (a Pod is its own), or `spec.template` of a custom kind shaped like a
 * Deployment (one holding containers).
 */
export function podTemplateOf(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const { path, declared } = podTemplatePath(o)
  const template = path.reduce<Record<string, unknown> | undefined>(
    (at, field) => asObject(at?.[field]),
    o
  )
  const spec = asObject(template?.spec)
  return spec && (declared || Array.isArray(spec.containers)) ? template : undefined
}

/** The pod spec of its pod template (see podTemplateOf). */
export function podSpecOf(o: Record<string, unknown>): Record<string, unknown> | undefined {
  return asObject(podTemplateOf(o)?.spec)
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}
