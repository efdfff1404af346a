import { PhaseError } from '../errors.js'

/** Phase names this layer's PhaseErrors carry. */
export const KubePhase = {
  deploy: 'deploy',
  rollout: 'rollout',
  expose: 'expose',
  rolloutCheck: 'rollout-check',
  teardown: 'teardown'
} as const

/**
 * A rollout that failed or could not finish. `reason` is the Kubernetes reason (CrashLoopBackOff,
 * ErrImageNeverPull, FailedScheduling, ProgressDeadlineExceeded, …) or one of RolloutTimeout,
 * NotFound, Deleted, Aborted. `details` holds supporting text, e.g. the crashed container's log tail.
 */
export class RolloutError extends PhaseError {
  constructor(
    message: string,
    readonly reason: string,
    readonly deployment: string,
    readonly pod?: string,
    readonly container?: string,
    details?: string
  ) {
    super(KubePhase.rollout, message, details)
    this.name = 'RolloutError'
  }
}
