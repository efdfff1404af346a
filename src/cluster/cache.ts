// What of minikube's download cache ($MINIKUBE_HOME/.minikube/cache) the Actions cache keeps, and
// under which keys: that is what makes `minikube start` on a fresh runner take seconds, not minutes.
// Two entries, each restored by its exact key only, so an old preload (~400 MB a Kubernetes
// version) is never restored into a run that then saves it again beside the new one:
//   - base: the kic base image / VM ISO, fixed by the minikube version and driver;
//   - kubernetes: the preload tarball, fixed by minikube, Kubernetes version, runtime and driver.

import { join } from 'node:path'

export interface CacheKeyParts {
  os: string
  arch: string
  minikubeVersion: string
  kubernetesVersion: string
  runtime: string
  driver: string
}

export interface CacheEntry {
  key: string
  paths: string[]
}

const PREFIX = 'minikube-smoke-v2'

export function minikubeCacheEntries(p: CacheKeyParts, cacheDir: string): CacheEntry[] {
  const head = `${PREFIX}-${p.os}-${p.arch}-minikube-${p.minikubeVersion}`
  return [
    { key: `${head}-base-${p.driver}`, paths: [join(cacheDir, 'kic'), join(cacheDir, 'iso')] },
    {
      key: `${head}-k8s-${kubernetesKeyPart(p.kubernetesVersion)}-${p.runtime}-${p.driver}`,
      paths: [join(cacheDir, 'preloaded-tarball')]
    }
  ]
}

/** `v1.31.0` and `1.31.0` are one version; empty and `stable` are minikube's default. */
export function kubernetesKeyPart(version: string): string {
  const v = version.trim().toLowerCase()
  if (v === '' || v === 'stable') return 'default'
  return v.replace(/^v(?=\d)/, '')
}

/**
 * minikube's directory, as localpath.MiniPath() finds it: $MINIKUBE_HOME if its last element is
 * `.minikube`, else $MINIKUBE_HOME/.minikube, else ~/.minikube.
 */
export function minikubeDir(
  env: Readonly<Record<string, string | undefined>>,
  home: string
): string {
  const configured = env.MINIKUBE_HOME ?? ''
  if (configured === '') return join(home, '.minikube')
  return configured
    .replace(/[\\/]+$/, '')
    .split(/[\\/]/)
    .pop() === '.minikube'
    ? configured
    : join(configured, '.minikube')
}

/** Parses `minikube version --short` (`v1.38.1`) or `minikube version` output. */
export function parseMinikubeVersion(output: string): string {
  const m = /v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(output)
  return m ? m[1] : 'unknown'
}
