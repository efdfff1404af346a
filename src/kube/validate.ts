// What is checked against the cluster before anything is written: that the server serves every
// kind and version as written (the version the user wrote is the one applied), and, on servers
// older than 1.25, that no object has a field the server's schema does not declare. Every problem
// of every document is reported at once, each naming its document.

import { PhaseError } from '../errors.js'
import type { Discovery } from './discovery.js'
import { definesKinds, groupOf, versionOf } from './kinds.js'
import { describeObject } from './manifests.js'
import type { ResourceType } from './api.js'
import type { OpenApiV2, SchemaIndex } from './schema.js'
import type { KubeObject } from './types.js'
import { apiVersionHint, fieldHint, type ServerQuirks, type ServerVersion } from './versions.js'

export interface Typed {
  object: KubeObject
  type: ResourceType
}

/**
 * The served resource of every object. Custom resources of a CRD in the same manifests resolve
 * from that CRD (it is applied, and established, before them).
 */
export async function resolveTypes(
  objects: readonly KubeObject[],
  discovery: Discovery,
  version: ServerVersion
): Promise<Typed[]> {
  const fromCrds = crdTypes(objects)
  const problems: string[] = []
  const typed: Typed[] = []
  for (const object of objects) {
    const key = `${object.apiVersion}/${object.kind}`
    const type = (await discovery.resolve(object.apiVersion, object.kind)) ?? fromCrds.get(key)
    if (type) {
      typed.push({ object, type })
      continue
    }
    problems.push(await notServed(object, discovery, version))
  }
  if (problems.length) {
    throw new PhaseError(
      problems.length === 1
        ? `the server does not serve what the manifests use: ${problems[0]}`
        : `the server does not serve what the manifests use:\n  ${problems.join('\n  ')}`
    )
  }
  return typed
}

async function notServed(
  object: KubeObject,
  discovery: Discovery,
  version: ServerVersion
): Promise<string> {
  const group = groupOf(object.apiVersion)
  const served = await discovery.versionsOf(group)
  const where = describeObject(object)
  const server = `this server (${version.gitVersion})`
  if (served.includes(versionOf(object.apiVersion))) {
    const kinds = await discovery.kindsOf(object.apiVersion)
    return `${where}: ${object.apiVersion} on ${server} has no kind ${object.kind} (it serves ${kinds.join(', ') || 'nothing'})`
  }
  const hint = apiVersionHint(object.apiVersion, object.kind, version)
  if (served.length === 0) {
    return `${where}: ${server} does not serve the API group "${group}"${hint} — no CustomResourceDefinition for it is in the cluster or in the manifests`
  }
  const list = served.map(v => (group ? `${group}/${v}` : v)).join(', ')
  return `${where}: ${server} does not serve ${object.apiVersion}; it serves ${list}${hint}`
}

/** The resources the manifests' own CRDs will serve, by `apiVersion/kind`. */
function crdTypes(objects: readonly KubeObject[]): Map<string, ResourceType> {
  const types = new Map<string, ResourceType>()
  for (const crd of objects) {
    if (!definesKinds(crd)) continue
    const spec = crd.spec as
      | {
          group?: string
          scope?: string
          names?: { kind?: string; plural?: string }
          versions?: Array<{ name?: string; served?: boolean }>
        }
      | undefined
    const group = spec?.group
    const kind = spec?.names?.kind
    const plural = spec?.names?.plural
    if (!group || !kind || !plural) continue
    for (const v of spec?.versions ?? []) {
      if (!v.name || v.served === false) continue
      types.set(`${group}/${v.name}/${kind}`, {
        group,
        version: v.name,
        kind,
        plural,
        namespaced: spec?.scope !== 'Cluster'
      })
    }
  }
  return types
}

/**
 * Unknown fields against the server's OpenAPI schema — for servers without strict field
 * validation. Kinds the schema does not know yet (the run's own CRDs) are left to the server.
 */
export function checkFields(
  objects: readonly KubeObject[],
  schema: SchemaIndex,
  q: ServerQuirks
): void {
  const problems: string[] = []
  for (const object of objects) {
    for (const f of schema.unknownFields(object)) {
      const hint = f.suggestion ? ` — did you mean "${f.suggestion}"?` : ''
      problems.push(
        `${describeObject(object)}: unknown field "${f.path}" (${f.definition} has no such field)${hint}${fieldHint(f.path, q)}`
      )
    }
  }
  if (problems.length) {
    throw new PhaseError(
      problems.length === 1
        ? `the manifests do not match the server's schema: ${problems[0]}`
        : `the manifests do not match the server's schema:\n  ${problems.join('\n  ')}`
    )
  }
}

export type { OpenApiV2 }
