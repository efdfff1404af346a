// The kind registry as the one place of per-kind knowledge: its lookups (table-style), the title
// of the rollout phase, and the proof that a new workload kind is one entry and its rule — an
// Argo-Rollouts-shaped custom kind, registered here only (see registerKind), gets its pod template
// prepared like a Deployment's, can be the smoke target, is judged by its rule, and is stopped at
// teardown as a pod maker together with its ReplicaSets.

import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { ObjectRecord } from '../../src/kube/apply.js'
import {
  definesKinds,
  describeWaitTargets,
  frontsPods,
  isNamespaceObject,
  kindOf,
  KINDS,
  podTemplatePath,
  Rank,
  registerKind,
  Resources,
  smokeTargetKinds,
  type KindEntry
} from '../../src/kube/kinds.js'
import { parseManifests } from '../../src/kube/manifests.js'
import { mapNamespaces, planNamespaces } from '../../src/kube/namespaces.js'
import type { ResourceType } from '../../src/kube/api.js'
import { prepareManifests, type PrepareOptions } from '../../src/kube/prepare.js'
import { current, failed, inProgress, type Verdict } from '../../src/kube/status/verdict.js'
import { deleteNamespace, podMakersOf } from '../../src/kube/delete.js'
import type { Deployment, KubeObject } from '../../src/kube/types.js'
import type { Typed } from '../../src/kube/validate.js'
import { FakeKube } from './kube-fake.js'
import { NS } from './kube-objects.js'

const typed = (objects: KubeObject[]): Typed[] =>
  objects.map(o => ({ object: o, type: kindOf(o).type }))
const obj = (apiVersion: string, kind: string, name = 'x', rest = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name },
  ...rest
})

describe('registry lookups', () => {
  it.each([
    ['apps/v1', 'Deployment', ['spec', 'template'], true],
    ['apps/v1', 'StatefulSet', ['spec', 'template'], true],
    ['batch/v1', 'Job', ['spec', 'template'], true],
    ['batch/v1beta1', 'CronJob', ['spec', 'jobTemplate', 'spec', 'template'], true],
    ['v1', 'Pod', [], true],
    ['v1', 'ReplicationController', ['spec', 'template'], true],
    // Not the registry's: spec.template is taken only when it holds containers.
    ['v1', 'ConfigMap', ['spec', 'template'], false],
    ['example.com/v1', 'Widget', ['spec', 'template'], false],
    // A custom kind named like a built-in one is not it (Volcano's Job has no spec.template).
    ['batch.volcano.sh/v1alpha1', 'Job', ['spec', 'template'], false]
  ])('%s %s: pod template at %j (declared: %s)', (apiVersion, kind, at, declared) => {
    expect(podTemplatePath({ apiVersion, kind })).toEqual({ path: at, declared })
  })

  it('a custom kind named like a built-in workload is not refused for lacking its template', () => {
    const text =
      'apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata: {name: vj}\nspec: {tasks: [{name: t, template: {spec: {containers: [{name: c, image: x}]}}}]}'
    expect(parseManifests(text, 'volcano.yaml').map(o => o.metadata.name)).toEqual(['vj'])
  })

  it.each([
    [obj('v1', 'Namespace'), { ns: true, crd: false, svc: false }],
    [obj('example.com/v1', 'Namespace'), { ns: false, crd: false, svc: false }],
    [
      obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition'),
      { ns: false, crd: true, svc: false }
    ],
    [
      obj('apiextensions.k8s.io/v1beta1', 'CustomResourceDefinition'),
      { ns: false, crd: true, svc: false }
    ],
    [obj('v1', 'Service'), { ns: false, crd: false, svc: true }],
    // Knative's Service routes by its own rules, not a selector.
    [obj('serving.knative.dev/v1', 'Service'), { ns: false, crd: false, svc: false }]
  ])('%j: namespace, CRD, Service', (o, want) => {
    expect({ ns: isNamespaceObject(o), crd: definesKinds(o), svc: frontsPods(o) }).toEqual(want)
  })

  it('Resources holds the registry’s core, apps and batch kinds, each its entry’s resource', () => {
    const expected = KINDS.filter(k => ['', 'apps', 'batch'].includes(k.type.group))
    expect(Object.keys(Resources).sort()).toEqual(expected.map(k => k.type.kind).sort())
    for (const k of expected) {
      expect(Resources[k.type.kind as keyof typeof Resources]).toBe(k.type)
    }
    expect(Resources.Deployment).toMatchObject({ group: 'apps', plural: 'deployments' })
  })

  it('the smoke target kinds, Deployment first (it is preferred)', () => {
    expect(smokeTargetKinds()).toBe('Deployment, StatefulSet or DaemonSet')
    expect(KINDS.filter(k => k.smokeTarget === 'preferred').map(k => k.type.kind)).toEqual([
      'Deployment'
    ])
  })

  it('a binding’s ServiceAccount subjects are its namespace references; User and Group subjects are not', () => {
    const binding = obj('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'b', {
      subjects: [
        { kind: 'ServiceAccount', name: 'app', namespace: 'shop' },
        { kind: 'User', name: 'alice' },
        { kind: 'Group', name: 'devs' }
      ]
    })
    const refs = kindOf(binding).namespaceRefs?.(binding) ?? []
    expect(refs.map(r => [r.group, r.kind, r.name, r.at.namespace])).toEqual([
      ['', 'ServiceAccount', 'app', 'shop']
    ])
  })
})

describe('describeWaitTargets: the workloads waited for, by name', () => {
  it.each([
    [[obj('apps/v1', 'Deployment', 'web'), obj('v1', 'ConfigMap', 'c')], 'deployment/web'],
    // ReplicaSet, Pod and ReplicationController are waited for, so they are named too.
    [[obj('apps/v1', 'ReplicaSet', 'rs'), obj('v1', 'Pod', 'p')], 'replicaset/rs, pod/p'],
    [
      [
        obj('v1', 'ReplicationController', 'rc'),
        obj('batch/v1', 'Job', 'migrate'),
        obj('apps/v1', 'StatefulSet', 'kv'),
        obj('apps/v1', 'DaemonSet', 'agent'),
        obj('apps/v1', 'Deployment', 'web')
      ],
      'replicationcontroller/rc, job/migrate, statefulset/kv and 2 more'
    ],
    // A CronJob runs on its schedule; a CRD and a custom resource are waited for, not workloads.
    [
      [
        obj('batch/v1', 'CronJob', 'nightly'),
        obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
        obj('example.com/v1', 'Widget', 'w')
      ],
      'the objects'
    ]
  ])('%#: %s', (objects, title) => {
    expect(describeWaitTargets(typed(objects))).toBe(title)
  })
})

// ---- A custom workload, registered by one entry and its rule -------------------------------

const ROLLOUT: ResourceType = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  kind: 'Rollout',
  plural: 'rollouts',
  namespaced: true
}

/**
 * Argo Rollouts' own summary of a rollout: `status.phase` (Healthy, Progressing, Paused,
 * Degraded), once the controller has observed the spec (`observedGeneration`, a string).
 */
function rolloutStatus(r: KubeObject): Verdict {
  const name = r.metadata.name
  const status = r.status as { phase?: string; message?: string; observedGeneration?: string }
  if (String(status?.observedGeneration ?? '') !== String(r.metadata.generation ?? '')) {
    return inProgress(`Waiting for rollout "${name}" spec update to be observed...`)
  }
  if (status.phase === 'Healthy') return current(`rollout "${name}" is healthy`)
  if (status.phase === 'Degraded') {
    return failed('Degraded', `rollout "${name}" is degraded: ${status.message ?? ''}`)
  }
  return inProgress(`Waiting for rollout "${name}": ${status.phase ?? 'no phase yet'}`)
}

/**
 * The whole of what the action needs to know about the kind. No `readiness.pods`: its pods
 * belong to ReplicaSets carrying Argo's revision annotation, not a Deployment's, so the rule alone
 * judges it (a crash is found at the timeout, not at once).
 */
const ROLLOUT_ENTRY: KindEntry = {
  type: ROLLOUT,
  rank: Rank.workload,
  readiness: { rule: rolloutStatus },
  makesPods: true,
  podTemplate: ['spec', 'template'],
  alsoStops: [Resources.ReplicaSet],
  smokeTarget: 'candidate'
}

const IMAGE = 'weather-service:smoke-42-1'
const OPTIONS: PrepareOptions = {
  images: [{ repository: 'weather-service', ref: IMAGE, pullPolicy: 'Never' }],
  labels: { 'minikube-smoke/run': '42-1' },
  annotations: { 'minikube-smoke/sha': 'abc123' }
}
const template = () => ({
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [{ name: 'app', image: 'weather-service', ports: [{ containerPort: 8080 }] }]
  }
})
const spec = () => ({
  replicas: 2,
  selector: { matchLabels: { app: 'web' } },
  template: template()
})
const rollout = (name = 'web'): KubeObject =>
  obj('argoproj.io/v1alpha1', 'Rollout', name, { spec: { ...spec(), strategy: { canary: {} } } })
const deploymentOf = (name = 'web'): KubeObject =>
  obj('apps/v1', 'Deployment', name, { spec: spec() })

function record(kind: string, apiVersion: string, plural: string): ObjectRecord {
  return { apiVersion, kind, plural, namespaced: true, name: 'web', namespace: NS, created: true }
}

describe('a Rollout-shaped custom workload is one registry entry and its rule', () => {
  it('without the entry, it is a custom resource: no template required, no smoke target, no pod maker', () => {
    expect(
      parseManifests(
        'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec: {workloadRef: {name: web}}',
        'r.yaml'
      )
    ).toHaveLength(1)
    expect(() => prepareManifests(typed([rollout()]), OPTIONS)).toThrow(
      /must contain a Deployment, StatefulSet or DaemonSet to smoke-test/
    )
    expect(podMakersOf([record('Rollout', 'argoproj.io/v1alpha1', 'rollouts')])).toEqual([])
    expect(describeWaitTargets(typed([rollout()]))).toBe('the objects')
  })

  describe('with the entry', () => {
    let unregister: () => void
    beforeAll(() => {
      unregister = registerKind(ROLLOUT_ENTRY)
    })
    afterAll(() => unregister())

    it('refuses a second entry for the same kind', () => {
      expect(() => registerKind(ROLLOUT_ENTRY)).toThrow(
        'kind argoproj.io/Rollout is already registered'
      )
    })

    it('its pod template is required, like a Deployment’s', () => {
      expect(() =>
        parseManifests(
          'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec: {replicas: 1}',
          'r.yaml'
        )
      ).toThrow('r.yaml document 1: Rollout "r" has no pod template')
    })

    it('its template gets the run’s image, pull policy, labels and annotations exactly as a Deployment’s does', () => {
      const fromRollout = prepareManifests(typed([rollout()]), OPTIONS)
      const fromDeployment = prepareManifests(typed([deploymentOf()]), OPTIONS)
      const preparedTemplate = (p: typeof fromRollout) =>
        (p.objects[0].object.spec as Deployment['spec']).template
      expect(preparedTemplate(fromRollout)).toEqual(preparedTemplate(fromDeployment))
      expect(preparedTemplate(fromRollout)).toEqual({
        metadata: {
          labels: { app: 'web', 'minikube-smoke/run': '42-1' },
          annotations: { 'minikube-smoke/sha': 'abc123' }
        },
        spec: {
          containers: [
            {
              name: 'app',
              image: IMAGE,
              imagePullPolicy: 'Never',
              ports: [{ containerPort: 8080, protocol: 'TCP' }]
            }
          ]
        }
      })
      // …and it is the smoke target, exposed the way a Deployment would be.
      expect(fromRollout.target).toMatchObject({
        workload: { kind: 'Rollout', name: 'web' },
        service: 'web',
        port: 8080,
        why: "the first Rollout running the run's image"
      })
      expect(fromRollout.objects[1].object.spec).toMatchObject({ selector: { app: 'web' } })
    })

    it('a Deployment running the run’s image is still preferred as the smoke target', () => {
      const prepared = prepareManifests(typed([rollout('canary'), deploymentOf('web')]), OPTIONS)
      expect(prepared.target.workload).toEqual({ kind: 'Deployment', name: 'web' })
      expect(smokeTargetKinds()).toBe('Deployment, StatefulSet, DaemonSet or Rollout')
    })

    it('is judged by its rule, and named in the rollout phase’s title', () => {
      const judge = (status: object, generation = 2) =>
        (kindOf(rollout()).readiness!.rule as (o: KubeObject) => Verdict)({
          ...rollout(),
          metadata: { name: 'web', generation },
          status
        }).state
      expect(judge({ observedGeneration: '1', phase: 'Healthy' })).toBe('in-progress')
      expect(judge({ observedGeneration: '2', phase: 'Progressing' })).toBe('in-progress')
      expect(judge({ observedGeneration: '2', phase: 'Healthy' })).toBe('current')
      expect(judge({ observedGeneration: '2', phase: 'Degraded', message: 'x' })).toBe('failed')
      expect(describeWaitTargets(typed([rollout(), obj('v1', 'ConfigMap')]))).toBe('rollout/web')
    })

    it('teardown stops it as a pod maker, with its ReplicaSets, before deleting the pods', async () => {
      const makers = podMakersOf([
        record('Rollout', 'argoproj.io/v1alpha1', 'rollouts'),
        record('ConfigMap', 'v1', 'configmaps')
      ])
      expect(makers.map(t => t.kind)).toEqual(['Rollout'])
      const kube = new FakeKube()
      kube.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })
      await deleteNamespace(kube, NS, { podMakers: makers })
      expect(kube.callsOf('deleteCollection').map(c => [c.args[0], c.args.at(-1)])).toEqual([
        ['Rollout', { propagationPolicy: 'Orphan' }],
        ['ReplicaSet', { propagationPolicy: 'Orphan' }],
        ['Pod', { gracePeriodSeconds: 0 }]
      ])
    })
  })
})

describe('namespace references follow the objects they name', () => {
  it('a RoleBinding’s ServiceAccount subject follows its ServiceAccount into the run namespace', () => {
    const objects = typed([
      obj('v1', 'ServiceAccount', 'app', { metadata: { name: 'app', namespace: 'shop' } }),
      obj('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb', {
        metadata: { name: 'rb', namespace: 'shop' },
        subjects: [
          { kind: 'ServiceAccount', name: 'app' },
          { kind: 'User', name: 'alice', namespace: 'shop' }
        ]
      })
    ])
    const plan = planNamespaces(objects, { namespace: 'smoke-1', given: false })
    const out = mapNamespaces(objects, plan)
    expect(out[1].object.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'app', namespace: 'smoke-1' },
      { kind: 'User', name: 'alice', namespace: 'shop' }
    ])
  })
})

describe('per-kind knowledge stays in the registry', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
  it.each([
    'manifests.ts',
    'prepare.ts',
    'delete.ts',
    'types.ts',
    'apply.ts',
    'validate.ts',
    'namespaces.ts',
    'claim.ts'
  ])('src/kube/%s compares no kind name', file => {
    const text = readFileSync(path.join(root, 'src/kube', file), 'utf8')
    const comparisons = text
      .split('\n')
      .filter(
        l =>
          /\bkind\s*[!=]==\s*'/.test(l) ||
          /'(Deployment|StatefulSet|DaemonSet|Job|CronJob|ReplicaSet|ReplicationController|Pod)'/.test(
            l
          )
      )
    expect(comparisons).toEqual([])
  })

  // Outside the registry and the status rules, a Kubernetes kind name appears only as data: the
  // generated Deployment, the version table keyed by kind, Helm's own install order.
  const KIND_NAME =
    /'(Deployment|StatefulSet|DaemonSet|Job|CronJob|ReplicaSet|ReplicationController|Pod|Service|Secret|ConfigMap|Namespace|ServiceAccount|RoleBinding|ClusterRoleBinding|PersistentVolumeClaim|CustomResourceDefinition)'/
  const DATA_ONLY = ['kube/kinds.ts', 'kube/generate.ts', 'kube/versions.ts', 'helm/hooks.ts']
  const sources = (readdirSync(path.join(root, 'src'), { recursive: true }) as string[])
    .map(f => f.split(path.sep).join('/'))
    .filter(f => f.endsWith('.ts') && !f.startsWith('kube/status/') && !DATA_ONLY.includes(f))
  // A decision by kind: compared, switched on, or looked up in a list of kind names. Building an
  // object (`kind: 'Namespace'`) is not one.
  const decidesByKind = (line: string) => {
    const names = line.match(new RegExp(KIND_NAME.source, 'g')) ?? []
    if (names.length === 0) return false
    return names.length > 1 || /[!=]==|\bcase\b|includes\(|\.has\(/.test(line)
  }
  it('decidesByKind', () => {
    expect(decidesByKind("if (o.kind === 'Job') return")).toBe(true)
    expect(decidesByKind("case 'Pod':")).toBe(true)
    expect(decidesByKind("const WORKLOADS = ['Deployment', 'StatefulSet']")).toBe(true)
    expect(decidesByKind("['Deployment'].includes(kind)")).toBe(true)
    expect(decidesByKind("{ apiVersion: 'v1', kind: 'Namespace', metadata }")).toBe(false)
  })
  it('no module of src/ outside kinds.ts and status/ decides by a kind name', () => {
    expect(sources.length).toBeGreaterThan(100)
    const named = sources.flatMap(f =>
      readFileSync(path.join(root, 'src', f), 'utf8')
        .split('\n')
        .filter(l => !l.trim().startsWith('//') && !l.trim().startsWith('*'))
        .filter(decidesByKind)
        .map(l => `${f}: ${l.trim()}`)
    )
    expect(named).toEqual([])
  })
})
