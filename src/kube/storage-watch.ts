// What the wait needs to judge unbound claims (status/storage.ts): the namespace's claims, the
// cluster's StorageClasses and the events about claims, kept current by watching. Claims are
// watched without the run's label: a StatefulSet's claims carry only its selector's labels, and
// the rule reads just the claims the run's pods mount. A watch the credentials may not read
// (StorageClasses are cluster-scoped) leaves that part unknown, which only means "keep waiting".

import { Resources } from './kinds.js'
import { listWatch, type ListWatchLoop, type ListWatchOptions } from './list-watch.js'
import type { KubePort, ResourceType } from './api.js'
import type { StorageSnapshot } from './status/storage.js'
import type { KubeEvent, KubeObject, PersistentVolumeClaim, StorageClass } from './types.js'

const STORAGE_CLASS: ResourceType = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  plural: 'storageclasses',
  namespaced: false
}
const CLAIM: ResourceType = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  namespaced: true
}

export interface StorageWatch {
  loops: ListWatchLoop[]
  /** What is known of one namespace's claims (a run may span several namespaces). */
  snapshot(now: number, namespace: string | undefined): StorageSnapshot
}

export function watchStorage(
  kube: KubePort,
  /** Undefined: every namespace (a run whose manifests name several). */
  namespace: string | undefined,
  onChange: () => void,
  options: ListWatchOptions
): StorageWatch {
  const claims = new Map<string, PersistentVolumeClaim>()
  const classes = new Map<string, StorageClass>()
  let classesListed = false
  const events = new Map<string, KubeEvent>()
  // Keyed by namespace and name: the same claim name may stand in two namespaces of one run.
  const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`
  const keep = <T extends KubeObject>(into: Map<string, T>, onList?: () => void) => ({
    onList: (items: T[]) => {
      into.clear()
      for (const o of items) into.set(key(o), o)
      onList?.()
      onChange()
    },
    onEvent: (type: string, o: T) => {
      if (type === 'DELETED') into.delete(key(o))
      else into.set(key(o), o)
      onChange()
    }
  })
  const inNamespace = <T extends KubeObject>(ns: string | undefined, items: Iterable<T>) =>
    [...items].filter(o => ns === undefined || o.metadata.namespace === ns)
  const loops = [
    listWatch<PersistentVolumeClaim>(kube, CLAIM, { namespace }, keep(claims), options),
    listWatch<StorageClass>(
      kube,
      STORAGE_CLASS,
      {},
      keep(classes, () => (classesListed = true)),
      options
    ),
    listWatch<KubeEvent>(
      kube,
      Resources.Event,
      { namespace, fieldSelector: 'involvedObject.kind=PersistentVolumeClaim' },
      keep(events),
      options
    )
  ]
  return {
    loops,
    snapshot: (now, ns) => ({
      claims: new Map(inNamespace(ns, claims.values()).map(c => [c.metadata.name!, c])),
      classes: classesListed ? [...classes.values()] : undefined,
      claimEvents: inNamespace(ns, events.values()),
      now
    })
  }
}
