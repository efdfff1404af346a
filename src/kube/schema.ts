// Unknown fields, found against the server's own OpenAPI v2 schema (`/openapi/v2`), the way kubectl
// validated before servers did it themselves (fieldValidation, 1.25+). A typo'd
// `readinesProbe` is an error naming the field, not a probe that silently never runs.

interface SchemaNode {
  $ref?: string
  type?: string
  properties?: Record<string, SchemaNode>
  additionalProperties?: SchemaNode | boolean
  items?: SchemaNode
  'x-kubernetes-preserve-unknown-fields'?: boolean
  'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }>
}

export interface OpenApiV2 {
  definitions?: Record<string, SchemaNode>
}

export interface UnknownField {
  /** e.g. `spec.template.spec.containers[0].imagePullPolcy` */
  path: string
  /** The schema definition that lacks it, e.g. `io.k8s.api.core.v1.Container`. */
  definition: string
  /** A known field of that definition it is probably a typo of. */
  suggestion?: string
}

export class SchemaIndex {
  private readonly byGvk = new Map<string, string>()

  constructor(private readonly doc: OpenApiV2) {
    for (const [name, def] of Object.entries(doc.definitions ?? {})) {
      for (const g of def['x-kubernetes-group-version-kind'] ?? []) {
        this.byGvk.set(`${g.group}/${g.version}/${g.kind}`, name)
      }
    }
  }

  /** Whether the schema knows the kind at all (a CRD created by this run is not in it yet). */
  knows(apiVersion: string, kind: string): boolean {
    return this.byGvk.has(gvkKey(apiVersion, kind))
  }

  /** Every field of the object the schema does not declare. */
  unknownFields(object: { apiVersion: string; kind: string }): UnknownField[] {
    const name = this.byGvk.get(gvkKey(object.apiVersion, object.kind))
    if (!name) return []
    const found: UnknownField[] = []
    this.walk(object, { $ref: `#/definitions/${name}` }, '', found, 0)
    return found
  }

  private resolve(node: SchemaNode): { node: SchemaNode; name?: string } {
    let name: string | undefined
    let n = node
    for (let i = 0; n.$ref && i < 20; i++) {
      name = n.$ref.replace(/^#\/definitions\//, '')
      n = this.doc.definitions?.[name] ?? {}
    }
    return { node: n, name }
  }

  private walk(
    value: unknown,
    schemaNode: SchemaNode,
    path: string,
    found: UnknownField[],
    depth: number
  ): void {
    if (depth > 64 || value === null || typeof value !== 'object') return
    const { node, name } = this.resolve(schemaNode)
    if (node['x-kubernetes-preserve-unknown-fields']) return
    if (Array.isArray(value)) {
      if (node.items)
        value.forEach((v, i) => this.walk(v, node.items!, `${path}[${i}]`, found, depth + 1))
      return
    }
    const entries = Object.entries(value as Record<string, unknown>)
    if (node.properties) {
      for (const [key, v] of entries) {
        const child = `${path ? `${path}.` : ''}${key}`
        const prop = node.properties[key]
        if (prop) this.walk(v, prop, child, found, depth + 1)
        else if (typeof node.additionalProperties === 'object') {
          this.walk(v, node.additionalProperties, child, found, depth + 1)
        } else if (node.additionalProperties !== true) {
          found.push({
            path: child,
            definition: name ?? 'object',
            ...optional('suggestion', closest(key, Object.keys(node.properties)))
          })
        }
      }
    } else if (typeof node.additionalProperties === 'object') {
      for (const [key, v] of entries) {
        this.walk(v, node.additionalProperties, `${path}[${JSON.stringify(key)}]`, found, depth + 1)
      }
    }
    // An object schema without properties is free-form (e.g. RawExtension): anything goes.
  }
}

function gvkKey(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/')
  const group = slash < 0 ? '' : apiVersion.slice(0, slash)
  return `${group}/${apiVersion.slice(slash + 1)}/${kind}`
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>)
}

/** The known name within edit distance 2 (case-insensitive), if exactly one is closest. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const k of known) {
    const d = distance(word.toLowerCase(), k.toLowerCase())
    if (d < bestDistance) {
      best = k
      bestDistance = d
    }
  }
  return best
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length]
}
