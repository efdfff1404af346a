// A pod as `kubectl describe` sums it up (phase, unready conditions, each container's state), log
// text cleaned of terminal codes, and the column layout of `kubectl get`: shared by the log groups,
// the job summary and the bundle's files.

import { lastTermination } from '../kube/status/pods.js'
import type { ContainerStateDetail, Pod } from '../kube/types.js'

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

/** Columns padded to their widest cell, the last one not padded, as `kubectl get` prints. */
export function textTable(header: readonly string[], rows: readonly string[][]): string {
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
