// The job summary (Markdown), bounded in size: GitHub accepts at most 1 MiB per step summary.

import type { DeliveredImage } from '../images/deliver.js'
import type { SmokeResult } from '../smoke/index.js'
import type { StabilityFacts } from '../kube/stable.js'
import { latencyChart } from './latency-chart.js'
import { mermaidBlock } from './mermaid.js'
import { failureMessage } from './outcome.js'
import { ganttTimeline } from './timeline.js'
import type { Phase, RunReport, TimedEntry } from './types.js'

/** GitHub's limit for one step's summary. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024
/** Default budget: the limit with room for anything else the step appends. */
export const DEFAULT_SUMMARY_BYTES = SUMMARY_LIMIT_BYTES - 64 * 1024
/** Smoke table rows shown; the report file has them all. */
export const MAX_SMOKE_ROWS = 200
/** Load checks drawn as a latency chart. */
export const MAX_LOAD_CHARTS = 10

/** The part of core.summary we use, so tests can pass a fake. */
export interface SummaryPort {
  addRaw(text: string, addEOL?: boolean): unknown
  write(): Promise<unknown>
}

export interface SummaryOptions {
  /** Upper bound of the rendered Markdown in UTF-8 bytes; default DEFAULT_SUMMARY_BYTES. */
  maxBytes?: number
}

/** Renders the summary and appends it to the step summary. Throws what core.summary throws. */
export async function writeSummary(
  report: RunReport,
  summary: SummaryPort,
  options: SummaryOptions = {}
): Promise<void> {
  summary.addRaw(renderSummaryMarkdown(report, options), true)
  await summary.write()
}

/**
 * Title and facts, a phase table, a smoke table (check, status, latency, attempts, result),
 * rollout extras, and on failure the diagnostics Markdown, cut to fit maxBytes (whole lines,
 * open code fences and <details> closed, with a note saying how much was left out).
 */
export function renderSummaryMarkdown(report: RunReport, options: SummaryOptions = {}): string {
  const maxBytes = options.maxBytes ?? DEFAULT_SUMMARY_BYTES
  const passed = report.result === 'passed'
  const out = [
    `## ${passed ? '✅' : '❌'} minikube-smoke ${passed ? 'passed' : 'failed'}`,
    '',
    ...(passed ? [] : [`**${cell(failureMessage(report), 1000)}**`, '']),
    ...timelineLines(report),
    ...factLines(report),
    ...imageSection(report),
    ...phaseSection(report),
    ...smokeSection(report),
    ...loadSection(report),
    ...stepSection(report),
    ...chartTestSection(report),
    ...rolloutSection(report)
  ]

  // Room kept for the diagnostics note below, so the result never exceeds maxBytes.
  const noteRoom = 300
  let head = out.join('\n')
  const headCut = byteLength(head) > maxBytes - noteRoom
  if (headCut) head = boundMarkdown(head, maxBytes - noteRoom, 'summary')
  const diagnostics = report.diagnosticsMarkdown?.trim()
  if (passed || !diagnostics) return head

  const title = '### Diagnostics\n\n'
  const budget = maxBytes - byteLength(head) - byteLength(title) - 2
  if (headCut || budget < 500) {
    return `${head}\n_Diagnostics left out: the summary size limit was reached. See the job log._\n`
  }
  return `${head}\n${title}${boundMarkdown(diagnostics, budget, 'diagnostics')}\n`
}

/** The run's facts as a list: URL, image, chart, namespaces, duration, stability, bundle. */
function factLines(report: RunReport): string[] {
  const out: string[] = []
  const facts: Array<[string, string | undefined]> = [
    ['URL', report.url],
    ['Image', report.image],
    [
      'Chart',
      report.chart &&
        `${report.chart.name} ${report.chart.version} (release ${report.chart.release}, helm ${report.chart.helm})`
    ],
    ['Namespace', report.namespace],
    ['Other namespaces', report.otherNamespaces?.join(', ')],
    ['NodePort', report.nodePort === undefined ? undefined : String(report.nodePort)],
    ['Duration', formatDuration(report.durationMs)],
    ['Started', report.startedAt]
  ]
  for (const [key, value] of facts) {
    if (value !== undefined && value !== '') out.push(`- **${key}:** ${code(value)}`)
  }
  if (report.stability) out.push(`- **Stable for:** ${stabilityLine(report.stability)}`)
  if (report.diagnosticsBundle) out.push(`- **Diagnostics bundle:** ${bundleLine(report)}`)
  out.push('')
  return out
}

function imageSection(report: RunReport): string[] {
  if (!report.images || report.images.length === 0) return []
  return [
    '### Images',
    '',
    '| Image | Build | Reached the cluster by |',
    '|---|---:|---|',
    ...report.images.slice(0, 50).map(imageRow),
    ''
  ]
}

function phaseSection(report: RunReport): string[] {
  if (report.phases.length === 0) return ['### Phases', '', '_No phase ran._', '']
  return [
    '### Phases',
    '',
    '| Phase | Result | Duration | Note |',
    '|---|---|---:|---|',
    ...report.phases.map(phaseRow),
    ''
  ]
}

function smokeSection(report: RunReport): string[] {
  if (report.smoke.length === 0) return ['### Smoke checks', '', '_No smoke check ran._', '']
  const more = report.smoke.length - MAX_SMOKE_ROWS
  return [
    '### Smoke checks',
    '',
    '| Check | Status | Latency | Attempts | Result |',
    '|---|---|---:|---:|---|',
    ...report.smoke.slice(0, MAX_SMOKE_ROWS).map(smokeRow),
    ...(more > 0 ? ['', `_…and ${more} more checks: see the report file._`] : []),
    ''
  ]
}

function loadSection(report: RunReport): string[] {
  const loads = report.smoke.filter(r => r.load !== undefined).slice(0, MAX_SMOKE_ROWS)
  if (loads.length === 0) return []
  return [
    '### Load',
    '',
    '| Check | Requests | Req/s | Success | p50 | p95 | p99 | Errors |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...loads.map(loadRow),
    '',
    ...loadChartLines(loads)
  ]
}

function stepSection(report: RunReport): string[] {
  const steps = report.timeline ?? []
  if (steps.length === 0) return []
  const more = steps.length - MAX_SMOKE_ROWS
  return [
    '### Steps',
    '',
    '| Section | Step | Result | Duration | Note |',
    '|---|---|---|---:|---|',
    ...steps.slice(0, MAX_SMOKE_ROWS).map(stepRow),
    ...(more > 0 ? ['', `_…and ${more} more steps: see the report file._`] : []),
    ''
  ]
}

function chartTestSection(report: RunReport): string[] {
  if (!report.chartTests?.length) return []
  return [
    '### Chart tests',
    '',
    '| Test pod | Result | Time |',
    '|---|---|---:|',
    ...report.chartTests.slice(0, 50).map(t => {
      const result = t.passed ? '✅ passed' : `❌ ${t.message}`
      return `| ${cell(t.name, 100)} | ${cell(result, 300)} | ${formatDuration(t.durationMs)} |`
    }),
    ''
  ]
}

function rolloutSection(report: RunReport): string[] {
  const rollout = Object.entries(report.rollout ?? {})
  if (rollout.length === 0) return []
  return [
    '### Rollout',
    '',
    '| | |',
    '|---|---|',
    ...rollout.slice(0, 50).map(([key, value]) => {
      const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
      return `| ${cell(key, 100)} | ${cell(text, 300)} |`
    }),
    ''
  ]
}

/** `10 s after readiness: ✅ held`, or what broke it and when. */
function stabilityLine(s: StabilityFacts): string {
  const window = `${formatDuration(s.windowMs)} after readiness`
  if (s.result === 'held') return `${window}: ✅ held`
  if (s.result === 'broken') {
    const after = s.brokenAfterMs === undefined ? '' : ` after ${formatDuration(s.brokenAfterMs)}`
    return `${window}: ❌ broken${after}: ${cell(s.problem ?? '', 400)}`
  }
  return `${window}: ⏭️ not watched to the end (the run stopped first)`
}

/** The run's gantt timeline, and what it had to aggregate to stay small. */
function timelineLines(report: RunReport): string[] {
  const timeline = ganttTimeline(report)
  if (!timeline) return []
  const out = [mermaidBlock(timeline.text), '']
  if (timeline.notes.length > 0) {
    out.push(`_Timeline kept small: ${cell(timeline.notes.join(' '), 3000)}_`, '')
  }
  return out
}

/** Each load check's latency by percentile, as a chart and the same numbers in words. */
function loadChartLines(loads: readonly SmokeResult[]): string[] {
  const out: string[] = []
  for (const r of loads.slice(0, MAX_LOAD_CHARTS)) {
    const chart = latencyChart(r.check, r.load!)
    if (!chart) continue
    out.push(mermaidBlock(chart.text), '', `${cell(r.check, 150)}: ${cell(chart.plain, 500)}`, '')
  }
  if (loads.length > MAX_LOAD_CHARTS) {
    out.push(
      `_Latency charts for the first ${MAX_LOAD_CHARTS} load checks only; the report file has every distribution._`,
      ''
    )
  }
  return out
}

function stepRow(e: TimedEntry): string {
  const icon = e.status === 'ok' ? '✅ ok' : e.status === 'failed' ? '❌ failed' : '⏭️ skipped'
  return `| ${cell(e.section, 60)} | ${cell(e.name, 150)} | ${icon} | ${formatDuration(e.durationMs)} | ${cell(e.note ?? '', 300)} |`
}

function imageRow(i: DeliveredImage): string {
  const build = i.buildMs === undefined ? '—' : formatDuration(i.buildMs)
  const extra = [
    i.deliveryMs === undefined ? '' : formatDuration(i.deliveryMs),
    i.digest ?? ''
  ].filter(Boolean)
  const how = `${i.delivery}${extra.length ? ` (${extra.join(', ')})` : ''}`
  return `| ${code(i.ref)} | ${build} | ${cell(how, 300)} |`
}

/** The artifact as a link (how to get it), else the directory it was kept in and why. */
function bundleLine(report: RunReport): string {
  const b = report.diagnosticsBundle!
  const size = `${b.files} files, ${(b.bytes / 1024 / 1024).toFixed(1)} MB`
  const a = b.artifact
  if (a?.url) return `[${cell(a.name, 200)}](${a.url}) (${size}; download from the run's Artifacts)`
  if (a) return `artifact ${code(a.name)} (${size}; download from the run's Artifacts)`
  return `kept in ${code(b.dir)} (${size}; not uploaded: ${cell(b.notUploaded ?? 'unknown', 300)})`
}

function phaseRow(p: Phase): string {
  const icon = p.status === 'ok' ? '✅ ok' : p.status === 'failed' ? '❌ failed' : '⏭️ skipped'
  return `| ${cell(p.name, 60)} | ${icon} | ${formatDuration(p.durationMs)} | ${cell(p.error ?? '', 300)} |`
}

function smokeRow(r: SmokeResult): string {
  const last = r.attempts[r.attempts.length - 1]
  const status = last?.status !== undefined ? String(last.status) : (last?.error ?? '—')
  const s = r.samples?.latency
  const latency = s
    ? `p50 ${formatDuration(s.p50)} · p95 ${formatDuration(s.p95)} · max ${formatDuration(s.max)} (${s.count} samples)`
    : last
      ? formatDuration(last.latencyMs)
      : '—'
  let result = r.notRun
    ? `⏭️ ${cell(r.reason ?? 'not run', 400)}`
    : r.passed
      ? '✅ passed'
      : `❌ ${cell(r.reason ?? 'failed', 400)}`
  if (r.notes.length > 0) result += ` <br>_${cell(r.notes.join('; '), 300)}_`
  return `| ${cell(r.check, 150)} | ${cell(status, 80)} | ${latency} | ${r.attempts.length} | ${result} |`
}

function loadRow(r: SmokeResult): string {
  const l = r.load!
  const errors = Object.entries(l.errors)
    .slice(0, 5)
    .map(([kind, n]) => `${kind} × ${n}`)
    .join(', ')
  const icon = r.passed ? '✅' : '❌'
  return (
    `| ${icon} ${cell(r.check, 150)} | ${l.requests} | ${l.requestsPerSecond} | ${l.successRate} % | ` +
    `${formatDuration(l.latency.p50)} | ${formatDuration(l.latency.p95)} | ${formatDuration(l.latency.p99)} | ${cell(errors || '—', 300)} |`
  )
}

/** 850 ms, 30.2 s, 2 min 5 s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—'
  if (ms < 10) return `${Math.round(ms * 10) / 10} ms`
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const min = Math.floor(ms / 60_000)
  const s = Math.round((ms - min * 60_000) / 1000)
  return s === 60 ? `${min + 1} min 0 s` : `${min} min ${s} s`
}

/** Text for a table cell: one line, Markdown and HTML specials escaped, cut to max characters. */
export function cell(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
  return cut.replace(/[\\`*_{}[\]<>|&#~$!]/g, ch => `\\${ch}`)
}

function code(text: string): string {
  return /[`\n]/.test(text) ? cell(text, 500) : `\`${text.slice(0, 500)}\``
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8')
}

/** The longest prefix of s within max UTF-8 bytes, not splitting a character. */
export function cutToBytes(s: string, max: number): string {
  const bytes = Buffer.from(s, 'utf8')
  if (bytes.length <= max) return s
  let end = Math.max(0, max)
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--
  return bytes.subarray(0, end).toString('utf8')
}

/** Cuts Markdown at a line boundary to fit, closing a code fence or <details> left open. */
export function boundMarkdown(md: string, maxBytes: number, what: string): string {
  if (byteLength(md) <= maxBytes) return md
  const total = byteLength(md)
  const reserve = 200
  const lines = md.split('\n')
  const kept: string[] = []
  let used = 0
  let fence: string | undefined
  let openDetails = 0
  for (const line of lines) {
    const size = byteLength(line) + 1
    if (used + size > maxBytes - reserve) {
      // A single huge first line: keep a cut of it rather than nothing.
      if (kept.length === 0) kept.push(cutToBytes(line, maxBytes - reserve - 1))
      break
    }
    kept.push(line)
    used += size
    const f = /^\s*(`{3,}|~{3,})/.exec(line)
    if (f) fence = fence === undefined ? f[1] : f[1].startsWith(fence[0]) ? undefined : fence
    if (fence === undefined) {
      openDetails += (line.match(/<details\b/gi) ?? []).length
      openDetails -= (line.match(/<\/details>/gi) ?? []).length
    }
  }
  const keptText = kept.join('\n')
  const tail: string[] = []
  if (fence !== undefined) tail.push(fence)
  for (let i = 0; i < openDetails; i++) tail.push('</details>')
  const omitted = total - byteLength(keptText)
  tail.push(
    '',
    `_…${what} cut: ${omitted} more bytes not shown (summary size limit). See the job log._`
  )
  return `${keptText}\n${tail.join('\n')}`
}
