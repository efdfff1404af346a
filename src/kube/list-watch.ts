// A minimal informer: list, then watch from the list's resourceVersion; when the watch ends (a drop,
// the server's timeout, client-node's 30 s inactivity abort, a 410 Gone), list again and resume.
// The re-list is the read that catches whatever happened while disconnected.

import type { KubePort, ListOptions, ResourceType, WatchHandle } from './api.js'
import type { KubeObject } from './types.js'

export interface ListWatchHandlers<T> {
  /** The complete current set: after the first list and after every reconnect. */
  onList(items: T[]): void
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): void
  /** A failed list or an abnormal watch end; the loop retries after a backoff. */
  onError?(err: unknown): void
  /** Called before each re-list after the first. */
  onReconnect?(): void
}

export interface ListWatchOptions {
  /** The server ends each watch after this long (a clean end, then a re-list). */
  watchTimeoutSeconds?: number
  minBackoffMs?: number
  maxBackoffMs?: number
}

export interface ListWatchLoop {
  stop(): void
  /** Settles once the loop has stopped. */
  readonly done: Promise<void>
}

/** What one loop's steps share: whether it was stopped, and how to cut its current wait short. */
interface LoopState {
  stopped: boolean
  handle?: WatchHandle
  interrupt?: () => void
}

export function listWatch<T extends KubeObject>(
  kube: KubePort,
  type: ResourceType,
  query: ListOptions,
  handlers: ListWatchHandlers<T>,
  options: ListWatchOptions = {}
): ListWatchLoop {
  const minBackoff = options.minBackoffMs ?? 200
  const maxBackoff = options.maxBackoffMs ?? 5000
  const state: LoopState = { stopped: false }
  const watch = { kube, type, query, handlers, timeoutSeconds: options.watchTimeoutSeconds }

  const run = async () => {
    let backoff = minBackoff
    let first = true
    while (!state.stopped) {
      let failure: unknown
      try {
        if (!first) handlers.onReconnect?.()
        first = false
        const list = await kube.list<T>(type, query)
        if (state.stopped) return
        handlers.onList(list.items)
        failure = await watchOnce(state, watch, list.resourceVersion)
        state.handle = undefined
      } catch (err) {
        failure = err ?? new Error('list failed')
      }
      if (state.stopped) return
      if (failure === undefined) {
        backoff = minBackoff
        continue
      }
      handlers.onError?.(failure)
      await pause(state, backoff)
      backoff = Math.min(backoff * 2, maxBackoff)
    }
  }

  const done = run()
  return {
    stop() {
      state.stopped = true
      state.handle?.stop()
      state.interrupt?.()
    },
    done
  }
}

function pause(state: LoopState, ms: number): Promise<void> {
  return new Promise<void>(resolve => {
    const timer = setTimeout(resolve, ms)
    state.interrupt = () => {
      clearTimeout(timer)
      resolve()
    }
  })
}

/** One watch from `resourceVersion` until it ends: undefined for a clean end, else why. */
function watchOnce<T extends KubeObject>(
  state: LoopState,
  w: {
    kube: KubePort
    type: ResourceType
    query: ListOptions
    handlers: ListWatchHandlers<T>
    timeoutSeconds?: number
  },
  resourceVersion: string
): Promise<unknown> {
  return new Promise<unknown>(resolve => {
    state.interrupt = () => resolve(undefined)
    w.kube
      .watch(
        w.type,
        { ...w.query, resourceVersion, timeoutSeconds: w.timeoutSeconds },
        (eventType, object) => {
          if (state.stopped) return
          if (eventType === 'ERROR') {
            // e.g. 410 Gone: our resourceVersion is too old. Re-list.
            state.handle?.stop()
            resolve(
              new Error(`watch error: ${(object as { message?: string }).message ?? 'unknown'}`)
            )
          } else if (eventType !== 'BOOKMARK') {
            w.handlers.onEvent(eventType, object as T)
          }
        },
        err => resolve(err ?? undefined)
      )
      .then(
        h => {
          state.handle = h
          if (state.stopped) h.stop()
        },
        err => resolve(err ?? new Error('watch failed'))
      )
  })
}
