import { describe, expect, it } from '@jest/globals'
import { RESTARTED_AT_ANNOTATION } from '../../src/kube/names.js'
import type { Deployment, KubeObject } from '../../src/kube/types.js'
import {
  effectiveMaxUnavailable,
  rolloutUpdateCheck,
  UpdateCheckError,
  type UpdateProbe
} from '../../src/kube/update-check.js'
import { checkProbe, parseSmokeChecks } from '../../src/smoke/index.js'
import { serve } from './http-servers.js'
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

/** A probe answering from `outcome`: undefined for a request that passed, else its failure. */
const probeOf = (outcome: () => string | undefined): UpdateProbe => ({
  label: 'GET http://127.0.0.1:30000/',
  send: async () => outcome()
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

const base = {
  namespace: NS,
  deployment: deployment({ replicas: 2 }),
  fieldManager: 'minikube-smoke',
  labelSelector: SELECTOR,
  maxRestarts: 3,
  timeoutMs: 5000,
  intervalMs: 10,
  settleMs: 50
}

describe('rolloutUpdateCheck', () => {
  it('re-applies the whole Deployment with a new template annotation and counts requests', async () => {
    const kube = rollingCluster({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 }
    })
    const result = await rolloutUpdateCheck(kube, { ...base, probe: probeOf(() => undefined) })
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
    const probe = probeOf(() => {
      n++
      if (n === 3 || n === 5) return 'connection refused'
      return n === 4 ? 'expected status 2xx, got 503' : undefined
    })
    const err = await rolloutUpdateCheck(kube, { ...base, probe }).catch(e => e)
    expect(err).toBeInstanceOf(UpdateCheckError)
    expect(err.result.failedRequests).toBe(3)
    // Distinct failures only.
    expect(err.message).toMatch(
      /^3 of \d+ requests \(GET http:\/\/127\.0\.0\.1:30000\/\) failed during the rolling update of deployment "web", although maxUnavailable is 0 \(first failures: connection refused; expected status 2xx, got 503\)$/
    )
  })

  it('only reports failures when the strategy allows unavailability', async () => {
    const kube = rollingCluster({ type: 'Recreate' })
    let n = 0
    const probe = probeOf(() => (++n % 2 ? undefined : 'expected status 2xx, got 502'))
    const lines: string[] = []
    const result = await rolloutUpdateCheck(kube, { ...base, probe, log: l => lines.push(l) })
    expect(result.failedRequests).toBeGreaterThan(0)
    expect(result.maxUnavailable).toBe(2)
    expect(lines.at(-1)).toMatch(
      /failed during the rolling update of deployment "web" \(maxUnavailable 2\)$/
    )
  })
})

describe('rolloutUpdateCheck through the smoke engine (a real HTTP server on 127.0.0.1)', () => {
  const strategy = {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: 0, maxSurge: 1 }
  } as const
  /** A service that wants `Authorization: Bearer t0ken`, and records what each request carried. */
  async function guarded() {
    const seen: Array<{ method?: string; host?: string; auth?: string; url?: string }> = []
    const sockets = new Set<unknown>()
    const server = await serve((req, res) => {
      sockets.add(req.socket)
      seen.push({
        method: req.method,
        host: req.headers.host,
        auth: req.headers.authorization,
        url: req.url
      })
      res.writeHead(req.headers.authorization === 'Bearer t0ken' ? 200 : 401).end('body')
    })
    return { server, seen, sockets }
  }
  const check = (yaml: string) =>
    parseSmokeChecks({ checksYaml: yaml, smokePath: '', expectStatus: '' })[0]

  it('a 401 is a failed request: the first check without its credential fails the update check', async () => {
    const { server, seen } = await guarded()
    const probe = checkProbe(server.base, check('- {path: /api?x=1, host: app.example.com}'))
    const err = await rolloutUpdateCheck(rollingCluster(strategy), { ...base, probe })
      .catch(e => e)
      .finally(() => probe.close())
    expect(err).toBeInstanceOf(UpdateCheckError)
    expect(err.result.failedRequests).toBe(err.result.totalRequests)
    expect(err.message).toContain(
      `(GET ${server.base}/api?x=1) failed during the rolling update of deployment "web", although maxUnavailable is 0 (first failures: expected status 2xx, got 401)`
    )
    // The check's Host and path, not a bare GET of the URL.
    expect(seen[0]).toEqual({
      method: 'GET',
      host: 'app.example.com',
      auth: undefined,
      url: '/api?x=1'
    })
  })

  it("with the check's credential, method and expectations it passes", async () => {
    const { server, seen, sockets } = await guarded()
    const probe = checkProbe(
      server.base,
      check(
        '- {path: /ok, method: OPTIONS, headers: {Authorization: Bearer t0ken}, expect-status: 200}'
      )
    )
    const result = await rolloutUpdateCheck(rollingCluster(strategy), { ...base, probe }).finally(
      () => probe.close()
    )
    expect(result.failedRequests).toBe(0)
    expect(result.totalRequests).toBeGreaterThan(3)
    expect(seen.every(r => r.method === 'OPTIONS' && r.auth === 'Bearer t0ken')).toBe(true)
    // A connection per request: a kept-alive socket would stay on one pod through the rollout.
    expect(sockets.size).toBe(seen.length)
  })

  it('an expectation the answer misses fails a request, as it fails the check', async () => {
    const server = await serve((_req, res) => res.writeHead(200).end('maintenance'))
    const probe = checkProbe(server.base, check('- {path: /, expect-body-contains: [ready]}'))
    const outcome = await probe.send().finally(() => probe.close())
    expect(outcome).toMatch(/body does not contain "ready"/)
  })
})
