// The per-object record main keeps for the post step: one JSON line per record, appended to a
// file under RUNNER_TEMP (it lives for the whole job) before each object is written. State only
// says where the file is, so what the runner hands to post stays a few KiB whatever the app (a
// saved value over 128 KiB cannot even be passed to the post step: E2BIG).

import { appendFileSync, readFileSync } from 'node:fs'
import type { ObjectRecord } from './kube/index.js'

/** The file side of the journal; unit tests pass an in-memory one. */
export interface JournalFiles {
  /** Appends synchronously: once it returns, the line survives the process being killed. */
  append(path: string, text: string): void
  /** The file's text; undefined when it does not exist. */
  read(path: string): string | undefined
}

export const systemJournalFiles: JournalFiles = {
  append: (path, text) => appendFileSync(path, text, { mode: 0o600 }),
  read: path => {
    try {
      return readFileSync(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }
}

export interface ObjectJournal {
  path: string
  files: JournalFiles
}

export function appendRecord(journal: ObjectJournal, record: ObjectRecord): void {
  journal.files.append(journal.path, `${JSON.stringify(record)}\n`)
}

const keyOf = (r: ObjectRecord) => `${r.apiVersion}/${r.kind}/${r.namespace ?? ''}/${r.name}`

export interface JournalContents {
  /** The last record of each object, in the order of those last records. */
  objects: ObjectRecord[]
  /** Lines that were not a record: a last line cut short when main was killed mid-write. */
  skipped: number
}

/** Reads the records back; a line that does not parse (a truncated last write) is skipped. */
export function parseJournal(text: string): JournalContents {
  const latest = new Map<string, ObjectRecord>()
  let skipped = 0
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    let record: ObjectRecord
    try {
      record = JSON.parse(line) as ObjectRecord
    } catch {
      skipped++
      continue
    }
    if (!isRecord(record)) {
      skipped++
      continue
    }
    const key = keyOf(record)
    latest.delete(key) // re-inserted: the order is that of each object's last record
    latest.set(key, record)
  }
  return { objects: [...latest.values()], skipped }
}

function isRecord(r: unknown): r is ObjectRecord {
  const o = r as Partial<ObjectRecord> | null
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.apiVersion === 'string' &&
    typeof o.kind === 'string' &&
    typeof o.plural === 'string' &&
    typeof o.name === 'string' &&
    typeof o.namespaced === 'boolean' &&
    (o.created === true || o.created === false || o.created === 'pending')
  )
}
