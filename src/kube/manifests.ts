// Manifests: loaded from the workspace or generated, then prepared for this run (built image,
// namespace, run labels, a NodePort Service). Pure apart from reading the files.

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { defineScalarTag, loadAll, YAML11_SCHEMA, YAMLException } from 'js-yaml'
import { InputError } from '../errors.js'
import { containerNameFor, sameRepository } from './image-ref.js'
import { isDns1123Label } from './names.js'
import type { Container, Deployment, KubeObject, Service, ServicePort } from './types.js'

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

export interface GenerateOptions {
  /** Deployment, Service and `app` label value. */
  name: string
  image: string
  containerPort: number
  replicas: number
  /** Path the readiness probe requests, e.g. `/` or `/healthz`. */
  smokePath: string
}

/**
 * What `kubectl create deployment NAME --image=IMAGE` and `kubectl expose deployment NAME
 * --type=NodePort --port=PORT` make, plus replicas, the container port, a readiness probe on the
 * smoke path and `imagePullPolicy: Never` (the image is built into the cluster's Docker).
 */
export function generateManifests(options: GenerateOptions): [Deployment, Service] {
  if (!isDns1123Label(options.name)) {
    throw new InputError(
      'image',
      'must give a name usable for the Deployment (lowercase letters, digits and "-")',
      options.name
    )
  }
  const labels = { app: options.name }
  const path = options.smokePath.startsWith('/') ? options.smokePath : `/${options.smokePath}`
  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: options.name, labels: { ...labels } },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          containers: [
            {
              name: containerNameFor(options.image) || options.name,
              image: options.image,
              imagePullPolicy: 'Never',
              ports: [{ containerPort: options.containerPort, protocol: 'TCP' }],
              // A short period: the default 10 s would add up to 10 s to every rollout.
              readinessProbe: {
                httpGet: { path, port: options.containerPort },
                periodSeconds: 1,
                timeoutSeconds: 1,
                failureThreshold: 3
              }
            }
          ]
        }
      }
    }
  }
  return [deployment, exposeService(options.name, labels, options.containerPort)]
}

/** The Service `kubectl expose deployment NAME --type=NodePort --port=PORT` creates. */
function exposeService(name: string, selector: Record<string, string>, port: number): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: { ...selector } },
    spec: {
      type: 'NodePort',
      selector: { ...selector },
      // protocol is required: server-side apply on 1.20 rejects ports without it (HTTP 500).
      ports: [{ port, targetPort: port, protocol: 'TCP' }]
    }
  }
}

export interface PrepareOptions {
  /** The built image's repository (any tag matches), e.g. `weather-service`. */
  imageRepository: string
  /** The built image, e.g. `weather-service:smoke-42-1`. */
  imageRef: string
  namespace: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  /** The port the app listens on; picks the Service port and names the port to expose. */
  containerPort?: number
}

export interface PreparedManifests {
  /** Ready to apply, in dependency order. */
  objects: KubeObject[]
  /** Every Deployment, to wait for. */
  deployments: string[]
  /** What the URL is built from: the Deployment running the image and its NodePort Service. */
  target: {
    deployment: string
    service: string
    /** The Service port (its `port`, not the nodePort, which the server assigns). */
    port: number
    /** True when the Service was added here (the `kubectl expose` step). */
    serviceCreated: boolean
  }
  /** Things worth a log line, e.g. a namespace in a manifest that was overridden. */
  warnings: string[]
}

/**
 * Makes objects ready for this run: the built image and `imagePullPolicy: Never` on every
 * container using the image repository, the run's namespace, run labels and annotations, `protocol`
 * defaulted on ports, and a NodePort Service for the Deployment when none selects it.
 */
export function prepareManifests(
  input: readonly KubeObject[],
  options: PrepareOptions
): PreparedManifests {
  const objects = input.map(o => structuredClone(o))
  const warnings: string[] = []
  const deployments = objects.filter(o => o.kind === 'Deployment') as Deployment[]
  if (deployments.length === 0) {
    throw new InputError('manifests', 'must contain a Deployment')
  }

  for (const o of objects) {
    const declared = o.metadata.namespace
    if (declared && declared !== options.namespace) {
      warnings.push(
        `${o.kind} "${o.metadata.name}": namespace "${declared}" replaced by "${options.namespace}"`
      )
    }
    o.metadata.namespace = options.namespace
    addMetadata(o.metadata, options)
  }

  let target: Deployment | undefined
  for (const d of deployments) {
    const podSpec = d.spec.template.spec
    const template = (d.spec.template.metadata ??= {})
    addMetadata(template, options)
    let uses = false
    for (const c of [...(podSpec.initContainers ?? []), ...podSpec.containers]) {
      defaultPortProtocol(c)
      if (c.image && sameRepository(c.image, options.imageRepository)) {
        c.image = options.imageRef
        c.imagePullPolicy = 'Never'
        uses = true
      }
    }
    if (uses) target ??= d
  }
  if (!target) {
    throw new InputError(
      'manifests',
      `must run the built image: no Deployment has a container with image "${options.imageRepository}" (any tag)`
    )
  }

  const services = objects.filter(o => o.kind === 'Service') as Service[]
  for (const s of services) for (const p of s.spec?.ports ?? []) p.protocol ??= 'TCP'

  const podLabels = target.spec.template.metadata?.labels ?? {}
  const imageContainer = target.spec.template.spec.containers.find(
    c => c.image === options.imageRef
  )
  let service = services.find(s => s.spec?.type === 'NodePort' && selects(s, podLabels))
  let port: number | undefined
  let serviceCreated = false
  if (service) {
    port = pickServicePort(service.spec?.ports ?? [], imageContainer, options.containerPort)
  } else {
    port = options.containerPort ?? imageContainer?.ports?.[0]?.containerPort
    if (port === undefined) {
      throw new InputError(
        'container-port',
        `must be set: deployment "${target.metadata.name}" declares no container port to expose`
      )
    }
    const taken = new Set(services.map(s => s.metadata.name))
    const name = taken.has(target.metadata.name)
      ? `${target.metadata.name}-nodeport`
      : target.metadata.name!
    const selector = target.spec.selector.matchLabels ?? podLabels
    service = exposeService(name, selector, port)
    service.metadata.namespace = options.namespace
    addMetadata(service.metadata, options)
    objects.push(service)
    serviceCreated = true
    warnings.push(
      `no NodePort Service selects deployment "${target.metadata.name}": exposing it as service "${name}" (port ${port})`
    )
  }

  return {
    objects: sortForApply(objects),
    deployments: deployments.map(d => d.metadata.name!),
    target: {
      deployment: target.metadata.name!,
      service: service.metadata.name!,
      port,
      serviceCreated
    },
    warnings
  }
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

function addMetadata(
  meta: { labels?: Record<string, string>; annotations?: Record<string, string> },
  options: PrepareOptions
): void {
  if (options.labels && Object.keys(options.labels).length > 0) {
    meta.labels = { ...meta.labels, ...options.labels }
  }
  if (options.annotations && Object.keys(options.annotations).length > 0) {
    meta.annotations = { ...meta.annotations, ...options.annotations }
  }
}

function defaultPortProtocol(c: Container): void {
  // Keyed by (containerPort, protocol) in server-side apply. 1.20 defaults this key for container
  // ports but not for Service ports (HTTP 500 there); set both the same way.
  for (const p of c.ports ?? []) p.protocol ??= 'TCP'
}

/** A Service selects pods when its (non-empty) selector is a subset of their labels. */
function selects(service: Service, podLabels: Record<string, string>): boolean {
  const selector = service.spec?.selector
  if (!selector || Object.keys(selector).length === 0) return false
  return Object.entries(selector).every(([k, v]) => podLabels[k] === v)
}

function pickServicePort(
  ports: ServicePort[],
  container: Container | undefined,
  containerPort: number | undefined
): number {
  if (containerPort !== undefined) {
    const named = container?.ports?.find(p => p.containerPort === containerPort)?.name
    const match = ports.find(
      p =>
        (p.targetPort ?? p.port) === containerPort ||
        (named !== undefined && p.targetPort === named)
    )
    if (match) return match.port
  }
  return ports[0]?.port ?? containerPort ?? 80
}
