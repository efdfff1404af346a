// Diagnostics as text for collapsible log groups, and as Markdown for the job summary: escaped
// (pod names, messages and logs are untrusted text) and bounded in size.

import { cleanLog, textTable } from '../diagnostics/describe.js'
import type {
  Diagnostics,
  EventDiagnostics,
  PodDiagnostics,
  WorkloadDiagnostics
} from './diagnostics-data.js'
import { plural } from './status/verdict.js'

export { cleanLog }

export function renderTextGroups(d: Diagnostics): Array<{ title: string; text: string }> {
  const groups: Array<{ title: string; text: string }> = []
  groups.push({
    title: `Workloads in namespace ${d.namespace}`,
    text: d.workloads.length ? d.workloads.map(workloadText).join('\n') : '(no workloads)'
  })
  groups.push({
    title: `Pods in namespace ${d.namespace}`,
    text: d.pods.length ? d.pods.map(podText).join('\n') : '(no pods)'
  })
  groups.push({
    title: `Events in namespace ${d.namespace}`,
    text: d.events.length ? eventsTable(d.events) : '(no events)'
  })
  for (const pod of d.pods) {
    for (const c of pod.containers) {
      if (c.previousLogs !== undefined) {
        groups.push({
          title: `Logs: ${pod.name}/${c.name} (previous run)`,
          text: logText(c.previousLogs)
        })
      }
      if (c.logs !== undefined) {
        groups.push({ title: `Logs: ${pod.name}/${c.name}`, text: logText(c.logs) })
      }
    }
  }
  if (d.errors.length) {
    groups.push({ title: 'Diagnostics that could not be collected', text: d.errors.join('\n') })
  }
  return groups
}

function workloadText(w: WorkloadDiagnostics): string {
  const revision = w.revision ? ` (revision ${w.revision})` : ''
  const lines = [`${w.kind} ${w.name}${revision}: ${w.summary}`]
  for (const c of w.conditions) {
    lines.push(
      `  ${c.type.padEnd(16)} ${c.status.padEnd(6)} ${(c.reason ?? '').padEnd(28)} ${c.message ?? ''}`.trimEnd()
    )
  }
  return lines.join('\n')
}

function podText(p: PodDiagnostics): string {
  const lines = [`Pod ${p.name}: ${p.phase}${p.node ? ` on ${p.node}` : ''}`]
  if (p.message) lines.push(`  Message: ${p.message}`)
  for (const c of p.conditions) lines.push(`  Condition: ${c}`)
  for (const c of p.containers) {
    lines.push(
      `  ${c.init ? 'Init container' : 'Container'} ${c.name} (${c.image ?? '?'}): ready ${c.ready}, ${plural(c.restartCount, 'restart')}`
    )
    lines.push(`    State:      ${c.state}`)
    if (c.lastState) lines.push(`    Last State: ${c.lastState}`)
  }
  return lines.join('\n')
}

function eventsTable(events: EventDiagnostics[]): string {
  const rows = events.map(e => [
    e.lastSeen || '-',
    e.type,
    e.reason,
    e.object,
    `${e.message}${e.count > 1 ? ` (x${e.count})` : ''}`
  ])
  return textTable(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], rows)
}

function logText(log: string): string {
  const text = cleanLog(log).trimEnd()
  return text === '' ? '(no output)' : text
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** Escapes text for a Markdown table cell or inline text: no HTML, no formatting, one line. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~])/g, '\\$1')
    .replace(/\r?\n/g, ' ')
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/** A fenced block whose fence no line of the content can close. */
export function codeBlock(content: string): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map(m => m[0].length))
  const fence = '`'.repeat(longest + 1)
  return `${fence}text\n${content}\n${fence}`
}

const MAX_LINE = 400

export function renderMarkdown(d: Diagnostics, options: { maxBytes?: number } = {}): string {
  const maxBytes = options.maxBytes ?? 60_000
  const head = [
    `#### Namespace \`${d.namespace.replace(/`/g, '')}\``,
    '',
    ...workloadsTable(d.workloads),
    ...podsTable(d.pods)
  ]
  const tail: string[] = []
  if (d.errors.length) {
    tail.push('', '**Could not collect:**', ...d.errors.map(e => `- ${escapeMarkdown(e)}`))
  }

  let out = head.join('\n')
  const budget = () => maxBytes - Buffer.byteLength(out) - Buffer.byteLength(tail.join('\n')) - 200
  const omitted: string[] = []
  out += eventsSection(d.events, budget, omitted)
  out += logSections(d.pods, budget, omitted)
  if (omitted.length)
    out += `\n_Cut to fit the summary: ${escapeMarkdown(omitted.join(', '))}; see the job log._\n`
  return out + tail.join('\n') + '\n'
}

function workloadsTable(workloads: WorkloadDiagnostics[]): string[] {
  if (!workloads.length) return []
  const md = escapeMarkdown
  const lines = ['| Workload | Status | Conditions |', '|---|---|---|']
  for (const w of workloads) {
    const conditions = w.conditions
      .map(
        c =>
          `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`
      )
      .map(md)
      .join('<br>')
    lines.push(
      `| ${md(`${w.kind.toLowerCase()}/${w.name}`)} | ${md(w.summary)} | ${conditions || '-'} |`
    )
  }
  return [...lines, '']
}

function podsTable(pods: PodDiagnostics[]): string[] {
  if (!pods.length) return ['No pods.', '']
  const md = escapeMarkdown
  const lines = [
    '| Pod | Phase | Container | Ready | Restarts | State |',
    '|---|---|---|---|---|---|'
  ]
  for (const p of pods) {
    const phase = md(p.phase) + p.conditions.map(c => `<br>${md(c)}`).join('')
    p.containers.forEach((c, i) => {
      const state = md(c.state) + (c.lastState ? `<br>last: ${md(c.lastState)}` : '')
      lines.push(
        `| ${i === 0 ? md(p.name) : ''} | ${i === 0 ? phase : ''} | ${md(c.name)}${c.init ? ' (init)' : ''} | ` +
          `${c.ready ? 'yes' : 'no'} | ${c.restartCount} | ${state} |`
      )
    })
  }
  return [...lines, '']
}

/** The events table, most recent kept when the budget is short. */
function eventsSection(
  events: EventDiagnostics[],
  budget: () => number,
  omitted: string[]
): string {
  if (!events.length) return ''
  const md = escapeMarkdown
  const rows = events.map(
    e =>
      `| ${md(e.lastSeen || '-')} | ${md(e.type)} | ${md(e.reason)} | ${md(e.object)} | ` +
      `${md(truncate(e.message, MAX_LINE))}${e.count > 1 ? ` (x${e.count})` : ''} |`
  )
  const headerRows = [
    '**Events**',
    '',
    '| Last seen | Type | Reason | Object | Message |',
    '|---|---|---|---|---|'
  ]
  let kept = rows
  while (kept.length && Buffer.byteLength([...headerRows, ...kept].join('\n')) > budget() / 2) {
    kept = kept.slice(1)
  }
  if (kept.length < rows.length) omitted.push(`${rows.length - kept.length} older events`)
  return kept.length ? '\n' + [...headerRows, ...kept].join('\n') + '\n' : ''
}

/** Logs, crashed runs first (they usually hold the reason), each cut to what the budget leaves. */
function logSections(pods: PodDiagnostics[], budget: () => number, omitted: string[]): string {
  const logs: Array<{ title: string; body: string }> = []
  for (const p of pods) {
    for (const c of p.containers) {
      if (c.previousLogs !== undefined) {
        logs.push({ title: `${p.name}/${c.name} (previous run)`, body: c.previousLogs })
      }
    }
  }
  for (const p of pods) {
    for (const c of p.containers) {
      if (c.logs !== undefined) logs.push({ title: `${p.name}/${c.name}`, body: c.logs })
    }
  }
  let out = ''
  for (const [i, log] of logs.entries()) {
    const lines = logText(log.body)
      .split('\n')
      .map(l => truncate(l, MAX_LINE))
    const section = (body: string[]) =>
      `\n<details><summary>Logs: ${escapeHtml(log.title)}</summary>\n\n${codeBlock(body.join('\n'))}\n\n</details>\n`
    const left = () => budget() - Buffer.byteLength(out)
    let body = lines
    while (body.length > 1 && Buffer.byteLength(section(body)) > left())
      body = body.slice(Math.ceil(body.length / 4))
    if (Buffer.byteLength(section(body)) > left()) {
      omitted.push(`logs of ${plural(logs.length - i, 'container')}`)
      break
    }
    if (body.length < lines.length)
      body = [`… ${lines.length - body.length} earlier lines cut`, ...body]
    out += section(body)
  }
  return out
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
