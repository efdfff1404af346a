// Many objects at the API server's pace: a few requests in flight, ranks still in order, messages
// in manifest order whatever order the answers come back in.

import { describe, expect, it } from '@jest/globals'
import { PhaseError } from '../../src/errors.js'
import { applyAll, dryRunAll, readExisting, type ObjectRecord } from '../../src/kube/apply.js'
import { forEachBounded, REQUEST_CONCURRENCY } from '../../src/kube/bounded.js'
import { deleteOwned } from '../../src/kube/delete.js'
import { Discovery } from '../../src/kube/discovery.js'
import { kindOf } from '../../src/kube/kinds.js'
import { KubeApiError, type ApplyOptions, type ResourceType } from '../../src/kube/api.js'
import type { KubeObject } from '../../src/kube/types.js'
import type { Typed } from '../../src/kube/validate.js'
import { FakeKube } from './kube-fake.js'

const NS = 'smoke-9-1'
const typed = (o: KubeObject): Typed => ({ object: o, type: kindOf(o).type })
const obj = (kind: string, name: string, apiVersion = 'v1'): Typed =>
  typed({ apiVersion, kind, metadata: { name, namespace: NS }, spec: {} })
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** Answers later for earlier objects (the worst case for ordering), and counts what is in flight. */
class SlowKube extends FakeKube {
  inFlight = 0
  maxInFlight = 0
  /** kind/name, when its apply started and when it answered. */
  readonly events: string[] = []
  failOn?: string

  constructor() {
    super()
    this.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })
  }

  override async apply<T extends KubeObject>(type: ResourceType, object: T, options: ApplyOptions) {
    const name = `${object.kind}/${object.metadata.name}`
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    this.events.push(`start ${name}`)
    const index = Number(/(\d+)$/.exec(object.metadata.name!)?.[1] ?? 0)
    await sleep(Math.max(1, 12 - (index % 12)))
    this.inFlight--
    this.events.push(`end ${name}`)
    if (name === this.failOn)
      throw new KubeApiError(422, `${object.kind} "${object.metadata.name}" is invalid`, 'Invalid')
    return super.apply(type, object, options)
  }
}

function options(kube: FakeKube, records: ObjectRecord[], lines: string[]) {
  return {
    fieldManager: 'minikube-smoke',
    force: false,
    strictFields: false,
    discovery: new Discovery(kube),
    checkedAt: Date.parse('2026-01-01T00:00:00Z'),
    record: (r: ObjectRecord) => records.push(r),
    log: (l: string) => lines.push(l)
  }
}

const app = (n: number) => [
  obj('Service', 'web'),
  obj('Deployment', 'web', 'apps/v1'),
  ...Array.from({ length: n }, (_, i) => obj('ConfigMap', `settings-${i}`))
]

describe('forEachBounded', () => {
  it('keeps at most the limit in flight and reports outcomes in the items’ order', async () => {
    let inFlight = 0
    let max = 0
    const seen: string[] = []
    const outcomes = await forEachBounded(
      [30, 5, 20, 1, 10, 2],
      async (ms, i) => {
        max = Math.max(max, ++inFlight)
        await sleep(ms)
        inFlight--
        if (i === 3) throw new Error('three')
        return i
      },
      {
        limit: 3,
        inOrder: (_i, o) =>
          seen.push(o.ok ? `ok ${o.value}` : `failed ${(o.error as Error).message}`)
      }
    )
    expect(max).toBe(3)
    expect(seen).toEqual(['ok 0', 'ok 1', 'ok 2', 'failed three', 'ok 4', 'ok 5'])
    expect(outcomes.map(o => o?.ok)).toEqual([true, true, true, false, true, true])
  })

  it('with stopOnError starts nothing after a failure', async () => {
    const started: number[] = []
    const outcomes = await forEachBounded(
      [0, 1, 2, 3, 4, 5, 6, 7],
      async i => {
        started.push(i)
        await sleep(1)
        if (i === 1) throw new Error('one')
      },
      { limit: 2, stopOnError: true }
    )
    expect(started).toEqual([0, 1, 2])
    expect(outcomes.slice(3)).toEqual([undefined, undefined, undefined, undefined, undefined])
  })
})

describe('applyAll with many objects', () => {
  it('applies a rank a few objects at a time, and no rank before the previous one answered', async () => {
    const kube = new SlowKube()
    const objects = app(40)
    const records: ObjectRecord[] = []
    const lines: string[] = []
    await applyAll(kube, objects, new Map(), options(kube, records, lines))
    expect(kube.maxInFlight).toBe(REQUEST_CONCURRENCY)
    // ConfigMaps (config) before the Service before the Deployment, each whole rank first.
    const lastConfigMap = kube.events.lastIndexOf('end ConfigMap/settings-39')
    const configMapEnds = kube.events.filter(e => e.startsWith('end ConfigMap')).length
    expect(configMapEnds).toBe(40)
    expect(kube.events.indexOf('start Service/web')).toBeGreaterThan(
      Math.max(...kube.events.flatMap((e, i) => (e.startsWith('end ConfigMap') ? [i] : [])))
    )
    expect(lastConfigMap).toBeGreaterThan(0)
    expect(kube.events.indexOf('start Deployment/web')).toBeGreaterThan(
      kube.events.indexOf('end Service/web')
    )
    // The messages: manifest order within a rank, ranks in order, as one-by-one would say.
    expect(lines).toEqual([
      ...Array.from(
        { length: 40 },
        (_, i) => `configmap/settings-${i} serverside-applied (created)`
      ),
      'service/web serverside-applied (created)',
      'deployment.apps/web serverside-applied (created)'
    ])
    // Each object recorded pending before its apply started, then created.
    const first = records.findIndex(r => r.name === 'settings-7')
    expect(records[first].created).toBe('pending')
    expect(records.filter(r => r.created === true)).toHaveLength(42)
  })

  it('the first failure in manifest order stops the apply; what was in flight is reported and recorded', async () => {
    const kube = new SlowKube()
    kube.failOn = 'ConfigMap/settings-9'
    const records: ObjectRecord[] = []
    const lines: string[] = []
    let error: unknown
    try {
      await applyAll(kube, app(40), new Map(), options(kube, records, lines))
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(PhaseError)
    expect((error as Error).message).toBe(
      'ConfigMap "settings-9": error applying configmap/settings-9 (Invalid): ConfigMap "settings-9" is invalid'
    )
    // Nothing new after the failure: only what was already in flight (counted on events, not on
    // timing, so a busy machine that fires timers late cannot make it flaky).
    const failedAt = kube.events.indexOf('end ConfigMap/settings-9')
    expect(failedAt).toBeGreaterThan(-1)
    expect(kube.events.slice(failedAt + 1).filter(e => e.startsWith('start'))).toEqual([])
    expect(kube.maxInFlight).toBeLessThanOrEqual(REQUEST_CONCURRENCY)
    expect(kube.events).not.toContain('start Service/web')
    expect(lines.slice(0, 9)).toEqual(
      Array.from({ length: 9 }, (_, i) => `configmap/settings-${i} serverside-applied (created)`)
    )
    expect(lines).not.toContain('configmap/settings-9 serverside-applied (created)')
    // Every object applied is in the records as created; the failed one as not created.
    const created = new Set(records.filter(r => r.created === true).map(r => r.name))
    expect(created.size).toBe(lines.length)
    expect(records.filter(r => r.name === 'settings-9').map(r => r.created)).toEqual([
      'pending',
      false
    ])
  })

  it('dry runs and reads run a few at a time too, rejections listed in manifest order', async () => {
    const kube = new SlowKube()
    const objects = app(30)
    const seen: string[] = []
    const base = kube.apply.bind(kube)
    kube.apply = async (type, object, o) => {
      const r = await base(type, object, o)
      if (o.dryRun && /settings-(3|17|25)$/.test(object.metadata.name!)) {
        seen.push(object.metadata.name!)
        throw new KubeApiError(422, `bad ${object.metadata.name}`, 'Invalid')
      }
      return r
    }
    const existing = await readExisting(kube, objects, { fieldManager: 'm', force: false })
    expect(existing.size).toBe(32)
    let message = ''
    try {
      await dryRunAll(kube, objects, options(kube, [], []))
    } catch (err) {
      message = (err as Error).message
    }
    expect(kube.maxInFlight).toBe(REQUEST_CONCURRENCY)
    expect(message.split('\n').slice(1)).toEqual([
      '  ConfigMap "settings-3": error applying configmap/settings-3 (Invalid): bad settings-3',
      '  ConfigMap "settings-17": error applying configmap/settings-17 (Invalid): bad settings-17',
      '  ConfigMap "settings-25": error applying configmap/settings-25 (Invalid): bad settings-25'
    ])
    expect(kube.callsOf('apply')).toEqual([])
  })
})

describe('deleteOwned with many objects', () => {
  it('deletes a few at a time, rank by rank in reverse, and says so in reverse apply order', async () => {
    const kube = new SlowKube()
    const records: ObjectRecord[] = []
    await applyAll(kube, app(20), new Map(), options(kube, records, []))
    const last = [...new Map(records.map(r => [`${r.kind}/${r.name}`, r])).values()]
    const lines: string[] = []
    const r = await deleteOwned(kube, last, '', { log: l => lines.push(l) })
    expect(r.deleted).toHaveLength(22)
    expect(lines).toEqual([
      `deployment.apps "web" in namespace "${NS}" deleted`,
      `service "web" in namespace "${NS}" deleted`,
      ...Array.from(
        { length: 20 },
        (_, i) => `configmap "settings-${19 - i}" in namespace "${NS}" deleted`
      )
    ])
    expect(kube.find('ConfigMap', 'settings-3', NS)).toBeUndefined()
  })
})
