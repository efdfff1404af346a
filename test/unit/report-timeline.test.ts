import { describe, expect, test } from '@jest/globals'
import {
  renderSummaryMarkdown,
  SUMMARY_LIMIT_BYTES,
  type RunReport,
  type WorkloadResult
} from '../../src/report/index.js'
import { latencyChart, niceCeiling } from '../../src/report/latency-chart.js'
import { mermaidText } from '../../src/report/mermaid.js'
import {
  ganttTimeline,
  MAX_ATTEMPT_ROWS,
  MAX_CHECK_SECTIONS,
  MAX_OBJECT_ROWS
} from '../../src/report/timeline.js'
import type { SmokeAttempt } from '../../src/smoke/index.js'
import {
  at,
  failedRolloutRun,
  loadRun,
  passedRun,
  T0,
  toleratedCrashRun
} from './report-timeline-fixtures.js'

const ms = (offset: number) => String(T0 + offset)
/** The gantt's task lines (after the header), trimmed. */
const tasks = (text: string) =>
  text
    .split('\n')
    .slice(4)
    .map(l => l.trim())

describe('ganttTimeline: recorded runs', () => {
  test('passed: phases, each waited object from apply to ready, each check with its attempts', () => {
    const d = ganttTimeline(passedRun())!
    expect(d.notes).toEqual([])
    expect(d.text.split('\n').slice(0, 4)).toEqual([
      'gantt',
      '    dateFormat x',
      '    axisFormat %H:%M:%S',
      '    todayMarker off'
    ])
    expect(tasks(d.text)).toEqual([
      'section phases',
      `cluster 2.0 s :t1, ${ms(0)}, ${ms(2000)}`,
      `image 12.0 s :t2, ${ms(2000)}, ${ms(14_000)}`,
      `validate 400 ms :t3, ${ms(14_000)}, ${ms(14_400)}`,
      `deploy 600 ms :t4, ${ms(14_400)}, ${ms(15_000)}`,
      `rollout 12.0 s :t5, ${ms(15_000)}, ${ms(27_000)}`,
      `expose 100 ms :t6, ${ms(27_000)}, ${ms(27_100)}`,
      `smoke 3.8 s :t7, ${ms(27_100)}, ${ms(30_900)}`,
      'section rollout',
      `StatefulSet/kv ready in 6.3 s :t8, ${ms(14_700)}, ${ms(21_000)}`,
      `Job/migrate ready in 9.2 s :t9, ${ms(14_800)}, ${ms(24_000)}`,
      `Deployment/api ready in 12.1 s :t10, ${ms(14_900)}, ${ms(27_000)}`,
      // The ConfigMap was not waited for: no bar.
      'section check liveness (GET /healthz)',
      `attempts 1–2 connection refused :crit, t11, ${ms(27_100)}, ${ms(27_354)}`,
      `attempt 3 passed 200 :t12, ${ms(27_850)}, ${ms(27_862)}`,
      // Quotes, colons, `;` and `#` as Mermaid entity codes.
      'section check forecast#58; Chicago#59; #35;1 #34;quoted#34; (GET /?msg=Chicago)',
      `attempt 1 passed 200 :t13, ${ms(27_900)}, ${ms(27_930)}`
    ])
  })

  test('failed in the rollout: the failed object in red, the unfinished one active, skipped phases left out', () => {
    const d = ganttTimeline(failedRolloutRun())!
    const lines = tasks(d.text)
    expect(lines).toContain(`rollout failed after 30.0 s :crit, t5, ${ms(15_000)}, ${ms(45_000)}`)
    expect(lines).toContain(
      `Deployment/api failed after 30.1 s :crit, t8, ${ms(14_900)}, ${ms(45_000)}`
    )
    expect(lines).toContain(
      `Deployment/front not ready after 30.1 s :active, t11, ${ms(14_950)}, ${ms(45_000)}`
    )
    expect(lines.some(l => l.startsWith('expose') || l.startsWith('smoke'))).toBe(false)
    expect(lines.some(l => l.startsWith('section check'))).toBe(false)
  })

  test('a tolerated crash: a marker where it was seen, right under its object', () => {
    const lines = tasks(ganttTimeline(toleratedCrashRun())!.text)
    const api = lines.findIndex(l => l.startsWith('Deployment/api ready in'))
    expect(lines[api + 1]).toBe(
      `Deployment/api crash tolerated :crit, milestone, t11, ${ms(18_500)}, ${ms(18_500)}`
    )
    // And in a failed run, each of its crashes.
    const failed = tasks(ganttTimeline(failedRolloutRun())!.text)
    expect(failed.filter(l => l.startsWith('Deployment/api crash tolerated'))).toEqual([
      `Deployment/api crash tolerated :crit, milestone, t9, ${ms(19_000)}, ${ms(19_000)}`,
      `Deployment/api crash tolerated :crit, milestone, t10, ${ms(23_000)}, ${ms(23_000)}`
    ])
  })

  test('load: the check section shows the load from its start for its duration', () => {
    const lines = tasks(ganttTimeline(loadRun())!.text)
    expect(lines.slice(-3)).toEqual([
      'section check forecast under load (GET /?msg=Chicago)',
      `attempt 1 passed 200 :t14, ${ms(28_000)}, ${ms(28_009)}`,
      `load 300 requests, 100 #37; ok, p95 21 ms :t15, ${ms(28_050)}, ${ms(30_050)}`
    ])
  })

  test('samples: a bar from their start to the end of the check', () => {
    const r = passedRun()
    r.smoke[1].samples = {
      startedAt: at(27_930),
      requested: 20,
      passed: 20,
      latency: { count: 20, min: 4, mean: 6, p50: 5, p95: 12, p99: 40, max: 40 },
      series: []
    }
    r.smoke[1].durationMs = 400
    expect(tasks(ganttTimeline(r)!.text).at(-1)).toBe(
      `20 of 20 samples :t14, ${ms(27_930)}, ${ms(28_300)}`
    )
  })

  test('a report from before the times were recorded: phases only; nothing timed: no diagram', () => {
    const r = passedRun()
    r.workloads = r.workloads!.map(({ startedAt: _s, endedAt: _e, ...w }) => w)
    expect(tasks(ganttTimeline(r)!.text)).not.toContain('section rollout')
    expect(ganttTimeline({ ...r, phases: [], smoke: [], workloads: [] })).toBeUndefined()
  })

  test('hooks and chart tests: timed entries drawn under their own sections', () => {
    const r = passedRun()
    r.timeline = [
      {
        section: 'hooks',
        name: 'pre-install Job/db-init',
        startedAt: at(14_400),
        durationMs: 3000,
        status: 'ok'
      },
      {
        section: 'chart tests',
        name: 'Pod/web-test',
        startedAt: at(30_000),
        durationMs: 800,
        status: 'failed'
      }
    ]
    const lines = tasks(ganttTimeline(r)!.text)
    expect(lines).toContain('section hooks')
    expect(lines).toContain(`pre-install Job/db-init 3.0 s :t11, ${ms(14_400)}, ${ms(17_400)}`)
    expect(lines).toContain('section chart tests')
    expect(lines).toContain(
      `Pod/web-test failed after 800 ms :crit, t12, ${ms(30_000)}, ${ms(30_800)}`
    )
  })
})

describe('mermaid text', () => {
  test('escapes what Mermaid or the Markdown fence would read, one line, cut', () => {
    expect(mermaidText('a "b": c; #d %% e `f` <g>')).toBe(
      'a #34;b#34;#58; c#59; #35;d #37;#37; e #96;f#96; #60;g#62;'
    )
    expect(mermaidText('x\ny', 80)).toBe('x y')
    expect(mermaidText('abcdef', 4)).toBe('abc…')
  })

  test('a check named like a keyword or a date cannot become one', () => {
    const r = passedRun()
    r.smoke[0].check = 'title page'
    r.phases = []
    r.workloads = []
    r.smoke[0].attempts = [r.smoke[0].attempts[2]]
    const lines = tasks(ganttTimeline(r)!.text)
    expect(lines[0]).toBe('section check title page')
    r.timeline = [
      { section: 'hooks', name: '2026-01-01 job', startedAt: at(0), durationMs: 5, status: 'ok' }
    ]
    expect(tasks(ganttTimeline(r)!.text)).toContain(`› 2026-01-01 job 5 ms :t1, ${ms(0)}, ${ms(5)}`)
  })
})

describe('latencyChart', () => {
  test('bars at each percentile, a line at each threshold, the same numbers in words', () => {
    const c = latencyChart('forecast under load (GET /?msg=Chicago)', loadRun().smoke[2].load!)!
    expect(c.text).toBe(
      [
        'xychart-beta',
        '    title "forecast under load (GET /?msg=Chicago)#58; latency (ms) by percentile"',
        '    x-axis ["p50", "p75", "p90", "p95", "p99", "p99.9", "max"]',
        '    y-axis "ms" 0 --> 200',
        '    bar [6.5, 9.1, 14, 21, 48, 90.3, 95.2]',
        '    line [50, 50, 50, 50, 50, 50, 50]',
        '    line [120, 120, 120, 120, 120, 120, 120]'
      ].join('\n')
    )
    expect(c.plain).toBe(
      'p50 6.5 ms · p75 9.1 ms · p90 14 ms · p95 21 ms · p99 48 ms · p99.9 90.3 ms · max 95.2 ms; lines: max-p95-ms 50, max-p99-ms 120'
    )
  })

  test('a report without percentiles falls back to its stats; no request, no chart', () => {
    const load = { ...loadRun().smoke[2].load! }
    delete load.percentiles
    delete load.thresholds
    expect(latencyChart('x', load)!.text).toContain('bar [6.5, 21, 48, 95.2]')
    expect(latencyChart('x', load)!.text).not.toContain('line')
    expect(latencyChart('x', { ...load, requests: 0 })).toBeUndefined()
  })

  test('niceCeiling', () => {
    expect([0, 0.5, 1.5, 9, 11, 105, 199, 201].map(niceCeiling)).toEqual([
      1, 1, 2, 10, 20, 200, 200, 500
    ])
  })
})

describe('the summary', () => {
  test('the timeline sits right under the verdict; a load check gets its chart by its numbers', () => {
    const md = renderSummaryMarkdown(loadRun())
    expect(md.startsWith('## ✅ minikube-smoke passed\n\n```mermaid\ngantt\n')).toBe(true)
    const load = md.slice(md.indexOf('### Load'))
    expect(load).toContain('```mermaid\nxychart-beta\n')
    expect(load).toContain('forecast under load (GET /?msg=Chicago): p50 6.5 ms · p75 9.1 ms')
    const failed = renderSummaryMarkdown(failedRolloutRun())
    expect(failed).toMatch(
      /^## ❌ minikube-smoke failed\n\n\*\*.*CrashLoopBackOff\*\*\n\n```mermaid\ngantt\n/
    )
  })

  test('timed entries are listed in a steps table too', () => {
    const r = passedRun()
    r.timeline = [
      {
        section: 'hooks',
        name: 'pre-install Job/db-init',
        startedAt: at(14_400),
        durationMs: 3000,
        status: 'failed',
        note: 'BackoffLimitExceeded'
      }
    ]
    expect(renderSummaryMarkdown(r)).toContain(
      '| hooks | pre-install Job/db-init | ❌ failed | 3.0 s | BackoffLimitExceeded |'
    )
  })

  test('a 1000-object app with thousands of attempts stays far under 1 MiB, and says what it cut', () => {
    const r = bigRun()
    const md = renderSummaryMarkdown(r)
    const bytes = Buffer.byteLength(md)
    expect(bytes).toBeLessThan(SUMMARY_LIMIT_BYTES)
    const gantt = ganttTimeline(r)!
    const rows = gantt.text.split('\n').length
    // Objects, crash markers, checks × rows per check, a few aggregates and section lines.
    expect(rows).toBeLessThan(
      MAX_OBJECT_ROWS + 20 + MAX_CHECK_SECTIONS * (MAX_ATTEMPT_ROWS + 3) + 20
    )
    expect(Buffer.byteLength(gantt.text)).toBeLessThan(64 * 1024)
    // The failed object is drawn even though it is last.
    expect(gantt.text).toContain('Deployment/app-999 failed after')
    expect(gantt.text).toContain(`${1000 - MAX_OBJECT_ROWS} more objects, ready`)
    expect(md).toContain(
      `_Timeline kept small: ${MAX_OBJECT_ROWS} of 1000 waited objects are drawn one bar each`
    )
    expect(md).toContain(`${MAX_CHECK_SECTIONS} of 300 checks are drawn with their attempts`)
  })
})

/** 1000 waited objects (one failed, a crash each), 300 checks of 50 alternating attempts each. */
function bigRun(): RunReport {
  const r = failedRolloutRun()
  r.workloads = Array.from({ length: 1000 }, (_, i): WorkloadResult => ({
    kind: 'Deployment',
    name: `app-${i}`,
    passed: i !== 999,
    durationMs: 5000 + i,
    message: i === 999 ? 'failed: CrashLoopBackOff' : 'successfully rolled out',
    state: i === 999 ? 'failed' : 'ready',
    startedAt: at(15_000),
    endedAt: at(20_000 + i),
    tolerated: [{ at: at(17_000 + i), message: 'restarted 1 time' }]
  }))
  r.smoke = Array.from({ length: 300 }, (_, c) => {
    const attempts: SmokeAttempt[] = Array.from({ length: 50 }, (_, i) => ({
      n: i + 1,
      at: at(50_000 + c * 1000 + i * 10),
      elapsedMs: i * 10,
      latencyMs: 3,
      passed: i === 49,
      ...(i % 2
        ? { status: 500, reason: 'expected status 2xx, got 500' }
        : { error: 'connection refused' })
    }))
    return {
      check: `check ${c} (GET /${'x'.repeat(100)})`,
      method: 'GET' as const,
      path: '/',
      url: 'http://127.0.0.1:30080/',
      expected: ['status 2xx'],
      passed: true,
      attempts,
      durationMs: 500,
      notes: []
    }
  })
  return r
}
