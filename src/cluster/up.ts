// Brings up the cluster the inputs ask for and records, before each step that creates something,
// what teardown will need.

import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Config } from '../inputs.js'
import type { CommandRunner, Logger } from '../ports.js'
import type { StateRecorder } from '../state.js'
import type { CachePort } from '../system.js'
import { minikubeCacheKey, parseMinikubeVersion } from './cache.js'
import { resolveMinikube, type Platform, type ToolCachePort } from './install.js'
import { Minikube } from './minikube.js'
import type { ClusterSession } from './types.js'

export interface ClusterDeps {
  runner: CommandRunner
  log: Logger
  state: StateRecorder
  platform: Platform
  toolCache: () => Promise<ToolCachePort>
  cache: () => Promise<CachePort>
}

export async function upCluster(config: Config, deps: ClusterDeps): Promise<ClusterSession> {
  if (config.cluster.kind === 'existing') {
    deps.log.info(
      'cluster: existing — using the current kubeconfig context and the local Docker engine'
    )
    deps.state.update({ cluster: { kind: 'existing', deleteCluster: false } })
    return { kind: 'existing', dockerEnv: async () => ({}), urlHost: async () => undefined }
  }

  const c = config.cluster
  const binary = await resolveMinikube(
    await deps.toolCache(),
    { version: c.minikubeVersion, sha256: c.minikubeSha256 },
    deps.platform,
    line => deps.log.info(line)
  )
  const version =
    binary.version ??
    parseMinikubeVersion(
      (await deps.runner.run(binary.path, ['version', '--short'], { timeoutMs: 30_000 })).stdout
    )
  deps.log.info(`minikube ${version} at ${binary.path}`)

  const minikube = new Minikube(deps.runner, deps.log, {
    minikube: binary.path,
    profile: c.profile,
    driver: c.driver,
    kubernetesVersion: c.kubernetesVersion,
    startArgs: c.startArgs,
    startTimeoutMs: c.startTimeoutMs
  })
  const base = {
    kind: 'minikube' as const,
    minikube: binary.path,
    profile: c.profile,
    deleteCluster: config.teardown.deleteCluster
  }

  const { prior, nodes } = await minikube.up(async priorState => {
    deps.state.update({ cluster: { ...base, prior: priorState } })
    if (c.cache) await restoreCache(config, version, deps)
  })
  if (prior === 'running') deps.state.update({ cluster: { ...base, prior } })
  deps.state.update({ kubeContext: c.profile })

  const runtime = c.containerRuntime
  deps.log.info(`container runtime: ${runtime}, ${nodes} node${nodes === 1 ? '' : 's'}`)
  return minikube.session({ nodes, runtime })
}

/** Restores ~/.minikube/cache before a start; the post step saves it when this was a miss. */
async function restoreCache(
  config: Config,
  minikubeVersion: string,
  deps: ClusterDeps
): Promise<void> {
  const cache = await deps.cache()
  if (!cache.available()) {
    deps.log.info(
      'cache: the Actions cache service is not available here; skipping ~/.minikube/cache'
    )
    return
  }
  const paths = [join(homedir(), '.minikube', 'cache')]
  const { key, restoreKeys } = minikubeCacheKey({
    os: deps.platform.os,
    arch: deps.platform.arch,
    minikubeVersion,
    kubernetesVersion: config.cluster.kubernetesVersion,
    runtime: config.cluster.containerRuntime,
    driver: config.cluster.driver
  })
  try {
    const matched = await cache.restore(paths, key, restoreKeys)
    deps.log.info(matched ? `cache: restored ${matched}` : `cache: no entry for ${key}`)
    deps.state.update({ cache: { key, paths, hit: matched === key } })
  } catch (err) {
    deps.log.warning(`cache: restore failed, starting without it: ${(err as Error).message}`)
  }
}
