// What `kubectl describe` and `kubectl logs` would have shown, collected on failure without being
// asked: the diagnostics model (src/diagnostics/model.ts, collected once by
// src/diagnostics/collect.ts), its view (`data`) and the view's renderings (diagnostics-render.ts).
// Never throws: what could not be read is listed in `errors`.

import { collectModel, TAIL_MAX_BYTES, WHOLE_LOGS } from '../diagnostics/collect.js'
import { describePod } from '../diagnostics/describe.js'
import type { ContainerLogRecord, DiagnosticsModel, LogRead } from '../diagnostics/model.js'
import { renderMarkdown, renderTextGroups } from './diagnostics-render.js'
import { kindOf } from './kinds.js'
import type { KubePort, ResourceType } from './api.js'
import { eventTime } from './status/pods.js'
import { describeStatus } from './status/workloads.js'
import type { Condition, KubeEvent, KubeObject, Pod } from './types.js'
import type {
  ContainerDiagnostics,
  Diagnostics,
  EventDiagnostics,
  WorkloadDiagnostics
} from './diagnostics-data.js'

export type * from './diagnostics-data.js'
export { describePod }

export interface DiagnosticsReport {
  data: Diagnostics
  /** What was read, for the diagnostics bundle to render too (read once). */
  model: DiagnosticsModel
  /** One group per part, for collapsible log groups. */
  groups: Array<{ title: string; text: string }>
  /** All groups as one text. */
  text: string
  /** For the job summary; at most `maxMarkdownBytes`. */
  markdown: string
}

export interface DiagnosticsOptions {
  /** The run's objects (their live state is read); default: the namespace's Deployments. */
  objects?: ReadonlyArray<{
    kind: string
    name: string
    type: ResourceType
    apiVersion?: string
    namespace?: string
  }>
  /** Only pods with these labels (the run's); default: every pod of the namespace. */
  labelSelector?: string
  /**
   * The collection also serves the diagnostics bundle: every object of the run is read, the pods
   * the bundle keeps are listed (`podSelector`; undefined: all), logs are read whole.
   */
  bundle?: { podSelector?: string }
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
  const maxPods = options.maxPodsWithLogs ?? 10
  const waited = (options.objects ?? []).filter(o => hasReadiness(o.kind, o.type))
  const model = await collectModel(kube, namespace, {
    objects: options.objects
      ? (options.bundle ? options.objects : waited).map(o => ({
          apiVersion: o.apiVersion ?? '',
          kind: o.kind,
          name: o.name,
          namespace: o.namespace ?? (o.type.namespaced ? namespace : undefined),
          type: o.type
        }))
      : undefined,
    podSelector: options.bundle ? options.bundle.podSelector : options.labelSelector,
    replicaSets: { labelSelector: options.labelSelector },
    logs: options.bundle ? WHOLE_LOGS : { tailLines, maxPods }
  })
  const data = diagnosticsView(model, {
    labelSelector: options.labelSelector,
    tailLines,
    maxPods,
    maxEvents: options.maxEvents
  })
  const groups = renderTextGroups(data)
  return {
    data,
    model,
    groups,
    text: groups.map(g => `== ${g.title} ==\n${g.text}`).join('\n\n'),
    markdown: renderMarkdown(data, { maxBytes: options.maxMarkdownBytes })
  }
}

function hasReadiness(kind: string, type: ResourceType): boolean {
  return Boolean(kindOf({ apiVersion: '', kind, metadata: {} }, type).readiness)
}

export interface ViewOptions {
  /** The pods shown (the model may hold more, listed for the bundle). */
  labelSelector?: string
  tailLines: number
  maxPods: number
  maxEvents?: number
}

/** What the log groups and the job summary show of the model. Pure. */
export function diagnosticsView(model: DiagnosticsModel, o: ViewOptions): Diagnostics {
  const errors = [...model.errors]
  const workloads = [...(model.deployments ?? [])]
  for (const live of model.objects) {
    if (!hasReadiness(live.ref.kind, live.ref.type)) continue
    if (live.object) workloads.push(live.object)
    else if (live.error)
      errors.push(`get ${live.ref.kind.toLowerCase()} ${live.ref.name}: ${live.error}`)
  }
  const pods =
    o.labelSelector && o.labelSelector !== model.podSelector
      ? model.pods.filter(p => matchesLabels(p, o.labelSelector!))
      : model.pods
  const shown = pods.map(describePod)
  for (const [i, pod] of shown.entries()) {
    if (i >= o.maxPods) break
    for (const c of pod.containers) {
      const record = model.logs.find(
        r => r.pod === pod.name && r.container === c.name && r.init === c.init
      )
      if (record) errors.push(...attachLogs(c, record, o.tailLines))
    }
  }
  return {
    namespace: model.namespace,
    collectedAt: model.collectedAt,
    workloads: [...workloads.sort(byName), ...model.replicaSets].map(describeWorkload),
    pods: shown,
    events: summarizeEvents(model.events, o.maxEvents ?? 100),
    errors
  }
}

/** Sets the container's log tails from its record; returns what could not be read. */
function attachLogs(c: ContainerDiagnostics, r: ContainerLogRecord, tailLines: number): string[] {
  const errors: string[] = []
  const take = (log: LogRead | undefined, what: string) => {
    if (log?.error) errors.push(`logs of ${r.pod}/${r.container}${what}: ${log.error}`)
    return log?.text === undefined ? undefined : lastLines(log.text, tailLines)
  }
  c.logs = take(r.current, '')
  c.previousLogs = take(r.previous, ' (previous)')
  return errors
}

/** The last `n` lines, as `kubectl logs --tail` gives them (a whole log was read for the bundle). */
function lastLines(text: string, n: number): string {
  const lines = text.split('\n')
  const end = lines.at(-1) === '' ? 1 : 0
  const tail = lines.slice(-(n + end)).join('\n')
  // As bounded as a tail read (limitBytes): a one-line minified bundle stays a tail too.
  const bytes = Buffer.from(tail)
  return bytes.length > TAIL_MAX_BYTES ? bytes.subarray(-TAIL_MAX_BYTES).toString('utf8') : tail
}

/** Equality-based selectors (`a=b,c!=d`), the kind the run's label is. */
export function matchesLabels(pod: Pod, selector: string): boolean {
  const labels = pod.metadata.labels ?? {}
  return selector.split(',').every(term => {
    const m = /^\s*([^!=\s]+)\s*(==|=|!=)\s*(\S*)\s*$/.exec(term)
    if (!m) return term.trim() === '' || term.trim() in labels
    return m[2] === '!=' ? labels[m[1]] !== m[3] : labels[m[1]] === m[3]
  })
}

function byName(a: { metadata: { name?: string } }, b: { metadata: { name?: string } }): number {
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')
}

/** A workload's status line and conditions, whatever its kind. */
export function describeWorkload(o: KubeObject): WorkloadDiagnostics {
  const status = o.status as { conditions?: Condition[] } | undefined
  return {
    kind: o.kind,
    name: o.metadata.name ?? '?',
    summary: describeStatus(o),
    revision: o.metadata.annotations?.['deployment.kubernetes.io/revision'],
    conditions: status?.conditions ?? []
  }
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
