import { describe, expect, it, test } from '@jest/globals'
import { PhaseError } from '../../src/errors.js'
import { claimObjects, holdingsOf, refusalLine, type Snapshot } from '../../src/kube/claim.js'
import { kindOf } from '../../src/kube/kinds.js'
import {
  HELD_UNTIL_POST_S,
  isActionManager,
  leaseName,
  leaseObject,
  microTime,
  runFieldManager,
  RunLease,
  snapshotOf
} from '../../src/kube/lease.js'
import {
  judgeLiveness,
  mayStillBeRunning,
  type LeaseSnapshot,
  type Observation
} from '../../src/kube/liveness.js'
import type { KubeObject } from '../../src/kube/types.js'
import type { Typed } from '../../src/kube/validate.js'
import { FakeKube } from './kube-fake.js'

const NS = 'staging'
const typed = (o: KubeObject): Typed => ({ object: o, type: kindOf(o).type })
const deployment = typed({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'slow', namespace: NS }
})
const service = typed({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'slow', namespace: NS }
})
const crd = typed({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.shop.test' }
})
const live = (t: Typed, run?: string, created = '2026-12-06T18:00:00Z'): KubeObject => ({
  ...t.object,
  metadata: {
    ...t.object.metadata,
    creationTimestamp: created,
    labels: run ? { 'minikube-smoke/run': run } : {}
  }
})
const namespaceOf = (run?: string, extra: object = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: NS, labels: run ? { 'minikube-smoke/run': run } : {}, ...extra }
})

describe('judgeLiveness: another run, as this run watches its lease on its own clock', () => {
  const lease = (rv: string, extra: Partial<LeaseSnapshot> = {}): LeaseSnapshot => ({
    resourceVersion: rv,
    durationSeconds: 15,
    heldUntilPost: false,
    ...extra
  })
  const at = (ms: number, l?: LeaseSnapshot): Observation => ({ at: ms, lease: l })
  const cases: Array<[string, Observation[], number, string]> = [
    ['nothing read yet', [], 0, 'unknown'],
    ['renewed while watched', [at(0, lease('1')), at(500, lease('2'))], 500, 'alive'],
    ['created while watched', [at(0), at(500, lease('1'))], 500, 'alive'],
    ['deleted while watched: its post step ran', [at(0, lease('1')), at(500)], 500, 'ended'],
    [
      'unchanged for less than its duration',
      [at(0, lease('1')), at(9000, lease('1'))],
      9000,
      'unknown'
    ],
    ['unchanged for exactly its duration', [at(0, lease('1'))], 15_000, 'unknown'],
    [
      'unchanged for longer than its duration',
      [at(0, lease('1')), at(15_500, lease('1'))],
      15_500,
      'dead'
    ],
    ['no lease, within the grace', [at(0), at(2000)], 2000, 'unknown'],
    ['no lease, past the grace', [at(0), at(3000)], 3000, 'none'],
    [
      'held until post (main ended)',
      [at(0, lease('1', { durationSeconds: HELD_UNTIL_POST_S, heldUntilPost: true }))],
      0,
      'held'
    ],
    [
      'held, but silent for longer than even that',
      [at(0, lease('1', { durationSeconds: 60, heldUntilPost: true }))],
      61_000,
      'dead'
    ],
    // Its renewTime may say anything: only changes seen on this clock count.
    [
      'a renewal long ago then silence: still only as long as watched',
      [at(100_000, lease('7')), at(101_000, lease('7'))],
      101_000,
      'unknown'
    ]
  ]
  test.each(cases)('%s', (_why, observations, now, state) => {
    expect(judgeLiveness(observations, now).state).toBe(state)
  })

  test('alive, held and unknown may still be running; dead, ended and none may not', () => {
    for (const s of ['alive', 'held', 'unknown'] as const)
      expect(mayStillBeRunning({ state: s })).toBe(true)
    for (const l of [
      { state: 'dead', silentMs: 1 },
      { state: 'ended' },
      { state: 'none' }
    ] as const)
      expect(mayStillBeRunning(l)).toBe(false)
  })
})

describe('holdingsOf: what of the run belongs to another run', () => {
  const snap = (pairs: Array<[Typed, KubeObject | undefined]>, ns?: KubeObject): Snapshot => ({
    existing: new Map(pairs),
    namespaceObject: ns
  })
  it('nothing there, or only this run’s or unlabelled objects: no holding (the default namespace path)', () => {
    expect(holdingsOf(snap([[deployment, undefined]]), NS, 'me')).toEqual([])
    expect(
      holdingsOf(
        snap(
          [
            [deployment, live(deployment, 'me')],
            [service, live(service)]
          ],
          namespaceOf('me')
        ),
        NS,
        'me'
      )
    ).toEqual([])
    expect(holdingsOf(snap([], namespaceOf()), NS, 'me')).toEqual([])
  })
  it('groups by run, names every object, the namespace last, with the oldest creation time', () => {
    const h = holdingsOf(
      snap(
        [
          [deployment, live(deployment, 'other', '2026-12-06T18:00:05Z')],
          [service, live(service, 'other', '2026-12-06T18:00:01Z')],
          [crd, live(crd, 'third')]
        ],
        namespaceOf('other', { creationTimestamp: '2026-12-06T18:00:00Z' })
      ),
      NS,
      'me'
    )
    expect(h.map(x => [x.run, x.names, x.namespace, x.leaseNamespace, x.since])).toEqual([
      [
        'other',
        ['deployment.apps "slow"', 'service "slow"', `namespace "${NS}"`],
        true,
        NS,
        '2026-12-06T18:00:00Z'
      ],
      // Only cluster-scoped objects: its lease is looked for by label, in any namespace.
      [
        'third',
        ['customresourcedefinition.apiextensions.k8s.io "widgets.shop.test"'],
        false,
        undefined,
        '2026-12-06T18:00:00Z'
      ]
    ])
  })
  it('a namespace being deleted holds nothing: ensureNamespace waits it out', () => {
    const ns = namespaceOf('other', { deletionTimestamp: '2026-12-06T18:00:00Z' })
    expect(holdingsOf(snap([[deployment, live(deployment, 'other')]], ns), NS, 'me')).toEqual([])
  })
})

describe('refusalLine', () => {
  const holding = {
    run: '900-1-ab12c',
    names: ['deployment.apps "slow"', 'service "slow"', `namespace "${NS}"`],
    objects: [deployment, service],
    namespace: true,
    leaseNamespace: NS
  }
  const lease = leaseObject(
    NS,
    '900-1-ab12c',
    {
      labels: {},
      annotations: {
        'minikube-smoke/run-url': 'https://github.com/octo/app/actions/runs/900/attempts/1'
      }
    },
    Date.parse('2026-12-06T18:00:00Z')
  )
  lease.metadata.creationTimestamp = '2026-12-06T18:00:00Z'
  it('one line: the object, the run and its age, and the two ways out', () => {
    const line = refusalLine(
      { holding, liveness: { state: 'alive' }, lease },
      NS,
      Date.parse('2026-12-06T18:00:23Z')
    )
    expect(line).toBe(
      `deployment.apps "slow" and 2 more in namespace "${NS}" belong to run "900-1-ab12c" (https://github.com/octo/app/actions/runs/900/attempts/1), started 23 s ago, ` +
        'which is still running (it renewed its lease while this run watched): this run changes nothing of a run that may still be running (force-conflicts does not override that). ' +
        "Set 'queue-timeout' (e.g. queue-timeout: 10m) to wait for it, or keep such runs apart with a workflow 'concurrency:' group"
    )
    expect(line).not.toContain('\n')
  })
  it('says when the other run’s main step ended and its post step has yet to run', () => {
    const line = refusalLine(
      { holding: { ...holding, names: [`namespace "${NS}"`] }, liveness: { state: 'held' }, lease },
      NS,
      Date.parse('2026-12-06T18:05:00Z')
    )
    expect(line).toMatch(
      /^namespace "staging" belongs to run "900-1-ab12c" .*started 5 min ago, whose main step has ended/
    )
  })
})

describe('lease', () => {
  test('MicroTime has six fractional digits; names and managers are per run', () => {
    expect(microTime(Date.parse('2026-12-06T18:00:00.123Z'))).toBe('2026-12-06T18:00:00.123000Z')
    expect(leaseName('900-1-ab12c')).toBe('minikube-smoke-900-1-ab12c')
    expect(runFieldManager('900-1-ab12c')).toBe('minikube-smoke/900-1-ab12c')
    expect(isActionManager('minikube-smoke/900-1-ab12c')).toBe(true)
    expect(isActionManager('minikube-smoke')).toBe(true)
    expect(isActionManager('minikube-smoker')).toBe(false)
    expect(isActionManager('kubectl')).toBe(false)
  })

  it('acquire creates it; renewals change it; held until post, then released', async () => {
    const kube = new FakeKube()
    kube.put(namespaceOf())
    const lease = new RunLease(kube, NS, 'me', { labels: {}, annotations: {} })
    await lease.acquire()
    const first = kube.find('Lease', leaseName('me'), NS)!
    expect(first.spec).toMatchObject({ holderIdentity: 'me', leaseDurationSeconds: 15 })
    expect(first.metadata.labels?.['minikube-smoke/run']).toBe('me')
    await lease.holdUntilPost()
    const held = snapshotOf(kube.find('Lease', leaseName('me'), NS)!)
    expect(held).toMatchObject({ heldUntilPost: true, durationSeconds: HELD_UNTIL_POST_S })
    expect(held.resourceVersion).not.toBe(first.metadata.resourceVersion)
    await lease.release()
    expect(kube.find('Lease', leaseName('me'), NS)).toBeUndefined()
  })
})

describe('claimObjects: the loop over a fake API server', () => {
  function setup(leaseState: 'renewed' | 'stale' | 'none' | 'held') {
    const kube = new FakeKube()
    kube.put(namespaceOf())
    kube.put(live(deployment, 'other'))
    const meta = { labels: {}, annotations: {} }
    if (leaseState !== 'none') {
      const l = leaseObject(NS, 'other', meta, Date.now(), leaseState === 'held')
      if (leaseState === 'stale')
        (l.spec as { leaseDurationSeconds: number }).leaseDurationSeconds = 1
      kube.put(l)
    }
    const timer =
      leaseState === 'renewed'
        ? setInterval(() => kube.put(leaseObject(NS, 'other', meta, Date.now())), 100)
        : undefined
    const read = async (): Promise<Snapshot> => ({
      existing: new Map([[deployment, kube.find('Deployment', 'slow', NS)]]),
      namespaceObject: kube.find('Namespace', NS)
    })
    const lines: string[] = []
    const options = {
      namespace: NS,
      ownRun: 'me',
      read,
      log: (l: string) => lines.push(l),
      pollMs: 50
    }
    return { kube, timer, options, lines }
  }

  it('a live run: refused at once with queue-timeout 0, even though nothing is stale', async () => {
    const { kube, timer, options } = setup('renewed')
    const started = Date.now()
    try {
      await claimObjects(kube, { ...options, queueTimeoutMs: 0 })
      throw new Error('expected a refusal')
    } catch (err) {
      expect(err).toBeInstanceOf(PhaseError)
      expect((err as Error).message).toMatch(
        /^deployment\.apps "slow" in namespace "staging" belongs to run "other".*still running/
      )
    } finally {
      clearInterval(timer)
    }
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('a lease held until post is refused at once too', async () => {
    const { kube, options } = setup('held')
    await expect(claimObjects(kube, { ...options, queueTimeoutMs: 0 })).rejects.toThrow(
      /whose main step has ended/
    )
  })

  it('queued: waits while it is renewed, goes on once its post step removed everything', async () => {
    const { kube, timer, options, lines } = setup('renewed')
    setTimeout(() => {
      clearInterval(timer)
      kube.remove('Deployment', 'slow', NS)
      kube.remove('Lease', leaseName('other'), NS)
    }, 1_200)
    const claim = await claimObjects(kube, { ...options, queueTimeoutMs: 60_000 })
    expect(claim.takenOver.size).toBe(0)
    expect(claim.snapshot.existing.get(deployment)).toBeUndefined()
    expect(lines[0]).toMatch(
      /^queued: deployment\.apps "slow" in namespace "staging" held by run "other" \(alive, started \d+ s ago\); waited \d+ s, waiting up to \d+ s more \(queue-timeout\)$/
    )
  })

  it('queued past queue-timeout: the refusal says how long it waited', async () => {
    const { kube, timer, options } = setup('renewed')
    try {
      await expect(claimObjects(kube, { ...options, queueTimeoutMs: 1_000 })).rejects.toThrow(
        /\(waited \d+ s of queue-timeout 1 s\)$/
      )
    } finally {
      clearInterval(timer)
    }
  })

  it('a dead run (its lease silent for longer than its duration): taken over, its lease deleted', async () => {
    const { kube, options, lines } = setup('stale')
    const claim = await claimObjects(kube, { ...options, queueTimeoutMs: 0 })
    expect([...claim.takenOver]).toEqual([deployment])
    expect(claim.namespaceTakenOver).toBe(false)
    expect(lines.join('\n')).toMatch(
      /^run "other" is gone \(its lease was not renewed for \d+ s while this run watched\): taking over deployment\.apps "slow"; this run deletes them at teardown$/
    )
    expect(kube.find('Lease', leaseName('other'), NS)).toBeUndefined()
  })

  it('a run that left no lease: taken over after the grace', async () => {
    const { kube, options, lines } = setup('none')
    const claim = await claimObjects(kube, { ...options, queueTimeoutMs: 0 })
    expect([...claim.takenOver]).toEqual([deployment])
    expect(lines[0]).toContain('it left no lease')
  })

  it('a cancel while queued ends the wait at once', async () => {
    const { kube, timer, options } = setup('renewed')
    const abort = new AbortController()
    setTimeout(() => abort.abort(new Error('cancelled')), 300)
    try {
      await expect(
        claimObjects(kube, { ...options, queueTimeoutMs: 60_000, signal: abort.signal })
      ).rejects.toThrow('cancelled')
    } finally {
      clearInterval(timer)
    }
  })
})
