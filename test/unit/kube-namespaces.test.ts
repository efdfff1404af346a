import { describe, expect, it } from '@jest/globals'
import { InputError } from '../../src/errors.js'
import { kindOf } from '../../src/kube/kinds.js'
import { isDns1123Label } from '../../src/kube/names.js'
import { mapNamespaces, planNamespaces, type PlanOptions } from '../../src/kube/namespaces.js'
import type { KubeObject } from '../../src/kube/types.js'
import type { Typed } from '../../src/kube/validate.js'

const RUN = 'smoke-42-1-k3y0a'

/** A manifest object with the type the registry knows for it (discovery's answer). */
function obj(kind: string, name: string, namespace?: string, extra: object = {}): Typed {
  const apiVersion =
    kind === 'Deployment'
      ? 'apps/v1'
      : kind.endsWith('Binding') || kind.endsWith('Role')
        ? 'rbac.authorization.k8s.io/v1'
        : 'v1'
  const o = {
    apiVersion,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    ...extra
  } as KubeObject
  return { object: o, type: kindOf(o).type }
}
function ns(
  name: string,
  labels?: Record<string, string>,
  annotations?: Record<string, string>
): Typed {
  const o: KubeObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels, annotations }
  }
  return { object: o, type: kindOf(o).type }
}

/** Where each object lands: `Kind/name → namespace` ('-' for cluster-scoped). */
function landing(objects: readonly Typed[]): string[] {
  return objects.map(
    t => `${t.object.kind}/${t.object.metadata.name} → ${t.object.metadata.namespace ?? '-'}`
  )
}

describe('planNamespaces and mapNamespaces', () => {
  const cases: Array<{
    name: string
    objects: Typed[]
    options?: Partial<PlanOptions>
    map: Record<string, string>
    lands: string[]
    line: string
  }> = [
    {
      name: 'no namespace named: everything in the run namespace, no line',
      objects: [obj('Deployment', 'web'), obj('ClusterRole', 'reader')],
      map: {},
      lands: [`Deployment/web → ${RUN}`, 'ClusterRole/reader → -'],
      line: ''
    },
    {
      name: 'one namespace on every object (kustomize namespace:) → the run namespace',
      objects: [
        obj('Deployment', 'web', 'shop-prod'),
        obj('Service', 'web', 'shop-prod'),
        obj('ClusterRole', 'reader', 'stray') // cluster-scoped: a namespace means nothing
      ],
      map: { 'shop-prod': RUN },
      lands: [`Deployment/web → ${RUN}`, `Service/web → ${RUN}`, 'ClusterRole/reader → -'],
      line: `namespaces: shop-prod → ${RUN}; the manifests' own namespaces are never created, changed or deleted`
    },
    {
      name: 'a Namespace object and objects naming none (kubectl apply -n): one namespace, the object left out',
      objects: [ns('shop-prod'), obj('Deployment', 'web'), obj('ConfigMap', 'settings')],
      map: { 'shop-prod': RUN },
      lands: [`Deployment/web → ${RUN}`, `ConfigMap/settings → ${RUN}`],
      line: `namespaces: shop-prod → ${RUN}; the manifests' own namespaces are never created, changed or deleted`
    },
    {
      name: 'an app and its monitoring: the smoke target’s namespace is the run’s, the other gets its own',
      objects: [
        ns('monitoring'),
        ns('shop-prod'),
        obj('Deployment', 'prometheus', 'monitoring'),
        obj('Deployment', 'web', 'shop-prod'),
        obj('ConfigMap', 'unplaced')
      ],
      options: { primary: 'shop-prod' },
      map: { 'shop-prod': RUN, monitoring: `${RUN}-monitoring` },
      lands: [
        `Deployment/prometheus → ${RUN}-monitoring`,
        `Deployment/web → ${RUN}`,
        `ConfigMap/unplaced → ${RUN}`
      ],
      line: `namespaces: shop-prod → ${RUN}, monitoring → ${RUN}-monitoring; the manifests' own namespaces are never created, changed or deleted`
    },
    {
      name: 'no target namespace: the first named is the run’s',
      objects: [obj('Deployment', 'a', 'one'), obj('Deployment', 'b', 'two')],
      map: { one: RUN, two: `${RUN}-two` },
      lands: [`Deployment/a → ${RUN}`, `Deployment/b → ${RUN}-two`],
      line: `namespaces: one → ${RUN}, two → ${RUN}-two; the manifests' own namespaces are never created, changed or deleted`
    },
    {
      name: 'a namespace input: every namespace maps into it, and the line says so',
      objects: [
        ns('monitoring'),
        obj('Deployment', 'prometheus', 'monitoring'),
        obj('Deployment', 'web', 'shop-prod')
      ],
      options: { namespace: 'ci', given: true, primary: 'shop-prod' },
      map: { 'shop-prod': 'ci', monitoring: 'ci' },
      lands: ['Deployment/prometheus → ci', 'Deployment/web → ci'],
      line: `namespaces: shop-prod → ci, monitoring → ci (all into the namespace input "ci"); the manifests' own namespaces are never created, changed or deleted`
    }
  ]

  it.each(cases)('$name', c => {
    const options = { namespace: RUN, given: false, ...c.options }
    const before = structuredClone(c.objects)
    const plan = planNamespaces(c.objects, options)
    expect(Object.fromEntries(plan.map)).toEqual(c.map)
    expect(plan.line).toBe(c.line)
    expect(plan.namespaces[0].name).toBe(options.namespace)
    expect(new Set(plan.namespaces.map(n => n.name))).toEqual(
      new Set([options.namespace, ...Object.values(c.map)])
    )
    const mapped = mapNamespaces(c.objects, plan)
    expect(landing(mapped)).toEqual(c.lands)
    expect(c.objects).toEqual(before) // pure: the input is not changed
  })
})

describe('Namespace objects: labels and annotations land on the run namespace', () => {
  it('carries Pod Security labels and annotations, never the namespace’s own-name label', () => {
    const plan = planNamespaces(
      [
        ns(
          'shop-prod',
          {
            'pod-security.kubernetes.io/enforce': 'restricted',
            'kubernetes.io/metadata.name': 'shop-prod'
          },
          { owner: 'team-shop' }
        ),
        ns('monitoring', { 'pod-security.kubernetes.io/enforce': 'privileged' }),
        obj('Deployment', 'web', 'shop-prod')
      ],
      { namespace: RUN, given: false, primary: 'shop-prod' }
    )
    expect(plan.namespaces).toEqual([
      {
        name: RUN,
        from: ['shop-prod'],
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
        annotations: { owner: 'team-shop' }
      },
      {
        name: `${RUN}-monitoring`,
        from: ['monitoring'],
        labels: { 'pod-security.kubernetes.io/enforce': 'privileged' },
        annotations: {}
      }
    ])
    expect(plan.warnings).toEqual([])
  })

  it('two Namespaces into one namespace input: the smoke target’s value of a label stays, with a warning', () => {
    const plan = planNamespaces(
      [
        ns('monitoring', { 'pod-security.kubernetes.io/enforce': 'privileged', team: 'shop' }),
        ns('shop-prod', { 'pod-security.kubernetes.io/enforce': 'restricted', team: 'shop' })
      ],
      { namespace: 'ci', given: true, primary: 'shop-prod' }
    )
    expect(plan.namespaces).toHaveLength(1)
    expect(plan.namespaces[0].labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'restricted',
      team: 'shop'
    })
    expect(plan.warnings).toEqual([
      'namespace "ci": label pod-security.kubernetes.io/enforce=privileged of Namespace "monitoring" ignored: another Namespace mapped here sets pod-security.kubernetes.io/enforce=restricted'
    ])
  })
})

describe('binding subjects follow their ServiceAccounts', () => {
  const binding = (kind: string, name: string, subjects: object[], namespace?: string) =>
    obj(kind, name, namespace, {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects
    })
  const subjectsOf = (objects: Typed[], name: string) =>
    objects.find(t => t.object.metadata.name === name)!.object.subjects

  it.each([
    {
      name: 'a subject in a named namespace moves with it',
      subject: { kind: 'ServiceAccount', name: 'scraper', namespace: 'monitoring' },
      moved: `${RUN}-monitoring`
    },
    {
      name: 'a subject in the target’s namespace moves to the run namespace',
      subject: { kind: 'ServiceAccount', name: 'api', namespace: 'shop-prod' },
      moved: RUN
    },
    {
      name: 'a ServiceAccount of the manifests named with another namespace (kubectl’s default) follows it',
      subject: { kind: 'ServiceAccount', name: 'api', namespace: 'default' },
      moved: RUN
    },
    {
      name: 'a ServiceAccount of the manifests named without a namespace follows it',
      subject: { kind: 'ServiceAccount', name: 'scraper' },
      moved: `${RUN}-monitoring`
    },
    {
      name: 'someone else’s ServiceAccount stays where it is',
      subject: { kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' },
      moved: 'kube-system'
    },
    {
      name: 'a user or group has no namespace to move',
      subject: { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' },
      moved: undefined
    }
  ])('$name', ({ subject, moved }) => {
    const objects = [
      obj('Deployment', 'web', 'shop-prod'),
      obj('ServiceAccount', 'api', 'shop-prod'),
      obj('ServiceAccount', 'scraper', 'monitoring'),
      binding('ClusterRoleBinding', 'crb', [subject]),
      binding('RoleBinding', 'rb', [subject], 'shop-prod')
    ]
    const plan = planNamespaces(objects, { namespace: RUN, given: false, primary: 'shop-prod' })
    const mapped = mapNamespaces(objects, plan)
    for (const name of ['crb', 'rb'])
      expect(subjectsOf(mapped, name)).toEqual([{ ...subject, namespace: moved }].map(clean))
  })
})

/** Drops an undefined `namespace` (toEqual would too; this keeps the expectation readable). */
function clean(s: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined))
}

describe('names and collisions', () => {
  it('makes other run namespaces valid, at most 63 characters, and distinct', () => {
    const run = `smoke-${'9'.repeat(40)}-1-k3y0a`
    const long = 'monitoring-and-alerting-for-the-shop'
    const objects = [
      obj('Deployment', 'web', 'shop'),
      obj('ConfigMap', 'a', `${long}-one`),
      obj('ConfigMap', 'b', `${long}-two`)
    ]
    const plan = planNamespaces(objects, { namespace: run, given: false, primary: 'shop' })
    const names = plan.namespaces.map(n => n.name)
    expect(names).toHaveLength(3)
    expect(new Set(names).size).toBe(3)
    for (const n of names) expect(isDns1123Label(n)).toBe(true)
    for (const n of names.slice(1)) expect(n.startsWith(run)).toBe(true) // unique per use
  })

  it.each([
    {
      name: 'one name in two namespaces mapped into the namespace input',
      objects: [obj('ConfigMap', 'config', 'shop-prod'), obj('ConfigMap', 'config', 'monitoring')],
      options: { namespace: 'ci', given: true },
      message:
        'input \'manifests\' must not hold two objects that land on one name in one namespace: ConfigMap "config" of namespace "shop-prod" and of namespace "monitoring" would both be in namespace "ci"'
    },
    {
      name: 'one name in the target’s namespace and in none (both go to the run namespace)',
      objects: [obj('Deployment', 'web', 'shop-prod'), obj('Deployment', 'web')],
      options: { namespace: RUN, given: false },
      message: `input 'manifests' must not hold two objects that land on one name in one namespace: Deployment "web" of namespace "shop-prod" and of no namespace would both be in namespace "${RUN}"`
    }
  ])('refuses $name', ({ objects, options, message }) => {
    const plan = planNamespaces(objects, options)
    const err = (() => {
      try {
        mapNamespaces(objects, plan)
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(InputError)
    expect((err as Error).message).toBe(message)
  })

  it('one name in two namespaces that map apart is fine', () => {
    const objects = [
      obj('ConfigMap', 'config', 'shop-prod'),
      obj('ConfigMap', 'config', 'monitoring')
    ]
    const plan = planNamespaces(objects, { namespace: RUN, given: false })
    expect(landing(mapNamespaces(objects, plan))).toEqual([
      `ConfigMap/config → ${RUN}`,
      `ConfigMap/config → ${RUN}-monitoring`
    ])
  })
})
