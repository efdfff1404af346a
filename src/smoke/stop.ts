// Stopping the smoke checks from outside (a pod of the run restarted, the job is cancelled).

import type { Clock } from '../effects.js'

/** The abort reason's message: what the stopped check reports. */
export function stopReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason
  if (reason instanceof Error) return reason.message
  return reason === undefined ? 'the smoke checks were stopped' : String(reason)
}

/** Sleeps, waking early when the signal fires. */
export async function pause(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return clock.sleep(ms)
  if (signal.aborted) return
  let wake = (): void => undefined
  const stopped = new Promise<void>(resolve => {
    wake = resolve
    signal.addEventListener('abort', wake, { once: true })
  })
  try {
    await Promise.race([clock.sleep(ms), stopped])
  } finally {
    signal.removeEventListener('abort', wake)
  }
}
