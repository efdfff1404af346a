// The run's coordination.k8s.io/v1 Lease (served since 1.14): one per namespace the run writes
// to, named after the run, renewed by the main step while it lives. Another run judges it by
// watching it change (liveness.ts). When main ends, the lease is marked held until the post step,
// which deletes it: later steps of the job may still use what the run deployed.

import { FIELD_MANAGER, MANAGED_BY_LABEL, RUN_LABEL } from './names.js'
import { isConflict, type KubePort, type ResourceType } from './api.js'
import type { KubeObject } from './types.js'
import type { LeaseSnapshot } from './liveness.js'

export const LEASE_TYPE: ResourceType = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  namespaced: true
}

/** Kubernetes' leader election uses 15 s too; renewed five times per duration. */
export const LEASE_DURATION_S = 15
export const RENEW_EVERY_MS = 3_000
/** Between main and post: as long as a GitHub-hosted job may run. */
export const HELD_UNTIL_POST_S = 6 * 3600
const HELD_ANNOTATION = `${FIELD_MANAGER}/held-until-post`

/** Every run applies with a field manager of its own, so the server reports conflicts between runs. */
export function runFieldManager(runLabel: string): string {
  return `${FIELD_MANAGER}/${runLabel}`
}

/** The action's own managers: this run's, another run's, or that of a version before per-run managers. */
export function isActionManager(manager: string | undefined): boolean {
  return manager === FIELD_MANAGER || Boolean(manager?.startsWith(`${FIELD_MANAGER}/`))
}

export function leaseName(runLabel: string): string {
  return `${FIELD_MANAGER}-${runLabel}`
}

/** MicroTime: RFC 3339 with exactly six fractional digits (the server refuses three). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
}

export interface LeaseMetadata {
  labels: Record<string, string>
  annotations: Record<string, string>
}

export function leaseObject(
  namespace: string,
  runLabel: string,
  metadata: LeaseMetadata,
  nowMs: number,
  held = false
): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: leaseName(runLabel),
      namespace,
      labels: { ...metadata.labels, [MANAGED_BY_LABEL]: FIELD_MANAGER, [RUN_LABEL]: runLabel },
      annotations: { ...metadata.annotations, ...(held ? { [HELD_ANNOTATION]: 'true' } : {}) }
    },
    spec: {
      holderIdentity: runLabel,
      leaseDurationSeconds: held ? HELD_UNTIL_POST_S : LEASE_DURATION_S,
      renewTime: microTime(nowMs)
    }
  }
}

/** What liveness.ts needs of a lease read from the server. */
export function snapshotOf(lease: KubeObject): LeaseSnapshot {
  const spec = (lease.spec ?? {}) as { leaseDurationSeconds?: number }
  return {
    resourceVersion: lease.metadata.resourceVersion ?? '',
    durationSeconds: spec.leaseDurationSeconds ?? LEASE_DURATION_S,
    heldUntilPost: lease.metadata.annotations?.[HELD_ANNOTATION] === 'true',
    createdAt: lease.metadata.creationTimestamp
  }
}

/** The main step's lease: created, renewed in the background, held for post, or released. */
export class RunLease {
  private timer: ReturnType<typeof setInterval> | undefined
  private renewing = false
  private warned = false

  constructor(
    private readonly kube: KubePort,
    readonly namespace: string,
    private readonly runLabel: string,
    private readonly metadata: LeaseMetadata,
    private readonly log: (line: string) => void = () => undefined
  ) {}

  get name(): string {
    return leaseName(this.runLabel)
  }

  /** Creates (or renews) the lease and keeps renewing it until held, released or stopped. */
  async acquire(): Promise<void> {
    const lease = leaseObject(this.namespace, this.runLabel, this.metadata, Date.now())
    try {
      await this.kube.create(LEASE_TYPE, lease)
    } catch (err) {
      if (!isConflict(err)) throw err
      await this.write(false) // already there: this run's own, from an earlier attempt of the step
    }
    this.timer = setInterval(() => void this.renew(), RENEW_EVERY_MS)
    this.timer.unref() // never what keeps the step running
  }

  /** Main is ending normally: the lease stands (not renewed) until the post step deletes it. */
  async holdUntilPost(): Promise<void> {
    this.stop()
    await this.write(true).catch(err => this.warn(err))
  }

  /** Nothing of the run stays in the namespace: the lease goes too. */
  async release(): Promise<void> {
    this.stop()
    await this.kube.delete(LEASE_TYPE, this.name, this.namespace).catch(err => this.warn(err))
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  private async renew(): Promise<void> {
    if (this.renewing) return
    this.renewing = true
    try {
      await this.write(false)
    } catch (err) {
      this.warn(err)
    } finally {
      this.renewing = false
    }
  }

  private async write(held: boolean): Promise<void> {
    const lease = leaseObject(this.namespace, this.runLabel, this.metadata, Date.now(), held)
    await this.kube.apply(LEASE_TYPE, lease, {
      fieldManager: runFieldManager(this.runLabel),
      force: true
    })
  }

  private warn(err: unknown): void {
    if (this.warned) return
    this.warned = true
    this.log(
      `could not renew lease "${this.name}" in namespace "${this.namespace}": ${err instanceof Error ? err.message : String(err)} (other runs may take this run for dead)`
    )
  }
}

/** Deletes a run's lease; false when it was already gone. */
export function deleteLease(kube: KubePort, namespace: string, name: string): Promise<boolean> {
  return kube.delete(LEASE_TYPE, name, namespace)
}
