// Cancelling the main step. GitHub's cancel sends SIGINT, then SIGTERM 7.5 s later, then kills the
// process tree 2.5 s after that. On the first signal the step aborts one AbortSignal: the process
// runner stops its children (with what they started), watches stop, each phase gives up at once,
// the state is already saved (it is written as things are created), and the step exits so the
// post step removes everything.

export class CancelledError extends Error {
  constructor(readonly signal: string) {
    super(`cancelled: the step received ${signal}; the post step removes what was created`)
    this.name = 'CancelledError'
  }
}

/**
 * Settles like work, or rejects with the signal's reason as soon as it aborts (the work itself
 * learns of the cancel through the same signal; its late result is ignored).
 */
export function untilCancelled<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    // Attached first: a late failure of abandoned work must not become an unhandled rejection.
    work.then(
      v => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      err => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      }
    )
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
}

export interface SignalSource {
  on(signal: NodeJS.Signals, handler: () => void): unknown
  off(signal: NodeJS.Signals, handler: () => void): unknown
}

/**
 * SIGINT and SIGTERM abort the controller (with a CancelledError); a second signal calls
 * `onSecond` (stop children hard). Returns a function that removes the handlers.
 */
export function handleCancelSignals(
  controller: AbortController,
  options: {
    source: SignalSource
    log: (line: string) => void
    onSecond?: () => void
  }
): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']
  const handlers = signals.map(sig => {
    const handler = () => {
      if (controller.signal.aborted) {
        options.log(`received ${sig} again: stopping child processes now`)
        options.onSecond?.()
        return
      }
      options.log(
        `received ${sig}: stopping child processes and watches; the post step removes what was created`
      )
      controller.abort(new CancelledError(sig))
    }
    options.source.on(sig, handler)
    return { sig, handler }
  })
  return () => handlers.forEach(h => options.source.off(h.sig, h.handler))
}
