// The main step's work runs in a worker thread with a small young generation. V8 otherwise
// grows its young generation to 64 MB under the garbage of many requests (1000 objects, a load
// check), and an action cannot pass `--max-semi-space-size` to the node the runner starts; a
// worker's `resourceLimits` is the one in-process way to size it. The main thread only forwards
// the cancel signals (a worker receives none) and hands the worker's exit code to the process.

import { Worker, type MessagePort } from 'node:worker_threads'
import type { SignalSource } from './cancel.js'

/** The worker's young generation: two 2 MB semi-spaces, like `--max-semi-space-size=2`. */
export const MAIN_YOUNG_GENERATION_MB = 6

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']

export interface SignalMessage {
  signal: NodeJS.Signals
}

/**
 * Runs `file` in a worker (with `workerData`), forwarding SIGINT and SIGTERM from `source` to it
 * while it runs. Resolves with its exit code (1 after an uncaught error, reported to `onError`).
 */
export function runInWorker(
  file: string | URL,
  options: {
    workerData: unknown
    youngGenerationMb: number
    source: SignalSource
    onError: (err: unknown) => void
  }
): Promise<number> {
  const worker = new Worker(file, {
    workerData: options.workerData,
    resourceLimits: { maxYoungGenerationSizeMb: options.youngGenerationMb }
  })
  const forwarders = SIGNALS.map(signal => {
    // Posted before the worker listens, a message waits in its port until it does.
    const forward = () => worker.postMessage({ signal } satisfies SignalMessage)
    options.source.on(signal, forward)
    return () => options.source.off(signal, forward)
  })
  return new Promise(resolve => {
    worker.on('error', err => options.onError(err))
    worker.on('exit', code => {
      forwarders.forEach(off => off())
      resolve(code)
    })
  })
}

/**
 * Inside the worker: the signals the main thread forwards, as a SignalSource. The port never
 * keeps the worker alive: it ends when its work does, as a process would.
 */
export function forwardedSignals(port: MessagePort): SignalSource {
  const listeners = new Map<() => void, (m: unknown) => void>()
  return {
    on(signal, handler) {
      const listener = (m: unknown) => {
        if ((m as Partial<SignalMessage> | null)?.signal === signal) handler()
      }
      listeners.set(handler, listener)
      port.on('message', listener)
      port.unref()
    },
    off(_signal, handler) {
      const listener = listeners.get(handler)
      if (listener) port.off('message', listener)
      listeners.delete(handler)
    }
  }
}
