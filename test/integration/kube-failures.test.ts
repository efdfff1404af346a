// Against the real local cluster: each fail-fast reason arrives quickly, with the real reason, the
// container name and (for a crash) its logs; a failing readiness probe times out naming the probe.

import { describe, expect, it } from '@jest/globals'
import { applyObjects, ensureNamespace } from '../../src/kube/apply.js'
import { collectDiagnostics } from '../../src/kube/diagnostics.js'
import { RolloutError } from '../../src/kube/errors.js'
import { FIELD_MANAGER } from '../../src/kube/names.js'
import { Resources, type KubePort } from '../../src/kube/port.js'
import { waitForRollout } from '../../src/kube/rollout.js'
import type { Pod } from '../../src/kube/types.js'
import { app, IMAGE_REPOSITORY, Namespaces, useCluster } from './kube-support.js'

let client: KubePort
let image: string
let namespaces: Namespaces
useCluster('fail', f => ({ client, image, namespaces } = f))

async function deploy(label: string, options: Omit<Parameters<typeof app>[0], 'namespace'>) {
  const namespace = namespaces.name(label)
  await ensureNamespace(client, namespace)
  await applyObjects(client, app({ ...options, namespace }).objects, FIELD_MANAGER)
  return { namespace, appliedAt: Date.now() }
}

async function rolloutError(promise: Promise<unknown>): Promise<RolloutError> {
  const err = await promise.then(
    () => new Error('the rollout should have failed'),
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(RolloutError)
  return err as RolloutError
}

describe('fail fast on the local cluster', () => {
  it('a crashing container fails the rollout soon after its first restart, with the reason and its logs', async () => {
    const { namespace, appliedAt } = await deploy('crash', {
      image,
      env: { MODE: 'crash' },
      gracePeriodSeconds: 1
    })
    const err = await rolloutError(waitForRollout(client, namespace, 'web', { timeoutMs: 60_000 }))
    const detectedAt = Date.now()
    expect(err.reason).toBe('CrashLoopBackOff')
    expect(err.container).toBe('smoke-server')
    expect(err.message).toMatch(
      /^deployment "web" failed: container "smoke-server" is in CrashLoopBackOff \(restarted \d+ times?\): last exit code 3 \(Error\): config file missing$/
    )
    expect(err.details).toContain('fatal: config file missing')

    // The first restart is when the second run started: lastState of the first CrashLoopBackOff.
    const pod = (await client.get<Pod>(Resources.Pod, err.pod!, namespace))!
    const status = pod.status!.containerStatuses![0]
    const secondRunStarted = Date.parse(status.lastState!.terminated!.startedAt!)
    const latency = detectedAt - secondRunStarted
    console.log(
      `[measure] crash: detected ${detectedAt - appliedAt} ms after apply, ` +
        `${latency} ms after the first restart (restartCount ${status.restartCount})`
    )
    expect(latency).toBeLessThan(15_000)

    const report = await collectDiagnostics(client, namespace)
    const c = report.data.pods[0].containers[0]
    expect(c.previousLogs).toContain('fatal: config file missing')
    expect(report.text).toContain('fatal: config file missing')
    expect(report.markdown).toContain('(previous run)')
    expect(report.data.events.some(e => e.reason === 'BackOff')).toBe(true)
  }, 90_000)

  it('an image that is not in the node Docker fails with ErrImageNeverPull within 10 s', async () => {
    const missing = `${IMAGE_REPOSITORY}:does-not-exist`
    const { namespace, appliedAt } = await deploy('noimage', { image: missing })
    const err = await rolloutError(waitForRollout(client, namespace, 'web', { timeoutMs: 60_000 }))
    const elapsed = Date.now() - appliedAt
    console.log(`[measure] ErrImageNeverPull detected ${elapsed} ms after apply`)
    expect(elapsed).toBeLessThan(10_000)
    expect(err.reason).toBe('ErrImageNeverPull')
    expect(err.container).toBe('smoke-server')
    expect(err.message).toBe(
      `deployment "web" failed: container "smoke-server" is in ErrImageNeverPull: Container image "${missing}" is not present with pull policy of Never`
    )
  }, 60_000)

  it('a readiness probe that never passes ends in a timeout that names the probe and its failure', async () => {
    const { namespace } = await deploy('unready', { image, env: { READY_STATUS: '500' } })
    const started = Date.now()
    const err = await rolloutError(waitForRollout(client, namespace, 'web', { timeoutMs: 8000 }))
    expect(Date.now() - started).toBeLessThan(14_000)
    expect(err.reason).toBe('RolloutTimeout')
    expect(err.message).toMatch(
      /^timed out after 8s waiting for deployment "web" to roll out: Waiting for deployment "web" rollout to finish: 0 of 1 updated replicas are available\.\.\.\n {2}pod "web-[a-z0-9-]+": container "smoke-server" is running but not ready: Readiness probe failed: HTTP probe failed with statuscode: 500 \(readiness probe: http-get http:\/\/:8080\/healthz delay=0s timeout=1s period=1s #success=1 #failure=3\)$/
    )
  }, 60_000)
})
