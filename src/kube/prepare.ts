// Makes the manifests ready for this run: the run's images, run labels, and the target to
// smoke-test — a workload and the Service in front of it, exposed as a NodePort (the `kubectl
// expose` step) when it is not one already. Namespaces are namespaces.ts's job, after this.

import { InputError } from '../errors.js'
import { checkEveryImageUsed, substituteImages, type RunImage } from '../images/substitute.js'
import { exposeService } from './generate.js'
import { podSpecOf, podTemplateOf } from './manifests.js'
import { frontsPods, kindOf, podTemplatePath, Resources, smokeTargetKinds } from './kinds.js'
import type { Typed } from './validate.js'
import type { Container, KubeObject, PodSpec, Service, ServicePort } from './types.js'

export type { RunImage }

export interface PrepareOptions {
  images: readonly RunImage[]
  labels?: Record<string, string>
  annotations?: Record<string, string>
  /** The port the app listens on; default: what its container declares (else 5000). */
  containerPort?: number
  /** Replicas of the target workload; default: as the manifest says. */
  replicas?: number
  /** The Service to smoke-test (input `service`); default: the one in front of the target. */
  service?: string
  /** Keep a ClusterIP target Service as it is (the URL comes from a port-forward). */
  exposeAsNodePort?: boolean
}

export interface PreparedManifests {
  /** Ready to apply, each with its resource. */
  objects: Typed[]
  target: {
    /** `Deployment/web`: the workload behind the Service. */
    workload: { kind: string; name: string }
    /** The namespace its manifest names, if any (the run's namespace is mapped from it). */
    namespace?: string
    /** The Service whose URL is smoke-tested (a NodePort unless exposeAsNodePort is false). */
    service: string
    /** The Service port (its `port`, not the nodePort, which the server assigns). */
    port: number
    /** Set when the Service was added here (the `kubectl expose` step), with why. */
    exposed?: string
    /** Why this target, for the log. */
    why: string
  }
  /** Lines worth a warning. */
  warnings: string[]
}

export const DEFAULT_CONTAINER_PORT = 5000

export function prepareManifests(
  input: readonly Typed[],
  options: PrepareOptions
): PreparedManifests {
  const objects: Typed[] = input.map(t => ({ object: structuredClone(t.object), type: t.type }))
  const warnings: string[] = []

  for (const { object: o } of objects) addMetadata(o.metadata, options)

  const used = new Set<string>()
  for (const { object: o } of objects) {
    const podSpec = podSpecOf(o) as PodSpec | undefined
    if (!podSpec) continue
    const template = templateMetaOf(o)
    if (template) addMetadata(template, options)
    for (const c of [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])]) {
      defaultPortProtocol(c)
    }
    const substituted = substituteImages(podSpec, options.images)
    substituted.used.forEach(r => used.add(r))
    warnings.push(
      ...substituted.notes.map(n => `${o.kind.toLowerCase()} "${o.metadata.name}", ${n}`)
    )
  }
  checkEveryImageUsed(options.images, used)

  const services = objects.filter(t => frontsPods(t.object)).map(t => t.object as Service)
  for (const s of services) for (const p of s.spec?.ports ?? []) p.protocol ??= 'TCP'

  const target = chooseTarget(objects, services, options)
  if (target.add) {
    // With its workload: namespaces.ts moves both into the same run namespace.
    if (target.workload.metadata.namespace)
      target.add.metadata.namespace = target.workload.metadata.namespace
    addMetadata(target.add.metadata, options)
    objects.push({ object: target.add, type: Resources.Service })
  }
  if (options.replicas !== undefined) {
    const spec = target.workload.spec as { replicas?: number }
    spec.replicas = options.replicas
  }
  return {
    objects,
    target: {
      workload: { kind: target.workload.kind, name: target.workload.metadata.name! },
      ...(target.workload.metadata.namespace
        ? { namespace: target.workload.metadata.namespace }
        : {}),
      service: target.service,
      port: target.port,
      ...(target.exposed ? { exposed: target.exposed } : {}),
      why: target.why
    },
    warnings
  }
}

interface Choice {
  workload: KubeObject
  service: string
  port: number
  add?: Service
  exposed?: string
  why: string
}

/** How its kind ranks as the smoke target: preferred (Deployment), a candidate, or not one. */
function smokeTargetOf(o: KubeObject): 'preferred' | 'candidate' | undefined {
  return kindOf(o).smokeTarget
}

function chooseTarget(objects: Typed[], services: Service[], options: PrepareOptions): Choice {
  const workloads = objects.map(t => t.object).filter(o => smokeTargetOf(o))
  // The image under test is the first of the run's; any of them makes a workload a candidate.
  const runsImage = (o: KubeObject, images = options.images) =>
    allContainers(o).some(c => images.some(i => c.image === i.ref))
  const runsPrimary = (o: KubeObject) => runsImage(o, options.images.slice(0, 1))
  const toNodePort = options.exposeAsNodePort !== false
  const preferred = (o: KubeObject) => smokeTargetOf(o) === 'preferred'

  if (options.service) {
    const svc = services.find(s => s.metadata.name === options.service)
    if (!svc) {
      const names = services.map(s => `"${s.metadata.name}"`).join(', ')
      throw new InputError(
        'service',
        `must name a Service of the manifests (they have ${names || 'none'})`,
        options.service
      )
    }
    const workload =
      workloads.find(w => selects(svc, w) && runsImage(w)) ?? workloads.find(w => selects(svc, w))
    if (!workload) {
      throw new InputError(
        'service',
        `names Service "${svc.metadata.name}", which selects no ${smokeTargetKinds()} of the manifests`
      )
    }
    return useService(svc, workload, 'named by the service input', services, options, toNodePort)
  }

  const workload =
    workloads.find(w => preferred(w) && runsPrimary(w)) ??
    workloads.find(w => runsPrimary(w)) ??
    workloads.find(w => preferred(w) && runsImage(w)) ??
    workloads.find(w => runsImage(w)) ??
    workloads[0]
  if (!workload) {
    throw new InputError(
      'manifests',
      `must contain a ${smokeTargetKinds()} to smoke-test (or name its Service with the 'service' input)`
    )
  }
  const why = runsImage(workload)
    ? `the first ${workload.kind} running the run's image`
    : `the first ${workload.kind} of the manifests`
  const selecting = services.filter(s => selects(s, workload))
  const svc = (toNodePort && selecting.find(s => s.spec?.type === 'NodePort')) || selecting[0]
  if (svc) return useService(svc, workload, `it selects ${why}`, services, options, toNodePort)

  const port = containerPortOf(workload, options)
  const name = freeName(workload.metadata.name!, services)
  const add = exposeService(name, selectorOf(workload), port, toNodePort ? 'NodePort' : 'ClusterIP')
  return {
    workload,
    service: name,
    port,
    add,
    exposed: `no Service selects ${workload.kind.toLowerCase()} "${workload.metadata.name}": exposing it as service "${name}" (port ${port})`,
    why
  }
}

function useService(
  svc: Service,
  workload: KubeObject,
  why: string,
  services: Service[],
  options: PrepareOptions,
  toNodePort: boolean
): Choice {
  const name = svc.metadata.name!
  const ports = svc.spec?.ports ?? []
  const port = pickServicePort(ports, imageContainer(workload, options), options.containerPort)
  if (!toNodePort || svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer') {
    return { workload, service: name, port, why: `service "${name}": ${why}` }
  }
  // `kubectl expose service NAME --type=NodePort`: the same selector and ports, as a NodePort.
  const exposedName = freeName(`${name}-nodeport`, services)
  const add = exposeService(exposedName, { ...svc.spec?.selector }, port, 'NodePort')
  add.spec!.ports = ports.map(p => ({ ...p, nodePort: undefined, protocol: p.protocol ?? 'TCP' }))
  return {
    workload,
    service: exposedName,
    port,
    add,
    exposed: `service "${name}" is of type ${svc.spec?.type ?? 'ClusterIP'}: exposing it as NodePort service "${exposedName}"`,
    why: `service "${name}": ${why}`
  }
}

/** The port to expose: the input when set, else what the container declares, else 5000. */
function containerPortOf(workload: KubeObject, options: PrepareOptions): number {
  return (
    options.containerPort ??
    imageContainer(workload, options)?.ports?.[0]?.containerPort ??
    allContainers(workload).find(c => c.ports?.length)?.ports?.[0]?.containerPort ??
    DEFAULT_CONTAINER_PORT
  )
}

function pickServicePort(
  ports: ServicePort[],
  container: Container | undefined,
  containerPort: number | undefined
): number {
  const wanted = containerPort ?? container?.ports?.[0]?.containerPort
  if (wanted !== undefined) {
    const named = container?.ports?.find(p => p.containerPort === wanted)?.name
    const match = ports.find(
      p => (p.targetPort ?? p.port) === wanted || (named !== undefined && p.targetPort === named)
    )
    if (match) return match.port
  }
  return ports[0]?.port ?? wanted ?? DEFAULT_CONTAINER_PORT
}

function imageContainer(workload: KubeObject, options: PrepareOptions): Container | undefined {
  const containers = (podSpecOf(workload) as PodSpec | undefined)?.containers ?? []
  return containers.find(c => options.images.some(i => c.image === i.ref)) ?? containers[0]
}

function allContainers(o: KubeObject): Container[] {
  const spec = podSpecOf(o) as PodSpec | undefined
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]
}

function templateMetaOf(
  o: KubeObject
): { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined {
  // A Pod is its own template: its metadata already has the labels.
  if (podTemplatePath(o).path.length === 0) return undefined
  const template = podTemplateOf(o)
  if (!template) return undefined
  template.metadata ??= {}
  return template.metadata as { labels?: Record<string, string> }
}

function podLabels(o: KubeObject): Record<string, string> {
  const template = podTemplateOf(o) as
    { metadata?: { labels?: Record<string, string> } } | undefined
  return template?.metadata?.labels ?? {}
}

function selectorOf(o: KubeObject): Record<string, string> {
  const selector = (o.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)
    ?.selector
  return { ...(selector?.matchLabels ?? podLabels(o)) }
}

function freeName(base: string, services: Service[]): string {
  const taken = new Set(services.map(s => s.metadata.name))
  if (!taken.has(base)) return base
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`
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
/** A Service selects pods of its own namespace only (one that names none may be anywhere yet). */
function selects(service: Service, workload: KubeObject): boolean {
  const selector = service.spec?.selector
  if (!selector || Object.keys(selector).length === 0) return false
  const [a, b] = [service.metadata.namespace, workload.metadata.namespace]
  if (a && b && a !== b) return false
  const labels = podLabels(workload)
  return Object.entries(selector).every(([k, v]) => labels[k] === v)
}
