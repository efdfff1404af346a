import { describe, expect, it } from '@jest/globals'
import { PhaseError } from '../../src/errors.js'
import type { ObjectRecord } from '../../src/kube/apply.js'
import { Resources } from '../../src/kube/kinds.js'
import { KubeApiError } from '../../src/kube/api.js'
import type { KubeObject } from '../../src/kube/types.js'
import { deleteNamespace, deleteOwned, podMakersOf } from '../../src/kube/delete.js'
import { FakeKube } from './kube-fake.js'
import { deployment, NS, pod, RUN } from './kube-objects.js'

function populated(): FakeKube {
  const kube = new FakeKube()
  kube.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })
  kube.put(deployment())
  kube.put(pod('web-abc-1', 'abc'))
  return kube
}

function record(
  kind: string,
  name: string,
  created: ObjectRecord['created'],
  extra: Partial<ObjectRecord> = {}
): ObjectRecord {
  const type = Object.values(Resources).find(t => t.kind === kind) ?? {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind,
    plural: `${kind.toLowerCase()}s`,
    namespaced: false
  }
  return {
    apiVersion: type.group ? `${type.group}/${type.version}` : type.version,
    kind,
    plural: type.plural,
    namespaced: type.namespaced,
    name,
    ...(type.namespaced ? { namespace: 'team' } : {}),
    created,
    ...extra
  }
}

describe('deleteNamespace', () => {
  it('stops the run’s pod makers, removes the pods at once, then deletes the namespace', async () => {
    const kube = populated()
    const result = await deleteNamespace(kube, NS, {
      podMakers: podMakersOf([
        record('Deployment', 'web', true),
        record('StatefulSet', 'kv', true),
        record('ConfigMap', 'c', true)
      ])
    })
    expect(result).toMatchObject({ existed: true, gone: false })
    const steps = kube.calls
      .filter(c => c.method.startsWith('delete'))
      .map(c => [c.method, ...c.args.filter(a => typeof a === 'string'), c.args.at(-1)])
    expect(steps).toEqual([
      ['deleteCollection', 'Deployment', NS, { propagationPolicy: 'Orphan' }],
      ['deleteCollection', 'StatefulSet', NS, { propagationPolicy: 'Orphan' }],
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
      message: `cannot delete namespace "${NS}": namespaces "smoke-1-1" is forbidden`
    })
  })
})

describe('deleteOwned: only what the run created', () => {
  it('deletes created objects in reverse apply order with their uid; keeps what existed', async () => {
    const kube = new FakeKube()
    const svc = kube.put<KubeObject>({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'team' }
    })
    const theirs = kube.put<KubeObject>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shared', namespace: 'team' }
    })
    const d = kube.put<KubeObject>({
      ...deployment(),
      metadata: { name: 'web', namespace: 'team' }
    })
    const role = kube.put<KubeObject>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'reader' }
    })
    const r = await deleteOwned(
      kube,
      [
        record('ClusterRole', 'reader', true, { uid: role.metadata.uid }),
        record('ConfigMap', 'shared', false),
        record('Service', 'web', true, { uid: svc.metadata.uid }),
        record('Deployment', 'web', true, { uid: d.metadata.uid }),
        record('Secret', 'gone', true, { uid: 'uid-x' })
      ],
      RUN['minikube-smoke/run']
    )
    expect(kube.callsOf('delete').map(c => `${c.args[0]}/${c.args[1]}`)).toEqual([
      'Deployment/web',
      'Service/web',
      'Secret/gone',
      'ClusterRole/reader'
    ])
    expect(kube.callsOf('delete')[0].args[3]).toEqual({
      propagationPolicy: 'Background',
      uid: d.metadata.uid
    })
    expect(r.deleted.map(o => o.kind)).toEqual(['Deployment', 'Service', 'ClusterRole'])
    expect(r.kept.map(o => o.name)).toEqual(['shared'])
    expect(kube.find('ConfigMap', 'shared', 'team')).toEqual(theirs)
  })

  it('deletes the claims a StatefulSet of the run made from its volumeClaimTemplates, uid-preconditioned; not older or other claims', async () => {
    const kube = new FakeKube()
    const at = (s: string) => `2026-12-06T19:00:${s}Z`
    const sts = kube.put<KubeObject>({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'team', creationTimestamp: at('10') },
      spec: { volumeClaimTemplates: [{ metadata: { name: 'data' } }] }
    })
    const claim = (name: string, created: string) =>
      kube.put<KubeObject>({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name, namespace: 'team', creationTimestamp: at(created) }
      })
    claim('data-db-0', '10')
    claim('data-db-1', '12')
    claim('data-db-2', '05') // made before the StatefulSet: someone's, adopted — kept
    claim('data-db-x', '12') // not an ordinal
    claim('data-dbx-0', '12') // another StatefulSet's
    claim('uploads', '12') // not from a template
    const lines: string[] = []
    await deleteOwned(kube, [record('StatefulSet', 'db', true, { uid: sts.metadata.uid })], 'k', {
      log: l => lines.push(l)
    })
    expect(lines).toEqual([
      'statefulset.apps "db" in namespace "team" deleted',
      'persistentvolumeclaim "data-db-0" in namespace "team" deleted',
      'persistentvolumeclaim "data-db-1" in namespace "team" deleted'
    ])
    const claimDeletes = kube.callsOf('delete').filter(c => c.args[0] === 'PersistentVolumeClaim')
    expect(claimDeletes.every(c => (c.args[3] as { uid?: string }).uid?.startsWith('uid-'))).toBe(
      true
    )
    for (const kept of ['data-db-2', 'data-db-x', 'data-dbx-0', 'uploads'])
      expect(kube.find('PersistentVolumeClaim', kept, 'team')).toBeDefined()
  })

  it('a StatefulSet that is not the run’s (another uid) leaves its claims alone', async () => {
    const kube = new FakeKube()
    kube.put<KubeObject>({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'team', uid: 'uid-theirs' },
      spec: { volumeClaimTemplates: [{ metadata: { name: 'data' } }] }
    })
    kube.put<KubeObject>({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data-db-0', namespace: 'team' }
    })
    await deleteOwned(kube, [record('StatefulSet', 'db', true, { uid: 'uid-ours' })], 'k')
    expect(kube.find('PersistentVolumeClaim', 'data-db-0', 'team')).toBeDefined()
  })

  it('leaves an object someone made again under the same name (another uid)', async () => {
    const kube = new FakeKube()
    kube.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'team', uid: 'uid-theirs' }
    })
    const lines: string[] = []
    const r = await deleteOwned(kube, [record('Service', 'web', true, { uid: 'uid-ours' })], 'k', {
      log: l => lines.push(l)
    })
    expect(r.deleted).toEqual([])
    expect(kube.find('Service', 'web', 'team')).toBeDefined()
    expect(lines).toEqual([
      'service "web" in namespace "team" kept: it was made again by someone else (another uid)'
    ])
  })

  it('an apply that never answered: deleted only if it carries the run label and was made after the run looked', async () => {
    const kube = new FakeKube()
    const label = RUN['minikube-smoke/run']
    kube.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'ours',
        namespace: 'team',
        labels: { ...RUN },
        creationTimestamp: '2026-01-01T00:00:05Z'
      }
    })
    kube.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'unlabelled', namespace: 'team', creationTimestamp: '2026-01-01T00:00:05Z' }
    })
    kube.put({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'older',
        namespace: 'team',
        labels: { ...RUN },
        creationTimestamp: '2025-12-31T23:59:00Z'
      }
    })
    const absentAt = '2026-01-01T00:00:05.400Z' // creationTimestamp has whole seconds
    const r = await deleteOwned(
      kube,
      ['ours', 'unlabelled', 'older', 'never-made'].map(n =>
        record('Service', n, 'pending', { absentAt })
      ),
      label
    )
    expect(r.deleted.map(o => o.name)).toEqual(['ours'])
    expect(r.kept.map(o => o.name).sort()).toEqual(['never-made', 'older', 'unlabelled'])
  })
})
