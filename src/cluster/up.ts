// Brings up the cluster the inputs ask for and records, before each step that creates something,
// what teardown will need.

import { homedir } from 'node:os'
import { join } from 'node:path'
import type { Config } from '../inputs.js'
import type { CommandRunner, Logger } from '../effects.js'
import type { StateRecorder } from '../state.js'
import type { CachePort } from '../system.js'
import { minikubeCacheEntries, minikubeDir, parseMinikubeVersion } from './cache.js'
import { resolveMinikube, type Platform, type ToolCachePort } from './install.js'
import { Minikube } from './minikube.js'
import { checkProfileMatches } from './profile.js'
import type { ClusterSession } from './types.js'

export interface ClusterDeps {
  runner: CommandRunner
  log: Logger
  state: StateRecorder
  platform: Platform
  toolCache: () => Promise<ToolCachePort>
  cache: () => Promise<CachePort>
  /** The environment minikube will see (MINIKUBE_HOME, MINIKUBE_* flags). */
  env?: Readonly<Record<string, string | undefined>>
  home?: string
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
  const env = deps.env ?? {}
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
    startTimeoutMs: c.startTimeoutMs,
    env
  })
  const base = {
    kind: 'minikube' as const,
    minikube: binary.path,
    profile: c.profile,
    deleteCluster: config.teardown.deleteCluster
  }

  // An existing profile keeps its driver and runtime: check them before anything is started.
  const before = await minikube.status()
  let driver = c.driver
  if (before.state !== 'absent') {
    const facts = await minikube.profileFacts()
    if (facts) {
      checkProfileMatches(c.profile, facts, {
        driver: c.driver,
        containerRuntime: c.containerRuntime
      })
      driver = facts.driver
    } else {
      deps.log.warning(
        `could not read the driver and runtime of profile "${c.profile}" from "minikube profile list"; assuming the inputs' (driver ${c.driver})`
      )
    }
  }

  const { prior, nodes } = await minikube.up(before, async priorState => {
    deps.state.update({ cluster: { ...base, prior: priorState } })
    if (c.cache) await restoreCache(config, version, deps)
  })
  if (prior === 'running') deps.state.update({ cluster: { ...base, prior } })
  deps.state.update({ kube: { context: c.profile } })

  const runtime = c.containerRuntime
  deps.log.info(`container runtime: ${runtime}, ${nodes} node${nodes === 1 ? '' : 's'}`)
  return minikube.session({ nodes, runtime, driver })
}

/** Restores minikube's download cache before a start; the post step saves the entries that missed. */
async function restoreCache(
  config: Config,
  minikubeVersion: string,
  deps: ClusterDeps
): Promise<void> {
  const cache = await deps.cache()
  const cacheDir = join(minikubeDir(deps.env ?? {}, deps.home ?? homedir()), 'cache')
  if (!cache.available()) {
    deps.log.info(`cache: the Actions cache service is not available here; skipping ${cacheDir}`)
    return
  }
  const entries = minikubeCacheEntries(
    {
      os: deps.platform.os,
      arch: deps.platform.arch,
      minikubeVersion,
      kubernetesVersion: config.cluster.kubernetesVersion,
      runtime: config.cluster.containerRuntime,
      driver: config.cluster.driver
    },
    cacheDir
  )
  const caches: Array<{ key: string; paths: string[]; hit: boolean }> = []
  for (const { key, paths } of entries) {
    try {
      // Exact keys only: a near match would bring back files of another version to be saved again.
      const matched = await cache.restore(paths, key, [])
      deps.log.info(matched ? `cache: restored ${matched}` : `cache: no entry for ${key}`)
      caches.push({ key, paths, hit: matched === key })
    } catch (err) {
      deps.log.warning(
        `cache: restore of ${key} failed, starting without it: ${(err as Error).message}`
      )
      caches.push({ key, paths, hit: false })
    }
  }
  deps.state.update({ caches })
}
