import { describe, expect, it } from '@jest/globals'
import { PhaseError } from '../../src/errors.js'
import {
  applyAll,
  dryRunAll,
  ensureNamespace,
  readExisting,
  type ObjectRecord
} from '../../src/kube/apply.js'
import { Discovery } from '../../src/kube/discovery.js'
import { kindOf } from '../../src/kube/kinds.js'
import { parseManifests } from '../../src/kube/manifests.js'
import { KubeApiError } from '../../src/kube/api.js'
import type { KubeObject } from '../../src/kube/types.js'
import type { Typed } from '../../src/kube/validate.js'
import { FakeKube } from './kube-fake.js'

const NS = 'smoke-9-1'
const typed = (o: KubeObject): Typed => ({ object: o, type: kindOf(o).type })
const obj = (apiVersion: string, kind: string, name: string, extra: object = {}): Typed =>
  typed({ apiVersion, kind, metadata: { name, namespace: NS }, ...extra })

async function phaseError(promise: Promise<unknown>): Promise<PhaseError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(PhaseError)
    return err as PhaseError
  }
  throw new Error('expected a PhaseError')
}

function withNamespace(): FakeKube {
  const kube = new FakeKube()
  kube.put({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NS },
    status: { phase: 'Active' }
  })
  return kube
}

function options(kube: FakeKube, records: ObjectRecord[] = []) {
  return {
    fieldManager: 'minikube-smoke',
    force: false,
    strictFields: false,
    discovery: new Discovery(kube),
    checkedAt: Date.parse('2026-01-01T00:00:00Z'),
    record: (r: ObjectRecord) => records.push(r)
  }
}

describe('ensureNamespace', () => {
  it('creates the namespace, saying so before it exists', async () => {
    const kube = new FakeKube()
    const seen: string[] = []
    const result = await ensureNamespace(kube, NS, {
      labels: { 'minikube-smoke/run': '9-1' },
      onCreating: name => seen.push(`${name} exists: ${Boolean(kube.find('Namespace', name))}`)
    })
    expect(result).toEqual({ created: true })
    expect(seen).toEqual([`${NS} exists: false`])
    expect(kube.find('Namespace', NS)?.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'minikube-smoke',
      'minikube-smoke/run': '9-1'
    })
  })

  it('uses an existing namespace as is, and never claims it', async () => {
    const kube = withNamespace()
    const seen: string[] = []
    expect(await ensureNamespace(kube, NS, { onCreating: n => seen.push(n) })).toEqual({
      created: false
    })
    expect(seen).toEqual([])
    expect(kube.callsOf('create')).toEqual([])
  })

  it('treats a namespace created concurrently (409) as not ours', async () => {
    const kube = new FakeKube()
    kube.failNext(
      'create',
      new KubeApiError(409, 'namespaces "smoke-9-1" already exists', 'AlreadyExists')
    )
    expect(await ensureNamespace(kube, NS)).toEqual({ created: false })
  })

  it('waits for a namespace of the same name that is still being deleted, then creates it', async () => {
    const kube = new FakeKube()
    kube.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS, deletionTimestamp: 't' },
      status: { phase: 'Terminating' }
    })
    const lines: string[] = []
    setTimeout(() => kube.remove('Namespace', NS), 300)
    expect(await ensureNamespace(kube, NS, { log: l => lines.push(l) })).toEqual({ created: true })
    expect(lines[0]).toBe(
      `namespace "${NS}" is still being deleted (Terminating): waiting up to 120 s for it to go`
    )
    expect(lines[1]).toMatch(new RegExp(`^namespace "${NS}" is gone after 0\\.\\d s$`))

    kube.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'stuck', deletionTimestamp: 't' },
      status: { phase: 'Terminating' }
    })
    const err = await phaseError(ensureNamespace(kube, 'stuck', { terminatingTimeoutMs: 300 }))
    expect(err.message).toBe(
      'namespace "stuck" is still being deleted (Terminating) after 0.3 s: choose another namespace, or find what blocks its deletion (kubectl get namespace stuck -o yaml)'
    )
  })
})

describe('readExisting: never take over what the run did not create', () => {
  it('an object that exists and is managed by someone else is a conflict', async () => {
    const kube = withNamespace()
    kube.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: NS,
        managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update' }]
      },
      spec: {}
    })
    const web = obj('apps/v1', 'Deployment', 'web')
    const err = await phaseError(
      readExisting(kube, [web, obj('v1', 'ConfigMap', 'c')], {
        fieldManager: 'minikube-smoke',
        force: false
      })
    )
    expect(err.message).toBe(
      `Apply failed with 1 conflict: deployment.apps "web" in namespace "${NS}" already exists and is managed by "kubectl-client-side-apply". ` +
        "The run would take over what it did not create: remove it from the manifests, deploy into another namespace, or set 'force-conflicts: true' to take it over (it is still never deleted)"
    )
    const forced = await readExisting(kube, [web], { fieldManager: 'minikube-smoke', force: true })
    expect(forced.get(web)?.metadata.name).toBe('web')
  })

  it('what only this action managed (a kept namespace of an earlier run) is updated, not a conflict', async () => {
    const kube = withNamespace()
    kube.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        namespace: NS,
        managedFields: [{ manager: 'minikube-smoke', operation: 'Apply' }]
      }
    })
    const c = obj('v1', 'ConfigMap', 'c')
    const existing = await readExisting(kube, [c], { fieldManager: 'minikube-smoke', force: false })
    expect(existing.get(c)).toBeDefined()
  })
})

describe('dryRunAll and applyAll', () => {
  it('dry-runs everything and reports every rejection with its document, before anything is written', async () => {
    const kube = withNamespace()
    const objects = parseManifests(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: smoke-9-1}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: smoke-9-1}\nspec: {template: {spec: {containers: [{name: c, image: x}]}}}\n',
      'k8s/app.yaml'
    ).map(typed)
    kube.failNext(
      'dryRun',
      new KubeApiError(
        422,
        'Deployment.apps "web" is invalid: spec.selector: Required value',
        'Invalid'
      )
    )
    kube.failNext(
      'dryRun',
      new KubeApiError(422, 'ConfigMap "a" is invalid: data[bad key]: Invalid value', 'Invalid')
    )
    const err = await phaseError(dryRunAll(kube, objects, options(kube)))
    expect(err.message).toBe(
      'the server rejected the manifests (dry run, nothing was applied):\n' +
        '  k8s/app.yaml document 1: ConfigMap "a": error applying configmap/a (Invalid): Deployment.apps "web" is invalid: spec.selector: Required value\n' +
        '  k8s/app.yaml document 2: Deployment "web": error applying deployment.apps/web (Invalid): ConfigMap "a" is invalid: data[bad key]: Invalid value'
    )
    expect(kube.callsOf('apply')).toEqual([])
    expect(kube.find('ConfigMap', 'a', NS)).toBeUndefined()
  })

  it('applies in the registry’s order and records, before each write, what the run creates', async () => {
    const kube = withNamespace()
    kube.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'theirs', namespace: NS } })
    const objects = [
      obj('apps/v1', 'Deployment', 'web', { spec: {} }),
      obj('networking.k8s.io/v1', 'Ingress', 'web'),
      obj('v1', 'Service', 'web'),
      obj('v1', 'Secret', 'theirs'),
      obj('v1', 'ConfigMap', 'c'),
      obj('v1', 'ServiceAccount', 'app'),
      typed({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'reader' }
      })
    ]
    const existing = await readExisting(kube, objects, {
      fieldManager: 'minikube-smoke',
      force: true
    })
    const records: ObjectRecord[] = []
    const lines: string[] = []
    await applyAll(kube, objects, existing, { ...options(kube, records), log: l => lines.push(l) })
    expect(kube.callsOf('apply').map(c => (c.args[0] as KubeObject).kind)).toEqual([
      'ClusterRole',
      'ServiceAccount',
      'Secret',
      'ConfigMap',
      'Service',
      'Deployment',
      'Ingress'
    ])
    // pending before the write, then created with the uid the server gave (or not created).
    expect(
      records.filter(r => r.name === 'web' && r.kind === 'Service').map(r => r.created)
    ).toEqual(['pending', true])
    expect(records.find(r => r.kind === 'Service' && r.created === true)?.uid).toMatch(/^uid-/)
    expect(records.filter(r => r.name === 'theirs').map(r => r.created)).toEqual([false])
    expect(records.find(r => r.kind === 'ClusterRole')).toMatchObject({
      namespaced: false,
      plural: 'clusterroles'
    })
    expect(lines).toContain(
      'secret/theirs serverside-applied (configured (it existed: kept at teardown))'
    )
    expect(lines).toContain('deployment.apps/web serverside-applied (created)')
  })

  it('waits for the run’s CRDs to be established before their custom resources, then refreshes discovery', async () => {
    const kube = withNamespace()
    const crd = typed({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { kind: 'Widget', plural: 'widgets' },
        versions: [{ name: 'v1', served: true }]
      }
    })
    const widget: Typed = {
      object: {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w1', namespace: NS }
      },
      type: {
        group: 'example.com',
        version: 'v1',
        kind: 'Widget',
        plural: 'widgets',
        namespaced: true
      }
    }
    kube.onApply = o => {
      if (o.kind !== 'CustomResourceDefinition') return
      setTimeout(() => {
        kube.served.push(widget.type)
        kube.put({ ...o, status: { conditions: [{ type: 'Established', status: 'True' }] } })
      }, 150)
    }
    const lines: string[] = []
    const opts = { ...options(kube), log: (l: string) => lines.push(l) }
    await dryRunAll(kube, [crd, widget], opts) // the custom resource cannot be dry-run yet: skipped
    expect(kube.callsOf('dryRun').map(c => (c.args[0] as KubeObject).kind)).toEqual([
      'CustomResourceDefinition'
    ])
    await applyAll(kube, [widget, crd], new Map(), opts)
    expect(kube.callsOf('apply').map(c => (c.args[0] as KubeObject).kind)).toEqual([
      'CustomResourceDefinition',
      'Widget'
    ])
    expect(lines).toContain('customresourcedefinition "widgets.example.com" established')
    expect(kube.find('Widget', 'w1', NS)).toBeDefined()
  })

  it('names the document and the server’s message when an apply fails', async () => {
    const kube = withNamespace()
    const objects = parseManifests(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: smoke-9-1}\n',
      'k8s/c.yaml'
    ).map(typed)
    kube.failNext(
      'apply',
      new KubeApiError(
        409,
        'Apply failed with 1 conflict: conflict with "helm": .data.a',
        'Conflict'
      )
    )
    const records: ObjectRecord[] = []
    const err = await phaseError(applyAll(kube, objects, new Map(), options(kube, records)))
    expect(err.message).toBe(
      'k8s/c.yaml document 1: ConfigMap "a": error applying configmap/a (Conflict): Apply failed with 1 conflict: conflict with "helm": .data.a'
    )
    expect(records.map(r => r.created)).toEqual(['pending', false])
  })
})

describe('objects of another run of this action', () => {
  const otherRuns = (kube: FakeKube) =>
    kube.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: NS,
        uid: 'uid-theirs',
        labels: { 'minikube-smoke/run': 'other' },
        managedFields: [
          { manager: 'minikube-smoke/other', operation: 'Apply' },
          { manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:status': {} } }
        ]
      },
      spec: {}
    })

  it('are not a conflict with someone else: which run, and whether it lives, is claim.ts’s business', async () => {
    const kube = withNamespace()
    otherRuns(kube)
    const web = obj('apps/v1', 'Deployment', 'web')
    const existing = await readExisting(kube, [web], {
      fieldManager: 'minikube-smoke/me',
      force: false
    })
    expect(existing.get(web)?.metadata.uid).toBe('uid-theirs')
  })

  it('taken over from a dead run: forced over its fields, recorded as the run’s own before the write', async () => {
    const kube = withNamespace()
    otherRuns(kube)
    const web = obj('apps/v1', 'Deployment', 'web', { spec: {} })
    const existing = await readExisting(kube, [web], {
      fieldManager: 'minikube-smoke/me',
      force: false
    })
    const records: ObjectRecord[] = []
    const lines: string[] = []
    const opts = {
      ...options(kube, records),
      fieldManager: 'minikube-smoke/me',
      takenOver: new Set([web]),
      log: (l: string) => lines.push(l)
    }
    await dryRunAll(kube, [web], opts)
    await applyAll(kube, [web], existing, opts)
    for (const c of [...kube.callsOf('dryRun'), ...kube.callsOf('apply')])
      expect(c.args[1]).toMatchObject({ fieldManager: 'minikube-smoke/me', force: true })
    expect(records.map(r => [r.created, r.uid])).toEqual([
      [true, 'uid-theirs'],
      [true, 'uid-theirs']
    ])
    expect(lines).toEqual([
      'deployment.apps/web serverside-applied (configured (taken over from a dead run: deleted at teardown))'
    ])
  })

  it('two runs racing: the server’s conflict names the other run’s manager, and the line says what to do', async () => {
    const kube = withNamespace()
    const web = obj('apps/v1', 'Deployment', 'web', { spec: {} })
    kube.failNext(
      'apply',
      new KubeApiError(
        409,
        'Apply failed with 1 conflict: conflict with "minikube-smoke/other": .metadata.labels.minikube-smoke/run',
        'Conflict'
      )
    )
    const err = await phaseError(
      applyAll(kube, [web], new Map(), { ...options(kube), fieldManager: 'minikube-smoke/me' })
    )
    expect(err.message).toContain('conflict with "minikube-smoke/other"')
    expect(err.message).toContain("set 'queue-timeout' to wait for it")
  })
})

describe('a pod whose service account is not ready yet', () => {
  // The messages as the local 1.20 API server's ServiceAccount admission plugin gave them to a
  // test pod applied right after its namespace was created (e2e, helm chart tests).
  const noToken = new KubeApiError(
    500,
    'No API token found for service account "default", retry after the token is automatically created and added to the service account',
    'ServerTimeout'
  )
  const noAccount = new KubeApiError(
    403,
    `pods "t" is forbidden: error looking up service account ${NS}/default: serviceaccount "default" not found`,
    'Forbidden'
  )
  const pod = () =>
    obj('v1', 'Pod', 't', { spec: { containers: [{ name: 'c', image: 'busybox' }] } })

  it.each([
    ['no token yet', noToken],
    ['no account yet', noAccount]
  ])('is tried again until the server takes it (%s)', async (_, err) => {
    const kube = withNamespace()
    kube.failNext('dryRun', err)
    kube.failNext('dryRun', err)
    await dryRunAll(kube, [pod()], options(kube))
    expect(kube.callsOf('dryRun')).toHaveLength(3)
  })

  it('any other rejection fails at once', async () => {
    const kube = withNamespace()
    kube.failNext('dryRun', new KubeApiError(422, 'spec.containers: Required value', 'Invalid'))
    const err = await phaseError(dryRunAll(kube, [pod()], options(kube)))
    expect(err.message).toContain('spec.containers: Required value')
    expect(kube.callsOf('dryRun')).toHaveLength(1)
  })
})
