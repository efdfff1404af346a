// Fakes for the smoke engine tests: a clock that only moves when told (or when slept on), and an
// HttpPort that answers from a script and records what it was asked.

import type { Clock } from '../../src/effects.js'
import type { HttpPort, HttpRequest, HttpResponse } from '../../src/smoke/index.js'

export const T0 = Date.UTC(2026, 10, 26, 12, 0, 0)

export class FakeClock implements Clock {
  t: number
  readonly sleeps: number[] = []
  constructor(start = T0) {
    this.t = start
  }
  now(): number {
    return this.t
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms)
    this.t += ms
  }
}

export function response(
  status: number,
  body = '',
  headers: Record<string, string> = {}
): HttpResponse {
  return { status, headers, body, bodyBytes: Buffer.byteLength(body), truncated: false }
}

/** One scripted step: a response, or an Error to throw (no response); latency advances the clock. */
export type Step = HttpResponse | Error | ((req: HttpRequest) => HttpResponse | Error)

export class ScriptedHttp implements HttpPort {
  readonly requests: HttpRequest[] = []
  private i = 0
  constructor(
    private readonly clock: FakeClock,
    private readonly steps: Step[],
    private readonly latencyMs = 0
  ) {}
  async request(req: HttpRequest): Promise<HttpResponse> {
    this.requests.push(req)
    const step = this.steps[Math.min(this.i++, this.steps.length - 1)]
    this.clock.t += this.latencyMs
    const out = typeof step === 'function' ? step(req) : step
    if (out instanceof Error) throw out
    return out
  }
}
