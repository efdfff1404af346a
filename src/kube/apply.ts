// The namespace and the server-side apply of the run's objects.

import { PhaseError } from '../errors.js'
import { KubePhase } from './errors.js'
import { sortForApply } from './manifests.js'
import { MANAGED_BY_LABEL } from './names.js'
import { isConflict, KubeApiError, Resources, type KubePort } from './port.js'
import type { KubeObject } from './types.js'

export interface EnsureNamespaceOptions {
  labels?: Record<string, string>
  annotations?: Record<string, string>
  /**
   * Called the moment this run has created the namespace, before anything else happens, so the
   * caller can save it for teardown. Never called for a namespace that already existed.
   */
  onCreated?: (name: string) => void
}

/** Creates the namespace unless it exists. `created` tells whether this run owns it. */
export async function ensureNamespace(
  kube: KubePort,
  name: string,
  options: EnsureNamespaceOptions = {}
): Promise<{ created: boolean }> {
  const existing = await kube.get<KubeObject>(Resources.Namespace, name)
  if (existing) {
    assertActive(existing, name)
    return { created: false }
  }
  try {
    await kube.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: { [MANAGED_BY_LABEL]: 'minikube-smoke', ...options.labels },
        annotations: options.annotations
      }
    })
  } catch (err) {
    if (isConflict(err)) {
      // Created by someone else between our read and create: theirs, not ours.
      const now = await kube.get<KubeObject>(Resources.Namespace, name)
      if (now) assertActive(now, name)
      return { created: false }
    }
    throw new PhaseError(KubePhase.deploy, `cannot create namespace "${name}": ${errorText(err)}`)
  }
  options.onCreated?.(name)
  return { created: true }
}

function assertActive(ns: KubeObject, name: string): void {
  const phase = (ns.status as { phase?: string } | undefined)?.phase
  if (phase === 'Terminating' || ns.metadata.deletionTimestamp) {
    throw new PhaseError(
      KubePhase.deploy,
      `namespace "${name}" is being deleted (Terminating): wait for it to go, or choose another namespace`
    )
  }
}

export interface AppliedObject {
  kind: string
  name: string
  /** The object as the server returned it. */
  object: KubeObject
}

/**
 * Server-side applies every object (force, one field manager), in dependency order, one at a time:
 * a Deployment must not start before the ConfigMap or Secret its pods read.
 */
export async function applyObjects(
  kube: KubePort,
  objects: readonly KubeObject[],
  fieldManager: string,
  log?: (message: string) => void
): Promise<AppliedObject[]> {
  const applied: AppliedObject[] = []
  for (const object of sortForApply(objects)) {
    const name = object.metadata.name ?? '?'
    const what = `${resourceName(object)}/${name}`
    let result: KubeObject
    try {
      result = await kube.apply(object, fieldManager)
    } catch (err) {
      const ns = object.metadata.namespace ? ` in namespace "${object.metadata.namespace}"` : ''
      const code = err instanceof KubeApiError && err.reason ? ` (${err.reason})` : ''
      throw new PhaseError(
        KubePhase.deploy,
        `error applying ${what}${ns}${code}: ${errorText(err)}`
      )
    }
    log?.(`${what} serverside-applied`)
    applied.push({ kind: object.kind, name, object: result })
  }
  return applied
}

/** kubectl's `deployment.apps` / `service` naming. */
function resourceName(o: KubeObject): string {
  const group = o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0]}` : ''
  return `${o.kind.toLowerCase()}${group}`
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
