// The kind registry: everything the action knows about a Kubernetes kind, in one entry — its
// resource (group, version the action reads it with, plural, scope), where it goes in the apply
// order, how its readiness is judged, whether it makes pods (teardown stops it before deleting
// its pods). Adding a kind is one line. A kind that is not here is still
// applied, recorded and deleted: API discovery supplies its resource and scope, and the generic
// kstatus rule judges it (see kindOf).

import type { ResourceType } from './port.js'
import { crdStatus, genericStatus } from './status/generic.js'
import type { Verdict } from './status/verdict.js'
import {
  daemonSetStatus,
  deploymentStatus,
  jobStatus,
  podStatus,
  replicaSetStatus,
  statefulSetCurrentPods,
  statefulSetStatus
} from './status/workloads.js'
import type { KubeObject, Pod } from './types.js'

/**
 * Apply order: what others need comes first. CRDs (their custom resources are applied last, once
 * established), other cluster-scoped objects, identities and RBAC, configuration and claims,
 * Services (so a pod's environment can see them), workloads, then the rest. Webhook
 * configurations and APIServices are in the rest on purpose: they point at Services of the run,
 * and registered before those run they would intercept (and fail) the run's own requests.
 */
export const Rank = {
  crd: 0,
  cluster: 1,
  rbac: 2,
  config: 3,
  service: 4,
  workload: 5,
  rest: 6
} as const

export type PodOwnership =
  /** Pods belong to the controller's current ReplicaSet (Deployment). */
  | 'replicaset'
  /** Pods carry the workload as their controller owner. */
  | 'owner'
  /** The object is the pod. */
  | 'self'

export interface Readiness {
  rule: (object: never) => Verdict
  /** How the workload's pods are found, for the fail-fast pod rules. */
  pods?: PodOwnership
  /** Job pods: a crash is the Job's own policy (backoffLimit), not a reason to fail early. */
  jobPods?: boolean
  /** Of the pods it owns, those of its current revision (absent: all of them). */
  currentPods?: (workload: never, pods: Pod[]) => Pod[]
}

export interface KindEntry {
  /** The resource the action reads and watches it with. */
  type: ResourceType
  rank: number
  /** Absent: applied and not waited for; `notWaited` says why (for the log). */
  readiness?: Readiness
  notWaited?: string
  /** Makes pods: at teardown it is deleted first (orphaning) so nothing recreates them. */
  makesPods?: boolean
  /** Objects it makes that Kubernetes keeps after it is deleted: the run's own, deleted with it. */
  leaves?: Leftovers
  /** `rollout-check: update` can roll it again (a new pod template annotation) and count drops. */
  updateCheck?: boolean
}

export interface Leftovers {
  type: ResourceType
  /** Which objects of `type` in its namespace this live object made. */
  madeBy: (live: KubeObject) => (candidate: KubeObject) => boolean
}

const CLAIM_TYPE: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  namespaced: true
}

/**
 * A StatefulSet's claims from its volumeClaimTemplates, `<template>-<statefulset>-<ordinal>`: the
 * StatefulSet controller creates them and never deletes them (no owner reference on 1.20; on 1.27+
 * only with a persistentVolumeClaimRetentionPolicy). Only claims created after the StatefulSet
 * (to the second) are its: a claim made beforehand, which it adopted, was someone else's.
 */
function statefulSetClaims(live: KubeObject): (candidate: KubeObject) => boolean {
  const templates =
    (live.spec as { volumeClaimTemplates?: Array<{ metadata?: { name?: string } }> } | undefined)
      ?.volumeClaimTemplates ?? []
  const prefixes = templates.map(t => `${t.metadata?.name}-${live.metadata.name}-`)
  const since = Math.floor(Date.parse(live.metadata.creationTimestamp ?? '') / 1000) * 1000
  return c => {
    const name = c.metadata.name ?? ''
    const made = Date.parse(c.metadata.creationTimestamp ?? '')
    return (
      prefixes.some(p => name.startsWith(p) && /^\d+$/.test(name.slice(p.length))) && made >= since
    )
  }
}

function kind(
  group: string,
  version: string,
  kindName: string,
  plural: string,
  namespaced: boolean,
  rank: number,
  rest: Omit<KindEntry, 'type' | 'rank'> = {}
): KindEntry {
  return { type: { group, version, kind: kindName, plural, namespaced }, rank, ...rest }
}

const NO_STATUS = 'it has no status to wait for'
const R = Rank

export const KINDS: readonly KindEntry[] = [
  // Never applied: namespaces.ts maps the manifests' Namespaces onto the run's own.
  kind('', 'v1', 'Namespace', 'namespaces', false, R.cluster),
  kind(
    'apiextensions.k8s.io',
    'v1',
    'CustomResourceDefinition',
    'customresourcedefinitions',
    false,
    R.crd,
    {
      readiness: { rule: crdStatus }
    }
  ),
  kind('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false, R.cluster, {
    notWaited: NO_STATUS
  }),
  kind(
    'rbac.authorization.k8s.io',
    'v1',
    'ClusterRoleBinding',
    'clusterrolebindings',
    false,
    R.cluster,
    { notWaited: NO_STATUS }
  ),
  kind('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, R.cluster, {
    notWaited: NO_STATUS
  }),
  kind('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false, R.cluster, {
    notWaited: NO_STATUS
  }),
  kind('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, R.cluster, {
    notWaited: NO_STATUS
  }),
  kind('', 'v1', 'PersistentVolume', 'persistentvolumes', false, R.cluster, {
    notWaited: 'a volume is bound when a claim uses it'
  }),
  kind(
    'admissionregistration.k8s.io',
    'v1',
    'ValidatingWebhookConfiguration',
    'validatingwebhookconfigurations',
    false,
    R.rest,
    { notWaited: NO_STATUS }
  ),
  kind(
    'admissionregistration.k8s.io',
    'v1',
    'MutatingWebhookConfiguration',
    'mutatingwebhookconfigurations',
    false,
    R.rest,
    { notWaited: NO_STATUS }
  ),
  kind('', 'v1', 'ServiceAccount', 'serviceaccounts', true, R.rbac, { notWaited: NO_STATUS }),
  kind('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true, R.rbac, { notWaited: NO_STATUS }),
  kind('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true, R.rbac, {
    notWaited: NO_STATUS
  }),
  kind('', 'v1', 'ConfigMap', 'configmaps', true, R.config, { notWaited: NO_STATUS }),
  kind('', 'v1', 'Secret', 'secrets', true, R.config, { notWaited: NO_STATUS }),
  kind('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, R.config, {
    notWaited:
      'the workloads that mount it are waited for (a claim may bind only once a pod uses it)'
  }),
  kind('', 'v1', 'LimitRange', 'limitranges', true, R.config, { notWaited: NO_STATUS }),
  kind('', 'v1', 'ResourceQuota', 'resourcequotas', true, R.config, { notWaited: NO_STATUS }),
  kind('', 'v1', 'Service', 'services', true, R.service, {
    notWaited: 'its endpoints are the pods of the workloads, which are waited for'
  }),
  kind('apps', 'v1', 'Deployment', 'deployments', true, R.workload, {
    readiness: { rule: deploymentStatus, pods: 'replicaset' },
    makesPods: true,
    updateCheck: true
  }),
  kind('apps', 'v1', 'StatefulSet', 'statefulsets', true, R.workload, {
    readiness: { rule: statefulSetStatus, pods: 'owner', currentPods: statefulSetCurrentPods },
    makesPods: true,
    leaves: { type: CLAIM_TYPE, madeBy: statefulSetClaims }
  }),
  kind('apps', 'v1', 'DaemonSet', 'daemonsets', true, R.workload, {
    readiness: { rule: daemonSetStatus, pods: 'owner' },
    makesPods: true
  }),
  kind('apps', 'v1', 'ReplicaSet', 'replicasets', true, R.workload, {
    readiness: { rule: replicaSetStatus, pods: 'owner' },
    makesPods: true
  }),
  kind('', 'v1', 'ReplicationController', 'replicationcontrollers', true, R.workload, {
    readiness: { rule: replicaSetStatus, pods: 'owner' },
    makesPods: true
  }),
  kind('batch', 'v1', 'Job', 'jobs', true, R.workload, {
    readiness: { rule: jobStatus, pods: 'owner', jobPods: true },
    makesPods: true
  }),
  kind('batch', 'v1', 'CronJob', 'cronjobs', true, R.workload, {
    notWaited: 'it runs on its schedule',
    makesPods: true
  }),
  kind('', 'v1', 'Pod', 'pods', true, R.workload, { readiness: { rule: podStatus, pods: 'self' } }),
  kind('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, R.rest, {
    notWaited: 'its address comes from an ingress controller, which is not part of the run'
  }),
  kind('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, R.rest, {
    notWaited: 'it acts on metrics over time'
  }),
  kind('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, R.rest, {
    notWaited: NO_STATUS
  }),
  kind('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, R.rest, {
    notWaited: NO_STATUS
  }),
  // Read by the action, never applied by it.
  kind('', 'v1', 'Node', 'nodes', false, R.cluster),
  kind('', 'v1', 'Event', 'events', true, R.rest, { notWaited: NO_STATUS }),
  kind('', 'v1', 'Endpoints', 'endpoints', true, R.service, { notWaited: NO_STATUS })
]

const BY_KIND = new Map(KINDS.map(k => [`${k.type.group}/${k.type.kind}`, k]))

/** `apps/v1` → `apps`; `v1` → ''. */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : ''
}

export function versionOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.indexOf('/') + 1)
}

/** The registry entry of a group and kind, if the registry has one. */
export function knownKind(group: string, kindName: string): KindEntry | undefined {
  return BY_KIND.get(`${group}/${kindName}`)
}

/**
 * The entry for any object: the registry's, with the resource discovery found for the version
 * the object uses; else one made from discovery alone — cluster-scoped kinds with the other
 * cluster-scoped objects, namespaced ones last, judged by the generic rule.
 */
export function kindOf(object: KubeObject, served?: ResourceType): KindEntry {
  const group = groupOf(object.apiVersion)
  const known = knownKind(group, object.kind)
  const type: ResourceType = served ??
    known?.type ?? {
      group,
      version: versionOf(object.apiVersion),
      kind: object.kind,
      plural: `${object.kind.toLowerCase()}s`,
      namespaced: true
    }
  if (known) return { ...known, type: { ...type, namespaced: type.namespaced } }
  return {
    type,
    rank: type.namespaced ? Rank.rest : Rank.cluster,
    readiness: { rule: genericStatus }
  }
}

/** The resources the action itself reads (pods, events, nodes, ...), by kind. */
export const Resources = Object.fromEntries(
  KINDS.filter(k => k.type.group === '' || ['apps', 'batch'].includes(k.type.group)).map(k => [
    k.type.kind,
    k.type
  ])
) as Record<
  | 'Namespace'
  | 'Node'
  | 'Pod'
  | 'Event'
  | 'Service'
  | 'ConfigMap'
  | 'Secret'
  | 'ServiceAccount'
  | 'Endpoints'
  | 'Deployment'
  | 'ReplicaSet'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'Job'
  | 'CronJob'
  | 'ReplicationController',
  ResourceType
>
