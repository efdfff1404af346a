// stable-for: the window counted from readiness, whether it held, and the watch that decides it.

import { describe, expect, it } from '@jest/globals'
import {
  describeMoment,
  formatWindow,
  stabilityResult,
  watchStability,
  windowLeft
} from '../../src/kube/stable.js'
import type { Pod } from '../../src/kube/types.js'
import { FakeKube, settle } from './kube-fake.js'
import { crashLooping, NS, pod, running, SELECTOR } from './kube-objects.js'

describe('the window', () => {
  it.each([
    // readyAt, window, now → left
    [1000, 10_000, 1000, 10_000], // just ready: all of it
    [1000, 10_000, 4000, 7000], // checks took 3 s: only the rest is waited for
    [1000, 10_000, 11_000, 0], // checks as long as the window: nothing extra
    [1000, 10_000, 60_000, 0], // checks longer than the window: nothing extra
    [1000, 0, 1000, 0] // off
  ])('ready at %d, stable-for %d ms, now %d → %d ms left', (readyAt, windowMs, now, left) => {
    expect(windowLeft(readyAt, windowMs, now)).toBe(left)
  })

  it.each([
    [{ readyAt: 0, windowMs: 10_000, watchedUntil: 10_000 }, 'held'],
    [{ readyAt: 0, windowMs: 10_000, watchedUntil: 25_000 }, 'held'],
    [{ readyAt: 0, windowMs: 10_000, watchedUntil: 9_999 }, 'not watched to the end'],
    [{ readyAt: 0, windowMs: 10_000, watchedUntil: 30_000, problemAt: 6000 }, 'broken'],
    // A problem after the window (while longer checks still ran) breaks it too: the run saw it.
    [{ readyAt: 0, windowMs: 10_000, watchedUntil: 30_000, problemAt: 20_000 }, 'broken']
  ])('%j → %s', (w, result) => {
    expect(stabilityResult(w)).toBe(result)
  })

  it("says when, in the input's syntax", () => {
    expect(describeMoment(4210, 10_000)).toBe(
      '4.2 s after every workload was ready (stable-for 10s)'
    )
    expect(describeMoment(1000, 120_000, 'while the smoke checks ran')).toBe(
      '1.0 s after every workload was ready (stable-for 2m), while the smoke checks ran'
    )
    expect(describeMoment(300, 0, 'while the smoke checks ran')).toBe(
      '0.3 s after every workload was ready, while the smoke checks ran'
    )
    expect(formatWindow(1500)).toBe('1.5s')
  })
})

describe('watchStability', () => {
  const ready = (status = running(0, true)): Pod =>
    pod('web-abc-1', 'abc', [status], { conditions: [{ type: 'Ready', status: 'True' }] })

  function start(windowMs: number) {
    const kube = new FakeKube()
    kube.put(ready())
    const readyAt = Date.now()
    const stability = watchStability(kube, {
      namespace: NS,
      labelSelector: SELECTOR,
      windowMs,
      readyAt,
      now: () => Date.now()
    })
    return { kube, stability, readyAt }
  }

  it('waits out only the rest of the window, then it held', async () => {
    const { stability, readyAt } = start(400)
    await new Promise(resolve => setTimeout(resolve, 150))
    const problem = await stability.waitOut()
    const waited = Date.now() - readyAt
    stability.stop()
    expect(problem).toBeUndefined()
    expect(waited).toBeGreaterThanOrEqual(395)
    expect(stability.facts()).toEqual({
      windowMs: 400,
      readyAt: new Date(readyAt).toISOString(),
      result: 'held'
    })
  })

  it('a crash in the window ends the wait with the problem, names when, and aborts its signal', async () => {
    const { kube, stability } = start(60_000)
    stability.during = 'while the smoke checks ran'
    await settle()
    kube.logs.set('web-abc-1/app/previous', 'fatal: lost the database')
    const waiting = stability.waitOut()
    kube.put(pod('web-abc-1', 'abc', [crashLooping(1)]))
    const problem = await waiting // long before the 60 s window
    stability.stop()
    expect(problem?.message).toMatch(
      /^container "app" of pod "web-abc-1" restarted \d+\.\d s after every workload was ready \(stable-for 1m\), while the smoke checks ran: last exit code 3 \(Error\): config file missing$/
    )
    expect(problem?.details).toBe(
      'last 20 log lines of container "app" of pod "web-abc-1":\nfatal: lost the database'
    )
    expect(stability.signal.aborted).toBe(true)
    expect((stability.signal.reason as Error).message).toBe(problem?.message)
    expect(stability.facts()).toMatchObject({ result: 'broken', problem: problem?.message })
    expect(stability.facts().brokenAfterMs).toBeGreaterThanOrEqual(0)
  })

  it('stopped before the window ended (the run failed first): not watched to the end', async () => {
    const { stability } = start(60_000)
    stability.stop()
    expect(stability.facts().result).toBe('not watched to the end')
  })

  it('a cancel ends the wait', async () => {
    const { stability } = start(60_000)
    const cancel = new AbortController()
    const waiting = stability.waitOut(cancel.signal)
    cancel.abort()
    expect(await waiting).toBeUndefined()
    stability.stop()
  })
})
