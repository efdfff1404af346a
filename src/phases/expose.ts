// The expose phase: the URL the smoke checks request, from a port-forward (url-mode:
// port-forward) or the target Service's NodePort on the cluster's host.

import type { ClusterSession } from '../cluster/types.js'
import { startPortForward } from '../expose/port-forward.js'
import { nodeInternalIP, nodePortUrl } from '../kube/index.js'
import type { Run, Trail } from './run.js'
import type { Validated } from './validate.js'

export async function expose(
  run: Run,
  cluster: ClusterSession,
  valid: Validated,
  trail: Trail
): Promise<string> {
  const { config, deps, state, report, namespace } = run
  const { log } = deps
  const target = valid.prepared.target
  if (config.deploy.urlMode === 'port-forward') {
    const forward = await startPortForward(deps.processes, {
      kubectl: run.forwardKubectl,
      context: state.value.kube?.context,
      kubeconfig: state.value.kube?.kubeconfig,
      namespace,
      service: target.service,
      port: target.port,
      log: line => log.info(line),
      warn: line => log.warning(line),
      onStarted: record => state.update({ portForward: record })
    })
    trail.forward = forward
    report.url = forward.url
    log.info(`service "${target.service}" answers at ${forward.url} (port-forward)`)
    return forward.url
  }
  const host =
    config.deploy.urlHost || (await cluster.urlHost()) || (await nodeInternalIP(valid.kube))
  const u = await nodePortUrl(valid.kube, namespace, target.service, host, target.port)
  report.url = u.url
  report.nodePort = u.nodePort
  log.info(`service "${target.service}" answers at ${u.url}`)
  return u.url
}
