import type { RunReport } from '../../src/report/index.js'
import type { SmokeResult } from '../../src/smoke/index.js'

export const STARTED = '2026-11-26T12:00:00.000Z'

export function passingCheck(over: Partial<SmokeResult> = {}): SmokeResult {
  return {
    check: 'GET /',
    method: 'GET',
    path: '/',
    url: 'http://127.0.0.1:30080/',
    expected: ['status 2xx'],
    passed: true,
    attempts: [
      {
        n: 1,
        at: STARTED,
        elapsedMs: 0,
        latencyMs: 3,
        error: 'connection refused',
        passed: false,
        reason: 'connection refused'
      },
      { n: 2, at: STARTED, elapsedMs: 253, latencyMs: 12, status: 200, bodyBytes: 2, passed: true }
    ],
    durationMs: 265,
    lastResponse: {
      status: 200,
      url: 'http://127.0.0.1:30080/',
      body: 'ok',
      bodyBytes: 2,
      truncated: false
    },
    notes: [],
    ...over
  }
}

export function failingCheck(over: Partial<SmokeResult> = {}): SmokeResult {
  const attempts = Array.from({ length: 7 }, (_, i) => ({
    n: i + 1,
    at: STARTED,
    elapsedMs: i * 4000,
    latencyMs: 8,
    status: 500,
    bodyBytes: 21,
    passed: false,
    reason: 'expected status 200, got 500'
  }))
  return {
    check: 'GET /?msg=Chicago',
    method: 'GET',
    path: '/?msg=Chicago',
    url: 'http://127.0.0.1:30080/?msg=Chicago',
    expected: ['status 200'],
    passed: false,
    reason: 'expected status 200, got 500',
    attempts,
    durationMs: 30_240,
    lastResponse: {
      status: 500,
      url: 'http://127.0.0.1:30080/?msg=Chicago',
      body: 'Internal Server Error',
      bodyBytes: 21,
      truncated: false
    },
    notes: [],
    ...over
  }
}

export function report(over: Partial<RunReport> = {}): RunReport {
  return {
    result: 'passed',
    startedAt: STARTED,
    durationMs: 42_137,
    image: 'weather-service:abc1234-42-1',
    namespace: 'smoke-42-1',
    url: 'http://127.0.0.1:30080',
    nodePort: 30080,
    phases: [
      {
        name: 'cluster',
        startedAt: STARTED,
        endedAt: '2026-11-26T12:00:12.300Z',
        durationMs: 12_300,
        status: 'ok'
      },
      {
        name: 'deploy',
        startedAt: '2026-11-26T12:00:12.300Z',
        endedAt: '2026-11-26T12:00:12.370Z',
        durationMs: 70,
        status: 'ok'
      },
      {
        name: 'smoke',
        startedAt: '2026-11-26T12:00:12.370Z',
        endedAt: '2026-11-26T12:00:12.635Z',
        durationMs: 265,
        status: 'ok'
      }
    ],
    smoke: [passingCheck()],
    ...over
  }
}

/** A load check that failed its success rate (status 500 on 1 in 20 requests). */
export function loadCheck(over: Partial<SmokeResult> = {}): SmokeResult {
  return passingCheck({
    check: 'load (GET /healthz)',
    name: 'load',
    path: '/healthz',
    url: 'http://127.0.0.1:30080/healthz',
    expected: ['status 2xx', 'load (400 requests, concurrency 4): success ≥ 99 %'],
    passed: false,
    reason: 'success rate 95 % (380 of 400) under min-success-rate 99 %; errors: status 500 × 20',
    durationMs: 2150,
    load: {
      concurrency: 4,
      requests: 400,
      succeeded: 380,
      failed: 20,
      successRate: 95,
      durationMs: 2000,
      requestsPerSecond: 200,
      latency: { count: 400, min: 1.2, mean: 4.1, p50: 3.5, p95: 9.8, p99: 14.2, max: 30.4 },
      errors: { 'status 500': 20 },
      series: [
        { t: 0, requests: 210, failed: 10, p50: 3.4, p95: 9.1, p99: 13.3 },
        { t: 1, requests: 190, failed: 10, p50: 3.6, p95: 10.2, p99: 14.9 }
      ]
    },
    ...over
  })
}

/** A check with a sampled latency series. */
export function sampledCheck(over: Partial<SmokeResult> = {}): SmokeResult {
  return passingCheck({
    check: 'GET /api',
    path: '/api',
    url: 'http://127.0.0.1:30080/api',
    expected: ['status 2xx', 'p95 ≤ 100 ms over 20 samples'],
    samples: {
      requested: 20,
      passed: 20,
      latency: { count: 20, min: 4, mean: 6.2, p50: 5, p95: 12, p99: 40, max: 40 },
      series: [...Array<number>(18).fill(5), 12, 40]
    },
    ...over
  })
}
