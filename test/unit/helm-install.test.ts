// Hooks and chart tests on the run's road (src/helm/install.ts), against the in-memory API: a
// test pod is done when it exits (watched, not when it turns Ready), a failed hook names itself
// with the last line of its own log, found through the pods it controls.

import { describe, expect, it } from '@jest/globals'
import { runChartTests, runHooks, type HookDeps } from '../../src/helm/index.js'
import { kindOf } from '../../src/kube/kinds.js'
import type { KubeObject, Pod } from '../../src/kube/types.js'
import type { Typed } from '../../src/kube/validate.js'
import { FakeKube, settle } from './kube-fake.js'
import { NS, SELECTOR, job, pod, running } from './kube-objects.js'

const typed = (o: KubeObject): Typed => ({ object: o, type: kindOf(o).type })

function deps(kube: FakeKube, lines: string[] = []): HookDeps {
  return {
    kube,
    wait: { namespace: NS, labelSelector: SELECTOR, timeoutMs: 10_000, maxRestarts: 3 },
    apply: async t => void kube.put(t.object),
    log: line => lines.push(line),
    untrusted: text => lines.push(text)
  }
}

/** A chart's test pod (restartPolicy Never, no probe): its own pod, no owner. */
function testPod(phase: string, ready: boolean, terminated?: number): Pod {
  const p = pod('shop-test', 'x', [running(0, ready)], {
    phase,
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }]
  })
  p.metadata.ownerReferences = undefined
  p.spec!.restartPolicy = 'Never'
  p.spec!.containers[0].readinessProbe = undefined
  if (terminated !== undefined) {
    p.status!.containerStatuses![0].state = { terminated: { exitCode: terminated } }
  }
  return p
}

describe('runChartTests', () => {
  it('waits for a Ready test pod to exit, by watch, and reads its log', async () => {
    const kube = new FakeKube()
    kube.logs.set('shop-test/app', 'test: answered 200\n')
    const lines: string[] = []
    const d = deps(kube, lines)
    d.apply = async t => void kube.put({ ...t.object, status: testPod('Running', true).status })
    let result: Awaited<ReturnType<typeof runChartTests>> | undefined
    const done = runChartTests([typed(testPod('Pending', false))], d).then(r => (result = r))
    await settle(50)
    expect(result).toBeUndefined() // Ready is not done: a test must exit
    expect(
      kube.calls.some(
        c =>
          c.method === 'watch' &&
          c.args[0] === 'Pod' &&
          (c.args[1] as { fieldSelector?: string }).fieldSelector === 'metadata.name=shop-test'
      )
    ).toBe(true)
    kube.put(testPod('Succeeded', false, 0))
    await done
    expect(result).toMatchObject([{ name: 'shop-test', passed: true, logs: 'test: answered 200' }])
    expect(lines).toContain('chart test pod "shop-test": passed')
  })

  it('fails a test pod that exits non-zero, with its log', async () => {
    const kube = new FakeKube()
    kube.logs.set('shop-test/app', 'connection refused\n')
    const d = deps(kube)
    d.apply = async t => void kube.put({ ...t.object, status: testPod('Running', true).status })
    const done = runChartTests([typed(testPod('Pending', false))], d)
    await settle(50)
    kube.put(testPod('Failed', false, 1))
    expect(await done).toMatchObject([
      { passed: false, message: 'pod "shop-test" failed', logs: 'connection refused' }
    ])
  })

  it('sees a pod that was deleted while it ran', async () => {
    const kube = new FakeKube()
    const d = deps(kube)
    d.apply = async t => void kube.put({ ...t.object, status: testPod('Running', true).status })
    const done = runChartTests([typed(testPod('Pending', false))], d)
    await settle(50)
    kube.remove('Pod', 'shop-test', NS)
    expect(await done).toMatchObject([{ passed: false, message: 'pod "shop-test" was deleted' }])
  })
})

describe('runHooks', () => {
  it("fails with the hook's name and the last line of the log of the pod it controls", async () => {
    const kube = new FakeKube()
    const failedJob = job({
      failed: 1,
      conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }]
    })
    // The Job's pod, found by its controller reference (no job-name label on it).
    const jobPod = pod(
      'migrate-x1',
      'x',
      [{ state: { terminated: { exitCode: 3 } } }],
      {
        phase: 'Failed'
      },
      'Job/migrate'
    )
    delete jobPod.metadata.labels!['job-name']
    kube.put(jobPod)
    kube.put({ ...jobPod, metadata: { ...jobPod.metadata, name: 'other', ownerReferences: [] } })
    kube.logs.set('migrate-x1/app', 'applying schema v2\nrelation "forecasts" already exists\n')
    let failed: Typed | undefined
    const d = { ...deps(kube), onFailed: (h: Typed) => (failed = h) }
    const err = await runHooks('pre-install', [typed(failedJob)], d).catch(e => e as Error)
    expect(String(err)).toContain(
      'pre-install hook job.batch "migrate" failed: job "migrate" failed: BackoffLimitExceeded; its log ends: relation "forecasts" already exists'
    )
    expect(failed?.object.metadata.name).toBe('migrate')
  })

  it('deletes a hook that succeeded when its policy says hook-succeeded', async () => {
    const kube = new FakeKube()
    const done = job({ succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] })
    done.metadata.annotations = { 'helm.sh/hook-delete-policy': 'hook-succeeded' }
    const lines: string[] = []
    await runHooks('pre-install', [typed(done)], deps(kube, lines))
    expect(kube.objects.size).toBe(0)
    expect(lines).toContain(
      'job.batch "migrate" deleted (helm.sh/hook-delete-policy: hook-succeeded)'
    )
  })
})
