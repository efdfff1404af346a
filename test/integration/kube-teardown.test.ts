// Against the real local cluster: how long namespace teardown takes, by approach, and that it is
// idempotent. The numbers are printed for the record; the assertions only guard the ordering.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { applyObjects, ensureNamespace } from '../../src/kube/apply.js'
import { FIELD_MANAGER } from '../../src/kube/names.js'
import { Resources, type KubePort } from '../../src/kube/port.js'
import { waitForRollout } from '../../src/kube/rollout.js'
import { deleteNamespace, deleteObjects, objectRef } from '../../src/kube/teardown.js'
import { app, ensureTestImage, kube, Namespaces } from './kube-support.js'

let client: KubePort
let image: string
let namespaces: Namespaces

beforeAll(() => {
  client = kube()
  image = ensureTestImage()
  namespaces = new Namespaces(client, 'teardown')
}, 120_000)

afterAll(async () => {
  expect(await namespaces.cleanup()).toEqual([])
}, 180_000)

/** A namespace with a rolled-out 2-replica Deployment whose pods keep Kubernetes' 30 s grace. */
async function running(label: string, drainSeconds = 0): Promise<string> {
  const namespace = namespaces.name(label)
  await ensureNamespace(client, namespace)
  const prepared = app({
    image,
    namespace,
    replicas: 2,
    env: { DRAIN_SECONDS: String(drainSeconds) }
  })
  await applyObjects(client, prepared.objects, FIELD_MANAGER)
  await waitForRollout(client, namespace, 'web', { timeoutMs: 60_000 })
  return namespace
}

describe('namespace teardown on the local cluster', () => {
  it('measures: namespace only vs. workloads first with a short grace period', async () => {
    // Pods that ignore SIGTERM for 20 s, like an app that drains slowly: the worst case.
    const [plain, grace1, grace0] = await Promise.all([
      running('plain', 20),
      running('grace1', 20),
      running('grace0', 20)
    ])
    const results = await Promise.all([
      deleteNamespace(client, plain, {
        wait: true,
        timeoutMs: 90_000,
        podGracePeriodSeconds: null
      }),
      deleteNamespace(client, grace1, { wait: true, timeoutMs: 90_000, podGracePeriodSeconds: 1 }),
      deleteNamespace(client, grace0, { wait: true, timeoutMs: 90_000, podGracePeriodSeconds: 0 })
    ])
    const [a, b, c] = results.map(r => r.durationMs)
    console.log(
      `[measure] delete namespace and wait: namespace only ${a} ms, pods grace 1 s first ${b} ms, pods grace 0 first ${c} ms`
    )
    for (const r of results) expect(r).toMatchObject({ existed: true, gone: true })
    expect(b).toBeLessThan(a)
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

  it('is idempotent, and deleteObjects leaves a user namespace in place', async () => {
    const namespace = namespaces.name('user')
    await ensureNamespace(client, namespace)
    const prepared = app({ image, namespace, gracePeriodSeconds: 1 })
    await applyObjects(client, prepared.objects, FIELD_MANAGER)
    const refs = prepared.objects.map(objectRef)
    expect((await deleteObjects(client, refs)).map(r => r.kind)).toEqual(['Deployment', 'Service'])
    expect(await deleteObjects(client, refs)).toEqual([])
    expect(await client.get(Resources.Namespace, namespace)).toBeDefined()
    expect(await client.get(Resources.Deployment, 'web', namespace)).toBeUndefined()

    await deleteNamespace(client, namespace, { wait: true })
    await expect(deleteNamespace(client, namespace, { wait: true })).resolves.toMatchObject({
      existed: false,
      gone: true
    })
  }, 90_000)
})
