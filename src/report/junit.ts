// The run as JUnit XML, for test-report actions and CI dashboards: one test case per workload
// rollout and per smoke check. Every text in it may come from the service or the cluster, so all
// of it is escaped, and characters XML 1.0 cannot carry are replaced.

import { mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { SmokeResult } from '../smoke/index.js'
import type { ChartTestResult } from '../helm/index.js'
import { failureMessage } from './outcome.js'
import type { RunReport, WorkloadResult } from './types.js'

/** Bounds per test case, so a huge body or log cannot make the file unreadable. */
const MAX_MESSAGE = 1000
const MAX_TEXT = 16 * 1024

interface Case {
  name: string
  classname: string
  timeMs: number
  failure?: { message: string; type: string; text: string }
  skipped?: string
  out?: string
}

export function renderJUnit(report: RunReport): string {
  const suites: Array<{ name: string; cases: Case[] }> = []
  const workloads = report.workloads ?? []
  if (workloads.length > 0) suites.push({ name: 'rollout', cases: workloads.map(workloadCase) })
  if (report.smoke.length > 0) suites.push({ name: 'smoke', cases: report.smoke.map(checkCase) })
  if (report.chartTests?.length)
    suites.push({ name: 'chart-tests', cases: report.chartTests.map(chartTestCase) })
  const anyFailed = suites.some(s => s.cases.some(c => c.failure))
  if (report.result === 'failed' && !anyFailed) {
    // The run failed before (or outside) any test case: say so, never a green file.
    const phase = report.phases.find(p => p.status === 'failed')?.name ?? 'run'
    const message = failureMessage(report)
    suites.push({
      name: 'run',
      cases: [
        {
          name: `phase ${phase}`,
          classname: 'minikube-smoke.run',
          timeMs: report.durationMs,
          failure: { message, type: 'RunFailed', text: message }
        }
      ]
    })
  }

  const count = (cases: Case[]) => ({
    tests: cases.length,
    failures: cases.filter(c => c.failure).length,
    skipped: cases.filter(c => c.skipped !== undefined).length,
    timeMs: cases.reduce((a, c) => a + c.timeMs, 0)
  })
  const all = count(suites.flatMap(s => s.cases))
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="minikube-smoke" tests="${all.tests}" failures="${all.failures}" errors="0" skipped="${all.skipped}" time="${seconds(report.durationMs)}" timestamp="${attr(report.startedAt)}">`
  ]
  for (const suite of suites) {
    const c = count(suite.cases)
    lines.push(
      `  <testsuite name="${attr(suite.name)}" tests="${c.tests}" failures="${c.failures}" errors="0" skipped="${c.skipped}" time="${seconds(c.timeMs)}" timestamp="${attr(report.startedAt)}">`
    )
    for (const tc of suite.cases) lines.push(...renderCase(tc))
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>', '')
  return lines.join('\n')
}

/** Writes the JUnit file atomically (creating the directory). */
export async function writeJUnitFile(path: string, report: RunReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, renderJUnit(report), 'utf8')
  await rename(tmp, path)
}

function workloadCase(w: WorkloadResult): Case {
  const c: Case = {
    name: `${w.kind}/${w.name}`,
    classname: 'minikube-smoke.rollout',
    timeMs: w.durationMs
  }
  if (w.passed) c.out = w.message
  else if (w.state === 'waiting') {
    // Not ready when the wait ended (a timeout, or another object failed first).
    const message = `not ready when the rollout ended: ${w.message}`
    c.failure = { message, type: 'NotReady', text: message }
  } else c.failure = { message: w.message, type: 'RolloutFailed', text: w.message }
  return c
}

/** A `helm test` pod: passed or failed, with its logs either way. */
function chartTestCase(t: ChartTestResult): Case {
  const c: Case = {
    name: `Pod/${t.name}`,
    classname: 'minikube-smoke.chart-tests',
    timeMs: t.durationMs
  }
  if (t.passed) c.out = t.logs || t.message
  else c.failure = { message: t.message, type: 'ChartTestFailed', text: t.logs || t.message }
  return c
}

function checkCase(r: SmokeResult): Case {
  const c: Case = { name: r.check, classname: 'minikube-smoke.smoke', timeMs: r.durationMs }
  const facts = checkFacts(r)
  if (r.notRun) c.skipped = r.reason ?? 'not run'
  else if (!r.passed) {
    const body = r.lastResponse
      ? [`last response: ${r.lastResponse.status} from ${r.lastResponse.url}`, r.lastResponse.body]
      : []
    c.failure = {
      message: r.reason ?? 'failed',
      type: 'SmokeCheckFailed',
      text: [...facts, ...body].join('\n')
    }
  } else c.out = facts.join('\n')
  return c
}

function checkFacts(r: SmokeResult): string[] {
  const out = [`${r.url}`, `expected: ${r.expected.join(', ')}`]
  for (const a of r.attempts) {
    const got = a.status !== undefined ? `status ${a.status}` : (a.error ?? 'no response')
    out.push(
      `attempt ${a.n} at +${Math.round(a.elapsedMs)} ms: ${got} in ${a.latencyMs} ms${a.passed ? ', passed' : a.reason ? `: ${a.reason}` : ''}`
    )
  }
  if (r.samples) {
    const l = r.samples.latency
    out.push(
      `samples: ${r.samples.passed} of ${r.samples.requested} passed; p50 ${l.p50} ms, p95 ${l.p95} ms, max ${l.max} ms`
    )
  }
  if (r.load) {
    const l = r.load
    out.push(
      `load: ${l.requests} requests at concurrency ${l.concurrency} in ${seconds(l.durationMs)} s, ${l.requestsPerSecond} req/s, ${l.successRate} % passed; p50 ${l.latency.p50} ms, p95 ${l.latency.p95} ms, p99 ${l.latency.p99} ms`
    )
    const errors = Object.entries(l.errors)
    if (errors.length > 0) out.push(`errors: ${errors.map(([k, n]) => `${k} × ${n}`).join(', ')}`)
  }
  for (const note of r.notes) out.push(`note: ${note}`)
  return out
}

function renderCase(c: Case): string[] {
  const open = `    <testcase name="${attr(c.name)}" classname="${attr(c.classname)}" time="${seconds(c.timeMs)}"`
  const inner: string[] = []
  if (c.failure) {
    inner.push(
      `      <failure message="${attr(cut(c.failure.message, MAX_MESSAGE))}" type="${attr(c.failure.type)}">${text(cut(c.failure.text, MAX_TEXT))}</failure>`
    )
  }
  if (c.skipped !== undefined) {
    inner.push(`      <skipped message="${attr(cut(c.skipped, MAX_MESSAGE))}"/>`)
  }
  if (c.out) inner.push(`      <system-out>${text(cut(c.out, MAX_TEXT))}</system-out>`)
  return inner.length === 0 ? [`${open}/>`] : [`${open}>`, ...inner, '    </testcase>']
}

/** Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE/FFFF). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

export function text(s: string): string {
  return s
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
}

export function attr(s: string): string {
  return text(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3)
}
