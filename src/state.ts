// What main records for the post step, saved the moment each resource exists so a main step that
// is killed or fails at any point still leaves the post step enough to clean up. The per-object
// record goes to a journal file (object-journal.ts); state holds only its path, so it stays small.

import type { StateStore } from './effects.js'
import type { PriorState } from './cluster/types.js'
import type { ImagesState } from './images/cleanup.js'
import type { ClusterKind, TeardownMode } from './inputs.js'
import type { ObjectRecord } from './kube/index.js'
import type { ProcessRecord } from './effects.js'
import {
  appendRecord,
  parseJournal,
  type JournalFiles,
  type ObjectJournal
} from './object-journal.js'

export interface RunState {
  teardown: TeardownMode
  cluster?: {
    kind: ClusterKind
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
  /**
   * Every object applied, and whether this run created it; teardown deletes only those. Never
   * saved in state: loadRunState reads it back from the journal file at `objectsFile`.
   */
  objects?: ObjectRecord[]
  /** The journal of object records (JSON lines), saved before its first line is written. */
  objectsFile?: string
  /** The value of the run label on everything the run applied. */
  runLabel?: string
  /** The run's Lease (other runs watch it to tell it alive): deleted by post whatever `teardown` says. */
  lease?: { namespace: string; name: string }
  /** Image tags this run makes in a Docker engine: all recorded before the first build. */
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
    teardown: TeardownMode,
    private readonly journal?: ObjectJournal
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

  /**
   * Records (or updates) one object, by kind, namespace and name: one line appended to the
   * journal (the last line of an object wins). State changes only once, to say where it is.
   */
  recordObject(record: ObjectRecord): void {
    if (!this.journal) throw new Error('StateRecorder: no object journal to record objects in')
    if (this.current.objectsFile !== this.journal.path) {
      this.update({ objectsFile: this.journal.path })
    }
    appendRecord(this.journal, record)
  }

  private flush(): void {
    this.store.save(KEY, JSON.stringify(this.current))
  }
}

/** The one bundle serves main and post: this flag, saved by main, tells the post invocation apart. */
export function markMainStarted(store: StateStore): void {
  store.save(POST_FLAG, 'true')
}

export function isPostStep(store: Pick<StateStore, 'get'>): boolean {
  return store.get(POST_FLAG) === 'true'
}

/**
 * What main saved, with the object records read back from its journal. `warn` hears about a
 * journal that is gone or has lines that did not parse (a write cut short by a kill).
 */
export function loadRunState(
  store: StateStore,
  files?: JournalFiles,
  warn: (line: string) => void = () => undefined
): RunState | undefined {
  const raw = store.get(KEY)
  if (raw === '') return undefined
  let state: RunState
  try {
    state = JSON.parse(raw) as RunState
  } catch {
    return undefined
  }
  if (state.objectsFile && files) {
    const text = files.read(state.objectsFile)
    if (text === undefined) {
      warn(`the object record ${state.objectsFile} is gone: only the namespace can be cleaned up`)
    } else {
      const { objects, skipped } = parseJournal(text)
      if (skipped)
        warn(`${skipped} unreadable line(s) in ${state.objectsFile} skipped (a write cut short)`)
      state.objects = objects
    }
  }
  return state
}
