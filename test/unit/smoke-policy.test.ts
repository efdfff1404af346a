// The engine's named policies, each a pure function: warm-up (the kube-proxy rule), retry,
// latency and load. Times are plain numbers, as a fake clock would give them.

import { describe, expect, test } from '@jest/globals'
import {
  DEFAULT_REFUSED_RETRY,
  LoadTally,
  judgeAttemptLatency,
  judgeLoad,
  judgeSeries,
  latencyStats,
  loadLimits,
  probeTimeout,
  retryVerdict,
  scheduledStart,
  warmupStep,
  type RetryKind
} from '../../src/smoke/index.js'

describe('warm-up', () => {
  const ctx = {
    attempt: 1,
    afterRefusal: false,
    sinceCheckStartMs: 0,
    remainingMs: 60_000,
    timeoutMs: 5000,
    minWindowMs: 250,
    method: 'GET' as const,
    serviceAnswered: false
  }

  test('the first attempt, and one right after a refusal, wait 250 ms for an answer', () => {
    expect(probeTimeout(ctx, DEFAULT_REFUSED_RETRY)).toBe(250)
    expect(probeTimeout({ ...ctx, attempt: 4, afterRefusal: true }, DEFAULT_REFUSED_RETRY)).toBe(
      250
    )
  })

  test.each([
    ['the service has answered', { serviceAnswered: true }],
    ['a later attempt not after a refusal', { attempt: 2 }],
    ['past the 5 s window', { sinceCheckStartMs: 5000 }],
    ['a POST (an abandoned POST may have been served)', { method: 'POST' as const }],
    ['a timeout already shorter', { timeoutMs: 200 }],
    ['no time for another attempt after it', { remainingMs: 600 }]
  ])('full timeout when %s', (_why, over) => {
    expect(probeTimeout({ ...ctx, ...over }, DEFAULT_REFUSED_RETRY)).toBeUndefined()
  })

  test('a refusal early in the check is retried every 100 ms; an unanswered probe at once', () => {
    const f = { refused: true, unansweredProbe: false, sinceCheckStartMs: 4999 }
    expect(warmupStep(f, DEFAULT_REFUSED_RETRY)).toEqual({ style: 'refused', waitMs: 100 })
    expect(warmupStep({ ...f, sinceCheckStartMs: 5000 }, DEFAULT_REFUSED_RETRY)).toBeUndefined()
    expect(
      warmupStep({ ...f, refused: false, unansweredProbe: true }, DEFAULT_REFUSED_RETRY)
    ).toEqual({ style: 'unanswered', waitMs: 0 })
    expect(warmupStep({ ...f, refused: false }, DEFAULT_REFUSED_RETRY)).toBeUndefined()
  })
})

describe('retry', () => {
  const base = {
    kind: 'connection' as RetryKind,
    method: 'GET' as const,
    sent: true,
    retriesUsed: 0,
    serviceAnswered: true,
    answeredCorrectly: false,
    sinceFirstAnswerMs: 0,
    mismatchGraceMs: 10_000
  }

  test('no response before the service answered is warm-up: retried, not counted', () => {
    expect(retryVerdict({ ...base, serviceAnswered: false })).toEqual({
      retry: true,
      counted: false
    })
    // even with retry: false — the NodePort may still be being programmed
    expect(retryVerdict({ ...base, serviceAnswered: false, settings: { maxRetries: 0 } })).toEqual({
      retry: true,
      counted: false
    })
  })

  test('connection errors and 5xx are retried by default, and counted', () => {
    expect(retryVerdict(base)).toEqual({ retry: true, counted: true })
    expect(retryVerdict({ ...base, kind: '5xx', answeredCorrectly: true })).toEqual({
      retry: true,
      counted: true
    })
  })

  test('a wrong answer that is not a 5xx: retried while nothing passed, within the grace', () => {
    expect(retryVerdict({ ...base, kind: 'status', sinceFirstAnswerMs: 9999 })).toEqual({
      retry: true,
      counted: true
    })
    expect(retryVerdict({ ...base, kind: 'body', sinceFirstAnswerMs: 10_000 })).toEqual({
      retry: false,
      why: 'the service has answered wrongly for 10.0 s, so this answer is taken as final'
    })
    expect(retryVerdict({ ...base, kind: 'status', answeredCorrectly: true })).toEqual({
      retry: false,
      why: 'the service answers other requests correctly, so this answer is taken as final'
    })
  })

  test('retries: N stops after N counted retries; retry: false after none', () => {
    expect(retryVerdict({ ...base, settings: { maxRetries: 2 }, retriesUsed: 1 })).toEqual({
      retry: true,
      counted: true
    })
    expect(retryVerdict({ ...base, settings: { maxRetries: 2 }, retriesUsed: 2 })).toEqual({
      retry: false,
      why: "'retries: 2' used up"
    })
    expect(retryVerdict({ ...base, settings: { maxRetries: 0 } })).toEqual({
      retry: false,
      why: "'retry: false'"
    })
  })

  test('POST and PATCH are not sent again once they may have been served, unless asked', () => {
    const why =
      "POST is not idempotent and the request may have reached the service (set 'retries' or 'retry-on' to retry it)"
    expect(retryVerdict({ ...base, method: 'POST', kind: '5xx' })).toEqual({ retry: false, why })
    expect(retryVerdict({ ...base, method: 'POST', serviceAnswered: false })).toEqual({
      retry: false,
      why
    })
    expect(retryVerdict({ ...base, method: 'PATCH', kind: '5xx' }).retry).toBe(false)
    // never sent (refused): safe to send
    expect(retryVerdict({ ...base, method: 'POST', sent: false }).retry).toBe(true)
    expect(retryVerdict({ ...base, method: 'PUT', kind: '5xx' }).retry).toBe(true)
    expect(
      retryVerdict({ ...base, method: 'POST', kind: '5xx', settings: { maxRetries: 3 } }).retry
    ).toBe(true)
    expect(
      retryVerdict({ ...base, method: 'POST', kind: '5xx', settings: { on: ['5xx'] } }).retry
    ).toBe(true)
  })

  test('retry-on: exactly the outcomes listed', () => {
    const on = { on: ['body', 'connection'] as RetryKind[] }
    expect(retryVerdict({ ...base, kind: 'body', answeredCorrectly: true, settings: on })).toEqual({
      retry: true,
      counted: true
    })
    expect(retryVerdict({ ...base, kind: '5xx', settings: on })).toEqual({
      retry: false,
      why: "'retry-on' does not list 5xx"
    })
  })
})

describe('latency', () => {
  test('nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(latencyStats(values)).toEqual({
      count: 100,
      min: 1,
      mean: 50.5,
      p50: 50,
      p95: 95,
      p99: 99,
      max: 100
    })
    expect(latencyStats([7])).toMatchObject({ p50: 7, p95: 7, p99: 7, max: 7 })
    expect(latencyStats([]).count).toBe(0)
    const twenty = [...Array<number>(19).fill(5), 150]
    expect(latencyStats(twenty)).toMatchObject({ p50: 5, p95: 5, max: 150 })
    expect(latencyStats([...Array<number>(18).fill(5), 150, 150]).p95).toBe(150)
  })

  test('the passing attempt is judged; a series by its percentiles', () => {
    expect(judgeAttemptLatency(100, 100)).toBeUndefined()
    expect(judgeAttemptLatency(100, 100.4)).toBe(
      'took 100.4 ms, over max-latency-ms 100 (judged on the attempt that passed)'
    )
    expect(judgeAttemptLatency(undefined, 9999)).toBeUndefined()
    const stats = latencyStats([10, 20, 30, 400])
    expect(judgeSeries({ maxP95Ms: 500 }, stats)).toEqual([])
    expect(judgeSeries({ maxP95Ms: 300, maxP99Ms: 350 }, stats)).toEqual([
      'p95 400 ms over max-p95-ms 300',
      'p99 400 ms over max-p99-ms 350'
    ])
  })
})

describe('load', () => {
  test('every load is bounded in count and time', () => {
    expect(loadLimits({ concurrency: 4, requests: 50 })).toEqual({
      maxRequests: 50,
      durationMs: 600_000
    })
    expect(loadLimits({ concurrency: 4, durationMs: 20_000 })).toEqual({
      maxRequests: 1_000_000,
      durationMs: 20_000
    })
  })

  test('a rate spaces the starts', () => {
    expect(scheduledStart(0, 50)).toBe(0)
    expect(scheduledStart(10, 50)).toBe(200)
    expect(scheduledStart(10, undefined)).toBe(0)
  })

  test('the tally: success rate (never rounded up), req/s, errors by kind, a series per second', () => {
    const tally = new LoadTally()
    for (let i = 0; i < 300; i++) {
      const start = i * 10 // 100 a second for 3 s
      const error = i % 100 === 99 ? 'status 500' : i === 150 ? 'connection reset' : undefined
      tally.add(start, 2 + (i % 10), error)
    }
    const r = tally.result({ concurrency: 4, durationMs: 3000 })
    expect(r).toMatchObject({
      concurrency: 4,
      requests: 300,
      succeeded: 296,
      failed: 4,
      successRate: 98.66,
      durationMs: 3001,
      requestsPerSecond: 100
    })
    expect(r.errors).toEqual({ 'status 500': 3, 'connection reset': 1 })
    expect(r.series.map(s => [s.t, s.requests, s.failed])).toEqual([
      [0, 100, 1],
      [1, 100, 2],
      [2, 100, 1]
    ])
    expect(r.series[0]).toMatchObject({ p50: 6, p95: 11, p99: 11 })
    expect(r.latency).toMatchObject({ count: 300, min: 2, max: 11 })
    expect(r.rate).toBeUndefined()
    expect(r.stopped).toBeUndefined()
  })

  test('the distribution: p50 … p99.9 and the max, by nearest rank', () => {
    const tally = new LoadTally()
    for (let i = 1; i <= 1000; i++) tally.add(i, i / 10) // 0.1 ms … 100 ms
    expect(tally.result({ concurrency: 1, requests: 1000 }).percentiles).toEqual([
      { p: 50, ms: 50 },
      { p: 75, ms: 75 },
      { p: 90, ms: 90 },
      { p: 95, ms: 95 },
      { p: 99, ms: 99 },
      { p: 99.9, ms: 99.9 },
      { p: 100, ms: 100 }
    ])
    expect(new LoadTally().result({ concurrency: 1, requests: 1 }).percentiles).toEqual([])
  })

  test('error kinds are capped; the rest count as other', () => {
    const tally = new LoadTally()
    for (let i = 0; i < 25; i++) tally.add(i, 1, `status ${500 + i}`)
    const r = tally.result({ concurrency: 1, requests: 25 })
    expect(Object.keys(r.errors)).toHaveLength(21)
    expect(r.errors.other).toBe(5)
  })

  test('verdict: min-success-rate (default 99) and the percentiles', () => {
    const tally = new LoadTally()
    for (let i = 0; i < 100; i++)
      tally.add(i, i < 95 ? 10 : 200, i % 20 === 0 ? 'status 500' : undefined)
    const r = tally.result({ concurrency: 2, requests: 100 })
    expect(judgeLoad({}, r)).toEqual([
      'success rate 95 % (95 of 100) under min-success-rate 99 %; errors: status 500 × 5'
    ])
    expect(judgeLoad({ minSuccessRate: 95 }, r)).toEqual([])
    expect(judgeLoad({ minSuccessRate: 95, maxP95Ms: 50, maxP99Ms: 100 }, r)).toEqual([
      'p99 200 ms over max-p99-ms 100'
    ])
    expect(judgeLoad({ minSuccessRate: 95, maxP95Ms: 5 }, r)).toEqual([
      'p95 10 ms over max-p95-ms 5'
    ])
    expect(judgeLoad({}, new LoadTally().result({ concurrency: 1, requests: 1 }))).toEqual([
      'no load request was sent'
    ])
  })
})
