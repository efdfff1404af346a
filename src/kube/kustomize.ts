// kustomize overlays: rendered with `kubectl kustomize DIR` (argv, no shell; kubectl carries
// kustomize), the output parsed like any manifest file. Generated names (configMapGenerator's
// hash suffixes) stay as kustomize made them. The run's images are still substituted when an
// overlay renames them with `images:`: the renames are read from the kustomizations, so the
// rendered name is known to be the built image.

import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { load } from 'js-yaml'
import { InputError } from '../errors.js'
import type { CommandRunner } from '../effects.js'
import { normalizeRepository } from './image-ref.js'
import { parseManifests } from './manifests.js'
import { KUSTOMIZATION_FILES } from './paths.js'
import type { KubeObject } from './types.js'

const RENDER_TIMEOUT_MS = 120_000

/** Renders one kustomization directory; a failure is one line with kustomize's own message. */
export async function renderKustomization(
  runner: CommandRunner,
  kubectl: string,
  dir: string,
  entry: string
): Promise<KubeObject[]> {
  const r = await runner.run(kubectl, ['kustomize', dir], { timeoutMs: RENDER_TIMEOUT_MS })
  if (r.exitCode === 127) {
    throw new InputError(
      'manifests',
      `names a kustomization (${entry}): rendering it needs kubectl on PATH (${r.stderr.trim()})`
    )
  }
  if (r.timedOut || r.exitCode !== 0) {
    const why = r.timedOut
      ? `did not finish within ${RENDER_TIMEOUT_MS / 1000} s`
      : kustomizeMessage(
          r.stderr
            .trim()
            .split('\n')
            .find(l => l.trim() !== '') ?? `exit code ${r.exitCode}`
        )
    throw new InputError(
      'manifests',
      `names a kustomization that does not build (${entry}): ${why}`
    )
  }
  return parseManifests(r.stdout, `${entry} (kustomize)`)
}

/**
 * kustomize's own message. kubectl 1.2x prints it as a klog line,
 * `E1202 07:25:21.026924   12491 run.go:72] "command failed" err="accumulating resources: …"`:
 * the message is the quoted `err` value. Older kubectl prints `error: …`, kept as it is.
 */
export function kustomizeMessage(line: string): string {
  const m = /^[EWIF]\d{4} [\d:.]+\s+\d+ \S+\] "command failed" err="(.*)"$/.exec(line.trim())
  if (!m) return line.trim()
  try {
    return JSON.parse(`"${m[1]}"`) as string
  } catch {
    return m[1]
  }
}

interface ImageRename {
  name: string
  newName?: string
}

/**
 * Every repository an image of `repositories` is renamed to by the `images:` of the
 * kustomizations under `dir` (its resources, bases and components that are local directories
 * inside the workspace), followed through chains of renames.
 */
export function imageRenames(
  dir: string,
  workspace: string,
  repositories: readonly string[]
): Map<string, string[]> {
  const renames: ImageRename[] = []
  collect(dir, realpathSync(workspace), new Set(), renames)
  const result = new Map<string, string[]>()
  for (const repo of repositories) {
    const names = new Set([normalizeRepository(repo)])
    const found: string[] = []
    for (let changed = true; changed;) {
      changed = false
      for (const r of renames) {
        if (!r.newName || !names.has(normalizeRepository(r.name))) continue
        const next = normalizeRepository(r.newName)
        if (names.has(next)) continue
        names.add(next)
        found.push(r.newName)
        changed = true
      }
    }
    if (found.length) result.set(repo, found)
  }
  return result
}

function collect(dir: string, root: string, seen: Set<string>, out: ImageRename[]): void {
  if (seen.has(dir) || seen.size > 100) return
  seen.add(dir)
  const file = KUSTOMIZATION_FILES.map(f => path.join(dir, f)).find(f => existsSync(f))
  if (!file) return
  let doc: Record<string, unknown> | undefined
  try {
    doc = load(readFileSync(file, 'utf8')) as Record<string, unknown> | undefined
  } catch {
    return // kustomize itself reports a broken kustomization
  }
  for (const image of asArray(doc?.images)) {
    const i = image as Record<string, unknown>
    if (typeof i?.name === 'string') {
      out.push({ name: i.name, newName: typeof i.newName === 'string' ? i.newName : undefined })
    }
  }
  for (const ref of [
    ...asArray(doc?.resources),
    ...asArray(doc?.bases),
    ...asArray(doc?.components)
  ]) {
    if (typeof ref !== 'string' || /^[a-z]+:\/\/|^git@|\?ref=/.test(ref)) continue
    let next: string
    try {
      next = realpathSync(path.resolve(dir, ref))
    } catch {
      continue
    }
    const rel = path.relative(root, next)
    if (rel.startsWith('..') || path.isAbsolute(rel) || !statSync(next).isDirectory()) continue
    collect(next, root, seen, out)
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}
