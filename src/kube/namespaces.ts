// The manifests' own namespaces, mapped onto the run's. A deploy folder may hold Namespace objects
// and `metadata.namespace` on every object (written by hand, or by kustomize's `namespace:`). The
// run never creates, changes or deletes those namespaces: each one the manifests name maps to a
// namespace of the run — the smoke target's (else the first named) to the run's namespace, every
// other to `<run namespace>-<its name>` — or all of them into the `namespace` input when it is
// given. Objects that name none go with the run's namespace. Everything that names a namespace
// follows the mapping: metadata.namespace, the ServiceAccount subjects of (Cluster)RoleBindings,
// and a Namespace object's labels and annotations, which land on its run namespace (Pod Security
// labels). The Namespace objects themselves are not applied.

import { InputError } from '../errors.js'
import { groupOf, isNamespaceObject, kindOf } from './kinds.js'
import { toDns1123Label } from './names.js'
import type { Typed } from './validate.js'

export interface RunNamespace {
  name: string
  /** The manifests' namespaces that map here, in the order they are first named. */
  from: string[]
  /** From the manifests' Namespace objects that map here. */
  labels: Record<string, string>
  annotations: Record<string, string>
}

export interface NamespacePlan {
  /** The run's namespaces; the first is the run's namespace (the `namespace` output). */
  namespaces: RunNamespace[]
  /** A namespace the manifests name → the run's namespace it maps to. */
  map: ReadonlyMap<string, string>
  /** The one log line showing the mapping; '' when the manifests name no namespace. */
  line: string
  warnings: string[]
}

export interface PlanOptions {
  /** The run's namespace: the `namespace` input, or `smoke-<run key>`. */
  namespace: string
  /** The `namespace` input was given: every namespace maps into it. */
  given: boolean
  /** The namespace the smoke target's manifest names: it maps to the run's namespace. */
  primary?: string
}

/** Labels a namespace carries about itself (set by the API server from 1.21): never carried over. */
const OWN_NAME_LABEL = 'kubernetes.io/metadata.name'

/** The mapping, from the parsed objects (each with its served type, for its scope). */
export function planNamespaces(objects: readonly Typed[], options: PlanOptions): NamespacePlan {
  const named: string[] = []
  const name = (ns: string | undefined) => {
    if (ns && !named.includes(ns)) named.push(ns)
  }
  for (const t of objects) {
    if (isNamespaceObject(t.object)) name(t.object.metadata.name)
    else if (t.type.namespaced) name(t.object.metadata.namespace)
  }
  const primary = options.primary && named.includes(options.primary) ? options.primary : named[0]
  const ordered = primary ? [primary, ...named.filter(n => n !== primary)] : []

  const runNamespaces: RunNamespace[] = [
    { name: options.namespace, from: [], labels: {}, annotations: {} }
  ]
  const map = new Map<string, string>()
  for (const declared of ordered) {
    const target =
      options.given || declared === primary
        ? runNamespaces[0]
        : addNamespace(runNamespaces, otherName(options.namespace, declared, runNamespaces))
    target.from.push(declared)
    map.set(declared, target.name)
  }

  const warnings: string[] = []
  // The primary's Namespace first: its labels win where several map into one namespace.
  const namespaceObjects = objects
    .filter(t => isNamespaceObject(t.object))
    .sort(
      (a, b) => ordered.indexOf(a.object.metadata.name!) - ordered.indexOf(b.object.metadata.name!)
    )
  for (const t of namespaceObjects) {
    const target = runNamespaces.find(r => r.name === map.get(t.object.metadata.name!))!
    const { labels = {}, annotations = {} } = t.object.metadata
    const carry = (what: 'label' | 'annotation', from: Record<string, string>) => {
      const into = what === 'label' ? target.labels : target.annotations
      for (const [key, value] of Object.entries(from)) {
        if (what === 'label' && key === OWN_NAME_LABEL) continue
        if (key in into && into[key] !== value) {
          warnings.push(
            `namespace "${target.name}": ${what} ${key}=${value} of Namespace "${t.object.metadata.name}" ignored: another Namespace mapped here sets ${key}=${into[key]}`
          )
          continue
        }
        into[key] = value
      }
    }
    carry('label', labels)
    carry('annotation', annotations)
  }
  return { namespaces: runNamespaces, map, line: mappingLine(ordered, map, options), warnings }
}

/**
 * The objects as the run applies them: Namespace objects left out (their labels are on the run's
 * namespaces), every namespaced object in its run namespace, ServiceAccount subjects moved with
 * their ServiceAccounts. Throws when two objects would land on one name in one namespace.
 */
export function mapNamespaces(objects: readonly Typed[], plan: NamespacePlan): Typed[] {
  const primary = plan.namespaces[0].name
  const runNamespaceOf = (declared: string | undefined) =>
    (declared && plan.map.get(declared)) || primary
  const out: Typed[] = objects
    .filter(t => !isNamespaceObject(t.object))
    .map(t => ({ object: structuredClone(t.object), type: t.type }))

  // Namespaced objects of the manifests by group, kind and name (the first of a name): a field
  // naming one (kinds.ts `namespaceRefs`: a binding's ServiceAccount subject) follows it.
  const key = (group: string, kind: string, name: string) => `${group}/${kind}/${name}`
  const runNamespaceOfObject = new Map<string, string>()
  for (const { object: o, type } of objects) {
    const k = key(groupOf(o.apiVersion), o.kind, o.metadata.name!)
    if (type.namespaced && !runNamespaceOfObject.has(k))
      runNamespaceOfObject.set(k, runNamespaceOf(o.metadata.namespace))
  }
  for (const { object: o, type } of out) {
    if (type.namespaced) o.metadata.namespace = runNamespaceOf(o.metadata.namespace)
    else delete o.metadata.namespace
    for (const ref of kindOf(o, type).namespaceRefs?.(o) ?? []) {
      const moved =
        (ref.at.namespace && plan.map.get(ref.at.namespace)) ||
        runNamespaceOfObject.get(key(ref.group, ref.kind, ref.name))
      if (moved) ref.at.namespace = moved
    }
  }
  checkNoCollision(objects, out)
  return out
}

function addNamespace(list: RunNamespace[], name: string): RunNamespace {
  const added = { name, from: [], labels: {}, annotations: {} }
  list.push(added)
  return added
}

/** `<run namespace>-<declared>`, at most 63 characters, distinct from the others. */
function otherName(run: string, declared: string, taken: readonly RunNamespace[]): string {
  const base = toDns1123Label(`${run}-${declared}`)
  let candidate = base
  for (let n = 2; taken.some(t => t.name === candidate); n++) {
    candidate = `${base.slice(0, 62 - String(n).length).replace(/-+$/, '')}-${n}`
  }
  return candidate
}

function mappingLine(
  ordered: readonly string[],
  map: ReadonlyMap<string, string>,
  options: PlanOptions
): string {
  if (ordered.length === 0) return ''
  const pairs = ordered.map(n => `${n} → ${map.get(n)}`).join(', ')
  const given = options.given ? ` (all into the namespace input "${options.namespace}")` : ''
  return `namespaces: ${pairs}${given}; the manifests' own namespaces are never created, changed or deleted`
}

function checkNoCollision(input: readonly Typed[], mapped: readonly Typed[]): void {
  const declared = input
    .filter(t => !isNamespaceObject(t.object))
    .map(t =>
      t.object.metadata.namespace ? `namespace "${t.object.metadata.namespace}"` : 'no namespace'
    )
  const seen = new Map<string, string>()
  const problems: string[] = []
  mapped.forEach((t, i) => {
    if (!t.type.namespaced) return
    const o = t.object
    const key = `${t.type.group}/${o.kind}/${o.metadata.namespace}/${o.metadata.name}`
    const before = seen.get(key)
    if (before === undefined) seen.set(key, declared[i])
    else
      problems.push(
        `${o.kind} "${o.metadata.name}" of ${before} and of ${declared[i]} would both be in namespace "${o.metadata.namespace}"`
      )
  })
  if (problems.length) {
    throw new InputError(
      'manifests',
      `must not hold two objects that land on one name in one namespace: ${problems.join('; ')}`
    )
  }
}
