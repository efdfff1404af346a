// Against the real local cluster: `rollout-check: update` — a second rollout while the Service is
// requested through its NodePort on 127.0.0.1.

import { describe, expect, it } from '@jest/globals'
import { nodePortUrl } from '../../src/kube/node-port.js'
import { Resources } from '../../src/kube/kinds.js'
import { FIELD_MANAGER } from '../../src/kube/names.js'
import type { KubePort } from '../../src/kube/api.js'
import type { Deployment, ReplicaSet } from '../../src/kube/types.js'
import {
  rolloutUpdateCheck,
  UpdateCheckError,
  type UpdateCheckResult
} from '../../src/kube/update-check.js'
import { checkProbe, parseSmokeChecks } from '../../src/smoke/index.js'
import {
  app,
  deploy,
  firstOk,
  LABEL_SELECTOR,
  Namespaces,
  useCluster,
  waitFor
} from './kube-support.js'

let client: KubePort
let image: string
let namespaces: Namespaces
useCluster('update', f => ({ client, image, namespaces } = f))

async function deployed(label: string, drainSeconds: number) {
  const namespace = namespaces.name(label)
  const objects = app({
    image,
    replicas: 2,
    env: { DRAIN_SECONDS: String(drainSeconds) },
    gracePeriodSeconds: drainSeconds + 5,
    tweak: d => {
      d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }
    }
  })
  const d = await deploy(client, objects, namespace, { image })
  await waitFor(client, d, namespace)
  const prepared = d.prepared
  const { url } = await nodePortUrl(
    client,
    namespace,
    prepared.target.service,
    '127.0.0.1',
    prepared.target.port
  )
  await firstOk(url, 15_000)
  const deployment = prepared.objects.find(t => t.object.kind === 'Deployment')!
    .object as Deployment
  return { namespace, url, deployment }
}

/** GET / expecting 2xx, through the smoke engine, as the pipeline sends it. */
const probeOf = (url: string) =>
  checkProbe(url, parseSmokeChecks({ checksYaml: '', smokePath: '/', expectStatus: '' })[0])

describe('rolling update check on the local cluster', () => {
  it('rolls out a second time with no failed request when pods drain before exiting (maxUnavailable 0)', async () => {
    const { namespace, url, deployment } = await deployed('drain', 3)
    const lines: string[] = []
    const probe = probeOf(url)
    const result = await rolloutUpdateCheck(client, {
      namespace,
      deployment,
      fieldManager: FIELD_MANAGER,
      labelSelector: LABEL_SELECTOR,
      maxRestarts: 3,
      probe,
      timeoutMs: 60_000,
      log: l => lines.push(l)
    }).finally(() => probe.close())
    console.log(
      `[measure] update check (drain 3 s): ${result.failedRequests}/${result.totalRequests} failed, ` +
        `rollout ${result.rollout.durationMs} ms, total ${result.durationMs} ms`
    )
    expect(result.maxUnavailable).toBe(0)
    expect(result.failedRequests).toBe(0)
    expect(result.totalRequests).toBeGreaterThan(10)
    expect(lines.at(-1)).toMatch(
      /^0 of \d+ requests \(GET http:\/\/127\.0\.0\.1:\d+\/\) failed during the rolling update of deployment "web" \(maxUnavailable 0\)$/
    )

    // A second revision really rolled out: two ReplicaSets, the new one owning both pods.
    const rs = await client.list<ReplicaSet>(Resources.ReplicaSet, { namespace })
    const byRevision = Object.fromEntries(
      rs.items.map(r => [
        r.metadata.annotations?.['deployment.kubernetes.io/revision'],
        r.status?.replicas ?? 0
      ])
    )
    expect(byRevision).toEqual({ '1': 0, '2': 2 })
  }, 120_000)

  it('reports failed requests when pods exit at once on SIGTERM (the number is measured, not fixed)', async () => {
    const { namespace, url, deployment } = await deployed('nodrain', 0)
    let result: UpdateCheckResult
    const probe = probeOf(url)
    try {
      result = await rolloutUpdateCheck(client, {
        namespace,
        deployment,
        fieldManager: FIELD_MANAGER,
        labelSelector: LABEL_SELECTOR,
        maxRestarts: 3,
        probe,
        timeoutMs: 60_000
      })
    } catch (err) {
      expect(err).toBeInstanceOf(UpdateCheckError)
      result = (err as UpdateCheckError).result
      expect((err as Error).message).toContain('although maxUnavailable is 0')
    } finally {
      await probe.close()
    }
    console.log(
      `[measure] update check (no drain): ${result.failedRequests}/${result.totalRequests} failed`
    )
    expect(result.totalRequests).toBeGreaterThan(10)
  }, 120_000)
})
