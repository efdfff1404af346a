// Why pods are not ready yet, for a timeout message: unscheduled pods, waiting containers, and
// running-but-unready containers with their readiness probe and its latest failure event.

import type { KubeEvent, Pod, Probe } from '../types.js'
import { eventTime, lastTermination } from './pods.js'
import { condition, oneLine, suffix } from './verdict.js'

export function explainNotReady(pods: readonly Pod[], events: readonly KubeEvent[]): string[] {
  const lines = new Map<string, string[]>()
  const add = (line: string, pod: string) => lines.set(line, [...(lines.get(line) ?? []), pod])
  for (const pod of pods) {
    const podName = pod.metadata.name ?? '?'
    const scheduled = condition(pod.status?.conditions, 'PodScheduled')
    if (scheduled?.status === 'False') {
      add(`pod is not scheduled${suffix(scheduled.message)}`, podName)
      continue
    }
    const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]
    const statuses = [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? [])
    ]
    for (const s of statuses) {
      if (s.ready || s.state?.terminated?.exitCode === 0) continue
      const waiting = s.state?.waiting
      if (waiting) {
        if (waiting.reason === 'PodInitializing') continue
        add(
          `container "${s.name}" is waiting: ${waiting.reason ?? 'unknown reason'}${suffix(waiting.message)}`,
          podName
        )
        continue
      }
      if (s.state?.terminated) {
        add(
          `container "${s.name}" has terminated: ${lastTermination({ ...s, lastState: undefined }) ?? ''}`,
          podName
        )
        continue
      }
      const probe = specs.find(c => c.name === s.name)?.readinessProbe
      const failure = latestEvent(events, podName, 'Unhealthy', /^Readiness probe/)
      const what = probe ? ` (readiness probe: ${describeProbe(probe)})` : ''
      const why = failure?.message ? `: ${oneLine(failure.message)}` : ''
      add(`container "${s.name}" is running but not ready${why}${what}`, podName)
    }
    if (!pod.status?.containerStatuses?.length && pod.status?.phase) {
      add(`pod is ${pod.status.phase}${suffix(pod.status.message)}`, podName)
    }
  }
  return [...lines].map(([line, names]) => `${podList(names)}: ${line}`)
}

function podList(names: string[]): string {
  const shown = names
    .slice(0, 3)
    .map(n => `"${n}"`)
    .join(', ')
  const more = names.length > 3 ? ` and ${names.length - 3} more` : ''
  return `${names.length === 1 ? 'pod' : 'pods'} ${shown}${more}`
}

function latestEvent(
  events: readonly KubeEvent[],
  podName: string,
  reason: string,
  message: RegExp
): KubeEvent | undefined {
  return events
    .filter(
      e =>
        e.involvedObject?.name === podName && e.reason === reason && message.test(e.message ?? '')
    )
    .sort((a, b) => eventTime(a) - eventTime(b))
    .at(-1)
}

/** A probe the way `kubectl describe pod` prints it. */
export function describeProbe(p: Probe): string {
  let action = 'unknown'
  if (p.httpGet) {
    const scheme = (p.httpGet.scheme ?? 'HTTP').toLowerCase()
    action = `http-get ${scheme}://${p.httpGet.host ?? ''}:${p.httpGet.port}${p.httpGet.path ?? '/'}`
  } else if (p.tcpSocket) {
    action = `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port}`
  } else if (p.exec) {
    action = `exec [${(p.exec.command ?? []).join(' ')}]`
  }
  return (
    `${action} delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s ` +
    `period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`
  )
}
