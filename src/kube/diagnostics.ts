// What `kubectl describe` and `kubectl logs` would have shown, collected on failure without being
// asked: a structured object plus plain text (log groups) and bounded Markdown (job summary).
// Collection never throws: what could not be read is listed in `errors`.

import { Resources, type KubePort } from './port.js'
import { eventTime, lastTermination, plural } from './rollout-rule.js'
import type {
  Condition,
  ContainerStateDetail,
  ContainerStatus,
  Deployment,
  KubeEvent,
  Pod,
  ReplicaSet
} from './types.js'

export interface WorkloadDiagnostics {
  kind: 'Deployment' | 'ReplicaSet'
  name: string
  /** e.g. `1 desired | 1 updated | 1 total | 0 available | 1 unavailable` */
  replicas: string
  revision?: string
  conditions: Condition[]
}

export interface ContainerDiagnostics {
  name: string
  init: boolean
  image?: string
  ready: boolean
  restartCount: number
  /** e.g. `Waiting (CrashLoopBackOff): back-off 10s restarting failed container` */
  state: string
  lastState?: string
  /** The last lines of the current run's log. */
  logs?: string
  /** The last lines of the previous run's log (after a restart). */
  previousLogs?: string
}

export interface PodDiagnostics {
  name: string
  phase: string
  node?: string
  /** Conditions that are not True, e.g. `Ready=False (ContainersNotReady)`. */
  conditions: string[]
  message?: string
  containers: ContainerDiagnostics[]
}

export interface EventDiagnostics {
  type: string
  reason: string
  /** e.g. `pod/web-7d9f-abcde` */
  object: string
  message: string
  count: number
  /** ISO time of the last occurrence ('' when unknown). */
  lastSeen: string
}

export interface Diagnostics {
  namespace: string
  collectedAt: string
  deployments: WorkloadDiagnostics[]
  replicaSets: WorkloadDiagnostics[]
  pods: PodDiagnostics[]
  events: EventDiagnostics[]
  /** What could not be collected, and why. */
  errors: string[]
}

export interface DiagnosticsReport {
  data: Diagnostics
  /** One group per part, for collapsible log groups. */
  groups: Array<{ title: string; text: string }>
  /** All groups as one text. */
  text: string
  /** For the job summary; at most `maxMarkdownBytes`. */
  markdown: string
}

export interface DiagnosticsOptions {
  /** Log lines per container and run (default 50). */
  tailLines?: number
  /** Bound on the Markdown rendering (default 60 000 bytes). */
  maxMarkdownBytes?: number
  /** Most recent events kept (default 100). */
  maxEvents?: number
  /** Pods whose logs are read (default 10). */
  maxPodsWithLogs?: number
}

export async function collectDiagnostics(
  kube: KubePort,
  namespace: string,
  options: DiagnosticsOptions = {}
): Promise<DiagnosticsReport> {
  const tailLines = options.tailLines ?? 50
  const errors: string[] = []
  const read = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn()
    } catch (err) {
      errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`)
      return undefined
    }
  }
  const [deployments, replicaSets, pods, events] = await Promise.all([
    read('list deployments', () => kube.list<Deployment>(Resources.Deployment, { namespace })),
    read('list replicasets', () => kube.list<ReplicaSet>(Resources.ReplicaSet, { namespace })),
    read('list pods', () => kube.list<Pod>(Resources.Pod, { namespace })),
    read('list events', () => kube.list<KubeEvent>(Resources.Event, { namespace }))
  ])

  const podItems = (pods?.items ?? []).sort(byName)
  const podDiagnostics = podItems.map(describePod)
  const withLogs = podDiagnostics.slice(0, options.maxPodsWithLogs ?? 10)
  await Promise.all(
    withLogs.flatMap(pod =>
      pod.containers.map(async c => {
        const status = findStatus(
          podItems.find(p => p.metadata.name === pod.name),
          c
        )
        if (!hasRun(status)) return
        const get = (previous: boolean) =>
          read(`logs of ${pod.name}/${c.name}${previous ? ' (previous)' : ''}`, () =>
            kube.podLogs(namespace, pod.name, c.name, {
              tailLines,
              previous,
              limitBytes: 256 * 1024
            })
          )
        const [current, previous] = await Promise.all([
          status?.state?.waiting ? Promise.resolve(undefined) : get(false),
          c.restartCount > 0 ? get(true) : Promise.resolve(undefined)
        ])
        c.logs = current
        c.previousLogs = previous
      })
    )
  )

  const data: Diagnostics = {
    namespace,
    collectedAt: new Date().toISOString(),
    deployments: (deployments?.items ?? []).sort(byName).map(describeDeployment),
    replicaSets: (replicaSets?.items ?? []).sort(byName).map(describeReplicaSet),
    pods: podDiagnostics,
    events: summarizeEvents(events?.items ?? [], options.maxEvents ?? 100),
    errors
  }
  const groups = renderTextGroups(data)
  return {
    data,
    groups,
    text: groups.map(g => `== ${g.title} ==\n${g.text}`).join('\n\n'),
    markdown: renderMarkdown(data, { maxBytes: options.maxMarkdownBytes })
  }
}

function byName(a: { metadata: { name?: string } }, b: { metadata: { name?: string } }): number {
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')
}

function findStatus(pod: Pod | undefined, c: ContainerDiagnostics): ContainerStatus | undefined {
  const list = c.init ? pod?.status?.initContainerStatuses : pod?.status?.containerStatuses
  return list?.find(s => s.name === c.name)
}

/** Whether the container ever ran, so that a log request can succeed. */
function hasRun(s: ContainerStatus | undefined): boolean {
  if (!s) return false
  return Boolean(
    s.state?.running || s.state?.terminated || s.lastState?.terminated || s.restartCount
  )
}

export function describeDeployment(d: Deployment): WorkloadDiagnostics {
  const s = d.status ?? {}
  return {
    kind: 'Deployment',
    name: d.metadata.name ?? '?',
    replicas:
      `${d.spec.replicas ?? 1} desired | ${s.updatedReplicas ?? 0} updated | ${s.replicas ?? 0} total | ` +
      `${s.availableReplicas ?? 0} available | ${s.unavailableReplicas ?? 0} unavailable`,
    revision: d.metadata.annotations?.['deployment.kubernetes.io/revision'],
    conditions: s.conditions ?? []
  }
}

export function describeReplicaSet(rs: ReplicaSet): WorkloadDiagnostics {
  const s = rs.status ?? {}
  return {
    kind: 'ReplicaSet',
    name: rs.metadata.name ?? '?',
    replicas: `${rs.spec?.replicas ?? 0} desired | ${s.replicas ?? 0} current | ${s.readyReplicas ?? 0} ready | ${s.availableReplicas ?? 0} available`,
    revision: rs.metadata.annotations?.['deployment.kubernetes.io/revision'],
    conditions: s.conditions ?? []
  }
}

export function describePod(pod: Pod): PodDiagnostics {
  const status = pod.status ?? {}
  const specs = [
    ...(pod.spec?.initContainers ?? []).map(c => ({ c, init: true })),
    ...(pod.spec?.containers ?? []).map(c => ({ c, init: false }))
  ]
  const containers = specs.map(({ c, init }): ContainerDiagnostics => {
    const s = (init ? status.initContainerStatuses : status.containerStatuses)?.find(
      x => x.name === c.name
    )
    return {
      name: c.name,
      init,
      image: c.image,
      ready: s?.ready ?? false,
      restartCount: s?.restartCount ?? 0,
      state: describeState(s?.state) ?? 'Waiting (no status yet)',
      lastState: describeState(s?.lastState)
    }
  })
  return {
    name: pod.metadata.name ?? '?',
    phase: status.reason
      ? `${status.phase ?? 'Unknown'} (${status.reason})`
      : (status.phase ?? 'Unknown'),
    node: pod.spec?.nodeName,
    conditions: (status.conditions ?? [])
      .filter(c => c.status !== 'True')
      .map(
        c =>
          `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`
      ),
    message: status.message,
    containers
  }
}

function describeState(state: ContainerStateDetail | undefined): string | undefined {
  if (!state) return undefined
  if (state.waiting) {
    const w = state.waiting
    return `Waiting${w.reason ? ` (${w.reason})` : ''}${w.message ? `: ${w.message}` : ''}`
  }
  if (state.running) return `Running since ${state.running.startedAt ?? '?'}`
  if (state.terminated) {
    const t = lastTermination({ name: '', lastState: state }) ?? ''
    const when = state.terminated.finishedAt ? ` at ${state.terminated.finishedAt}` : ''
    return `Terminated${when}: ${t.replace(/^last /, '')}`
  }
  return undefined
}

/** Deduplicated (same object, reason and message), oldest first, the most recent `max` kept. */
export function summarizeEvents(events: readonly KubeEvent[], max = 100): EventDiagnostics[] {
  const merged = new Map<string, EventDiagnostics & { at: number }>()
  for (const e of events) {
    const object = `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? '?'}`
    const message = (e.message ?? '').trim()
    const key = `${object}\u0000${e.reason}\u0000${message}`
    const at = eventTime(e)
    const count = e.series?.count ?? e.count ?? 1
    const seen = merged.get(key)
    if (seen) {
      seen.count += count
      if (at > seen.at) {
        seen.at = at
        seen.lastSeen = isoTime(at)
        seen.type = e.type ?? seen.type
      }
    } else {
      merged.set(key, {
        type: e.type ?? 'Normal',
        reason: e.reason ?? '',
        object,
        message,
        count,
        lastSeen: isoTime(at),
        at
      })
    }
  }
  return [...merged.values()]
    .sort((a, b) => a.at - b.at)
    .slice(-max)
    .map(({ at: _at, ...rest }) => rest)
}

function isoTime(ms: number): string {
  return ms ? new Date(ms).toISOString().replace('.000Z', 'Z') : ''
}

// ---------------------------------------------------------------------------------------------
// Plain text

export function renderTextGroups(d: Diagnostics): Array<{ title: string; text: string }> {
  const groups: Array<{ title: string; text: string }> = []
  const workloads = [...d.deployments, ...d.replicaSets]
  groups.push({
    title: `Workloads in namespace ${d.namespace}`,
    text: workloads.length
      ? workloads.map(workloadText).join('\n')
      : '(no deployments or replica sets)'
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
  const lines = [`${w.kind} ${w.name}${revision}: ${w.replicas}`]
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
  const header = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']
  const widths = header.map((h, i) =>
    i === header.length - 1 ? 0 : Math.max(h.length, ...rows.map(r => r[i].length))
  )
  return [header, ...rows]
    .map(r =>
      r
        .map((v, i) => v.padEnd(widths[i]))
        .join('  ')
        .trimEnd()
    )
    .join('\n')
}

function logText(log: string): string {
  const text = cleanLog(log).trimEnd()
  return text === '' ? '(no output)' : text
}

/** Terminal escapes and control characters out; tabs and newlines kept. */
export function cleanLog(log: string): string {
  return (
    log
      .replace(/\r\n/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*(\u0007|\u001b\\)/g, '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
  )
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
  const md = (s: string) => escapeMarkdown(s)
  const head: string[] = [`### Diagnostics for namespace \`${d.namespace.replace(/`/g, '')}\``, '']

  const workloads = [...d.deployments, ...d.replicaSets]
  if (workloads.length) {
    head.push('| Workload | Replicas | Conditions |', '|---|---|---|')
    for (const w of workloads) {
      const conditions = w.conditions
        .map(
          c =>
            `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`
        )
        .map(md)
        .join('<br>')
      head.push(
        `| ${md(`${w.kind.toLowerCase()}/${w.name}`)} | ${md(w.replicas)} | ${conditions || '-'} |`
      )
    }
    head.push('')
  }

  if (d.pods.length) {
    head.push('| Pod | Phase | Container | Ready | Restarts | State |', '|---|---|---|---|---|---|')
    for (const p of d.pods) {
      const phase = md(p.phase) + p.conditions.map(c => `<br>${md(c)}`).join('')
      p.containers.forEach((c, i) => {
        const state = md(c.state) + (c.lastState ? `<br>last: ${md(c.lastState)}` : '')
        head.push(
          `| ${i === 0 ? md(p.name) : ''} | ${i === 0 ? phase : ''} | ${md(c.name)}${c.init ? ' (init)' : ''} | ` +
            `${c.ready ? 'yes' : 'no'} | ${c.restartCount} | ${state} |`
        )
      })
    }
    head.push('')
  } else {
    head.push('No pods.', '')
  }

  const tail: string[] = []
  if (d.errors.length) {
    tail.push('', '**Could not collect:**', ...d.errors.map(e => `- ${md(e)}`))
  }

  let out = head.join('\n')
  const budget = () => maxBytes - Buffer.byteLength(out) - Buffer.byteLength(tail.join('\n')) - 200
  const omitted: string[] = []

  // Events, most recent kept when the budget is short.
  if (d.events.length) {
    const rows = d.events.map(
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
    if (kept.length) out += '\n' + [...headerRows, ...kept].join('\n') + '\n'
  }

  // Logs, crashed runs first: they usually hold the reason.
  const logs: Array<{ title: string; body: string }> = []
  for (const p of d.pods) {
    for (const c of p.containers) {
      if (c.previousLogs !== undefined) {
        logs.push({ title: `${p.name}/${c.name} (previous run)`, body: c.previousLogs })
      }
    }
  }
  for (const p of d.pods) {
    for (const c of p.containers) {
      if (c.logs !== undefined) logs.push({ title: `${p.name}/${c.name}`, body: c.logs })
    }
  }
  for (const [i, log] of logs.entries()) {
    const lines = logText(log.body)
      .split('\n')
      .map(l => truncate(l, MAX_LINE))
    const section = (body: string[]) =>
      `\n<details><summary>Logs: ${escapeHtml(log.title)}</summary>\n\n${codeBlock(body.join('\n'))}\n\n</details>\n`
    let body = lines
    while (body.length > 1 && Buffer.byteLength(section(body)) > budget())
      body = body.slice(Math.ceil(body.length / 4))
    if (Buffer.byteLength(section(body)) > budget()) {
      omitted.push(`logs of ${plural(logs.length - i, 'container')}`)
      break
    }
    if (body.length < lines.length)
      body = [`… ${lines.length - body.length} earlier lines cut`, ...body]
    out += section(body)
  }

  if (omitted.length)
    out += `\n_Cut to fit the summary: ${md(omitted.join(', '))}; see the job log._\n`
  return out + tail.join('\n') + '\n'
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
