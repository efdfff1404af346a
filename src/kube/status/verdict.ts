// What a readiness rule says about one object at one moment, and the small helpers every rule
// shares. The states are kstatus's (sigs.k8s.io/cli-utils): Current, InProgress, Failed; plus
// `unwaitable` for an object whose readiness cannot be observed (a StatefulSet with the OnDelete
// strategy), which is reported and not waited for.

import type { Condition } from '../types.js'

export type Verdict =
  | { state: 'current'; message: string }
  | { state: 'in-progress'; message: string }
  | { state: 'unwaitable'; message: string }
  | {
      state: 'failed'
      /** The Kubernetes reason, e.g. `ProgressDeadlineExceeded`, `BackoffLimitExceeded`. */
      reason: string
      message: string
    }

export const current = (message: string): Verdict => ({ state: 'current', message })
export const inProgress = (message: string): Verdict => ({ state: 'in-progress', message })
export const failed = (reason: string, message: string): Verdict => ({
  state: 'failed',
  reason,
  message
})

export function condition(
  conditions: Condition[] | undefined,
  type: string
): Condition | undefined {
  return conditions?.find(c => c.type === type)
}

export function isTrue(conditions: Condition[] | undefined, type: string): boolean {
  return condition(conditions, type)?.status === 'True'
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

/** `: <text>` on one line, or '' when there is no text. */
export function suffix(text: string | undefined): string {
  return text?.trim() ? `: ${oneLine(text)}` : ''
}

export function oneLine(text: string, max = 300): string {
  const line = text.trim().replace(/\s*\n\s*/g, ' | ')
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

/** kstatus: an object whose controller has not seen its latest spec is in progress. */
export function generationPending(o: {
  metadata: { generation?: number }
  status?: unknown
}): boolean {
  const observed = (o.status as { observedGeneration?: number } | undefined)?.observedGeneration
  return (o.metadata.generation ?? 0) > (observed ?? 0)
}
