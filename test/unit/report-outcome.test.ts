import { describe, expect, test } from '@jest/globals'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  PhaseRecorder,
  failureMessage,
  formatDuration,
  outputsFor,
  writeReportFile,
  type RunReport
} from '../../src/report/index.js'
import { FakeClock, T0 } from './smoke-fakes.js'
import { failingCheck, loadCheck, passingCheck, report, sampledCheck } from './report-fixtures.js'

describe('outputsFor', () => {
  test('every output, as strings', () => {
    expect(outputsFor(report(), '/tmp/r/report.json', '/tmp/r/junit.xml')).toEqual({
      result: 'passed',
      url: 'http://127.0.0.1:30080',
      report: '/tmp/r/report.json',
      junit: '/tmp/r/junit.xml',
      image: 'weather-service:abc1234-42-1',
      images: '',
      namespace: 'smoke-42-1',
      'node-port': '30080',
      'duration-ms': '42137'
    })
  })

  test('images: repository → deployed reference, as JSON', () => {
    const r = report({
      images: [
        { name: 'front', ref: 'localhost:5000/front:t1', delivery: 'registry' },
        { name: 'api', ref: 'localhost:5000/api:t1', delivery: 'registry' }
      ]
    })
    expect(JSON.parse(outputsFor(r, 'r.json').images)).toEqual({
      front: 'localhost:5000/front:t1',
      api: 'localhost:5000/api:t1'
    })
  })

  test('unknown values are empty strings', () => {
    const early: RunReport = {
      result: 'failed',
      startedAt: '2026-11-26T12:00:00.000Z',
      durationMs: 12.6,
      phases: [],
      smoke: []
    }
    expect(outputsFor(early, 'r.json')).toEqual({
      result: 'failed',
      url: '',
      report: 'r.json',
      junit: '',
      image: '',
      images: '',
      namespace: '',
      'node-port': '',
      'duration-ms': '13'
    })
  })
})

describe('failureMessage', () => {
  test('empty when passed', () => {
    expect(failureMessage(report())).toBe('')
  })

  test('names the first failing check, why, attempts and time', () => {
    const r = report({ result: 'failed', smoke: [passingCheck(), failingCheck()] })
    expect(failureMessage(r)).toBe(
      'GET /?msg=Chicago: expected status 200, got 500 after 7 attempts in 30.2 s'
    )
  })

  test('counts further failing checks; singular attempt', () => {
    const one = failingCheck({
      check: 'health (GET /health)',
      reason: 'connection refused',
      attempts: [failingCheck().attempts[0]],
      durationMs: 3
    })
    const r = report({ result: 'failed', smoke: [one, failingCheck(), failingCheck()] })
    expect(failureMessage(r)).toBe(
      'health (GET /health): connection refused after 1 attempt in 0.0 s (and 2 more failing checks: see the job summary)'
    )
  })

  test('a load or samples failure says what the series found, not attempts', () => {
    expect(failureMessage(report({ result: 'failed', smoke: [loadCheck()] }))).toBe(
      'load (GET /healthz): success rate 95 % (380 of 400) under min-success-rate 99 %; errors: status 500 × 20 (400 load requests; the check took 2.1 s)'
    )
    const slow = sampledCheck({
      passed: false,
      reason: 'p95 120 ms over max-p95-ms 100 (over 20 samples)'
    })
    expect(failureMessage(report({ result: 'failed', smoke: [slow] }))).toBe(
      'GET /api: p95 120 ms over max-p95-ms 100 (over 20 samples) (the check took 0.3 s)'
    )
  })

  test('a stopped run names the check that was stopped, not those that never ran', () => {
    const stopped = failingCheck({
      reason: 'pod web-1 restarted',
      attempts: [failingCheck().attempts[0]]
    })
    const notRun = passingCheck({
      passed: false,
      notRun: true,
      reason: 'not run: pod web-1 restarted',
      attempts: []
    })
    expect(failureMessage(report({ result: 'failed', smoke: [stopped, notRun] }))).toBe(
      'GET /?msg=Chicago: pod web-1 restarted after 1 attempt in 30.2 s (and 1 more failing check: see the job summary)'
    )
  })

  test('without a failing check: the run error, else the failed phase', () => {
    const phases = report().phases.map(p =>
      p.name === 'deploy' ? { ...p, status: 'failed' as const, error: 'ImagePullBackOff: …' } : p
    )
    expect(
      failureMessage(report({ result: 'failed', smoke: [], phases, error: 'rollout: pod crashed' }))
    ).toBe('rollout: pod crashed')
    expect(failureMessage(report({ result: 'failed', smoke: [], phases }))).toBe(
      'deploy: ImagePullBackOff: …'
    )
    expect(failureMessage(report({ result: 'failed', smoke: [], phases: [] }))).toBe(
      'failed (no reason recorded)'
    )
  })
})

describe('writeReportFile', () => {
  test('pretty JSON, directories created, nothing else left behind; the shape round-trips', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-test-'))
    try {
      const path = join(dir, 'nested', 'deeper', 'report.json')
      const r = report({
        result: 'failed',
        smoke: [passingCheck(), failingCheck()],
        rollout: { updateChecks: 3, replicas: 2 },
        error: 'smoke failed',
        diagnosticsMarkdown: '### Pods\n- web-1: CrashLoopBackOff'
      })
      await writeReportFile(path, r)
      const text = await readFile(path, 'utf8')
      expect(text.endsWith('}\n')).toBe(true)
      expect(text).toContain('\n  "result": "failed",\n')
      const back = JSON.parse(text) as RunReport
      expect(back).toEqual(r)
      expect(Object.keys(back.smoke[1])).toEqual(
        expect.arrayContaining([
          'check',
          'passed',
          'reason',
          'attempts',
          'lastResponse',
          'durationMs'
        ])
      )
      expect(Object.keys(back.smoke[1].attempts[0])).toEqual(
        expect.arrayContaining(['at', 'latencyMs', 'status', 'reason'])
      )
      expect(await readdir(join(dir, 'nested', 'deeper'))).toEqual(['report.json'])
      await writeReportFile(path, report())
      expect((JSON.parse(await readFile(path, 'utf8')) as RunReport).result).toBe('passed')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('PhaseRecorder', () => {
  test('records ok, failed (rethrowing) and skipped phases with times', async () => {
    const clock = new FakeClock()
    const phases = new PhaseRecorder(clock)
    expect(
      await phases.run('cluster', async () => {
        clock.t += 1500
        return 'up'
      })
    ).toBe('up')
    await expect(
      phases.run('deploy', async () => {
        clock.t += 20
        throw new Error('apply failed: HTTP 500')
      })
    ).rejects.toThrow('apply failed')
    phases.skip('smoke', 'deploy failed')
    expect(phases.phases).toEqual([
      {
        name: 'cluster',
        startedAt: new Date(T0).toISOString(),
        endedAt: new Date(T0 + 1500).toISOString(),
        durationMs: 1500,
        status: 'ok'
      },
      {
        name: 'deploy',
        startedAt: new Date(T0 + 1500).toISOString(),
        endedAt: new Date(T0 + 1520).toISOString(),
        durationMs: 20,
        status: 'failed',
        error: 'apply failed: HTTP 500'
      },
      {
        name: 'smoke',
        startedAt: new Date(T0 + 1520).toISOString(),
        endedAt: new Date(T0 + 1520).toISOString(),
        durationMs: 0,
        status: 'skipped',
        error: 'deploy failed'
      }
    ])
  })
})

test.each([
  [0, '0 ms'],
  [999.4, '999 ms'],
  [1000, '1.0 s'],
  [30_240, '30.2 s'],
  [59_999, '60.0 s'],
  [125_000, '2 min 5 s'],
  [119_700, '2 min 0 s'],
  [-1, '—']
])('formatDuration(%d) = %s', (ms, text) => {
  expect(formatDuration(ms)).toBe(text)
})
