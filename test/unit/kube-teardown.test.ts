import { describe, expect, it } from '@jest/globals'
import { PhaseError } from '../../src/errors.js'
import { KubeApiError } from '../../src/kube/port.js'
import { deleteNamespace, deleteObjects, objectRef } from '../../src/kube/teardown.js'
import { FakeKube } from './kube-fake.js'
import { deployment, NS, pod } from './kube-objects.js'

function populated(): FakeKube {
  const kube = new FakeKube()
  kube.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })
  kube.put(deployment())
  kube.put(pod('web-abc-1', 'abc'))
  return kube
}

describe('deleteNamespace', () => {
  it('stops the controllers, removes the pods at once, then deletes the namespace', async () => {
    const kube = populated()
    const result = await deleteNamespace(kube, NS)
    expect(result).toMatchObject({ existed: true, gone: false })
    const steps = kube.calls
      .filter(c => c.method.startsWith('delete'))
      .map(c => [c.method, ...c.args.filter(a => typeof a === 'string'), c.args.at(-1)])
    expect(steps).toEqual([
      ['deleteCollection', 'Deployment', NS, { propagationPolicy: 'Orphan' }],
      ['deleteCollection', 'ReplicaSet', NS, { propagationPolicy: 'Orphan' }],
      ['deleteCollection', 'Pod', NS, { gracePeriodSeconds: 0 }],
      ['delete', 'Namespace', NS, { propagationPolicy: 'Background' }]
    ])
  })

  it('can leave pods to the namespace controller, and waits until the namespace is gone', async () => {
    const kube = populated()
    const result = await deleteNamespace(kube, NS, {
      podGracePeriodSeconds: null,
      wait: true,
      timeoutMs: 1000
    })
    expect(result).toMatchObject({ existed: true, gone: true })
    expect(kube.callsOf('deleteCollection')).toEqual([])
  })

  it('is idempotent: a missing namespace is not an error', async () => {
    const kube = new FakeKube()
    await expect(deleteNamespace(kube, 'gone', { wait: true })).resolves.toMatchObject({
      existed: false,
      gone: true
    })
    expect(kube.calls.filter(c => c.method.startsWith('delete'))).toEqual([])
  })

  it('reports a refusal as a teardown error', async () => {
    const kube = populated()
    kube.failNext('delete', new KubeApiError(403, 'namespaces "smoke-1-1" is forbidden'))
    const err = await deleteNamespace(kube, NS).catch(e => e)
    expect(err).toBeInstanceOf(PhaseError)
    expect(err).toMatchObject({
      phase: 'teardown',
      message: `cannot delete namespace "${NS}": namespaces "smoke-1-1" is forbidden`
    })
  })
})

describe('deleteObjects', () => {
  it('deletes in reverse apply order; already-deleted objects are fine', async () => {
    const kube = new FakeKube()
    const svc = kube.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'team' }
    })
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'team' }
    }
    const d = kube.put({ ...deployment(), metadata: { name: 'web', namespace: 'team' } })
    const deleted = await deleteObjects(kube, [cm, svc, d].map(objectRef))
    expect(deleted.map(r => r.kind)).toEqual(['Deployment', 'Service'])
    expect(kube.callsOf('delete').map(c => c.args[0])).toEqual([
      'Deployment',
      'Service',
      'ConfigMap'
    ])
  })
})
