// Waits for a Deployment's rollout by watching it and its pods, and fails as soon as a pod shows
// a state that waiting cannot fix (see rollout-rule.ts).

import { RolloutError } from './errors.js'
import { listWatch, type ListWatchLoop } from './list-watch.js'
import { KubeApiError, Resources, type KubePort } from './port.js'
import {
  evaluateRollout,
  explainNotReady,
  newPods,
  newReplicaSet,
  POD_TEMPLATE_HASH,
  REVISION_ANNOTATION,
  selectorString,
  type RolloutVerdict
} from './rollout-rule.js'
import type { Deployment, KubeEvent, Pod, ReplicaSet } from './types.js'

export interface WaitOptions {
  timeoutMs: number
  signal?: AbortSignal
  /** Progress lines, worded like `kubectl rollout status`. */
  log?: (message: string) => void
  /** Server-side end of each watch; a shorter one makes the reconnect path testable. */
  watchTimeoutSeconds?: number
  /** Log lines of a crashed container to attach to the error (default 20). */
  crashLogLines?: number
}

export interface RolloutResult {
  deployment: string
  /** kubectl's final line, `deployment "x" successfully rolled out`. */
  message: string
  durationMs: number
  replicas: number
  /** How many times a watch was re-established (each after a fresh read). */
  reconnects: number
}

const DEFAULT_WATCH_TIMEOUT_SECONDS = 25 // below client-node's 30 s inactivity abort

/**
 * Resolves when the Deployment has rolled out by kubectl's rule; rejects with a RolloutError as
 * soon as its new pods show a fail-fast state, or at `timeoutMs`, with the reason in the message.
 */
export function waitForRollout(
  kube: KubePort,
  namespace: string,
  name: string,
  options: WaitOptions
): Promise<RolloutResult> {
  const started = Date.now()
  const log = options.log ?? (() => {})
  const loopOptions = {
    watchTimeoutSeconds: options.watchTimeoutSeconds ?? DEFAULT_WATCH_TIMEOUT_SECONDS
  }
  let deployment: Deployment | undefined
  const pods = new Map<string, Pod>()
  let hash: string | undefined
  let hashRevision: string | undefined
  let lookingUp = false
  let reconnects = 0
  let lastError: unknown
  let lastMessage = ''
  const loops: ListWatchLoop[] = []
  let podLoop = false

  return new Promise<RolloutResult>((resolve, reject) => {
    let settled = false
    const finish = () => {
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      for (const loop of loops) loop.stop()
    }
    const fail = (err: RolloutError) => {
      if (settled) return
      finish()
      reject(err)
    }
    const onAbort = () =>
      fail(new RolloutError(`waiting for deployment "${name}" was cancelled`, 'Aborted', name))
    const timer = setTimeout(() => {
      if (settled) return
      finish()
      timeoutError().then(reject, reject)
    }, options.timeoutMs)
    if (options.signal?.aborted) return onAbort()
    options.signal?.addEventListener('abort', onAbort)

    const evaluate = () => {
      if (settled) return
      const verdict = evaluateRollout({ deployment, pods: pods.values(), newReplicaSetHash: hash })
      if (verdict.message !== lastMessage) {
        lastMessage = verdict.message
        if (verdict.state !== 'failed') log(verdict.message)
      }
      if (verdict.state === 'done') {
        finish()
        resolve({
          deployment: name,
          message: verdict.message,
          durationMs: Date.now() - started,
          replicas: deployment?.spec.replicas ?? 1,
          reconnects
        })
      } else if (verdict.state === 'failed') {
        finish()
        failureError(verdict).then(reject, reject)
      }
    }

    const onError = (err: unknown) => {
      lastError = err
      // Credentials and permissions do not fix themselves: no point retrying until the timeout.
      if (err instanceof KubeApiError && (err.code === 401 || err.code === 403)) {
        fail(
          new RolloutError(`cannot watch deployment "${name}": ${err.message}`, 'Forbidden', name)
        )
      }
    }

    const onDeployment = (d: Deployment | undefined, deleted = false) => {
      if (!d || deleted) {
        const message = deleted
          ? `deployment "${name}" was deleted during the rollout`
          : `deployments.apps "${name}" not found in namespace "${namespace}"`
        return fail(new RolloutError(message, deleted ? 'Deleted' : 'NotFound', name))
      }
      deployment = d
      startPodLoop(d)
      lookUpNewReplicaSet(d)
      evaluate()
    }

    const startPodLoop = (d: Deployment) => {
      if (podLoop || settled) return
      podLoop = true
      loops.push(
        listWatch<Pod>(
          kube,
          Resources.Pod,
          { namespace, labelSelector: selectorString(d.spec.selector) },
          {
            onList: items => {
              pods.clear()
              for (const p of items) pods.set(p.metadata.name!, p)
              evaluate()
            },
            onEvent: (type, p) => {
              if (type === 'DELETED') pods.delete(p.metadata.name!)
              else pods.set(p.metadata.name!, p)
              evaluate()
            },
            onError,
            onReconnect: () => reconnects++
          },
          loopOptions
        )
      )
    }

    // Pods of older ReplicaSets must not fail this rollout, so find the current one by revision.
    const lookUpNewReplicaSet = (d: Deployment) => {
      const revision = d.metadata.annotations?.[REVISION_ANNOTATION]
      if (!revision || revision === hashRevision || lookingUp) return
      hash = undefined
      lookingUp = true
      kube
        .list<ReplicaSet>(Resources.ReplicaSet, {
          namespace,
          labelSelector: selectorString(d.spec.selector)
        })
        .then(list => {
          const rs = newReplicaSet(d, list.items)
          if (rs) {
            hash = rs.metadata.labels?.[POD_TEMPLATE_HASH]
            hashRevision = revision
          }
        }, onError)
        .finally(() => {
          lookingUp = false
          if (
            deployment &&
            deployment.metadata.annotations?.[REVISION_ANNOTATION] !== hashRevision
          ) {
            // The revision moved on (or the ReplicaSet was not listed yet): try again shortly.
            setTimeout(() => !settled && deployment && lookUpNewReplicaSet(deployment), 100)
          }
          evaluate()
        })
    }

    loops.push(
      listWatch<Deployment>(
        kube,
        Resources.Deployment,
        { namespace, fieldSelector: `metadata.name=${name}` },
        {
          onList: items => onDeployment(items[0]),
          onEvent: (type, d) => onDeployment(d, type === 'DELETED'),
          onError,
          onReconnect: () => reconnects++
        },
        loopOptions
      )
    )

    const failureError = async (verdict: Extract<RolloutVerdict, { state: 'failed' }>) => {
      let details: string | undefined
      if (verdict.reason === 'CrashLoopBackOff' && verdict.pod && verdict.container) {
        const lines = options.crashLogLines ?? 20
        const text = await withTimeout(
          kube.podLogs(namespace, verdict.pod, verdict.container, {
            previous: true,
            tailLines: lines
          }),
          5000
        ).catch(() => undefined)
        if (text?.trim()) {
          details = `last ${lines} log lines of container "${verdict.container}" (previous run):\n${text.trimEnd()}`
        }
      }
      return new RolloutError(
        verdict.message,
        verdict.reason,
        name,
        verdict.pod,
        verdict.container,
        details
      )
    }

    const timeoutError = async () => {
      const seconds = Math.round(options.timeoutMs / 100) / 10
      const events = await withTimeout(
        kube.list<KubeEvent>(Resources.Event, { namespace }),
        5000
      ).catch(() => undefined)
      const current = hash
        ? newPods({ pods: pods.values(), newReplicaSetHash: hash })
        : [...pods.values()]
      const why = explainNotReady(current, events?.items ?? [])
      if (lastError && !deployment) why.push(`last API error: ${errorText(lastError)}`)
      const status = lastMessage || 'no status observed'
      const message =
        `timed out after ${seconds}s waiting for deployment "${name}" to roll out: ${status}` +
        why.map(line => `\n  ${line}`).join('')
      return new RolloutError(message, 'RolloutTimeout', name)
    }
  })
}

/**
 * Waits for several Deployments at once; the first failure cancels the other waits and is the
 * rejection (the others end as Aborted, after it).
 */
export async function waitForRollouts(
  kube: KubePort,
  namespace: string,
  names: readonly string[],
  options: WaitOptions
): Promise<RolloutResult[]> {
  const controller = new AbortController()
  const cancel = () => controller.abort()
  options.signal?.addEventListener('abort', cancel)
  try {
    return await Promise.all(
      names.map(name =>
        waitForRollout(kube, namespace, name, { ...options, signal: controller.signal }).catch(
          (err: unknown) => {
            controller.abort()
            throw err
          }
        )
      )
    )
  } finally {
    options.signal?.removeEventListener('abort', cancel)
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
