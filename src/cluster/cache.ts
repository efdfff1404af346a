// Keys for caching ~/.minikube/cache (the kic base image and the preload tarball), which is what
// makes a second `minikube start` on a fresh runner take seconds instead of minutes.

export interface CacheKeyParts {
  os: string
  arch: string
  minikubeVersion: string
  kubernetesVersion: string
  /** The preload tarball is per container runtime. */
  runtime: string
  driver: string
}

export function minikubeCacheKey(p: CacheKeyParts): { key: string; restoreKeys: string[] } {
  const prefix = `minikube-smoke-v1-${p.os}-${p.arch}-minikube-${p.minikubeVersion}`
  const key = `${prefix}-k8s-${p.kubernetesVersion || 'default'}-${p.runtime}-${p.driver}`
  // A cache from another Kubernetes version still holds the kic base image.
  return { key, restoreKeys: [`${prefix}-`] }
}

/** Parses `minikube version --short` (`v1.37.0`) or `minikube version` output. */
export function parseMinikubeVersion(output: string): string {
  const m = /v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(output)
  return m ? m[1] : 'unknown'
}
