// What `kubectl describe` and `kubectl logs` would have shown, collected on failure without being
// asked: a structured object plus its renderings (diagnostics-render.ts). Never throws: what could
// not be read is listed in `errors`.

import { renderMarkdown, renderTextGroups } from './diagnostics-render.js'
import { kindOf, Resources } from './kinds.js'
import type { KubePort, ResourceType } from './port.js'
import { eventTime, lastTermination } from './status/pods.js'
import { describeStatus } from './status/workloads.js'
import type {
  Condition,
  ContainerStateDetail,
  ContainerStatus,
  KubeEvent,
  KubeObject,
  Pod
} from './types.js'
import type {
  ContainerDiagnostics,
  Diagnostics,
  EventDiagnostics,
  PodDiagnostics,
  WorkloadDiagnostics
} from './diagnostics-data.js'

export type * from './diagnostics-data.js'

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
  /** The run's objects (their live state is read); default: the namespace's Deployments. */
  objects?: ReadonlyArray<{ kind: string; name: string; type: ResourceType }>
  /** Only pods with these labels (the run's); default: every pod of the namespace. */
  labelSelector?: string
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
  const waited = (options.objects ?? []).filter(
    o => kindOf({ apiVersion: '', kind: o.kind, metadata: {} }, o.type).readiness
  )
  const selector = options.labelSelector ? { labelSelector: options.labelSelector } : {}
  const [workloads, replicaSets, pods, events] = await Promise.all([
    options.objects
      ? Promise.all(
          waited.map(o =>
            read(`get ${o.kind.toLowerCase()} ${o.name}`, () =>
              kube.get<KubeObject>(o.type, o.name, o.type.namespaced ? namespace : undefined)
            )
          )
        ).then(list => list.filter((x): x is KubeObject => Boolean(x)))
      : read('list deployments', () =>
          kube.list<KubeObject>(Resources.Deployment, { namespace })
        ).then(l => l?.items ?? []),
    read('list replicasets', () =>
      kube.list<KubeObject>(Resources.ReplicaSet, { namespace, ...selector })
    ),
    read('list pods', () => kube.list<Pod>(Resources.Pod, { namespace, ...selector })),
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
        // A container down after a crash still has its last run as its "current" log.
        const never = status?.state?.waiting && !status.lastState?.terminated
        const [current, previous] = await Promise.all([
          never ? Promise.resolve(undefined) : get(false),
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
    workloads: [...workloads.sort(byName), ...(replicaSets?.items ?? []).sort(byName)].map(
      describeWorkload
    ),
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
