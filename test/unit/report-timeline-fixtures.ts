// Recorded runs for the timeline and latency chart tests: times as the action records them.

import type { RunReport, WorkloadResult } from '../../src/report/index.js'
import type { SmokeAttempt, SmokeResult } from '../../src/smoke/index.js'

export const T0 = Date.parse('2026-12-06T10:00:00.000Z')
export const at = (ms: number): string => new Date(T0 + ms).toISOString()

function phase(
  name: string,
  from: number,
  to: number,
  status: 'ok' | 'failed' | 'skipped' = 'ok',
  error?: string
) {
  return {
    name,
    startedAt: at(from),
    endedAt: at(to),
    durationMs: to - from,
    status,
    ...(error ? { error } : {})
  }
}

function workload(
  kind: string,
  name: string,
  from: number,
  to: number,
  over: Partial<WorkloadResult> = {}
): WorkloadResult {
  return {
    kind,
    name,
    passed: true,
    durationMs: to - from,
    message: `${kind.toLowerCase()} "${name}" successfully rolled out`,
    state: 'ready',
    startedAt: at(from),
    endedAt: at(to),
    ...over
  }
}

function attempts(from: number, spec: Array<[number, Partial<SmokeAttempt>]>): SmokeAttempt[] {
  return spec.map(([offset, a], i) => ({
    n: i + 1,
    at: at(from + offset),
    elapsedMs: offset,
    latencyMs: 4,
    passed: false,
    ...a
  }))
}

function check(
  name: string,
  path: string,
  from: number,
  list: SmokeAttempt[],
  over: Partial<SmokeResult> = {}
): SmokeResult {
  const last = list.at(-1)!
  return {
    check: `${name} (GET ${path})`,
    name,
    method: 'GET',
    path,
    url: `http://127.0.0.1:30080${path}`,
    expected: ['status 2xx'],
    passed: last.passed,
    attempts: list,
    durationMs: Date.parse(last.at) + last.latencyMs - (T0 + from),
    notes: [],
    ...over
  }
}

/** Passed: the shop app; the API waited for its database (store) and the migration. */
export function passedRun(): RunReport {
  return {
    result: 'passed',
    startedAt: at(0),
    durationMs: 31_000,
    namespace: 'smoke-42-1',
    url: 'http://127.0.0.1:30080',
    phases: [
      phase('cluster', 0, 2_000),
      phase('image', 2_000, 14_000),
      phase('validate', 14_000, 14_400),
      phase('deploy', 14_400, 15_000),
      phase('rollout', 15_000, 27_000),
      phase('expose', 27_000, 27_100),
      phase('smoke', 27_100, 30_900)
    ],
    workloads: [
      workload('StatefulSet', 'kv', 14_700, 21_000),
      workload('Job', 'migrate', 14_800, 24_000, { message: 'job "migrate" completed' }),
      workload('Deployment', 'api', 14_900, 27_000),
      workload('ConfigMap', 'settings', 15_000, 15_000, {
        state: 'not-waited',
        message: 'not waited for: it has no status to wait for'
      })
    ],
    smoke: [
      check(
        'liveness',
        '/healthz',
        27_100,
        attempts(27_100, [
          [0, { error: 'connection refused', reason: 'connection refused' }],
          [250, { error: 'connection refused', reason: 'connection refused' }],
          [750, { status: 200, passed: true, latencyMs: 12 }]
        ])
      ),
      check(
        'forecast: Chicago; #1 "quoted"',
        '/?msg=Chicago',
        27_900,
        attempts(27_900, [[0, { status: 200, passed: true, latencyMs: 30 }]])
      )
    ]
  }
}

/** Failed in the rollout: the API crash-looped after everything else was ready. */
export function failedRolloutRun(): RunReport {
  const r = passedRun()
  r.result = 'failed'
  r.error = 'deployment.apps "api" failed: container "api" is in CrashLoopBackOff'
  r.phases = [
    ...r.phases.slice(0, 4),
    phase('rollout', 15_000, 45_000, 'failed', r.error),
    phase('expose', 45_000, 45_000, 'skipped'),
    phase('smoke', 45_000, 45_000, 'skipped')
  ]
  r.workloads = [
    r.workloads![0],
    r.workloads![1],
    workload('Deployment', 'api', 14_900, 45_000, {
      passed: false,
      state: 'failed',
      message: r.error,
      tolerated: [
        { at: at(19_000), message: 'container "api" restarted 1 time (exit code 1)' },
        { at: at(23_000), message: 'container "api" restarted 2 times (exit code 1)' }
      ]
    }),
    workload('Deployment', 'front', 14_950, 45_000, {
      passed: false,
      state: 'waiting',
      message:
        'Waiting for deployment "front" rollout to finish: 0 of 1 updated replicas are available...'
    })
  ]
  r.smoke = []
  r.durationMs = 46_000
  return r
}

/** Passed with a crash tolerated: the API restarted once while its database started. */
export function toleratedCrashRun(): RunReport {
  const r = passedRun()
  r.workloads![2] = workload('Deployment', 'api', 14_900, 27_000, {
    tolerated: [{ at: at(18_500), message: 'container "api" restarted 1 time (exit code 1)' }]
  })
  return r
}

/** Passed, with a load check judged against max-p95-ms and max-p99-ms. */
export function loadRun(): RunReport {
  const r = passedRun()
  const list = attempts(28_000, [[0, { status: 200, passed: true, latencyMs: 9 }]])
  r.smoke.push(
    check('forecast under load', '/?msg=Chicago', 28_000, list, {
      durationMs: 2_100,
      load: {
        startedAt: at(28_050),
        concurrency: 8,
        requests: 300,
        succeeded: 300,
        failed: 0,
        successRate: 100,
        durationMs: 2_000,
        requestsPerSecond: 150,
        latency: { count: 300, min: 2, mean: 8, p50: 6.5, p95: 21, p99: 48, max: 95.2 },
        percentiles: [
          { p: 50, ms: 6.5 },
          { p: 75, ms: 9.1 },
          { p: 90, ms: 14 },
          { p: 95, ms: 21 },
          { p: 99, ms: 48 },
          { p: 99.9, ms: 90.3 },
          { p: 100, ms: 95.2 }
        ],
        thresholds: { maxP95Ms: 50, maxP99Ms: 120 },
        errors: {},
        series: [{ t: 0, requests: 150, failed: 0, p50: 6, p95: 20, p99: 47 }]
      }
    })
  )
  return r
}
