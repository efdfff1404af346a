// A directory with a size budget: every file goes through redaction, then is written whole, cut,
// or left out once the budget is spent — and every cut is recorded, for the bundle to say.

import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { cutToBytes } from '../report/summary.js'

export interface WrittenFile {
  /** Relative to the directory, with `/`. */
  path: string
  bytes: number
}

export class BoundedDirectory {
  readonly files: WrittenFile[] = []
  /** One line per file cut or left out. */
  readonly cuts: string[] = []
  private used = 0

  constructor(
    readonly dir: string,
    private readonly budgetBytes: number,
    private readonly redact: (text: string) => string,
    /** Kept back for the files written last (the index, the note on cuts). */
    private readonly reserveBytes = 64 * 1024
  ) {}

  get bytes(): number {
    return this.used
  }

  /**
   * Writes text (redacted) under relPath. Past the budget it is cut — keeping the end for logs
   * (`keep: 'tail'`), where a failure is explained — or left out when little room is left.
   */
  async write(
    relPath: string,
    text: string,
    options: { keep?: 'head' | 'tail'; final?: boolean } = {}
  ): Promise<void> {
    const path = safePath(relPath)
    let content = this.redact(text)
    const size = Buffer.byteLength(content)
    const room = this.budgetBytes - this.used - (options.final ? 0 : this.reserveBytes)
    if (size > room) {
      if (room < 4096) {
        this.cuts.push(
          `${path}: left out (${size} bytes; the ${mb(this.budgetBytes)} bound was reached)`
        )
        return
      }
      const note = `\n… [minikube-smoke: cut to fit the ${mb(this.budgetBytes)} bundle bound: ${size} bytes in all] …\n`
      const keep = room - Buffer.byteLength(note)
      content =
        options.keep === 'tail'
          ? `${note}${tailBytes(content, keep)}`
          : `${cutToBytes(content, keep)}${note}`
      this.cuts.push(
        `${path}: cut to ${Buffer.byteLength(content)} of ${size} bytes (${options.keep === 'tail' ? 'the end kept' : 'the beginning kept'})`
      )
    }
    const file = join(this.dir, ...path.split('/'))
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, content, 'utf8')
    const bytes = Buffer.byteLength(content)
    this.used += bytes
    this.files.push({ path, bytes })
  }
}

/** A relative path of safe names: what Kubernetes allows in names is kept, anything else is `_`. */
export function safePath(relPath: string): string {
  return relPath
    .split('/')
    .filter(p => p !== '' && p !== '.' && p !== '..')
    .map(p => p.replace(/[^A-Za-z0-9._-]/g, '_'))
    .join('/')
}

function tailBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8')
  if (bytes.length <= max) return text
  let start = bytes.length - max
  while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++
  return bytes.subarray(start).toString('utf8')
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${Math.round(bytes / 1024 / 1024)} MB`
    : `${Math.round(bytes / 1024)} KB`
}
