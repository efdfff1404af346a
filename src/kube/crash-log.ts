// Reads the log that explains what happened to a container (status/container-logs.ts decides
// which one), for the rollout's failure and the stability watch's problem.

import { withTimeout } from '../timeout.js'
import type { KubePort } from './api.js'
import { containerLogs } from './status/container-logs.js'
import type { ContainerStatus } from './types.js'

/**
 * The last `tailLines` lines of the explaining log, else of the other one when the first is empty;
 * '' when the container has none (it never ran) or the API does not answer within 5 s.
 */
export async function readExplainingLog(
  kube: KubePort,
  namespace: string,
  pod: string,
  status: ContainerStatus,
  tailLines: number
): Promise<string> {
  const logs = containerLogs(status)
  if (!logs.explains) return ''
  const read = (previous: boolean) =>
    withTimeout(kube.podLogs(namespace, pod, status.name, { previous, tailLines }), 5000)
      .then(text => text.trimEnd())
      .catch(() => '')
  const first = await read(logs.explains === 'previous')
  if (first.trim()) return first
  const other = logs.explains === 'previous' ? logs.current : logs.previous
  return other ? read(logs.explains !== 'previous') : first
}
