// Which logs of a container exist, and which one explains what happened to it: one rule for the
// rollout's failure line, the stability watch, the log groups and the diagnostics bundle.
//
// The kubelet keeps a container's current run and the one before it. A container down after a
// crash (waiting in CrashLoopBackOff) has no new run yet: its "current" log is the run that
// crashed. A container running again after a restart: the run that ended is "previous".

import type { ContainerStatus } from '../types.js'

export interface ContainerLogs {
  /** `kubectl logs` answers for it. */
  current: boolean
  /** `kubectl logs --previous` answers for it: it has restarted. */
  previous: boolean
  /** The log to read first to say why it failed or ended; the other one is the fallback. */
  explains?: 'current' | 'previous'
}

export function containerLogs(s: ContainerStatus | undefined): ContainerLogs {
  if (!s) return { current: false, previous: false }
  const ended = Boolean(s.lastState?.terminated)
  const previous = ended || (s.restartCount ?? 0) > 0
  const downAfterCrash = Boolean(s.state?.waiting) && ended
  const current = Boolean(s.state?.running || s.state?.terminated) || downAfterCrash
  if (s.state?.running && previous) return { current, previous, explains: 'previous' }
  if (current) return { current, previous, explains: 'current' }
  return { current, previous, explains: previous ? 'previous' : undefined }
}
