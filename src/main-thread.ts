// The main step's work runs in a worker thread with a small young generation and a bounded old
// generation. V8 otherwise grows its young generation to 64 MB under the garbage of many requests
// (1000 objects, a load check), and lets the old generation grow up to 4× what survived the last
// full collection before it collects again, so a long load check's peak depended on when that
// collection came (144–181 MB for 60 s). An action cannot pass `--max-semi-space-size` or
// `--max-old-space-size` to the node the runner starts; a worker's `resourceLimits` is the one
// in-process way to size them. The main thread only forwards the cancel signals (a worker
// receives none) and hands the worker's exit code to the process.

import { Worker, type MessagePort } from 'node:worker_threads'
import type { SignalSource } from './cancel.js'
import { errorMessage } from './errors.js'

export interface HeapLimits {
  youngGenerationMb: number
  oldGenerationMb: number
}

/**
 * The worker's heap. Young: two 2 MB semi-spaces, like `--max-semi-space-size=2`. Old: 256 MB, ten
 * times what the main step keeps at 1000 objects (~25 MB live), the ceiling at which V8 grows the
 * old generation least between full collections (1.3× what survived, or 8 MB; up to 4× with the
 * default ceiling of a few GB, so the peak depended on when the collection came).
 */
export const MAIN_HEAP: HeapLimits = { youngGenerationMb: 6, oldGenerationMb: 256 }

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
    heap: HeapLimits
    source: SignalSource
    onError: (err: unknown) => void
  }
): Promise<number> {
  const worker = new Worker(file, {
    workerData: options.workerData,
    resourceLimits: {
      maxYoungGenerationSizeMb: options.heap.youngGenerationMb,
      maxOldGenerationSizeMb: options.heap.oldGenerationMb
    }
  })
  const forwarders = SIGNALS.map(signal => {
    // Posted before the worker listens, a message waits in its port until it does.
    const forward = () => worker.postMessage({ signal } satisfies SignalMessage)
    options.source.on(signal, forward)
    return () => options.source.off(signal, forward)
  })
  return new Promise(resolve => {
    worker.on('error', err => options.onError(outOfMemory(err, options.heap) ?? err))
    worker.on('exit', code => {
      forwarders.forEach(off => off())
      resolve(code)
    })
  })
}

/** A worker stopped at its heap ceiling, said as what happened and what the limit was. */
function outOfMemory(err: unknown, heap: HeapLimits): Error | undefined {
  if ((err as { code?: string } | null)?.code !== 'ERR_WORKER_OUT_OF_MEMORY') return undefined
  return new Error(
    `the main step ran out of memory: its JavaScript heap reached the ${heap.oldGenerationMb} MB ` +
      `it is allowed (${errorMessage(err)})`
  )
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
