// Everything that depends on the API server's version, in one place, keyed by the version read
// once per run (`/version`). The local test cluster runs 1.20; GitHub's runners run 1.28–1.35.

export interface ServerVersion {
  major: number
  minor: number
  /** e.g. `v1.20.2`, `v1.35.0`. */
  gitVersion: string
}

/** Parses the `/version` answer; managed clusters write minors like `31+`. */
export function parseServerVersion(info: {
  major?: string
  minor?: string
  gitVersion?: string
}): ServerVersion {
  const major = Number.parseInt(info.major ?? '', 10)
  const minor = Number.parseInt(info.minor ?? '', 10)
  const fromGit = /^v?(\d+)\.(\d+)/.exec(info.gitVersion ?? '')
  return {
    major: Number.isFinite(major) ? major : Number(fromGit?.[1] ?? 1),
    minor: Number.isFinite(minor) ? minor : Number(fromGit?.[2] ?? 0),
    gitVersion: info.gitVersion ?? `v${info.major}.${info.minor}`
  }
}

export interface ServerQuirks {
  /**
   * The server rejects unknown and duplicate fields itself when asked (`fieldValidation=Strict`,
   * 1.25+). Older servers are checked against their own OpenAPI schema first, as kubectl did.
   */
  strictFieldValidation: boolean
  /** Init containers with `restartPolicy: Always` run as sidecars (on by default from 1.29). */
  nativeSidecars: boolean
}

export function quirks(v: ServerVersion): ServerQuirks {
  const atLeast = (minor: number) => v.major > 1 || (v.major === 1 && v.minor >= minor)
  return { strictFieldValidation: atLeast(25), nativeSidecars: atLeast(29) }
}

/** API versions that come and go with Kubernetes versions, for a hint when one is not served. */
const API_LIFETIMES: ReadonlyArray<{
  apiVersion: string
  kinds: string[]
  since?: number
  removedIn?: number
}> = [
  { apiVersion: 'policy/v1', kinds: ['PodDisruptionBudget'], since: 21 },
  { apiVersion: 'policy/v1beta1', kinds: ['PodDisruptionBudget'], removedIn: 25 },
  { apiVersion: 'autoscaling/v2', kinds: ['HorizontalPodAutoscaler'], since: 23 },
  { apiVersion: 'autoscaling/v2beta2', kinds: ['HorizontalPodAutoscaler'], removedIn: 26 },
  { apiVersion: 'batch/v1', kinds: ['CronJob'], since: 21 },
  { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], removedIn: 25 },
  { apiVersion: 'discovery.k8s.io/v1', kinds: ['EndpointSlice'], since: 21 },
  { apiVersion: 'networking.k8s.io/v1beta1', kinds: ['Ingress', 'IngressClass'], removedIn: 22 },
  { apiVersion: 'extensions/v1beta1', kinds: ['Ingress'], removedIn: 22 }
]

/** `(policy/v1 needs Kubernetes 1.21 or later)`, or '' when nothing is known about it. */
export function apiVersionHint(apiVersion: string, kind: string, v: ServerVersion): string {
  const entry = API_LIFETIMES.find(e => e.apiVersion === apiVersion && e.kinds.includes(kind))
  if (!entry) return ''
  if (entry.since && v.minor < entry.since) {
    return ` (${apiVersion} ${kind} needs Kubernetes 1.${entry.since} or later)`
  }
  if (entry.removedIn && v.minor >= entry.removedIn) {
    return ` (${apiVersion} ${kind} was removed in Kubernetes 1.${entry.removedIn})`
  }
  return ''
}

/** A hint for an unknown field that exists only in newer servers. */
export function fieldHint(path: string, q: ServerQuirks): string {
  if (!q.nativeSidecars && /initContainers\[\d+\]\.restartPolicy$/.test(path)) {
    return ' (init containers with restartPolicy: Always — native sidecars — need Kubernetes 1.29 or later)'
  }
  return ''
}
