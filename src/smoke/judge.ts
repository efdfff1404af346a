// What one attempt's outcome means for its check: passed, or what failed and of which kind.

import type { AttemptOutcome } from './attempt.js'
import { evaluate } from './match.js'
import type { RetryKind, SmokeCheck } from './types.js'

export interface Judged {
  passed: boolean
  reason?: string
  /** For the retry policy. */
  kind?: RetryKind
  /** The status was right and a body expectation failed: the body is worth showing. */
  bodyFailed: boolean
}

export function judge(check: SmokeCheck, o: AttemptOutcome): Judged {
  if (o.error !== undefined)
    return { passed: false, reason: o.error, kind: 'connection', bodyFailed: false }
  if (o.reason !== undefined)
    return { passed: false, reason: o.reason, kind: 'status', bodyFailed: false }
  const v = evaluate(check, o.response!)
  return { passed: v.passed, reason: v.reason, kind: v.kind, bodyFailed: v.kind === 'body' }
}
