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

/** A failure in one phase of the pipeline; the message is what the user needs to act on. */
export class PhaseError extends Error {
  constructor(
    readonly phase: string,
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
