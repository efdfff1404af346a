import { describe, expect, it } from '@jest/globals'
import { PhaseError } from '../../src/errors.js'
import { applyObjects, ensureNamespace } from '../../src/kube/apply.js'
import { KubeApiError } from '../../src/kube/port.js'
import type { KubeObject } from '../../src/kube/types.js'
import { FakeKube } from './kube-fake.js'

describe('ensureNamespace', () => {
  it('creates the namespace and reports it before returning', async () => {
    const kube = new FakeKube()
    const seen: string[] = []
    const result = await ensureNamespace(kube, 'smoke-9-1', {
      labels: { 'minikube-smoke/run': '9-1' },
      onCreated: name => seen.push(`${name} exists: ${Boolean(kube.find('Namespace', name))}`)
    })
    expect(result).toEqual({ created: true })
    expect(seen).toEqual(['smoke-9-1 exists: true'])
    expect(kube.find('Namespace', 'smoke-9-1')?.metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'minikube-smoke',
      'minikube-smoke/run': '9-1'
    })
  })

  it('uses an existing namespace as is, and never claims it', async () => {
    const kube = new FakeKube()
    kube.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team' },
      status: { phase: 'Active' }
    })
    const seen: string[] = []
    expect(await ensureNamespace(kube, 'team', { onCreated: n => seen.push(n) })).toEqual({
      created: false
    })
    expect(seen).toEqual([])
    expect(kube.callsOf('create')).toEqual([])
  })

  it('treats a namespace created concurrently (409) as not ours', async () => {
    const kube = new FakeKube()
    kube.failNext('create', new KubeApiError(409, 'namespaces "x" already exists', 'AlreadyExists'))
    const seen: string[] = []
    expect(await ensureNamespace(kube, 'x', { onCreated: n => seen.push(n) })).toEqual({
      created: false
    })
    expect(seen).toEqual([])
  })

  it('refuses a namespace that is being deleted', async () => {
    const kube = new FakeKube()
    kube.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'old' },
      status: { phase: 'Terminating' }
    })
    await expect(ensureNamespace(kube, 'old')).rejects.toThrow(
      'namespace "old" is being deleted (Terminating): wait for it to go, or choose another namespace'
    )
  })
})

describe('applyObjects', () => {
  const objects: KubeObject[] = [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ns' } }
  ]

  it('server-side applies every object in dependency order with the field manager', async () => {
    const kube = new FakeKube()
    const lines: string[] = []
    const applied = await applyObjects(kube, objects, 'minikube-smoke', l => lines.push(l))
    expect(kube.callsOf('apply').map(c => [(c.args[0] as KubeObject).kind, c.args[1]])).toEqual([
      ['ConfigMap', 'minikube-smoke'],
      ['Service', 'minikube-smoke'],
      ['Deployment', 'minikube-smoke']
    ])
    expect(lines).toEqual([
      'configmap/settings serverside-applied',
      'service/web serverside-applied',
      'deployment.apps/web serverside-applied'
    ])
    expect(applied.map(a => a.object.metadata.generation)).toEqual([1, 1, 1])
  })

  it('stops at the first refusal with the server message, like kubectl', async () => {
    const failing = new FakeKube()
    const original = failing.apply.bind(failing)
    failing.apply = async (o, m) => {
      if (o.kind === 'Service') {
        throw new KubeApiError(
          422,
          'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range',
          'Invalid'
        )
      }
      return original(o, m)
    }
    const err = await applyObjects(failing, objects, 'minikube-smoke').catch(e => e)
    expect(err).toBeInstanceOf(PhaseError)
    expect(err.message).toBe(
      'error applying service/web in namespace "ns" (Invalid): Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range'
    )
    expect(failing.find('Deployment', 'web', 'ns')).toBeUndefined()
  })
})
