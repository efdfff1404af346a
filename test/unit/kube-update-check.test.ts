import { describe, expect, it } from '@jest/globals'
import { RESTARTED_AT_ANNOTATION } from '../../src/kube/names.js'
import type { Deployment, KubeObject } from '../../src/kube/types.js'
import {
  effectiveMaxUnavailable,
  rolloutUpdateCheck,
  UpdateCheckError,
  type Requester
} from '../../src/kube/update-check.js'
import { FakeKube } from './kube-fake.js'
import { deployment, NS, replicaSet, SELECTOR } from './kube-objects.js'

function withStrategy(replicas: number, strategy: Deployment['spec']['strategy']): Deployment {
  const d = deployment({ replicas })
  d.spec.strategy = strategy
  return d
}

describe('effectiveMaxUnavailable', () => {
  it.each([
    [1, undefined, 0], // 25% of 1 rounds down to 0 (and surge rounds up to 1)
    [4, undefined, 1],
    [3, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }, 0],
    [3, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } }, 1],
    [3, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } }, 1],
    [2, { type: 'Recreate' }, 2]
  ])('replicas %d, strategy %j → %d', (replicas, strategy, expected) => {
    expect(
      effectiveMaxUnavailable(withStrategy(replicas, strategy as Deployment['spec']['strategy']))
    ).toBe(expected)
  })
})

/** A fake deployment controller: each apply rolls out at once as a new revision. */
function rollingCluster(strategy?: Deployment['spec']['strategy']): FakeKube {
  const kube = new FakeKube()
  kube.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })
  let revision = 1
  const current = withStrategy(2, strategy)
  kube.put({
    ...current,
    status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }
  })
  kube.onApply = (o: KubeObject) => {
    if (o.kind !== 'Deployment') return
    revision++
    const applied = o as Deployment
    kube.put(replicaSet('web', `h${revision}`, String(revision)))
    setTimeout(() => {
      kube.put({
        ...applied,
        metadata: {
          ...applied.metadata,
          annotations: { 'deployment.kubernetes.io/revision': String(revision) }
        },
        status: {
          observedGeneration: applied.metadata.generation,
          replicas: 2,
          updatedReplicas: 2,
          availableReplicas: 2
        }
      })
    }, 150)
  }
  return kube
}

describe('rolloutUpdateCheck', () => {
  const base = {
    namespace: NS,
    deployment: deployment({ replicas: 2 }),
    fieldManager: 'minikube-smoke',
    labelSelector: SELECTOR,
    maxRestarts: 3,
    probeUrl: 'http://127.0.0.1:30000/',
    timeoutMs: 5000,
    intervalMs: 10,
    settleMs: 50
  }

  it('re-applies the whole Deployment with a new template annotation and counts requests', async () => {
    const kube = rollingCluster({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 }
    })
    const request: Requester = async () => 200
    const result = await rolloutUpdateCheck(kube, { ...base, request })
    expect(result.failedRequests).toBe(0)
    expect(result.totalRequests).toBeGreaterThan(5)
    expect(result.maxUnavailable).toBe(0)
    expect(result.rollout.message).toBe('deployment "web" successfully rolled out')
    const [applied] = kube.callsOf('apply').map(c => c.args[0] as Deployment)
    expect(applied.spec.template.metadata?.annotations?.[RESTARTED_AT_ANNOTATION]).toMatch(
      /^\d{4}-\d\d-\d\dT/
    )
    expect(applied.spec.template.spec.containers).toEqual(
      base.deployment.spec.template.spec.containers
    )
    expect(base.deployment.spec.template.metadata?.annotations).toBeUndefined() // input untouched
  })

  it('fails when requests fail although maxUnavailable is 0, with the numbers', async () => {
    const kube = rollingCluster({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 }
    })
    let n = 0
    const request: Requester = async () => {
      n++
      if (n === 3) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
      return n === 4 ? 503 : 200
    }
    const err = await rolloutUpdateCheck(kube, { ...base, request }).catch(e => e)
    expect(err).toBeInstanceOf(UpdateCheckError)
    expect(err.result.failedRequests).toBe(2)
    expect(err.message).toMatch(
      /^2 of \d+ requests to http:\/\/127\.0\.0\.1:30000\/ failed during the rolling update of deployment "web", although maxUnavailable is 0 \(first failures: ECONNREFUSED; HTTP 503\)$/
    )
  })

  it('only reports failures when the strategy allows unavailability', async () => {
    const kube = rollingCluster({ type: 'Recreate' })
    let n = 0
    const request: Requester = async () => (++n % 2 ? 200 : 502)
    const lines: string[] = []
    const result = await rolloutUpdateCheck(kube, { ...base, request, log: l => lines.push(l) })
    expect(result.failedRequests).toBeGreaterThan(0)
    expect(result.maxUnavailable).toBe(2)
    expect(lines.at(-1)).toMatch(
      /failed during the rolling update of deployment "web" \(maxUnavailable 2\)$/
    )
  })
})
