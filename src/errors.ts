/** A bad action input: reported as one line, before anything is started. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    expected: string,
    got?: string,
    /** What the message names; an environment variable read like an input says so. */
    subject = `input '${input}'`
  ) {
    super(`${subject} ${expected}${got === undefined ? '' : `, got ${JSON.stringify(got)}`}`)
    this.name = 'InputError'
  }
}

/**
 * A failure the user can act on: the message says what, `details` (a log tail, the offending
 * output) is shown below it. Which phase failed is the phase runner's to say (PhaseRecorder).
 */
export class PhaseError extends Error {
  constructor(
    message: string,
    readonly details?: string
  ) {
    super(message)
    this.name = 'PhaseError'
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
