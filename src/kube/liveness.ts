// Is another run of this action alive? Judged from its Lease as this run sees it change, on this
// run's own clock: the other run's clock (renewTime) and the server's are never compared with ours.
// A lease that changes while we watch is renewed by a live run; one that does not change for longer
// than its own leaseDurationSeconds, as we watch, belongs to a dead run. Pure: the loop that reads
// the lease and sleeps is in claim.ts.

/** What one read of another run's Lease showed. */
export interface LeaseSnapshot {
  resourceVersion: string
  /** spec.leaseDurationSeconds. */
  durationSeconds: number
  /** Set by a run whose main step ended: the lease stands until its post step deletes it. */
  heldUntilPost: boolean
  /** metadata.creationTimestamp (server clock): shown as the run's age, never used to decide. */
  createdAt?: string
}

export interface Observation {
  /** When we read it, on our clock (ms). */
  at: number
  /** Undefined: there was no lease. */
  lease?: LeaseSnapshot
}

export type Liveness =
  /** Its lease changed while we watched: it is renewing it. */
  | { state: 'alive' }
  /** Its main step ended and declared the lease held until its post step deletes it. */
  | { state: 'held' }
  /** Its lease did not change for longer than its duration while we watched. */
  | { state: 'dead'; silentMs: number }
  /** Its lease was deleted while we watched: its post step ran. */
  | { state: 'ended' }
  /** There is no lease, and none appeared within the grace: the run ended or never made one. */
  | { state: 'none' }
  /** Not known yet: keep watching. */
  | { state: 'unknown' }

/** How long a missing lease is waited for: a run creates its lease right after its namespace. */
export const ABSENT_GRACE_MS = 3_000

export function judgeLiveness(
  observations: readonly Observation[],
  now: number,
  absentGraceMs = ABSENT_GRACE_MS
): Liveness {
  if (observations.length === 0) return { state: 'unknown' }
  for (let i = 1; i < observations.length; i++) {
    const before = observations[i - 1].lease
    const after = observations[i].lease
    if (before && !after) return { state: 'ended' }
    if (after && (!before || before.resourceVersion !== after.resourceVersion)) {
      return { state: 'alive' }
    }
  }
  // Nothing changed since the first read.
  const first = observations[0]
  const watchedMs = now - first.at
  if (!first.lease) return watchedMs >= absentGraceMs ? { state: 'none' } : { state: 'unknown' }
  if (watchedMs > first.lease.durationSeconds * 1000) return { state: 'dead', silentMs: watchedMs }
  if (first.lease.heldUntilPost) return { state: 'held' }
  return { state: 'unknown' }
}

/** Alive, held, or not known: its objects are not to be touched. */
export function mayStillBeRunning(l: Liveness): boolean {
  return l.state === 'alive' || l.state === 'held' || l.state === 'unknown'
}

/** How long to watch a lease before settling for what is known (longer leases stay 'unknown'). */
export function watchBudgetMs(first: Observation | undefined, absentGraceMs = ABSENT_GRACE_MS) {
  if (!first?.lease) return absentGraceMs + 500
  return Math.min(first.lease.durationSeconds * 1000, 30_000) + 1_500
}
