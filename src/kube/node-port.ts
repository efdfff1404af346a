// The URL a NodePort Service answers on: http://<node address>:<nodePort>.

import { PhaseError } from '../errors.js'
import { Resources } from './kinds.js'
import type { KubePort } from './api.js'
import { condition } from './status/verdict.js'
import type { Node, Service } from './types.js'

export interface ServiceUrl {
  url: string
  nodePort: number
  host: string
}

/** `http://host:nodePort` for the Service's port (by port number; default: its first port). */
export async function nodePortUrl(
  kube: KubePort,
  namespace: string,
  serviceName: string,
  host: string,
  port?: number
): Promise<ServiceUrl> {
  const service = await kube.get<Service>(Resources.Service, serviceName, namespace)
  if (!service) {
    throw new PhaseError(`services "${serviceName}" not found in namespace "${namespace}"`)
  }
  return serviceUrl(service, host, port)
}

/** The pure part of nodePortUrl. */
export function serviceUrl(service: Service, host: string, port?: number): ServiceUrl {
  const name = service.metadata.name
  const ports = service.spec?.ports ?? []
  const chosen = port === undefined ? ports[0] : ports.find(p => p.port === port)
  if (!chosen) {
    throw new PhaseError(
      `service "${name}" has no port ${port ?? ''}`.trimEnd() +
        (ports.length ? ` (ports: ${ports.map(p => p.port).join(', ')})` : '')
    )
  }
  if (!chosen.nodePort) {
    throw new PhaseError(
      `service "${name}" is of type ${service.spec?.type ?? 'ClusterIP'}: port ${chosen.port} has no nodePort`
    )
  }
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  return { url: `http://${bracketed}:${chosen.nodePort}`, nodePort: chosen.nodePort, host }
}

/**
 * The InternalIP of a Ready node (the first one, by name), for `cluster: existing`. Only builds
 * the URL: callers that must reach the service from elsewhere override it with `url-host`.
 */
export async function nodeInternalIP(kube: KubePort): Promise<string> {
  const nodes = (await kube.list<Node>(Resources.Node)).items.sort((a, b) =>
    (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')
  )
  const withIp = nodes
    .map(n => ({ n, ip: n.status?.addresses?.find(a => a.type === 'InternalIP')?.address }))
    .filter((x): x is { n: Node; ip: string } => Boolean(x.ip))
  const ready = withIp.find(x => condition(x.n.status?.conditions, 'Ready')?.status === 'True')
  const pick = ready ?? withIp[0]
  if (!pick) {
    throw new PhaseError(
      nodes.length === 0
        ? 'the cluster has no nodes'
        : "no node reports an InternalIP address: set the 'url-host' input"
    )
  }
  return pick.ip
}
