import { errorMessage } from '../errors.js'
import type { Clock } from '../effects.js'
import type { Phase, PhaseStatus } from './types.js'

/** Times phases into Phase records: `await phases.run('deploy', () => deploy(...))`. */
export class PhaseRecorder {
  readonly phases: Phase[] = []

  constructor(private readonly clock: Pick<Clock, 'now'>) {}

  /** Runs fn as a phase: recorded `ok`, or `failed` with the error's message (and rethrown). */
  async run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const start = this.clock.now()
    try {
      const value = await fn()
      this.record(name, start, 'ok')
      return value
    } catch (err) {
      this.record(name, start, 'failed', errorMessage(err))
      throw err
    }
  }

  /** Records a phase that did not run (e.g. after an earlier failure), with why. */
  skip(name: string, reason?: string): void {
    this.record(name, this.clock.now(), 'skipped', reason)
  }

  private record(name: string, start: number, status: PhaseStatus, error?: string): void {
    const end = this.clock.now()
    const phase: Phase = {
      name,
      startedAt: new Date(start).toISOString(),
      endedAt: new Date(end).toISOString(),
      durationMs: end - start,
      status
    }
    if (error !== undefined) phase.error = error
    this.phases.push(phase)
  }
}
