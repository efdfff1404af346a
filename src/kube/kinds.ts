// The kind registry: everything the action knows about a Kubernetes kind, in one entry — its
// resource (group, version the action reads it with, plural, scope), where it goes in the apply
// order, how its readiness is judged, where its pod template is (the run's images and labels go
// there), whether it makes pods and what else teardown stops with it, whether it can be the smoke
// target, what in it names another object's namespace. Adding a kind is one entry (and its
// readiness rule); outside this file and status/, no code compares a kind name. A kind that is not
// here is still applied, recorded and deleted: API discovery supplies its resource and scope, and
// the generic kstatus rule judges it (see kindOf); one shaped like a Deployment (`spec.template`
// with containers) gets the run's images and labels.

import type { ResourceType } from './api.js'
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
import type { Typed } from './validate.js'

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
  /**
   * Where its pod template (`metadata` and `spec`) is, as fields from the object; [] for a Pod,
   * its own template. Manifests without one are refused; the run's images and labels go there.
   */
  podTemplate?: readonly string[]
  /** Controllers it makes that make the pods: teardown stops them with it (Deployment → ReplicaSet). */
  alsoStops?: readonly ResourceType[]
  /** Can be the smoke target; `preferred` kinds are chosen before the others. */
  smokeTarget?: 'preferred' | 'candidate'
  /** Sends traffic to the pods its selector picks: the smoke test's URL is one (a Service). */
  frontsPods?: boolean
  /** Defines kinds (a CRD): waited for until established before the objects of those kinds. */
  definesKinds?: boolean
  /** Its `data`/`stringData` values are credentials: never written to a file (a Secret). */
  holdsSecrets?: boolean
  /** A Namespace: never applied; namespaces.ts maps it onto one of the run's namespaces. */
  isNamespace?: boolean
  /** Fields naming another object's namespace, moved with that object (binding subjects). */
  namespaceRefs?: (object: KubeObject) => NamespaceRef[]
  /** `rollout-check: update` can roll it again (a new pod template annotation) and count drops. */
  updateCheck?: boolean
}

/** A field of one object naming another object by group, kind, name and namespace. */
export interface NamespaceRef {
  group: string
  kind: string
  name: string
  /** Where the namespace is written; rewritten when the named object is moved. */
  at: { namespace?: string }
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

/** An entry; its group and kind keep their literal types (Resources' keys derive from them). */
function kind<G extends string, K extends string>(
  group: G,
  version: string,
  kindName: K,
  plural: string,
  namespaced: boolean,
  rank: number,
  rest: Omit<KindEntry, 'type' | 'rank'> = {}
): KindEntry & { type: { group: G; kind: K } } {
  return { type: { group, version, kind: kindName, plural, namespaced }, rank, ...rest }
}

/**
 * RBAC subjects that are ServiceAccounts: the only subjects with a namespace (User and Group are
 * names the authenticator gives, in no namespace). A subject's `kind` is data of the binding, so
 * it is read here, beside the binding kinds that hold it.
 */
function serviceAccountSubjects(binding: KubeObject): NamespaceRef[] {
  const subjects = (binding.subjects as Array<Partial<Subject>> | undefined) ?? []
  return subjects
    .filter(s => s.kind === 'ServiceAccount')
    .map(s => ({ group: '', kind: 'ServiceAccount', name: s.name ?? '', at: s }))
}

interface Subject {
  kind: string
  name: string
  namespace?: string
}

/** Where the workloads keep their pod template. */
const TEMPLATE = ['spec', 'template']
const REPLICA_SET = kind('apps', 'v1', 'ReplicaSet', 'replicasets', true, Rank.workload, {
  readiness: { rule: replicaSetStatus, pods: 'owner' },
  makesPods: true,
  podTemplate: TEMPLATE
})

const NO_STATUS = 'it has no status to wait for'
const R = Rank

const BUILT_IN = [
  // Never applied: namespaces.ts maps the manifests' Namespaces onto the run's own.
  kind('', 'v1', 'Namespace', 'namespaces', false, R.cluster, { isNamespace: true }),
  kind(
    'apiextensions.k8s.io',
    'v1',
    'CustomResourceDefinition',
    'customresourcedefinitions',
    false,
    R.crd,
    {
      readiness: { rule: crdStatus },
      definesKinds: true
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
    { notWaited: NO_STATUS, namespaceRefs: serviceAccountSubjects }
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
    notWaited: NO_STATUS,
    namespaceRefs: serviceAccountSubjects
  }),
  kind('', 'v1', 'ConfigMap', 'configmaps', true, R.config, { notWaited: NO_STATUS }),
  kind('', 'v1', 'Secret', 'secrets', true, R.config, { notWaited: NO_STATUS, holdsSecrets: true }),
  kind('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, R.config, {
    notWaited:
      'the workloads that mount it are waited for (a claim may bind only once a pod uses it)'
  }),
  kind('', 'v1', 'LimitRange', 'limitranges', true, R.config, { notWaited: NO_STATUS }),
  kind('', 'v1', 'ResourceQuota', 'resourcequotas', true, R.config, { notWaited: NO_STATUS }),
  kind('', 'v1', 'Service', 'services', true, R.service, {
    notWaited: 'its endpoints are the pods of the workloads, which are waited for',
    frontsPods: true
  }),
  kind('apps', 'v1', 'Deployment', 'deployments', true, R.workload, {
    readiness: { rule: deploymentStatus, pods: 'replicaset' },
    makesPods: true,
    podTemplate: TEMPLATE,
    alsoStops: [REPLICA_SET.type],
    smokeTarget: 'preferred',
    updateCheck: true
  }),
  kind('apps', 'v1', 'StatefulSet', 'statefulsets', true, R.workload, {
    readiness: { rule: statefulSetStatus, pods: 'owner', currentPods: statefulSetCurrentPods },
    makesPods: true,
    leaves: { type: CLAIM_TYPE, madeBy: statefulSetClaims },
    podTemplate: TEMPLATE,
    smokeTarget: 'candidate'
  }),
  kind('apps', 'v1', 'DaemonSet', 'daemonsets', true, R.workload, {
    readiness: { rule: daemonSetStatus, pods: 'owner' },
    makesPods: true,
    podTemplate: TEMPLATE,
    smokeTarget: 'candidate'
  }),
  REPLICA_SET,
  kind('', 'v1', 'ReplicationController', 'replicationcontrollers', true, R.workload, {
    readiness: { rule: replicaSetStatus, pods: 'owner' },
    makesPods: true,
    podTemplate: TEMPLATE
  }),
  kind('batch', 'v1', 'Job', 'jobs', true, R.workload, {
    readiness: { rule: jobStatus, pods: 'owner', jobPods: true },
    makesPods: true,
    podTemplate: TEMPLATE
  }),
  kind('batch', 'v1', 'CronJob', 'cronjobs', true, R.workload, {
    notWaited: 'it runs on its schedule',
    makesPods: true,
    podTemplate: ['spec', 'jobTemplate', 'spec', 'template']
  }),
  kind('', 'v1', 'Pod', 'pods', true, R.workload, {
    readiness: { rule: podStatus, pods: 'self' },
    podTemplate: []
  }),
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
] as const

export const KINDS: readonly KindEntry[] = BUILT_IN

const keyOf = (group: string, kindName: string) => `${group}/${kindName}`
const BY_KIND = new Map<string, KindEntry>(KINDS.map(k => [keyOf(k.type.group, k.type.kind), k]))

/**
 * Adds a kind for the life of the process; returns the function that removes it again. The
 * action registers none at run time (every kind it knows is in KINDS); this is how a test proves
 * that a new workload kind is one entry and its rule (test/unit/kube-kinds.test.ts).
 */
export function registerKind(entry: KindEntry): () => void {
  const key = keyOf(entry.type.group, entry.type.kind)
  if (BY_KIND.has(key)) throw new Error(`kind ${key} is already registered`)
  BY_KIND.set(key, entry)
  return () => void BY_KIND.delete(key)
}

/** `apps/v1` → `apps`; `v1` → ''. */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : ''
}

export function versionOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.indexOf('/') + 1)
}

/** The registry entry of a group and kind, if the registry has one. */
export function knownKind(group: string, kindName: string): KindEntry | undefined {
  return BY_KIND.get(keyOf(group, kindName))
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

/** The groups whose resources the action reads for itself (pods, events, nodes, ...). */
type ReadGroup = '' | 'apps' | 'batch'
type ReadKind = Extract<(typeof BUILT_IN)[number]['type'], { group: ReadGroup }>['kind']
const READ_GROUPS: readonly string[] = ['', 'apps', 'batch'] satisfies ReadGroup[]

/** The resources the action itself reads (pods, events, nodes, ...), by kind. */
export const Resources = Object.fromEntries(
  KINDS.filter(k => READ_GROUPS.includes(k.type.group)).map(k => [k.type.kind, k.type])
) as Record<ReadKind, ResourceType>

/** The entry of an object's group and kind, before its resource is resolved (manifests as read). */
function entryOf(o: { apiVersion?: unknown; kind?: unknown }): KindEntry | undefined {
  return typeof o.apiVersion === 'string' && typeof o.kind === 'string'
    ? knownKind(groupOf(o.apiVersion), o.kind)
    : undefined
}

/**
 * Where an object's pod template is. `declared`: its kind's entry says so (a template missing
 * there is an error); else `spec.template`, taken only when it holds containers (a custom
 * workload shaped like a Deployment).
 */
export function podTemplatePath(o: { apiVersion?: unknown; kind?: unknown }): {
  path: readonly string[]
  declared: boolean
} {
  const declared = entryOf(o)?.podTemplate
  return declared ? { path: declared, declared: true } : { path: TEMPLATE, declared: false }
}

/** `kind: List` (kubectl's wrapper of several objects, not a kind of the server): flattened. */
export function isListDocument(
  o: Record<string, unknown>
): o is Record<string, unknown> & { items: unknown[] } {
  return o.kind === 'List' && Array.isArray(o.items)
}

export const isNamespaceObject = (o: KubeObject): boolean => entryOf(o)?.isNamespace === true
export const definesKinds = (o: KubeObject): boolean => entryOf(o)?.definesKinds === true
export const frontsPods = (o: KubeObject): boolean => entryOf(o)?.frontsPods === true

/** The kinds that can be the smoke target (for messages): `Deployment, StatefulSet or DaemonSet`. */
export function smokeTargetKinds(): string {
  const names = [...BY_KIND.values()].filter(k => k.smokeTarget).map(k => k.type.kind)
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names.join('')
}

/** The workloads waited for (a pod template and a readiness rule): `deployment/web, pod/p and 2 more`. */
export function describeWaitTargets(objects: readonly Typed[]): string {
  const names = objects
    .filter(t => {
      const entry = kindOf(t.object, t.type)
      return entry.readiness && entry.podTemplate
    })
    .map(t => `${t.object.kind.toLowerCase()}/${t.object.metadata.name}`)
  if (names.length === 0) return 'the objects'
  return names.length > 3
    ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`
    : names.join(', ')
}
