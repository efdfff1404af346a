// Against the real local cluster: each fail-fast reason arrives quickly, with the real reason, the
// container name and (for a crash) its logs; a failing readiness probe times out naming the probe.

import { describe, expect, it } from '@jest/globals'
import { collectDiagnostics } from '../../src/kube/diagnostics.js'
import { RolloutError } from '../../src/kube/errors.js'
import { Resources } from '../../src/kube/kinds.js'
import type { KubePort } from '../../src/kube/api.js'
import type { KubeEvent, Pod } from '../../src/kube/types.js'
import {
  app,
  deploy as deployObjects,
  IMAGE_REPOSITORY,
  LABEL_SELECTOR,
  Namespaces,
  useCluster,
  waitFor,
  type Deployed
} from './kube-support.js'

let client: KubePort
let image: string
let namespaces: Namespaces
useCluster('fail', f => ({ client, image, namespaces } = f))

async function deploy(
  label: string,
  options: Parameters<typeof app>[0]
): Promise<{ namespace: string; appliedAt: number; deployed: Deployed }> {
  const namespace = namespaces.name(label)
  const deployed = await deployObjects(client, app(options), namespace, { image: options.image })
  return { namespace, appliedAt: Date.now(), deployed }
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
    const { namespace, appliedAt, deployed } = await deploy('crash', {
      image,
      env: { MODE: 'crash' },
      gracePeriodSeconds: 1
    })
    const err = await rolloutError(waitFor(client, deployed, namespace))
    const detectedAt = Date.now()
    expect(err.reason).toBe('CrashLoopBackOff')
    expect(err.container).toBe('smoke-server')
    expect(err.message).toMatch(
      /^deployment\.apps "web" failed: container "smoke-server" is in CrashLoopBackOff \(restarted \d+ times?\)(: last exit code 3 \(Error\): config file missing)? \(no other workload of the run is starting, so it is not waiting for one\)$/
    )
    expect(err.details).toContain('fatal: config file missing')

    // The kubelet reports the crash when the first run ends (its finishedAt, whole seconds).
    const pod = (await client.get<Pod>(Resources.Pod, err.pod!, namespace))!
    const status = pod.status!.containerStatuses![0]
    const firstExit = Date.parse(
      status.lastState?.terminated?.finishedAt ?? status.state?.terminated?.finishedAt ?? ''
    )
    const latency = detectedAt - firstExit
    console.log(
      `[measure] crash: detected ${detectedAt - appliedAt} ms after apply, ` +
        `${latency} ms after the container last exited (restartCount ${status.restartCount})`
    )
    expect(latency).toBeLessThan(15_000)

    const report = await collectDiagnostics(client, namespace, { labelSelector: LABEL_SELECTOR })
    const c = report.data.pods[0].containers[0]
    // The crashed run's log: "current" while the container is down, "previous" once it restarted.
    expect(`${c.logs ?? ''}${c.previousLogs ?? ''}`).toContain('fatal: config file missing')
    expect(report.text).toContain('fatal: config file missing')
    expect(report.markdown).toContain('fatal: config file missing')
    // The kubelet's BackOff event is recorded asynchronously (and rate-limited): wait for it.
    let backOff = report.data.events.some(e => e.reason === 'BackOff')
    for (let i = 0; !backOff && i < 60; i++) {
      await new Promise(resolve => setTimeout(resolve, 250))
      const events = await client.list<KubeEvent>(Resources.Event, { namespace })
      backOff = events.items.some(e => e.reason === 'BackOff')
    }
    expect(backOff).toBe(true)
  }, 90_000)

  it('an image that is not in the node Docker fails with ErrImageNeverPull within 10 s', async () => {
    const missing = `${IMAGE_REPOSITORY}:does-not-exist`
    const { namespace, appliedAt, deployed } = await deploy('noimage', { image: missing })
    const err = await rolloutError(waitFor(client, deployed, namespace))
    const elapsed = Date.now() - appliedAt
    console.log(`[measure] ErrImageNeverPull detected ${elapsed} ms after apply`)
    expect(elapsed).toBeLessThan(10_000)
    expect(err.reason).toBe('ErrImageNeverPull')
    expect(err.container).toBe('smoke-server')
    expect(err.message).toBe(
      `deployment.apps "web" failed: container "smoke-server" is in ErrImageNeverPull: Container image "${missing}" is not present with pull policy of Never`
    )
  }, 60_000)

  // The probe's failure event is named when the kubelet has recorded it (events are rate-limited).
  it('a readiness probe that never passes ends in a timeout that names the probe and its failure', async () => {
    const { namespace, deployed } = await deploy('unready', { image, env: { READY_STATUS: '500' } })
    const started = Date.now()
    const err = await rolloutError(waitFor(client, deployed, namespace, { timeoutMs: 8000 }))
    expect(Date.now() - started).toBeLessThan(14_000)
    expect(err.reason).toBe('RolloutTimeout')
    expect(err.message).toMatch(
      /^timed out after 8s waiting for deployment "web": deployment\.apps "web": Waiting for deployment "web" rollout to finish: 0 of 1 updated replicas are available\.\.\.; pod "web-[a-z0-9-]+": container "smoke-server" is running but not ready(: Readiness probe failed: HTTP probe failed with statuscode: 500)? \(readiness probe: http-get http:\/\/:8080\/healthz delay=0s timeout=1s period=1s #success=1 #failure=3\)$/
    )
  }, 60_000)
})
