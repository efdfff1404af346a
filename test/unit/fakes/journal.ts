// In-memory journal files: what main appends, post reads back.

import type { JournalFiles } from '../../../src/object-journal.js'

export class MemoryJournalFiles implements JournalFiles {
  readonly texts = new Map<string, string>()
  /** Bytes appended, over all files. */
  appended = 0

  append(path: string, text: string): void {
    this.texts.set(path, (this.texts.get(path) ?? '') + text)
    this.appended += Buffer.byteLength(text)
  }

  read(path: string): string | undefined {
    return this.texts.get(path)
  }
}
