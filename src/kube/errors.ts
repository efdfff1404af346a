import { PhaseError } from '../errors.js'
import type { WorkloadResult } from './wait.js'

/**
 * A workload that failed or could not become ready. `reason` is the Kubernetes reason
 * (CrashLoopBackOff, ErrImageNeverPull, FailedScheduling, ProgressDeadlineExceeded,
 * BackoffLimitExceeded, …) or one of RolloutTimeout, Deleted, Aborted, Forbidden. `workload` is
 * `Kind/name`. `details` holds supporting text, e.g. the crashed container's log tail.
 */
export class RolloutError extends PhaseError {
  /** Where every waited object was when the wait failed (set by waitForWorkloads). */
  results?: WorkloadResult[]

  constructor(
    message: string,
    readonly reason: string,
    readonly workload: string,
    readonly pod?: string,
    readonly container?: string,
    details?: string
  ) {
    super(message, details)
    this.name = 'RolloutError'
  }
}
