// The summary's pictures as Mermaid text: a gantt timeline of the run (phases; each waited object
// from apply to ready or failed, with tolerated crashes where they were seen; hooks and other timed
// steps; each smoke check with its attempts, samples and load) and a load check's latency
// distribution as an xychart. Pure functions over the report, bounded in rows whatever the app:
// what does not fit is drawn as one bar and said in a note.

import type { SmokeAttempt, SmokeResult } from '../smoke/types.js'
import { mermaidText } from './mermaid.js'
import type { RunReport, TimedEntry, WorkloadResult } from './types.js'

/** Objects drawn one bar each; failed, unfinished and crashed ones first. */
export const MAX_OBJECT_ROWS = 40
/** Tolerated-crash markers drawn. */
export const MAX_CRASH_MARKERS = 20
/** Smoke checks drawn with their attempts. */
export const MAX_CHECK_SECTIONS = 20
/** Rows per check: runs of attempts with the same outcome, samples, load. */
export const MAX_ATTEMPT_ROWS = 8
/** Timed entries (hooks, chart tests, …) drawn one bar each. */
export const MAX_ENTRY_ROWS = 30

export interface Diagram {
  /** The Mermaid source (no fence). */
  text: string
  /** What was aggregated or left out, one sentence each, for under the picture. */
  notes: string[]
}

type Tag = 'crit' | 'active' | 'done' | 'milestone'

interface Bar {
  label: string
  start: number
  end: number
  tags: Tag[]
}

interface Section {
  title: string
  bars: Bar[]
}

/** A label Mermaid cannot read as a keyword, a date or a comment at the start of a line. */
function label(text: string): string {
  const safe = mermaidText(text)
  const keyword =
    /^(gantt|dateformat|inclusiveenddates|topaxis|axisformat|tickinterval|includes|excludes|todaymarker|weekday|weekend|title|section|click|call|href|acc\w*)\b/i
  return keyword.test(safe) || /^\d{4}-\d\d-\d\d/.test(safe) ? `› ${safe}` : safe || '(unnamed)'
}

/** The run's timeline as a Mermaid gantt chart, or undefined when nothing was timed. */
export function ganttTimeline(report: RunReport): Diagram | undefined {
  const notes: string[] = []
  const sections: Section[] = [
    phaseSection(report),
    ...objectSections(report.workloads ?? [], notes),
    ...entrySections(report.timeline ?? [], notes),
    ...checkSections(report.smoke, notes)
  ].filter(s => s.bars.length > 0)
  if (sections.length === 0) return undefined
  const lines = ['gantt', '    dateFormat x', '    axisFormat %H:%M:%S', '    todayMarker off']
  let id = 0
  for (const s of sections) {
    lines.push(`    section ${label(s.title)}`)
    for (const b of s.bars) {
      const end = b.tags.includes('milestone') ? b.start : Math.max(b.end, b.start + 1)
      const tags = b.tags.length ? `${b.tags.join(', ')}, ` : ''
      lines.push(
        `    ${label(b.label)} :${tags}t${++id}, ${Math.round(b.start)}, ${Math.round(end)}`
      )
    }
  }
  return { text: lines.join('\n'), notes }
}

function phaseSection(report: RunReport): Section {
  const bars = report.phases
    .filter(p => p.status !== 'skipped')
    .map(p => ({
      label: `${p.name} ${p.status === 'failed' ? 'failed after' : ''} ${seconds(p.durationMs)}`,
      start: Date.parse(p.startedAt),
      end: Date.parse(p.endedAt),
      tags: p.status === 'failed' ? (['crit'] as Tag[]) : []
    }))
    .filter(validBar)
  return { title: 'phases', bars }
}

function objectSections(workloads: readonly WorkloadResult[], notes: string[]): Section[] {
  const timed = workloads.filter(
    w => w.state !== 'not-waited' && w.startedAt !== undefined && w.endedAt !== undefined
  )
  if (timed.length === 0) return []
  const unfinished = (w: WorkloadResult) => w.state === 'failed' || w.state === 'waiting'
  const ranked = [...timed.filter(unfinished), ...timed.filter(w => w.tolerated), ...timed]
  // Failed and unfinished first, then crashed ones, then in apply order (a Set keeps the first).
  const chosen = new Set([...new Set(ranked)].slice(0, MAX_OBJECT_ROWS))
  const bars: Bar[] = []
  let crashes = 0
  for (const w of timed.filter(x => chosen.has(x))) {
    const name = `${w.kind}/${w.name}`
    const how =
      w.state === 'failed' ? 'failed after' : w.state === 'waiting' ? 'not ready after' : 'ready in'
    const start = Date.parse(w.startedAt!)
    const end = Date.parse(w.endedAt!)
    const tags: Tag[] = w.state === 'failed' ? ['crit'] : w.state === 'waiting' ? ['active'] : []
    bars.push({ label: `${name} ${how} ${seconds(end - start)}`, start, end, tags })
    // Each tolerated crash right under its object's bar, where it was seen.
    for (const c of w.tolerated ?? []) {
      if (++crashes > MAX_CRASH_MARKERS) continue
      const t = Date.parse(c.at)
      bars.push({ label: `${name} crash tolerated`, start: t, end: t, tags: ['crit', 'milestone'] })
    }
  }
  const rest = timed.filter(x => !chosen.has(x))
  if (rest.length > 0) {
    bars.push(spanBar(`${rest.length} more objects, ready`, rest.map(timesOf)))
    notes.push(
      `${chosen.size} of ${timed.length} waited objects are drawn one bar each (failed, unfinished and crashed ones first); the other ${rest.length} are one bar from the first apply to the last ready. Every object and its times are in the report file (\`workloads\`).`
    )
  }
  if (crashes > MAX_CRASH_MARKERS) {
    notes.push(
      `${MAX_CRASH_MARKERS} of ${crashes} tolerated crashes are marked; the report file has them all (\`workloads[].tolerated\`).`
    )
  }
  return [{ title: 'rollout', bars: bars.filter(validBar) }]
}

function entrySections(entries: readonly TimedEntry[], notes: string[]): Section[] {
  const sections = new Map<string, Bar[]>()
  entries.slice(0, MAX_ENTRY_ROWS).forEach(e => {
    const start = Date.parse(e.startedAt)
    const tags: Tag[] = e.status === 'failed' ? ['crit'] : e.status === 'skipped' ? ['done'] : []
    const how = e.status === 'failed' ? 'failed after ' : e.status === 'skipped' ? 'skipped ' : ''
    const bar = {
      label: `${e.name} ${how}${seconds(e.durationMs)}`,
      start,
      end: start + e.durationMs,
      tags
    }
    sections.set(e.section, [...(sections.get(e.section) ?? []), bar])
  })
  const rest = entries.slice(MAX_ENTRY_ROWS)
  if (rest.length > 0) {
    const last = [...sections.keys()].at(-1)!
    const times = rest.map(e => ({
      start: Date.parse(e.startedAt),
      end: Date.parse(e.startedAt) + e.durationMs
    }))
    sections.set(last, [...sections.get(last)!, spanBar(`${rest.length} more steps`, times)])
    notes.push(
      `${MAX_ENTRY_ROWS} of ${entries.length} timed steps are drawn one bar each; the other ${rest.length} are one bar. The steps table and the report file (\`timeline\`) list them all.`
    )
  }
  return [...sections].map(([title, bars]) => ({ title, bars: bars.filter(validBar) }))
}

function checkSections(results: readonly SmokeResult[], notes: string[]): Section[] {
  const ran = results.filter(r => !r.notRun && r.attempts.length > 0)
  const sections = ran
    .slice(0, MAX_CHECK_SECTIONS)
    .map(r => ({ title: `check ${r.check}`, bars: checkBars(r).filter(validBar) }))
  const merged = sections.filter(s => s.bars.some(b => b.label.includes(' failed, merged'))).length
  if (merged > 0) {
    notes.push(
      `In ${merged} checks, the attempts between the first and the last few are one bar; the report file has each attempt.`
    )
  }
  const rest = ran.slice(MAX_CHECK_SECTIONS)
  if (rest.length > 0) {
    const times = rest.map(r => {
      const start = Date.parse(r.attempts[0].at)
      return { start, end: start + r.durationMs }
    })
    const failed = rest.filter(r => !r.passed).length
    const bar = spanBar(`${rest.length} more checks, ${failed} failed`, times)
    if (failed > 0) bar.tags = ['crit']
    sections.push({ title: 'more checks', bars: [bar].filter(validBar) })
    notes.push(
      `${MAX_CHECK_SECTIONS} of ${ran.length} checks are drawn with their attempts; the other ${rest.length} are one bar. The smoke table and the report file list every check.`
    )
  }
  return sections
}

/** Runs of attempts with the same outcome, then samples and load. */
function checkBars(r: SmokeResult): Bar[] {
  const runs: SmokeAttempt[][] = []
  for (const a of r.attempts) {
    const last = runs.at(-1)
    if (last && outcome(last[0]) === outcome(a)) last.push(a)
    else runs.push([a])
  }
  const bars = runs.map(run => attemptBar(run))
  if (bars.length > MAX_ATTEMPT_ROWS) {
    const keepHead = 2
    const keepTail = MAX_ATTEMPT_ROWS - keepHead - 1
    const middle = runs.slice(keepHead, runs.length - keepTail).flat()
    const mid = spanBar(
      `attempts ${middle[0].n}–${middle.at(-1)!.n}, ${middle.filter(a => !a.passed).length} failed, merged`,
      middle.map(a => ({ start: Date.parse(a.at), end: Date.parse(a.at) + a.latencyMs }))
    )
    mid.tags = ['crit']
    bars.splice(keepHead, bars.length - keepHead - keepTail, mid)
  }
  const checkEnd = Date.parse(r.attempts[0].at) + r.durationMs
  if (r.samples?.startedAt) {
    const start = Date.parse(r.samples.startedAt)
    const end = r.load?.startedAt ? Date.parse(r.load.startedAt) : checkEnd
    const failed = r.samples.passed < r.samples.requested
    bars.push({
      label: `${r.samples.passed} of ${r.samples.requested} samples`,
      start,
      end,
      tags: failed ? ['crit'] : []
    })
  }
  if (r.load?.startedAt) {
    const start = Date.parse(r.load.startedAt)
    const l = r.load
    const text = `load ${l.requests} requests, ${l.successRate} % ok, p95 ${ms(l.latency.p95)}`
    bars.push({ label: text, start, end: start + l.durationMs, tags: r.passed ? [] : ['crit'] })
  }
  return bars
}

function attemptBar(run: SmokeAttempt[]): Bar {
  const first = run[0]
  const last = run.at(-1)!
  const which = run.length === 1 ? `attempt ${first.n}` : `attempts ${first.n}–${last.n}`
  const start = Date.parse(first.at)
  return {
    label: `${which} ${outcome(first)}`,
    start,
    end: Date.parse(last.at) + last.latencyMs,
    tags: first.passed ? [] : ['crit']
  }
}

/** What an attempt came to, short: `passed 200`, `status 500`, `connection refused`. */
function outcome(a: SmokeAttempt): string {
  if (a.passed) return `passed${a.status !== undefined ? ` ${a.status}` : ''}`
  if (a.error) return a.error
  return a.status !== undefined ? `status ${a.status}` : (a.reason ?? 'failed')
}

function timesOf(w: WorkloadResult): { start: number; end: number } {
  return { start: Date.parse(w.startedAt!), end: Date.parse(w.endedAt!) }
}

function spanBar(text: string, times: Array<{ start: number; end: number }>): Bar {
  let start = Infinity
  let end = -Infinity
  for (const t of times) {
    start = Math.min(start, t.start)
    end = Math.max(end, t.end)
  }
  return { label: text, start, end, tags: ['done'] }
}

function validBar(b: Bar): boolean {
  return Number.isFinite(b.start) && Number.isFinite(b.end) && b.end >= b.start
}

function seconds(msValue: number): string {
  return msValue < 1000 ? `${Math.round(msValue)} ms` : `${(msValue / 1000).toFixed(1)} s`
}

function ms(value: number): string {
  return `${Math.round(value * 10) / 10} ms`
}
