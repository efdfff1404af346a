// Keeps watching the run's pods after they are ready, while the smoke checks run: a service that
// answers three requests and then crashes is not healthy. A container that restarts, or a pod
// that stops being Ready, is reported once, with the container, the reason and its last log lines.

import { Resources } from './kinds.js'
import { listWatch, type ListWatchLoop } from './list-watch.js'
import type { KubePort } from './port.js'
import { lastTermination } from './status/pods.js'
import { condition } from './status/verdict.js'
import type { Pod } from './types.js'

export interface HealthProblem {
  pod: string
  container?: string
  /** e.g. `container "app" of pod "web-1" restarted: last exit code 1 (Error)` */
  message: string
  /** The container's last log lines (its previous run after a restart). */
  logs?: string
}

export interface HealthWatch {
  stop(): void
}

/**
 * Starts watching the run's running pods (Job pods, which end by design, are left alone) and
 * calls onProblem once, at the first restart or loss of readiness.
 */
export function watchHealth(
  kube: KubePort,
  /** namespace undefined: the run's several namespaces (its label selects its pods). */
  options: { namespace?: string; labelSelector: string; logLines?: number },
  onProblem: (problem: HealthProblem) => void
): HealthWatch {
  const seen = new Map<string, { ready: boolean; restarts: Map<string, number> }>()
  let reported = false
  const report = (problem: HealthProblem, namespace = options.namespace) => {
    if (reported) return
    reported = true
    loop.stop()
    const { pod, container } = problem
    if (!container || !namespace) return onProblem(problem)
    kube
      .podLogs(namespace, pod, container, {
        previous: true,
        tailLines: options.logLines ?? 20
      })
      .then(
        logs => onProblem({ ...problem, ...(logs.trim() ? { logs: logs.trimEnd() } : {}) }),
        () => onProblem(problem)
      )
  }
  const look = (pod: Pod, deleted = false) => {
    if (isJobPod(pod) || reported) return
    const name = pod.metadata.name ?? '?'
    const before = seen.get(pod.metadata.uid ?? name)
    const ready = condition(pod.status?.conditions, 'Ready')?.status === 'True'
    const restarts = new Map(
      (pod.status?.containerStatuses ?? []).map(s => [s.name, s.restartCount ?? 0])
    )
    if (before) {
      if (deleted || pod.metadata.deletionTimestamp) {
        return report({
          pod: name,
          message: `pod "${name}" was deleted while the smoke checks ran`
        })
      }
      for (const s of pod.status?.containerStatuses ?? []) {
        const was = before.restarts.get(s.name) ?? 0
        if ((s.restartCount ?? 0) > was) {
          const why = lastTermination(s)
          return report(
            {
              pod: name,
              container: s.name,
              message: `container "${s.name}" of pod "${name}" restarted while the smoke checks ran${why ? `: ${why}` : ''}`
            },
            pod.metadata.namespace ?? options.namespace
          )
        }
      }
      if (before.ready && !ready) {
        const c = condition(pod.status?.conditions, 'Ready')
        const unready = pod.status?.containerStatuses?.find(s => !s.ready)
        return report(
          {
            pod: name,
            container: unready?.name,
            message: `pod "${name}" stopped being ready while the smoke checks ran${c?.reason ? ` (${c.reason})` : ''}${unready ? `: container "${unready.name}" is not ready` : ''}`
          },
          pod.metadata.namespace ?? options.namespace
        )
      }
    }
    seen.set(pod.metadata.uid ?? name, { ready, restarts })
  }
  const loop: ListWatchLoop = listWatch<Pod>(
    kube,
    Resources.Pod,
    { namespace: options.namespace, labelSelector: options.labelSelector },
    {
      onList: items => {
        for (const p of items) look(p)
      },
      onEvent: (type, p) => look(p, type === 'DELETED')
    }
  )
  return { stop: () => loop.stop() }
}

function isJobPod(pod: Pod): boolean {
  return Boolean(pod.metadata.ownerReferences?.some(o => o.kind === 'Job'))
}
