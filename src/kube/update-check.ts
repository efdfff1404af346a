// `rollout-check: update`: after a healthy first rollout, roll the Deployment again (a new pod
// template annotation, like `kubectl rollout restart`) while requesting the Service, and count the
// requests that fail. With an effective maxUnavailable of 0 a rolling update must drop none.
// The requests are the first smoke check's, sent and judged by the smoke engine (a 401 fails).

import { PhaseError } from '../errors.js'
import { Resources } from './kinds.js'
import { RESTARTED_AT_ANNOTATION } from './names.js'
import type { KubePort } from './api.js'
import type { Deployment } from './types.js'
import { waitForWorkloads, type WorkloadResult } from './wait.js'

/** What is requested during the rollout (smoke/probe.ts: checkProbe). */
export interface UpdateProbe {
  /** e.g. `GET http://127.0.0.1:30080/healthz`, for the messages. */
  label: string
  /** One request: undefined when it passed, else why it failed. Never rejects. */
  send(): Promise<string | undefined>
}

export interface UpdateCheckOptions {
  namespace: string
  /** The Deployment as applied the first time; it is re-applied whole, so no field is dropped. */
  deployment: Deployment
  fieldManager: string
  /** The run's label selector (what the wait watches). */
  labelSelector: string
  maxRestarts: number
  /** What to request during the rollout: the first smoke check. */
  probe: UpdateProbe
  timeoutMs: number
  /** Pause between requests (default 100 ms). */
  intervalMs?: number
  /** Keep requesting this long after the rollout is done, while old pods terminate (default 2 s). */
  settleMs?: number
  signal?: AbortSignal
  log?: (message: string) => void
}

export interface UpdateCheckResult {
  failedRequests: number
  totalRequests: number
  durationMs: number
  /** maxUnavailable as the controller resolves it for this Deployment. */
  maxUnavailable: number
  rollout: WorkloadResult
  /** The first few distinct failures, e.g. `expected status 2xx, got 401`, `connection refused`. */
  failures: string[]
}

export class UpdateCheckError extends PhaseError {
  constructor(
    message: string,
    readonly result: UpdateCheckResult
  ) {
    super(message)
    this.name = 'UpdateCheckError'
  }
}

export async function rolloutUpdateCheck(
  kube: KubePort,
  options: UpdateCheckOptions
): Promise<UpdateCheckResult> {
  const name = options.deployment.metadata.name!
  const live = await kube.get<Deployment>(Resources.Deployment, name, options.namespace)
  if (!live) {
    throw new PhaseError(`deployments.apps "${name}" not found`)
  }
  const maxUnavailable = effectiveMaxUnavailable(live)
  const started = Date.now()
  const prober = startProber(options.probe, options.intervalMs ?? 100)
  let rollout: WorkloadResult
  try {
    const next = structuredClone(options.deployment)
    const template = (next.spec.template.metadata ??= {})
    template.annotations = {
      ...template.annotations,
      [RESTARTED_AT_ANNOTATION]: new Date().toISOString()
    }
    await kube.apply(Resources.Deployment, next, { fieldManager: options.fieldManager })
    options.log?.(
      `deployment.apps/${name} restarted (template annotation ${RESTARTED_AT_ANNOTATION})`
    )
    ;[rollout] = await waitForWorkloads(kube, [{ object: next, type: Resources.Deployment }], {
      namespace: options.namespace,
      labelSelector: options.labelSelector,
      timeoutMs: options.timeoutMs,
      maxRestarts: options.maxRestarts,
      signal: options.signal,
      log: options.log
    })
    await sleep(options.settleMs ?? 2000)
  } finally {
    await prober.stop()
  }
  const result: UpdateCheckResult = {
    failedRequests: prober.failed,
    totalRequests: prober.total,
    durationMs: Date.now() - started,
    maxUnavailable,
    rollout,
    failures: prober.samples
  }
  const summary = `${result.failedRequests} of ${result.totalRequests} requests (${options.probe.label}) failed during the rolling update of deployment "${name}"`
  if (maxUnavailable === 0 && result.failedRequests > 0) {
    throw new UpdateCheckError(
      `${summary}, although maxUnavailable is 0 (first failures: ${result.failures.join('; ')})`,
      result
    )
  }
  options.log?.(`${summary} (maxUnavailable ${maxUnavailable})`)
  return result
}

/** maxUnavailable resolved like the deployment controller does (percentages round down). */
export function effectiveMaxUnavailable(d: Deployment): number {
  const replicas = d.spec.replicas ?? 1
  const strategy = d.spec.strategy
  if (strategy?.type === 'Recreate') return replicas
  const resolve = (value: number | string | undefined, fallback: string, roundUp: boolean) => {
    const v = value ?? fallback
    if (typeof v === 'number') return v
    const percent = Number.parseInt(v, 10)
    const exact = (percent * replicas) / 100
    return roundUp ? Math.ceil(exact) : Math.floor(exact)
  }
  const surge = resolve(strategy?.rollingUpdate?.maxSurge, '25%', true)
  const unavailable = resolve(strategy?.rollingUpdate?.maxUnavailable, '25%', false)
  // Both zero would stall the rollout; the controller allows one unavailable then.
  return surge === 0 && unavailable === 0 ? 1 : unavailable
}

interface Prober {
  total: number
  failed: number
  samples: string[]
  stop(): Promise<void>
}

function startProber(probe: UpdateProbe, intervalMs: number): Prober {
  let running = true
  const prober: Prober = {
    total: 0,
    failed: 0,
    samples: [],
    stop: async () => {
      running = false
      await loop
    }
  }
  const record = (failure: string | undefined) => {
    prober.total++
    if (failure === undefined) return
    prober.failed++
    // Distinct failures: 40 times the same 401 says no more than once.
    if (prober.samples.length < 5 && !prober.samples.includes(failure)) prober.samples.push(failure)
  }
  const loop = (async () => {
    while (running) {
      const t0 = Date.now()
      try {
        record(await probe.send())
      } catch (err) {
        record(err instanceof Error ? err.message : String(err))
      }
      const wait = intervalMs - (Date.now() - t0)
      if (running && wait > 0) await sleep(wait)
    }
  })()
  return prober
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}
