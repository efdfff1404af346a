// Makes loaded or generated manifests ready for this run: the built image, the namespace, run
// labels, and a NodePort Service for the Deployment (the `kubectl expose` step) when none exists.

import { InputError } from '../errors.js'
import { checkEveryImageUsed, substituteImages, type RunImage } from '../images/substitute.js'
import { exposeService } from './generate.js'
import { sortForApply } from './manifests.js'
import type { Container, Deployment, KubeObject, Service, ServicePort } from './types.js'

export interface PrepareOptions {
  /** The run's images; the first is the one under test (src/images/substitute.ts). */
  images: RunImage[]
  namespace: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  /** The port the app listens on; picks the Service port and names the port to expose. */
  containerPort?: number
  /** Replicas of the Deployment running the image; default: as the manifest says. */
  replicas?: number
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
 * Makes objects ready for this run: the run's images (and the pull policy their delivery needs) in
 * every container using their repositories, the run's namespace, run labels and annotations, `protocol`
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
  const [primary] = options.images
  const used = new Set<string>()
  for (const d of deployments) {
    const podSpec = d.spec.template.spec
    const template = (d.spec.template.metadata ??= {})
    addMetadata(template, options)
    for (const c of [...(podSpec.initContainers ?? []), ...podSpec.containers])
      defaultPortProtocol(c)
    const substituted = substituteImages(podSpec, options.images)
    substituted.used.forEach(r => used.add(r))
    warnings.push(...substituted.notes.map(n => `deployment "${d.metadata.name}", ${n}`))
    if (substituted.used.has(primary.repository)) target ??= d
  }
  if (!target) {
    throw new InputError(
      'manifests',
      `must run the built image: no Deployment has a container with image "${primary.repository}" (any tag)`
    )
  }
  checkEveryImageUsed(options.images, used)
  if (options.replicas !== undefined) target.spec.replicas = options.replicas

  const services = objects.filter(o => o.kind === 'Service') as Service[]
  for (const s of services) for (const p of s.spec?.ports ?? []) p.protocol ??= 'TCP'

  const podLabels = target.spec.template.metadata?.labels ?? {}
  const imageContainer = target.spec.template.spec.containers.find(c => c.image === primary.ref)
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
