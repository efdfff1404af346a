// Collects the diagnostics model (model.ts) once, through the KubePort: the run's objects as they
// are now, the pods, the events and the container logs `containerLogs()` says exist. No rendering;
// never throws (what could not be read is said in the model).

import { errorMessage } from '../errors.js'
import { Resources } from '../kube/kinds.js'
import type { KubePort, ResourceType } from '../kube/api.js'
import { containerLogs } from '../kube/status/container-logs.js'
import { eventTime } from '../kube/status/pods.js'
import type { KubeEvent, KubeObject, Pod } from '../kube/types.js'
import { withTimeout } from '../timeout.js'
import type {
  ContainerLogRecord,
  DiagnosticsModel,
  LiveObject,
  LogMode,
  LogRead,
  ObjectRef
} from './model.js'

export type { LiveObject, ObjectRef } from './model.js'

const READ_TIMEOUT_MS = 15_000
/** A tail of lines is still bounded in bytes (a minified bundle printed on one line). */
export const TAIL_MAX_BYTES = 256 * 1024
/** The bundle's logs: each whole up to 10 MB (a longer one keeps its beginning and its end). */
export const LOG_MAX_BYTES = 10 * 1024 * 1024
export const DEFAULT_BUNDLE_BYTES = 50 * 1024 * 1024
export const WHOLE_LOGS: LogMode = { wholeUpTo: LOG_MAX_BYTES, totalUpTo: DEFAULT_BUNDLE_BYTES }

export interface CollectOptions {
  /** The run's objects; undefined: the namespace's Deployments are listed instead. */
  objects?: readonly ObjectRef[]
  /** Only pods with these labels; undefined: every pod of the namespace. */
  podSelector?: string
  /** ReplicaSets with these labels are listed (for the log groups); false: none. */
  replicaSets?: { labelSelector?: string } | false
  logs: LogMode
}

export async function collectModel(
  kube: KubePort,
  namespace: string,
  options: CollectOptions
): Promise<DiagnosticsModel> {
  const errors: string[] = []
  const read = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withTimeout(fn(), READ_TIMEOUT_MS)
    } catch (err) {
      errors.push(`${what}: ${errorMessage(err)}`)
      return undefined
    }
  }
  const list = <T extends KubeObject>(what: string, type: ResourceType, selector?: string) =>
    read(`list ${what}`, () => kube.list<T>(type, { namespace, labelSelector: selector })).then(
      l => l?.items ?? []
    )
  const rs = options.replicaSets
  // Issued in this order: a failing first list names the deployments (or the pods).
  const [objects, deployments, pods, events, replicaSets] = await Promise.all([
    readObjects(kube, options.objects ?? []),
    options.objects ? undefined : list<KubeObject>('deployments', Resources.Deployment),
    list<Pod>('pods', Resources.Pod, options.podSelector),
    list<KubeEvent>('events', Resources.Event),
    rs ? list<KubeObject>('replicasets', Resources.ReplicaSet, rs.labelSelector) : []
  ])
  const sortedPods = pods.sort(byName)
  return {
    namespace,
    collectedAt: new Date().toISOString(),
    objects,
    deployments: deployments?.sort(byName),
    replicaSets: replicaSets.sort(byName),
    podSelector: options.podSelector,
    pods: sortedPods,
    events: [...events].sort((a, b) => eventTime(a) - eventTime(b)),
    logMode: options.logs,
    logs: await readLogs(kube, namespace, sortedPods, options.logs),
    errors
  }
}

function byName(a: { metadata: { name?: string } }, b: { metadata: { name?: string } }): number {
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '')
}

/** The live state of objects (for those a model collected for another use does not hold). */
export function readObjects(kube: KubePort, refs: readonly ObjectRef[]): Promise<LiveObject[]> {
  return Promise.all(refs.map(ref => readLive(kube, ref)))
}

async function readLive(kube: KubePort, ref: ObjectRef): Promise<LiveObject> {
  try {
    const object = await withTimeout(kube.get(ref.type, ref.name, ref.namespace), READ_TIMEOUT_MS)
    return object ? { ref, object } : { ref, missing: true }
  } catch (err) {
    return { ref, error: errorMessage(err) }
  }
}

/** Every container of the pods, with the logs `containerLogs()` says exist (not yet read). */
export function logRecords(pods: readonly Pod[]): ContainerLogRecord[] {
  return pods.flatMap(pod => {
    const statuses = [
      ...(pod.status?.initContainerStatuses ?? []).map(s => ({ s, init: true })),
      ...(pod.status?.containerStatuses ?? []).map(s => ({ s, init: false }))
    ]
    return statuses.map(({ s, init }) => {
      const logs = containerLogs(s)
      return {
        pod: pod.metadata.name ?? '?',
        container: s.name,
        init,
        ...(logs.current ? { current: {} } : {}),
        ...(logs.previous ? { previous: {} } : {}),
        explains: logs.explains
      }
    })
  })
}

/** The logs of the records, explaining ones first: under a size bound they matter most. */
export function logsInOrder(
  records: readonly ContainerLogRecord[]
): Array<{ record: ContainerLogRecord; run: 'current' | 'previous'; log: LogRead }> {
  const all = records.flatMap(record =>
    (['previous', 'current'] as const).flatMap(run => {
      const log = record[run]
      return log ? [{ record, run, log, first: record.explains === run }] : []
    })
  )
  return [...all.filter(l => l.first), ...all.filter(l => !l.first)].map(
    ({ first: _first, ...l }) => l
  )
}

async function readLogs(
  kube: KubePort,
  namespace: string,
  pods: readonly Pod[],
  mode: LogMode
): Promise<ContainerLogRecord[]> {
  const attempt = async (log: LogRead, fn: () => Promise<{ text: string; cut?: boolean }>) => {
    try {
      Object.assign(log, await fn())
    } catch (err) {
      log.error = errorMessage(err)
    }
  }
  if ('tailLines' in mode) {
    const records = logRecords(pods.slice(0, mode.maxPods))
    const options = { tailLines: mode.tailLines, limitBytes: TAIL_MAX_BYTES }
    await Promise.all(
      logsInOrder(records).map(({ record: r, run, log }) =>
        attempt(log, async () => ({
          text: await withTimeout(
            kube.podLogs(namespace, r.pod, r.container, {
              ...options,
              previous: run === 'previous'
            }),
            READ_TIMEOUT_MS
          )
        }))
      )
    )
    return records
  }
  // Whole logs, one at a time (each may be megabytes), until they fill the bound.
  const records = logRecords(pods)
  let total = 0
  for (const { record: r, run, log } of logsInOrder(records)) {
    if (total >= mode.totalUpTo) log.skipped = true
    else
      await attempt(log, () => readWholeLog(kube, namespace, r, run === 'previous', mode.wholeUpTo))
    total += Buffer.byteLength(log.text ?? '')
  }
  return records
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
