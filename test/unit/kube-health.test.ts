// watchHealth: the run's pods once every workload is ready. What breaks it (a restart, a container
// that terminates, a ready pod turning unready or deleted) is reported once, with the pod, the
// container, the exit code and the right log; what does not (Job pods, pods already going away,
// pods that were never ready) is left alone.

import { describe, expect, it } from '@jest/globals'
import { healthChange, sighting, watchHealth, type HealthProblem } from '../../src/kube/health.js'
import type { ContainerStatus, Pod } from '../../src/kube/types.js'
import { FakeKube, settle } from './kube-fake.js'
import { crashLooping, NS, pod, running, SELECTOR } from './kube-objects.js'

const READY = { conditions: [{ type: 'Ready', status: 'True' }] }
const UNREADY = {
  conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }]
}

function readyPod(name = 'web-abc-1', status: Partial<ContainerStatus> = running(0, true)): Pod {
  return pod(name, 'abc', [status], READY)
}

/** Watches a fake cluster holding `pods`; problems land in the returned list. */
async function watching(pods: Pod[], options: { since?: number; when?: () => string } = {}) {
  const kube = new FakeKube()
  for (const p of pods) kube.put(p)
  const problems: HealthProblem[] = []
  const watch = watchHealth(
    kube,
    { namespace: NS, labelSelector: SELECTOR, logLines: 5, ...options },
    p => problems.push(p)
  )
  await settle()
  return { kube, problems, watch }
}

describe('watchHealth', () => {
  it('a restart: the container, its exit code and the log of the run that crashed', async () => {
    const { kube, problems } = await watching([readyPod()])
    // Waiting after a crash, the kubelet's current log is the run that just crashed; previous is
    // the run before it.
    kube.logs.set('web-abc-1/app', 'serving\nfatal: lost the database')
    kube.logs.set('web-abc-1/app/previous', 'serving')
    kube.put(pod('web-abc-1', 'abc', [crashLooping(1)], UNREADY))
    await settle(20)
    expect(problems).toEqual([
      {
        pod: 'web-abc-1',
        container: 'app',
        message:
          'container "app" of pod "web-abc-1" restarted while the smoke checks ran: last exit code 3 (Error): config file missing',
        logs: 'serving\nfatal: lost the database',
        details:
          'last 5 log lines of container "app" of pod "web-abc-1":\nserving\nfatal: lost the database'
      }
    ])
  })

  it('a container that terminated and was not restarted (yet): its exit code and current log', async () => {
    const { kube, problems } = await watching([readyPod()])
    kube.logs.set('web-abc-1/app', 'bye')
    kube.put(
      pod(
        'web-abc-1',
        'abc',
        [
          {
            restartCount: 0,
            ready: false,
            state: { terminated: { exitCode: 137, reason: 'OOMKilled' } }
          }
        ],
        UNREADY
      )
    )
    await settle(20)
    expect(problems).toHaveLength(1)
    expect(problems[0].message).toBe(
      'container "app" of pod "web-abc-1" terminated while the smoke checks ran: last exit code 137 (OOMKilled)'
    )
    expect(problems[0].logs).toBe('bye')
  })

  it('a ready pod turning unready while its container runs: named, with its current log', async () => {
    const { kube, problems } = await watching([readyPod()], { when: () => 'at 4.2 s' })
    kube.logs.set('web-abc-1/app', 'health: database unreachable')
    kube.put(pod('web-abc-1', 'abc', [running(0, false)], UNREADY))
    await settle(20)
    expect(problems[0]).toMatchObject({
      pod: 'web-abc-1',
      container: 'app',
      message:
        'pod "web-abc-1" stopped being ready (ContainersNotReady) at 4.2 s: container "app" is not ready',
      logs: 'health: database unreachable'
    })
  })

  it('a ready pod deleted: named', async () => {
    const { kube, problems } = await watching([readyPod()])
    kube.remove('Pod', 'web-abc-1', NS)
    await settle()
    expect(problems).toEqual([
      { pod: 'web-abc-1', message: 'pod "web-abc-1" was deleted while the smoke checks ran' }
    ])
  })

  it('reports once, and nothing after stop()', async () => {
    const { kube, problems, watch } = await watching([readyPod('a-1'), readyPod('b-1')])
    kube.put(pod('a-1', 'abc', [running(0, false)], UNREADY))
    kube.put(pod('b-1', 'abc', [running(0, false)], UNREADY))
    await settle(20)
    expect(problems.map(p => p.pod)).toEqual(['a-1'])

    const second = await watching([readyPod('c-1')])
    second.watch.stop()
    second.kube.put(pod('c-1', 'abc', [crashLooping(1)], UNREADY))
    await settle(20)
    expect(second.problems).toEqual([])
    watch.stop()
  })

  it('leaves alone Job pods, pods already terminating and pods that were never ready', async () => {
    const jobPod = pod('migrate-x', 'j', [running(0, true)], READY, 'Job/uid-job')
    const old = { ...readyPod('old-1'), metadata: { ...readyPod('old-1').metadata } }
    old.metadata.deletionTimestamp = '2026-01-01T00:00:00Z'
    const starting = pod('new-1', 'abc', [running(0, false)], UNREADY)
    const { kube, problems } = await watching([jobPod, old, starting])
    kube.put(
      pod(
        'migrate-x',
        'j',
        [{ ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        { ...UNREADY, phase: 'Succeeded' },
        'Job/uid-job'
      )
    )
    kube.put({ ...old, status: { ...old.status, conditions: UNREADY.conditions } })
    kube.remove('Pod', 'old-1', NS)
    kube.put(pod('new-1', 'abc', [running(0, true)], READY)) // becomes ready: now held
    kube.remove('Pod', 'new-1', NS)
    await settle(20)
    expect(problems.map(p => p.message)).toEqual([
      'pod "new-1" was deleted while the smoke checks ran'
    ])
  })

  it('leaves alone a bare pod meant to finish (a chart test: restartPolicy Never) when it exits', async () => {
    const withPolicy = (p: Pod, restartPolicy: string): Pod => ({
      ...p,
      spec: { ...p.spec!, restartPolicy }
    })
    const test = withPolicy(pod('weather-test', 't', [running(0, true)], READY), 'Never')
    const serving = withPolicy(pod('web-1', 'abc', [running(0, true)], READY), 'Always')
    const { kube, problems } = await watching([test, serving])
    const done = [{ ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }]
    kube.put(
      withPolicy(pod('weather-test', 't', done, { ...UNREADY, phase: 'Succeeded' }), 'Never')
    )
    await settle(20)
    expect(problems).toEqual([])
    kube.put(withPolicy(pod('web-1', 'abc', done, UNREADY), 'Always'))
    await settle(20)
    expect(problems.map(p => p.pod)).toEqual(['web-1'])
  })

  it('a restart that ended after readiness but before the first list still counts', async () => {
    const since = Date.parse('2026-01-01T00:00:10Z')
    const restarted = (finishedAt: string) =>
      pod(
        'web-abc-1',
        'abc',
        [
          {
            ...running(1, false),
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt } }
          }
        ],
        UNREADY
      )
    const after = await watching([restarted('2026-01-01T00:00:12Z')], { since })
    await settle(20)
    expect(after.problems.map(p => p.message)).toEqual([
      'container "app" of pod "web-abc-1" restarted while the smoke checks ran: last exit code 1 (Error)'
    ])
    // A crash before readiness (tolerated by the rollout's crash policy) is history.
    const before = await watching([restarted('2026-01-01T00:00:05Z')], { since })
    await settle(20)
    expect(before.problems).toEqual([])
    after.watch.stop()
    before.watch.stop()
  })

  it('a log that cannot be read: the problem is still reported, without logs', async () => {
    const { kube, problems } = await watching([readyPod()])
    kube.put(pod('web-abc-1', 'abc', [crashLooping(1)], UNREADY))
    await settle(20)
    expect(problems).toHaveLength(1)
    expect(problems[0].logs).toBeUndefined()
    expect(problems[0].details).toBeUndefined()
  })
})

describe('healthChange (one pod, two sightings)', () => {
  const ready = readyPod()
  const unready = pod('web-abc-1', 'abc', [running(0, false)], UNREADY)
  const restarted = pod('web-abc-1', 'abc', [crashLooping(1)], UNREADY)
  const terminated = pod(
    'web-abc-1',
    'abc',
    [{ ready: false, state: { terminated: { exitCode: 1, reason: 'Error' } } }],
    UNREADY
  )
  const terminating = (p: Pod): Pod => ({
    ...p,
    metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' }
  })
  it.each([
    ['first sight, no since', undefined, restarted, false, undefined],
    ['ready → ready', ready, ready, false, undefined],
    ['ready → unready', ready, unready, false, 'unready'],
    ['ready → restarted', ready, restarted, false, 'ended'],
    ['ready → terminated', ready, terminated, false, 'ended'],
    ['ready → deleted', ready, ready, true, 'deleted'],
    ['ready → terminating', ready, terminating(ready), false, 'deleted'],
    ['never ready → unready', unready, unready, false, undefined],
    ['never ready → deleted', unready, unready, true, undefined],
    ['never ready → restarted (a restart counts for any pod)', unready, restarted, false, 'ended'],
    [
      'terminating → restarted (going away already)',
      terminating(ready),
      restarted,
      false,
      undefined
    ]
  ] as Array<[string, Pod | undefined, Pod, boolean, string | undefined]>)(
    '%s → %s',
    (_what, before, now, deleted, kind) => {
      expect(healthChange(before && sighting(before), now, deleted)?.kind).toBe(kind)
    }
  )
})
