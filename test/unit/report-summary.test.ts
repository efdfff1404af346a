import { describe, expect, test } from '@jest/globals'
import {
  MAX_SMOKE_ROWS,
  renderSummaryMarkdown,
  writeSummary,
  type SummaryPort
} from '../../src/report/index.js'
import { boundMarkdown, cell, cutToBytes } from '../../src/report/summary.js'
import {
  failingCheck,
  loadCheck,
  passingCheck,
  report,
  sampledCheck,
  STARTED
} from './report-fixtures.js'

const bytes = (s: string) => Buffer.byteLength(s, 'utf8')

describe('renderSummaryMarkdown', () => {
  test('each image with its build time and how it reached the cluster', () => {
    const md = renderSummaryMarkdown(
      report({
        images: [
          {
            name: 'front',
            ref: 'localhost:5000/front:t1',
            delivery: 'registry: pushed to localhost:5000, pulled by the nodes',
            buildMs: 3210,
            deliveryMs: 850,
            digest: 'sha256:abc'
          },
          { name: 'nginx', ref: 'nginx:1.27', delivery: 'none: prebuilt, pulled by the nodes' }
        ]
      })
    )
    expect(md).toContain(
      [
        '### Images',
        '',
        '| Image | Build | Reached the cluster by |',
        '|---|---:|---|',
        '| `localhost:5000/front:t1` | 3.2 s | registry: pushed to localhost:5000, pulled by the nodes (850 ms, sha256:abc) |',
        '| `nginx:1.27` | — | none: prebuilt, pulled by the nodes |',
        '',
        '### Phases'
      ].join('\n')
    )
  })

  test('a passing run: facts, phase table, smoke table; no diagnostics', () => {
    const md = renderSummaryMarkdown(report({ diagnosticsMarkdown: '### Pods\nshould not show' }))
    const t = (iso: string, plus = 0) => String(Date.parse(iso) + plus)
    expect(md).toBe(
      [
        '## ✅ minikube-smoke passed',
        '',
        '```mermaid',
        'gantt',
        '    dateFormat x',
        '    axisFormat %H:%M:%S',
        '    todayMarker off',
        '    section phases',
        `    cluster 12.3 s :t1, ${t(STARTED)}, ${t(STARTED, 12_300)}`,
        `    deploy 70 ms :t2, ${t(STARTED, 12_300)}, ${t(STARTED, 12_370)}`,
        `    smoke 265 ms :t3, ${t(STARTED, 12_370)}, ${t(STARTED, 12_635)}`,
        '    section check GET /',
        `    attempt 1 connection refused :crit, t4, ${t(STARTED)}, ${t(STARTED, 3)}`,
        `    attempt 2 passed 200 :t5, ${t(STARTED)}, ${t(STARTED, 12)}`,
        '```',
        '',
        '- **URL:** `http://127.0.0.1:30080`',
        '- **Image:** `weather-service:abc1234-42-1`',
        '- **Namespace:** `smoke-42-1`',
        '- **NodePort:** `30080`',
        '- **Duration:** `42.1 s`',
        '- **Started:** `2026-11-26T12:00:00.000Z`',
        '',
        '### Phases',
        '',
        '| Phase | Result | Duration | Note |',
        '|---|---|---:|---|',
        '| cluster | ✅ ok | 12.3 s |  |',
        '| deploy | ✅ ok | 70 ms |  |',
        '| smoke | ✅ ok | 265 ms |  |',
        '',
        '### Smoke checks',
        '',
        '| Check | Status | Latency | Attempts | Result |',
        '|---|---|---:|---:|---|',
        '| GET / | 200 | 12 ms | 2 | ✅ passed |',
        ''
      ].join('\n')
    )
  })

  test('a failed run: the failure message, failing rows with reasons, rollout, diagnostics', () => {
    const md = renderSummaryMarkdown(
      report({
        result: 'failed',
        phases: [
          ...report().phases.slice(0, 2),
          {
            name: 'smoke',
            startedAt: '2026-11-26T12:00:12.370Z',
            endedAt: '2026-11-26T12:00:42.610Z',
            durationMs: 30_240,
            status: 'failed',
            error: '1 of 2 checks failed'
          },
          {
            name: 'report',
            startedAt: '2026-11-26T12:00:42.610Z',
            endedAt: '2026-11-26T12:00:42.610Z',
            durationMs: 0,
            status: 'skipped'
          }
        ],
        smoke: [
          passingCheck({
            notes: [
              'response body larger than 1048576 bytes: only the first 1048576 bytes were read'
            ]
          }),
          failingCheck()
        ],
        rollout: { updateChecks: 3, pods: ['a', 'b'] },
        diagnosticsMarkdown: '#### Pod web-1\n```\nTraceback: boom\n```\n'
      })
    )
    expect(md).toContain(
      '## ❌ minikube-smoke failed\n\n**GET /?msg=Chicago: expected status 200, got 500 after 7 attempts in 30.2 s**\n'
    )
    expect(md).toContain('| smoke | ❌ failed | 30.2 s | 1 of 2 checks failed |')
    expect(md).toContain('| report | ⏭️ skipped | 0 ms |  |')
    expect(md).toContain(
      '| GET / | 200 | 12 ms | 2 | ✅ passed <br>_response body larger than 1048576 bytes: only the first 1048576 bytes were read_ |'
    )
    expect(md).toContain('| GET /?msg=Chicago | 500 | 8 ms | 7 | ❌ expected status 200, got 500 |')
    expect(md).toContain(
      '### Rollout\n\n| | |\n|---|---|\n| updateChecks | 3 |\n| pods | \\["a","b"\\] |\n'
    )
    expect(md.endsWith('### Diagnostics\n\n#### Pod web-1\n```\nTraceback: boom\n```\n')).toBe(true)
  })

  test('a run that failed before smoke: the error, no smoke rows, the network error as status', () => {
    const md = renderSummaryMarkdown(
      report({
        result: 'failed',
        smoke: [],
        phases: [],
        error: 'cluster: minikube start timed out'
      })
    )
    expect(md).toContain('**cluster: minikube start timed out**')
    expect(md).toContain('_No phase ran._')
    expect(md).toContain('_No smoke check ran._')
    const refused = failingCheck({
      reason: 'connection refused',
      attempts: [{ ...passingCheck().attempts[0] }]
    })
    expect(renderSummaryMarkdown(report({ result: 'failed', smoke: [refused] }))).toContain(
      '| GET /?msg=Chicago | connection refused | 3 ms | 1 | ❌ connection refused |'
    )
  })

  test('samples show p50/p95/max; a load gets its own table; not-run checks are marked', () => {
    const notRun = passingCheck({
      check: 'GET /later',
      passed: false,
      notRun: true,
      reason: 'not run: pod web-1 restarted',
      attempts: []
    })
    const md = renderSummaryMarkdown(
      report({ result: 'failed', smoke: [sampledCheck(), loadCheck(), notRun] })
    )
    expect(md).toContain(
      '| GET /api | 200 | p50 5 ms · p95 12 ms · max 40 ms (20 samples) | 2 | ✅ passed |'
    )
    expect(md).toContain('| GET /later | — | — | 0 | ⏭️ not run: pod web-1 restarted |')
    expect(md).toContain(
      [
        '### Load',
        '',
        '| Check | Requests | Req/s | Success | p50 | p95 | p99 | Errors |',
        '|---|---:|---:|---:|---:|---:|---:|---|',
        '| ❌ load (GET /healthz) | 400 | 200 | 95 % | 3.5 ms | 9.8 ms | 14 ms | status 500 × 20 |'
      ].join('\n')
    )
  })

  test('cells are escaped: pipes, newlines, HTML and Markdown cannot break the table', () => {
    const evil = failingCheck({
      check: 'GET /a|b',
      reason: 'body does not contain "<script>"\nnext | *bold* `code` $x$'
    })
    const md = renderSummaryMarkdown(report({ result: 'failed', smoke: [evil] }))
    const row = md.split('\n').find(l => l.startsWith('| GET /a'))
    expect(row).toBe(
      '| GET /a\\|b | 500 | 8 ms | 7 | ❌ body does not contain "\\<script\\>" next \\| \\*bold\\* \\`code\\` \\$x\\$ |'
    )
    expect(cell('x'.repeat(20), 10)).toBe('xxxxxxxxx…')
  })

  test('the smoke table is capped at MAX_SMOKE_ROWS rows', () => {
    const many = Array.from({ length: MAX_SMOKE_ROWS + 5 }, (_, i) =>
      passingCheck({ check: `GET /p${i}` })
    )
    const md = renderSummaryMarkdown(report({ smoke: many }))
    expect(md.split('\n').filter(l => l.startsWith('| GET /p'))).toHaveLength(MAX_SMOKE_ROWS)
    expect(md).toContain('_…and 5 more checks: see the report file._')
  })

  test('huge diagnostics are cut to the byte budget, at a line, with the fence closed and a note', () => {
    const log = Array.from({ length: 50_000 }, (_, i) => `line ${i} ✓ ${'é'.repeat(20)}`).join('\n')
    const diagnosticsMarkdown = `<details><summary>logs</summary>\n\n\`\`\`text\n${log}\n\`\`\`\n</details>`
    const r = report({ result: 'failed', smoke: [failingCheck()], diagnosticsMarkdown })
    const md = renderSummaryMarkdown(r, { maxBytes: 100_000 })
    expect(bytes(md)).toBeLessThanOrEqual(100_000)
    expect(md).toContain('### Diagnostics')
    expect(md).toMatch(
      /\n```\n<\/details>\n\n_…diagnostics cut: \d+ more bytes not shown \(summary size limit\)\. See the job log\._\n$/
    )
    expect(md.split('\n').filter(l => l.startsWith('```')).length % 2).toBe(0)
    const full = renderSummaryMarkdown(r)
    expect(bytes(full)).toBeLessThanOrEqual(1024 * 1024 - 64 * 1024)
  })

  test('a summary whose tables alone exceed the budget is cut, and diagnostics left out', () => {
    const smoke = Array.from({ length: 60 }, (_, i) =>
      failingCheck({ check: `GET /p${i}`, reason: `reason ${i} ${'z'.repeat(380)}` })
    )
    const r = report({ result: 'failed', smoke, diagnosticsMarkdown: 'x' })
    const md = renderSummaryMarkdown(r, { maxBytes: 6000 })
    expect(bytes(md)).toBeLessThanOrEqual(6000)
    expect(md).toMatch(/_…summary cut: \d+ more bytes not shown/)
    expect(md).toContain(
      '_Diagnostics left out: the summary size limit was reached. See the job log._'
    )
    // Every table line kept is whole.
    for (const line of md.split('\n').filter(l => l.startsWith('| GET')))
      expect(line.endsWith(' |')).toBe(true)
  })
})

describe('renderSummaryMarkdown: the stable-for window', () => {
  const readyAt = '2026-11-26T12:00:30.000Z'
  test.each([
    [
      { windowMs: 10_000, readyAt, result: 'held' as const },
      '**Stable for:** 10.0 s after readiness: ✅ held'
    ],
    [
      {
        windowMs: 10_000,
        readyAt,
        result: 'broken' as const,
        brokenAfterMs: 4200,
        problem:
          'container "app" of pod "web-1" restarted 4.2 s after every workload was ready (stable-for 10s): last exit code 3 (Error)'
      },
      '**Stable for:** 10.0 s after readiness: ❌ broken after 4.2 s: container "app" of pod "web-1" restarted 4.2 s after every workload was ready (stable-for 10s): last exit code 3 (Error)'
    ],
    [
      { windowMs: 10_000, readyAt, result: 'not watched to the end' as const },
      '**Stable for:** 10.0 s after readiness: ⏭️ not watched to the end (the run stopped first)'
    ]
  ])('%j', (stability, line) => {
    expect(renderSummaryMarkdown(report({ stability }))).toContain(`- ${line}\n`)
  })

  test('no window (stable-for 0): no line', () => {
    expect(renderSummaryMarkdown(report())).not.toContain('Stable for')
  })
})

describe('bounding helpers', () => {
  test('cutToBytes never splits a character', () => {
    expect(cutToBytes('aé€😀', 1)).toBe('a')
    expect(cutToBytes('aé€😀', 2)).toBe('a')
    expect(cutToBytes('aé€😀', 3)).toBe('aé')
    expect(cutToBytes('aé€😀', 8)).toBe('aé€')
    expect(cutToBytes('aé€😀', 10)).toBe('aé€😀')
  })

  test('boundMarkdown keeps text that fits; a single huge line is cut rather than dropped', () => {
    expect(boundMarkdown('short', 10, 'x')).toBe('short')
    const out = boundMarkdown('y'.repeat(5000), 1000, 'diagnostics')
    expect(bytes(out)).toBeLessThanOrEqual(1000)
    expect(out.startsWith('yyyy')).toBe(true)
    expect(out).toContain('more bytes not shown')
  })
})

test('writeSummary appends the Markdown through the port and writes it', async () => {
  const calls: string[] = []
  const port: SummaryPort = {
    addRaw(text, addEOL) {
      calls.push(`addRaw:${addEOL}:${text.split('\n')[0]}`)
      return port
    },
    async write() {
      calls.push('write')
      return port
    }
  }
  await writeSummary(report(), port)
  expect(calls).toEqual(['addRaw:true:## ✅ minikube-smoke passed', 'write'])
})

describe('a chart in the summary', () => {
  test('names the chart, version, release and helm; a table of its test pods', () => {
    const md = renderSummaryMarkdown(
      report({
        chart: {
          name: 'shop',
          version: '2.4.0',
          release: 'gate',
          ref: 'charts/shop',
          helm: 'v3.18.0'
        },
        chartTests: [
          { name: 'shop-test', passed: true, durationMs: 1500, message: 'succeeded', logs: '' }
        ]
      })
    )
    expect(md).toContain('- **Chart:** `shop 2.4.0 (release gate, helm v3.18.0)`')
    expect(md).toContain('### Chart tests')
    expect(md).toContain('| shop-test | ✅ passed |')
  })
})
