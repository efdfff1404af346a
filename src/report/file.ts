import { mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { RunReport } from './types.js'

/**
 * Writes the report as pretty JSON (creating the directory), atomically: a reader never sees a
 * half-written file.
 */
export async function writeReportFile(path: string, report: RunReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(report, null, 2)}\n`, 'utf8')
  await rename(tmp, path)
}
