// Files a check names (`ca`), read before anything starts: inside the workspace only, symlinks
// followed, so an input cannot make the action read (and echo in errors) files elsewhere.

import { readFileSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { InputError } from '../errors.js'
import type { SmokeCheck } from './types.js'

/** The checks with each `ca` file's PEM text loaded. Throws InputError naming the check. */
export function loadCheckFiles(checks: readonly SmokeCheck[], workspace: string): SmokeCheck[] {
  return checks.map((check, i) => {
    const file = check.tls?.caFile
    if (file === undefined) return check
    return { ...check, tls: { ...check.tls!, caPem: readCa(file, workspace, i + 1) } }
  })
}

function readCa(file: string, workspace: string, n: number): string {
  const fail = (problem: string): never => {
    throw new InputError('smoke-checks', `check ${n}: 'ca' ${problem}`, file)
  }
  const root = realpathSync(workspace)
  let real = ''
  try {
    real = realpathSync(path.resolve(root, file))
  } catch {
    fail('must be a file inside the workspace: it does not exist')
  }
  const rel = path.relative(root, real)
  if (rel.startsWith('..') || path.isAbsolute(rel)) fail('must be a file inside the workspace')
  if (!statSync(real).isFile()) fail('must be a file (a PEM certificate), not a directory')
  const text = readFileSync(real, 'utf8')
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    fail('must be a PEM file with at least one "-----BEGIN CERTIFICATE-----" block')
  }
  return text
}
