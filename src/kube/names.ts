// Names, labels and annotations the action puts on what it creates.

export const FIELD_MANAGER = 'minikube-smoke'
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by'
const PREFIX = 'minikube-smoke'
export const RUN_LABEL = `${PREFIX}/run`

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

/** RFC 1123 label: what namespace, Service and container names must be. */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value)
}

/** Lowercases and replaces what RFC 1123 forbids; trims to 63 characters. */
export function toDns1123Label(value: string): string {
  const label = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '')
  return label || 'x'
}

export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value)
}

export interface RunFacts {
  repository: string
  runId: string
  runAttempt: string
  sha: string
  /** Per use of the action (see inputs.ts RunFacts.key). */
  key: string
}

/** Labels (selectable, so only label-safe values) and annotations (free text) for every object. */
export function runMetadata(run: RunFacts): {
  labels: Record<string, string>
  annotations: Record<string, string>
} {
  const labels: Record<string, string> = { [MANAGED_BY_LABEL]: PREFIX }
  // Every object of the run carries it: what the watches select on and teardown checks.
  labels[RUN_LABEL] = toDns1123Label(runKey(run))
  if (isLabelValue(run.sha) && run.sha) labels[`${PREFIX}/sha`] = run.sha
  const annotations: Record<string, string> = {}
  if (run.repository) annotations[`${PREFIX}/repository`] = run.repository
  if (run.runId) annotations[`${PREFIX}/run-id`] = run.runId
  if (run.runAttempt) annotations[`${PREFIX}/run-attempt`] = run.runAttempt
  if (run.sha) annotations[`${PREFIX}/sha`] = run.sha
  return { labels, annotations }
}

/** The pod-template annotation the update check changes to force a second rollout. */
export const RESTARTED_AT_ANNOTATION = `${PREFIX}/restartedAt`

/** `<run>-<attempt>-<key>` on GitHub, `local-<key>` elsewhere: unique per use of the action. */
export function runKey(run: Pick<RunFacts, 'runId' | 'runAttempt' | 'key'>): string {
  const runPart = run.runId !== '' ? `${run.runId}-${run.runAttempt || '1'}` : 'local'
  return `${runPart}-${run.key}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

/** A new random key for RunFacts.key: 5 lowercase letters and digits. */
export function newRunKey(random: (n: number) => Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  return [...random(5)].map(b => alphabet[b % alphabet.length]).join('')
}
