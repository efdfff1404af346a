// Text the action did not write (pod logs, events, command output, server messages) must reach the
// log as text, never as a workflow command. The runner treats a line as a command when, after
// leading whitespace, it starts with `::` (or, legacy syntax, contains `##[` anywhere), and it splits
// lines at \n, \r and \r\n. Between `::stop-commands::<token>` and `::<token>::` it obeys nothing but
// the resume token, so such text is fenced with a random token nobody can guess.

import { randomBytes } from 'node:crypto'

/** Whether some line of the text could be read as a workflow command. */
export function couldBeCommand(text: string): boolean {
  return text.includes('::') || text.includes('##[')
}

function newStopToken(): string {
  return `minikube-smoke-${randomBytes(16).toString('hex')}`
}

/**
 * The text fenced so the runner shows it and obeys none of it; plain when no line could be a
 * command (so ordinary output is not cluttered with tokens). Ends with a newline.
 */
export function fenceUntrusted(text: string, token = newStopToken()): string {
  const body = text.endsWith('\n') ? text : `${text}\n`
  if (!couldBeCommand(text)) return body
  return `::stop-commands::${token}\n${body}::${token}::\n`
}

/**
 * A fence around streamed output (docker build, minikube start): opened before the first chunk,
 * closed once (the closing token always on a line of its own); chunks after close are dropped.
 */
export class UntrustedStream {
  private open = false
  private closed = false
  private atLineStart = true
  private readonly token = newStopToken()

  constructor(private readonly write: (text: string) => void) {}

  chunk(text: string): void {
    if (this.closed || text === '') return
    if (!this.open) {
      this.write(`::stop-commands::${this.token}\n`)
      this.open = true
    }
    this.write(text)
    this.atLineStart = text.endsWith('\n') || text.endsWith('\r')
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    if (!this.open) return
    this.write(`${this.atLineStart ? '' : '\n'}::${this.token}::\n`)
  }
}
