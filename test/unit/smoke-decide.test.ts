// The smoke check's loop as pure decisions: a snapshot of the check's progress in, what next out.
// Times are plain numbers, as a fake clock would give them.

import { describe, expect, test } from '@jest/globals'
import {
  decide,
  firstProgress,
  planAttempt,
  type CheckPolicy,
  type CheckSnapshot,
  type Decision
} from '../../src/smoke/decide.js'
import { DEFAULT_BACKOFF, DEFAULT_REFUSED_RETRY } from '../../src/smoke/index.js'
import { response } from './smoke-fakes.js'

const policy: CheckPolicy = {
  method: 'GET',
  requestTimeoutMs: 5000,
  minWindowMs: 250,
  backoff: DEFAULT_BACKOFF,
  refused: DEFAULT_REFUSED_RETRY,
  mismatchGraceMs: 10_000
}

const reset = {
  outcome: {
    error: 'connection reset',
    latencyMs: 10,
    terminal: false,
    refused: false,
    sent: true
  },
  verdict: {
    passed: false,
    reason: 'connection reset',
    kind: 'connection' as const,
    bodyFailed: false
  }
}
const refused = {
  outcome: { ...reset.outcome, error: 'connection refused', refused: true, sent: false },
  verdict: { ...reset.verdict, reason: 'connection refused' }
}
const status503 = {
  outcome: {
    status: 503,
    response: response(503, 'warming'),
    latencyMs: 10,
    terminal: false,
    refused: false,
    sent: true
  },
  verdict: {
    passed: false,
    reason: 'expected status 2xx, got 503',
    kind: '5xx' as const,
    bodyFailed: false
  }
}
const status404 = {
  outcome: { ...status503.outcome, status: 404, response: response(404, 'no route') },
  verdict: {
    passed: false,
    reason: 'expected status 2xx, got 404',
    kind: 'status' as const,
    bodyFailed: false
  }
}
const ok = {
  outcome: {
    status: 200,
    response: response(200, 'ok'),
    latencyMs: 12.34,
    terminal: false,
    refused: false,
    sent: true
  },
  verdict: { passed: true, bodyFailed: false }
}
const offHost = {
  outcome: { ...status503.outcome, status: 302, terminal: true },
  verdict: {
    passed: false,
    reason: 'redirect 302 to http://evil/ (another host) not followed',
    kind: 'status' as const,
    bodyFailed: false
  }
}
const answered = { answered: true, answeredCorrectly: false, sinceFirstAnswerMs: 100 }

function snapshot(
  over: Partial<CheckSnapshot> & Pick<CheckSnapshot, 'outcome' | 'verdict'>
): CheckSnapshot {
  return {
    progress: { attempts: 1, retriesUsed: 0, delayMs: 250, afterRefusal: false },
    service: { answered: false, answeredCorrectly: false, sinceFirstAnswerMs: 0 },
    time: { sinceCheckStartMs: 10, leftMs: 30_000 },
    ...over
  }
}

const cases: Array<[string, CheckSnapshot, Partial<CheckPolicy>, Decision]> = [
  ['a pass', snapshot(ok), {}, { kind: 'pass', message: 'passed (200 in 12.3 ms, attempt 1)' }],
  [
    'stopped wins over everything, silently',
    snapshot({ ...ok, stopped: 'the job was cancelled' }),
    {},
    { kind: 'fail', reason: 'the job was cancelled', showBody: false }
  ],
  [
    'a terminal outcome is not retried',
    snapshot(offHost),
    {},
    {
      kind: 'fail',
      reason: offHost.verdict.reason,
      showBody: false,
      message: `failed, not retried: ${offHost.verdict.reason}`
    }
  ],
  [
    'a POST that may have been served is not sent again',
    snapshot({ ...reset, service: answered }),
    { method: 'POST' },
    {
      kind: 'fail',
      reason: 'connection reset',
      showBody: false,
      message:
        "failed, not retried (POST is not idempotent and the request may have reached the service (set 'retries' or 'retry-on' to retry it)): connection reset",
      note: "not retried: POST is not idempotent and the request may have reached the service (set 'retries' or 'retry-on' to retry it)"
    }
  ],
  [
    "'retries: 2' used up: the answer is final, body shown",
    snapshot({
      ...status503,
      service: answered,
      progress: { attempts: 3, retriesUsed: 2, delayMs: 1000, afterRefusal: false }
    }),
    { retry: { maxRetries: 2 } },
    {
      kind: 'fail',
      reason: 'expected status 2xx, got 503',
      showBody: true,
      message: "failed, not retried ('retries: 2' used up): expected status 2xx, got 503",
      note: "not retried: 'retries: 2' used up"
    }
  ],
  [
    'a wrong status once another check passed is final',
    snapshot({ ...status404, service: { ...answered, answeredCorrectly: true } }),
    {},
    {
      kind: 'fail',
      reason: 'expected status 2xx, got 404',
      showBody: true,
      message:
        'failed, not retried (the service answers other requests correctly, so this answer is taken as final): expected status 2xx, got 404',
      note: 'not retried: the service answers other requests correctly, so this answer is taken as final'
    }
  ],
  [
    'no room left before the deadline: give up',
    snapshot({ ...reset, time: { sinceCheckStartMs: 9000, leftMs: 250 } }),
    {},
    {
      kind: 'give-up',
      reason: 'connection reset',
      showBody: false,
      message: 'failed after 1 attempt: connection reset'
    }
  ],
  [
    'give up counts attempts',
    snapshot({
      ...status503,
      service: answered,
      progress: { attempts: 7, retriesUsed: 6, delayMs: 2000, afterRefusal: false },
      time: { sinceCheckStartMs: 9000, leftMs: 100 }
    }),
    {},
    {
      kind: 'give-up',
      reason: 'expected status 2xx, got 503',
      showBody: false,
      message: 'failed after 7 attempts: expected status 2xx, got 503'
    }
  ],
  [
    'no response before the service answered: backoff, not counted',
    snapshot(reset),
    {},
    {
      kind: 'retry',
      waitMs: 250,
      next: { attempts: 1, retriesUsed: 0, delayMs: 500, afterRefusal: false },
      message: 'attempt 1: connection reset; retrying in 250 ms'
    }
  ],
  [
    'a 5xx: backoff, counted',
    snapshot({
      ...status503,
      service: answered,
      progress: { attempts: 3, retriesUsed: 1, delayMs: 1000, afterRefusal: false }
    }),
    {},
    {
      kind: 'retry',
      waitMs: 1000,
      next: { attempts: 3, retriesUsed: 2, delayMs: 2000, afterRefusal: false },
      message: 'attempt 3: expected status 2xx, got 503; retrying in 1.0 s'
    }
  ],
  [
    'the backoff stops at its cap',
    snapshot({
      ...status503,
      service: answered,
      progress: { attempts: 5, retriesUsed: 4, delayMs: 2000, afterRefusal: false }
    }),
    {},
    {
      kind: 'retry',
      waitMs: 2000,
      next: { attempts: 5, retriesUsed: 5, delayMs: 2000, afterRefusal: false },
      message: 'attempt 5: expected status 2xx, got 503; retrying in 2.0 s'
    }
  ],
  [
    'the wait is cut so the next attempt keeps its window before the deadline',
    snapshot({
      ...reset,
      progress: { attempts: 4, retriesUsed: 0, delayMs: 2000, afterRefusal: false },
      time: { sinceCheckStartMs: 9000, leftMs: 1250 }
    }),
    {},
    {
      kind: 'retry',
      waitMs: 1000,
      next: { attempts: 4, retriesUsed: 0, delayMs: 2000, afterRefusal: false },
      message: 'attempt 4: connection reset; retrying in 1.0 s'
    }
  ],
  [
    'a wrong status alone is retried within the grace',
    snapshot({ ...status404, service: answered }),
    {},
    {
      kind: 'retry',
      waitMs: 250,
      next: { attempts: 1, retriesUsed: 1, delayMs: 500, afterRefusal: false },
      message: 'attempt 1: expected status 2xx, got 404; retrying in 250 ms'
    }
  ],
  [
    'refused early in the check: every 100 ms, backoff kept, logged',
    snapshot(refused),
    {},
    {
      kind: 'retry',
      waitMs: 100,
      next: { attempts: 1, retriesUsed: 0, delayMs: 250, afterRefusal: true },
      message:
        'attempt 1: connection refused; retrying every 100 ms while refused (up to 5.0 s into the check)'
    }
  ],
  [
    'refused again: not logged again',
    snapshot({
      ...refused,
      progress: { attempts: 2, retriesUsed: 0, delayMs: 250, afterRefusal: true },
      time: { sinceCheckStartMs: 102, leftMs: 29_000 }
    }),
    {},
    {
      kind: 'retry',
      waitMs: 100,
      next: { attempts: 2, retriesUsed: 0, delayMs: 250, afterRefusal: true }
    }
  ],
  [
    'refused after the window: backoff',
    snapshot({
      ...refused,
      progress: { attempts: 51, retriesUsed: 0, delayMs: 250, afterRefusal: true },
      time: { sinceCheckStartMs: 5000, leftMs: 5000 }
    }),
    {},
    {
      kind: 'retry',
      waitMs: 250,
      next: { attempts: 51, retriesUsed: 0, delayMs: 500, afterRefusal: false },
      message: 'attempt 51: connection refused; retrying in 250 ms'
    }
  ],
  [
    'an unanswered probe: at once, backoff kept',
    snapshot({
      outcome: { ...reset.outcome, error: 'no response within 250 ms', latencyMs: 250 },
      verdict: { ...reset.verdict, reason: 'no response within 250 ms' },
      probeMs: 250
    }),
    {},
    {
      kind: 'retry',
      waitMs: 0,
      next: { attempts: 1, retriesUsed: 0, delayMs: 250, afterRefusal: false },
      message: 'attempt 1: no response within 250 ms; retrying at once'
    }
  ]
]

describe('decide', () => {
  test.each(cases)('%s', (_name, s, over, expected) => {
    expect(decide(s, { ...policy, ...over })).toEqual(expected)
  })
})

describe('planAttempt', () => {
  const start = firstProgress(policy)
  const time = { sinceCheckStartMs: 0, leftMs: 60_000 }
  test.each<[string, Parameters<typeof planAttempt>, { timeoutMs: number; probeMs?: number }]>([
    [
      'first attempt, service silent: a probe',
      [start, time, false, policy],
      { timeoutMs: 250, probeMs: 250 }
    ],
    [
      'the service has answered: the full timeout',
      [start, time, true, policy],
      { timeoutMs: 5000 }
    ],
    [
      'a POST is never cut short',
      [start, time, false, { ...policy, method: 'POST' }],
      { timeoutMs: 5000 }
    ],
    [
      'right after a refusal: a probe again',
      [
        { ...start, attempts: 3, afterRefusal: true },
        { ...time, sinceCheckStartMs: 300 },
        false,
        policy
      ],
      { timeoutMs: 250, probeMs: 250 }
    ],
    [
      'a later attempt otherwise: full',
      [{ ...start, attempts: 3 }, time, false, policy],
      { timeoutMs: 5000 }
    ],
    ['cut to the time left', [start, { ...time, leftMs: 3000 }, true, policy], { timeoutMs: 3000 }],
    [
      'too little left: one full attempt',
      [start, { ...time, leftMs: 100 }, true, policy],
      { timeoutMs: 5000 }
    ],
    [
      'the deadline has passed: one full attempt',
      [start, { ...time, leftMs: -50 }, false, policy],
      { timeoutMs: 5000 }
    ]
  ])('%s', (_name, args, expected) => {
    expect(planAttempt(...args)).toEqual(expected)
  })

  test('the first progress starts the backoff at its initial wait', () => {
    expect(start).toEqual({ attempts: 0, retriesUsed: 0, delayMs: 250, afterRefusal: false })
  })
})
