// What main records for the post step, saved the moment each resource exists so a main step that
// is killed or fails at any point still leaves the post step enough to clean up.

import type { StateStore } from './ports.js'
import type { PriorState } from './cluster/types.js'
import type { ImagesState } from './images/cleanup.js'
import type { TeardownMode } from './inputs.js'
import type { ObjectRecord } from './kube/index.js'
import type { ProcessRecord } from './ports.js'

export interface RunState {
  teardown: TeardownMode
  cluster?: {
    kind: 'minikube' | 'existing'
    minikube?: string
    profile?: string
    prior?: PriorState
    deleteCluster: boolean
  }
  /** The cluster main talked to: post talks to the same one, whatever the current context is then. */
  kube?: { context?: string; kubeconfig?: string }
  namespace?: { name: string; created: boolean }
  /**
   * The run's other namespaces, one per further namespace the manifests name (namespaces.ts),
   * each recorded before it is created; only ever ones this run creates, deleted whole.
   */
  otherNamespaces?: string[]
  /** Every object applied, and whether this run created it; teardown deletes only those. */
  objects?: ObjectRecord[]
  /** The value of the run label on everything the run applied. */
  runLabel?: string
  /** The run's Lease (other runs watch it to tell it alive): deleted by post whatever `teardown` says. */
  lease?: { namespace: string; name: string }
  /** Image tags this run made in a Docker engine, recorded before each build or tag. */
  images?: ImagesState
  /** Set only when main finished; absent means main failed or was killed. */
  result?: 'passed' | 'failed'
  /** Cache entries restored before `minikube start`; the post step saves those that missed. */
  caches?: Array<{ key: string; paths: string[]; hit: boolean }>
  /** A port-forward process main started and has not stopped yet (it stops it when it ends). */
  portForward?: ProcessRecord
}

const KEY = 'run'
const POST_FLAG = 'isPost'

export class StateRecorder {
  private current: RunState

  constructor(
    private readonly store: StateStore,
    teardown: TeardownMode
  ) {
    this.current = { teardown }
    this.flush()
  }

  update(patch: Partial<RunState>): void {
    this.current = { ...this.current, ...patch }
    this.flush()
  }

  get value(): RunState {
    return this.current
  }

  /** Records (or updates) one object, by kind, namespace and name. */
  recordObject(record: ObjectRecord): void {
    const key = (r: ObjectRecord) => `${r.apiVersion}/${r.kind}/${r.namespace ?? ''}/${r.name}`
    const objects = (this.current.objects ?? []).filter(r => key(r) !== key(record))
    this.update({ objects: [...objects, record] })
  }

  private flush(): void {
    this.store.save(KEY, JSON.stringify(this.current))
  }
}

/** The one bundle serves main and post: this flag, saved by main, tells the post invocation apart. */
export function markMainStarted(store: StateStore): void {
  store.save(POST_FLAG, 'true')
}

export function isPostStep(store: StateStore): boolean {
  return store.get(POST_FLAG) === 'true'
}

export function loadRunState(store: StateStore): RunState | undefined {
  const raw = store.get(KEY)
  if (raw === '') return undefined
  try {
    return JSON.parse(raw) as RunState
  } catch {
    return undefined
  }
}
