// Reads, through the KubePort, what the bundle keeps of the cluster: the run's objects as they are
// now, the pods, the events, and whole container logs. Plain data, no rendering; never throws
// (what could not be read is listed in `errors`).

import { Resources } from '../kube/kinds.js'
import type { KubePort, ResourceType } from '../kube/port.js'
import { eventTime } from '../kube/status/pods.js'
import type { ContainerStatus, KubeEvent, KubeObject, Pod } from '../kube/types.js'
import { withTimeout } from '../timeout.js'

/** One object of the run and the resource it is read with. */
export interface ObjectRef {
  apiVersion: string
  kind: string
  name: string
  namespace?: string
  type: ResourceType
}

export interface LiveObject {
  ref: ObjectRef
  /** Undefined when it is gone or could not be read (then `error` says why). */
  object?: KubeObject
  error?: string
}

export interface ClusterSnapshot {
  objects: LiveObject[]
  pods: Pod[]
  /** Oldest first. */
  events: KubeEvent[]
  errors: string[]
}

const READ_TIMEOUT_MS = 15_000

export async function readCluster(
  kube: KubePort,
  namespace: string,
  refs: readonly ObjectRef[],
  options: { podSelector?: string } = {}
): Promise<ClusterSnapshot> {
  const errors: string[] = []
  const read = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withTimeout(fn(), READ_TIMEOUT_MS)
    } catch (err) {
      errors.push(`${what}: ${err instanceof Error ? err.message : String(err)}`)
      return undefined
    }
  }
  const [objects, pods, events] = await Promise.all([
    Promise.all(refs.map(ref => readLive(kube, ref))),
    read('list pods', () =>
      kube.list<Pod>(Resources.Pod, { namespace, labelSelector: options.podSelector })
    ),
    read('list events', () => kube.list<KubeEvent>(Resources.Event, { namespace }))
  ])
  const podItems = (pods?.items ?? []).sort((a, b) =>
    (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')
  )
  let eventItems = events?.items ?? []
  if (options.podSelector) {
    // A namespace the run shares: keep only events about the run's objects and pods.
    const names = [...refs.map(r => r.name), ...podItems.map(p => p.metadata.name ?? '')]
    eventItems = eventItems.filter(e => {
      const n = e.involvedObject?.name ?? ''
      return names.some(x => n === x || n.startsWith(`${x}-`))
    })
  }
  return {
    objects,
    pods: podItems,
    events: [...eventItems].sort((a, b) => eventTime(a) - eventTime(b)),
    errors
  }
}

async function readLive(kube: KubePort, ref: ObjectRef): Promise<LiveObject> {
  try {
    const object = await withTimeout(kube.get(ref.type, ref.name, ref.namespace), READ_TIMEOUT_MS)
    return object ? { ref, object } : { ref, error: 'not found (deleted, or never created)' }
  } catch (err) {
    return { ref, error: err instanceof Error ? err.message : String(err) }
  }
}

export interface ContainerRef {
  pod: string
  container: string
  init: boolean
  /** The log of the run before the last restart exists. */
  hasPrevious: boolean
  /** The current run has started (so it has a log). */
  hasCurrent: boolean
}

/** Every container of every pod whose log can be asked for, in pod order. */
export function containersWithLogs(pods: readonly Pod[]): ContainerRef[] {
  const out: ContainerRef[] = []
  for (const pod of pods) {
    const statuses = [
      ...(pod.status?.initContainerStatuses ?? []).map(s => ({ s, init: true })),
      ...(pod.status?.containerStatuses ?? []).map(s => ({ s, init: false }))
    ]
    for (const { s, init } of statuses) {
      const ref = {
        pod: pod.metadata.name ?? '?',
        container: s.name,
        init,
        hasCurrent: Boolean(s.state?.running || s.state?.terminated),
        hasPrevious: hasPrevious(s)
      }
      if (ref.hasCurrent || ref.hasPrevious) out.push(ref)
    }
  }
  return out
}

function hasPrevious(s: ContainerStatus): boolean {
  return Boolean(s.lastState?.terminated) || (s.restartCount ?? 0) > 0
}

export interface WholeLog {
  text: string
  /** Longer than maxBytes: `text` is its beginning and its last lines, with a marker between. */
  cut: boolean
}

/**
 * A container's whole log (not a tail), up to maxBytes; a longer one keeps its first half and its
 * last lines, since a crash is explained at the end.
 */
export async function readWholeLog(
  kube: KubePort,
  namespace: string,
  c: { pod: string; container: string },
  previous: boolean,
  maxBytes: number
): Promise<WholeLog> {
  const text = await withTimeout(
    kube.podLogs(namespace, c.pod, c.container, { previous, limitBytes: maxBytes }),
    READ_TIMEOUT_MS
  )
  if (Buffer.byteLength(text) < maxBytes) return { text, cut: false }
  const half = Math.floor(maxBytes / 2)
  const tail = await withTimeout(
    kube.podLogs(namespace, c.pod, c.container, { previous, tailLines: 5000, limitBytes: half }),
    READ_TIMEOUT_MS
  ).catch(() => '')
  const head = Buffer.from(text).subarray(0, half).toString('utf8')
  const marker = `\n… [minikube-smoke: log longer than ${maxBytes} bytes; the middle is left out] …\n`
  return { text: `${head}${marker}${tail}`, cut: true }
}
