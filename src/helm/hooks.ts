// Helm hooks as `helm install` runs them: which rendered objects are hooks, of which event, and in
// which order. Pure functions over the rendered objects.

import type { KubeObject } from '../kube/types.js'

export const HOOK = 'helm.sh/hook'
export const HOOK_WEIGHT = 'helm.sh/hook-weight'
export const HOOK_DELETE_POLICY = 'helm.sh/hook-delete-policy'

export interface ChartObjects<T = KubeObject> {
  /** The release's objects: the same road as manifests. */
  release: T[]
  /** Run before the release's objects, in order, each waited for. */
  preInstall: T[]
  /** Run after every workload is ready, in order. */
  postInstall: T[]
  /** `helm test` pods. */
  tests: T[]
  /** Hooks of events an install does not have (upgrade, rollback, delete): logged, not run. */
  skipped: Array<{ item: T; events: string[] }>
}

export function hookEvents(o: KubeObject): string[] {
  const value = o.metadata.annotations?.[HOOK]
  if (!value) return []
  return value
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)
}

/** Splits rendered objects into the release and its hooks; hooks sorted as Helm sorts them. */
export function splitHooks(objects: readonly KubeObject[]): ChartObjects {
  return splitBy(objects, o => o)
}

/** splitHooks over anything that carries an object (e.g. the typed, prepared objects). */
export function splitBy<T>(
  items: readonly T[],
  objectOf: (item: T) => KubeObject
): ChartObjects<T> {
  const out: ChartObjects<T> = {
    release: [],
    preInstall: [],
    postInstall: [],
    tests: [],
    skipped: []
  }
  for (const item of items) {
    const events = hookEvents(objectOf(item))
    if (events.length === 0) out.release.push(item)
    else if (events.includes('pre-install')) out.preInstall.push(item)
    else if (events.includes('post-install')) out.postInstall.push(item)
    // `test-success` is Helm 2's name, still accepted by Helm 3.
    else if (events.includes('test') || events.includes('test-success')) out.tests.push(item)
    else out.skipped.push({ item, events })
  }
  const sort = (list: T[]) => {
    const order = sortHooks(list.map(objectOf))
    return [...list].sort((a, b) => order.indexOf(objectOf(a)) - order.indexOf(objectOf(b)))
  }
  out.preInstall = sort(out.preInstall)
  out.postInstall = sort(out.postInstall)
  out.tests = sort(out.tests)
  return out
}

/** Helm's order: by weight, then by kind (its install order), then by name. */
export function sortHooks(hooks: readonly KubeObject[]): KubeObject[] {
  return [...hooks].sort(
    (a, b) =>
      weight(a) - weight(b) ||
      kindRank(a.kind) - kindRank(b.kind) ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')
  )
}

export function weight(o: KubeObject): number {
  const n = Number.parseInt(o.metadata.annotations?.[HOOK_WEIGHT] ?? '0', 10)
  return Number.isFinite(n) ? n : 0
}

/** `hook-succeeded`, `hook-failed`, `before-hook-creation` (the default when none is given). */
export function deletePolicies(o: KubeObject): string[] {
  const value = o.metadata.annotations?.[HOOK_DELETE_POLICY]
  if (!value) return ['before-hook-creation']
  return value
    .split(',')
    .map(s => s.trim())
    .filter(Boolean)
}

// Helm's own knowledge, kept as data: its InstallOrder (pkg/release/util/kind_sorter.go), which
// sorts hooks of one weight. Not the kind registry's apply ranks (src/kube/kinds.ts): a chart's
// hooks run in the order Helm gives them, whatever this action would choose. Kinds not in it go last.
const INSTALL_ORDER = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService'
]

function kindRank(kind: string): number {
  const i = INSTALL_ORDER.indexOf(kind)
  return i < 0 ? INSTALL_ORDER.length : i
}
