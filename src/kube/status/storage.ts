// Whether a pod's unbound claims can still be bound. The scheduler reports "pod has unbound
// immediate PersistentVolumeClaims" for every claim still being provisioned — on minikube each
// claim of `standard` is bound about half a second after it is made — so that alone is waiting
// for storage. A claim fails the run at once only when nothing will bind it without the user:
// its StorageClass does not exist, it names no class and there is no default one, provisioning
// failed, or the class's provisioner has not acted on it within PROVISION_PATIENCE_MS. Pure.

import type { KubeEvent, PersistentVolumeClaim, Pod, StorageClass } from '../types.js'
import { eventTime } from './pods.js'
import { oneLine, suffix } from './verdict.js'

/** How long a class's provisioner may leave a claim Pending before the run gives up on it. */
export const PROVISION_PATIENCE_MS = 60_000

const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class'
const BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class'

export interface StorageSnapshot {
  /** Claims of the pod's namespace, by name. */
  claims: ReadonlyMap<string, PersistentVolumeClaim>
  /** Undefined until listed: nothing is decided about classes before. */
  classes?: readonly StorageClass[]
  /** Events of the namespace about claims (any order). */
  claimEvents: readonly KubeEvent[]
  now: number
  patienceMs?: number
}

export type ClaimVerdict =
  | { state: 'waiting'; claim: string; message: string }
  | { state: 'failed'; claim: string; message: string; rule: string }

/** The names of the claims a pod mounts. */
export function claimNamesOf(pod: Pod): string[] {
  const volumes = (pod.spec?.volumes ?? []) as Array<{
    persistentVolumeClaim?: { claimName?: string }
  }>
  return volumes.flatMap(v =>
    v.persistentVolumeClaim?.claimName ? [v.persistentVolumeClaim.claimName] : []
  )
}

/** One verdict per claim of the pod that is not bound yet (failed ones first). */
export function unboundClaims(pod: Pod, s: StorageSnapshot): ClaimVerdict[] {
  const verdicts = claimNamesOf(pod)
    .map(name => claimVerdict(name, s))
    .filter((v): v is ClaimVerdict => v !== undefined)
  return verdicts.sort((a, b) => (a.state === b.state ? 0 : a.state === 'failed' ? -1 : 1))
}

/** Undefined when the claim is bound. */
export function claimVerdict(name: string, s: StorageSnapshot): ClaimVerdict | undefined {
  const claim = s.claims.get(name)
  const what = `persistentvolumeclaim "${name}"`
  if (!claim) return { state: 'waiting', claim: name, message: `${what} is not seen yet` }
  if (claim.status?.phase === 'Bound') return undefined
  const fail = (why: string, rule: string): ClaimVerdict => ({
    state: 'failed',
    claim: name,
    message: `${what} cannot be bound: ${why}`,
    rule
  })
  const events = eventsOf(claim, s.claimEvents)
  const last = events.at(-1)
  const lastText = last ? ` (last event: ${last.reason}${suffix(last.message)})` : ''
  const className = claim.spec?.storageClassName
  if (claim.spec?.volumeName) {
    return {
      state: 'waiting',
      claim: name,
      message: `${what} is being bound to persistentvolume "${claim.spec.volumeName}"`
    }
  }
  const failedProvisioning = events.filter(e => e.reason === 'ProvisioningFailed').at(-1)
  if (!className) {
    // The PV controller's word: no volume matches and no class provisions one.
    const noClass = events.find(
      e => e.reason === 'FailedBinding' && /no storage class is set/i.test(e.message ?? '')
    )
    if (noClass || (className === undefined && s.classes && !s.classes.some(isDefaultClass))) {
      return fail(
        'it names no storageclass, the cluster has no default one, and no persistentvolume matches it',
        'nothing provisions a volume for a claim without a storage class'
      )
    }
    return {
      state: 'waiting',
      claim: name,
      message: `${what} is Pending, waiting for a matching persistentvolume${lastText}`
    }
  }
  if (!s.classes) return { state: 'waiting', claim: name, message: `${what} is Pending${lastText}` }
  const sc = s.classes.find(c => c.metadata.name === className)
  if (!sc) return fail(`storageclass "${className}" not found`, 'its storage class does not exist')
  if (failedProvisioning) {
    return fail(
      `provisioning failed: ${oneLine(failedProvisioning.message ?? '')}`,
      `the ProvisioningFailed event of ${failedProvisioning.source?.component ?? 'the provisioner'}`
    )
  }
  const provisioner = `provisioner "${sc.provisioner ?? '?'}" of storageclass "${className}"`
  const age = s.now - Date.parse(claim.metadata.creationTimestamp ?? '')
  const patience = s.patienceMs ?? PROVISION_PATIENCE_MS
  if (age >= patience) {
    return fail(
      `the ${provisioner} has not provisioned a volume for it in ${Math.round(age / 1000)} s${lastText}`,
      `the provisioner did not act within ${patience / 1000} s`
    )
  }
  return {
    state: 'waiting',
    claim: name,
    message: `${what} is Pending, waiting for the ${provisioner}${lastText}`
  }
}

export function isDefaultClass(c: StorageClass): boolean {
  const a = c.metadata.annotations ?? {}
  return a[DEFAULT_CLASS] === 'true' || a[BETA_DEFAULT_CLASS] === 'true'
}

/** The claim's own events (this uid, or its name when the event carries no uid), oldest first. */
function eventsOf(claim: PersistentVolumeClaim, events: readonly KubeEvent[]): KubeEvent[] {
  return events
    .filter(
      e =>
        e.involvedObject?.kind === 'PersistentVolumeClaim' &&
        e.involvedObject.name === claim.metadata.name &&
        (!e.involvedObject.uid || e.involvedObject.uid === claim.metadata.uid)
    )
    .sort((a, b) => eventTime(a) - eventTime(b))
}

/** For a timeout message: each claim of the pods still Pending, with its last event. */
export function pendingClaimLines(pods: readonly Pod[], s: StorageSnapshot): string[] {
  const seen = new Set<string>()
  const lines: string[] = []
  for (const name of pods.flatMap(claimNamesOf)) {
    if (seen.has(name)) continue
    seen.add(name)
    const claim = s.claims.get(name)
    if (!claim || claim.status?.phase === 'Bound') continue
    const last = eventsOf(claim, s.claimEvents).at(-1)
    const event = last ? `last event: ${last.reason}${suffix(last.message)}` : 'no event'
    lines.push(
      `persistentvolumeclaim "${name}" is still ${claim.status?.phase ?? 'Pending'} (${event})`
    )
  }
  return lines
}
