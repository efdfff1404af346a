// Against the real local cluster: how long namespace teardown takes, by approach, and that it is
// idempotent. The numbers are printed for the record; the assertions only guard the ordering.

import { describe, expect, it } from '@jest/globals'
import { ensureNamespace } from '../../src/kube/apply.js'
import { Resources } from '../../src/kube/kinds.js'
import type { KubePort } from '../../src/kube/api.js'
import { deleteNamespace, deleteOwned, podMakersOf } from '../../src/kube/delete.js'
import { app, deploy, METADATA, Namespaces, useCluster, waitFor } from './kube-support.js'

let client: KubePort
let image: string
let namespaces: Namespaces
useCluster('teardown', f => ({ client, image, namespaces } = f))

/** A namespace with a rolled-out 2-replica Deployment whose pods keep Kubernetes' 30 s grace. */
async function running(label: string, drainSeconds = 0): Promise<string> {
  const namespace = namespaces.name(label)
  const deployed = await deploy(
    client,
    app({ image, replicas: 2, env: { DRAIN_SECONDS: String(drainSeconds) } }),
    namespace,
    { image }
  )
  await waitFor(client, deployed, namespace)
  return namespace
}

describe('namespace teardown on the local cluster', () => {
  it('measures: namespace only vs. controllers stopped and pods deleted first', async () => {
    // An app that exits on SIGTERM, and one that keeps serving 20 s (within the default 30 s grace).
    // The slow-draining cases take ~45-65 s; they run with MEASURE_TEARDOWN=1.
    const all = [
      { label: 'prompt-ns', drain: 0, grace: null },
      { label: 'prompt-g0', drain: 0, grace: undefined }, // the default: 0
      { label: 'slow-ns', drain: 20, grace: null },
      { label: 'slow-g1', drain: 20, grace: 1 },
      { label: 'slow-g0', drain: 20, grace: undefined }
    ] as const
    const cases = process.env.MEASURE_TEARDOWN ? all : all.slice(0, 2)
    const names = await Promise.all(cases.map(c => running(c.label, c.drain)))
    const results = await Promise.all(
      cases.map((c, i) =>
        deleteNamespace(client, names[i], {
          wait: true,
          timeoutMs: 90_000,
          podGracePeriodSeconds: c.grace
        })
      )
    )
    const ms = Object.fromEntries(cases.map((c, i) => [c.label, results[i].durationMs]))
    console.log(`[measure] delete namespace and wait (ms): ${JSON.stringify(ms)}`)
    for (const r of results) expect(r).toMatchObject({ existed: true, gone: true })
    // The namespace controller waits 5 s before it starts: that is the floor.
    expect(ms['prompt-g0']).toBeLessThan(9000)
    expect(ms['prompt-g0']).toBeLessThan(ms['prompt-ns'])
    if (process.env.MEASURE_TEARDOWN) expect(ms['slow-g0']).toBeLessThan(9000)
  }, 150_000)

  it('measures an empty namespace, and without waiting', async () => {
    const empty = namespaces.name('empty')
    await ensureNamespace(client, empty)
    const r = await deleteNamespace(client, empty, { wait: true, timeoutMs: 60_000 })
    const busy = await running('nowait')
    const quick = await deleteNamespace(client, busy, { wait: false })
    console.log(
      `[measure] empty namespace ${r.durationMs} ms; delete without waiting ${quick.durationMs} ms`
    )
    expect(quick).toMatchObject({ existed: true, gone: false })
    expect(quick.durationMs).toBeLessThan(5000)
  }, 120_000)

  it('is idempotent; in a namespace it did not create, only what the run created goes', async () => {
    const namespace = namespaces.name('user')
    await ensureNamespace(client, namespace)
    // The team's own ConfigMap, made before the run by someone else.
    await client.create(Resources.ConfigMap, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'team-settings', namespace },
      data: { a: '1' }
    })
    const deployed = await deploy(client, app({ image, gracePeriodSeconds: 1 }), namespace, {
      image
    })
    expect(deployed.createdNamespace).toBe(false)
    const label = METADATA.labels['minikube-smoke/run']
    const first = await deleteOwned(client, deployed.records, label)
    expect(first.deleted.map(r => r.kind)).toEqual(['Deployment', 'Service'])
    expect((await deleteOwned(client, deployed.records, label)).deleted).toEqual([])
    expect(await client.get(Resources.Namespace, namespace)).toBeDefined()
    expect(await client.get(Resources.ConfigMap, 'team-settings', namespace)).toBeDefined()
    expect(await client.get(Resources.Deployment, 'web', namespace)).toBeUndefined()
    expect(podMakersOf(deployed.records).map(t => t.kind)).toEqual(['Deployment'])

    await deleteNamespace(client, namespace, { wait: true })
    await expect(deleteNamespace(client, namespace, { wait: true })).resolves.toMatchObject({
      existed: false,
      gone: true
    })
  }, 90_000)
})
