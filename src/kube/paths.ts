// Confines the `manifests` input to the workspace: a workflow input must not be able to make the
// action read (and print in errors) files elsewhere on the runner.

import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { InputError } from '../errors.js'

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json']
/** The names kustomize looks for in a directory (sigs.k8s.io/kustomize konfig). */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']

export type ManifestSource =
  | { kind: 'file'; path: string }
  /** A directory with a kustomization: rendered with `kubectl kustomize`. */
  | { kind: 'kustomize'; dir: string; entry: string }

/**
 * Resolves the `manifests` input entries (files or directories, relative to the workspace), in
 * order: each file as given; a directory holding a kustomization as one kustomize source; any
 * other directory as its .yaml/.yml/.json files sorted by name (not recursive, like `kubectl
 * apply -f DIR`). Throws InputError when an entry is missing, empty, or resolves outside the
 * workspace, symlinks included.
 */
export function resolveManifestPaths(
  workspace: string,
  inputs: readonly string[]
): ManifestSource[] {
  const root = realpathSync(workspace)
  const files: ManifestSource[] = []
  for (const input of inputs) {
    const entry = input.trim()
    if (entry === '') continue
    const lexical = path.resolve(root, entry)
    if (!isInside(root, lexical)) {
      throw new InputError('manifests', `must name paths inside the workspace (${root})`, entry)
    }
    let real: string
    try {
      real = realpathSync(lexical)
    } catch {
      throw new InputError('manifests', 'names a path that does not exist', entry)
    }
    if (!isInside(root, real)) {
      throw new InputError(
        'manifests',
        `must name paths inside the workspace (${root}); it is a symlink that leaves it`,
        entry
      )
    }
    if (statSync(real).isDirectory()) {
      if (KUSTOMIZATION_FILES.some(f => existsSync(path.join(real, f)))) {
        files.push({ kind: 'kustomize', dir: real, entry })
        continue
      }
      const found = manifestFilesIn(root, real, entry)
      if (found.length === 0) {
        throw new InputError(
          'manifests',
          'names a directory with no .yaml, .yml or .json file and no kustomization',
          entry
        )
      }
      files.push(...found.map(f => ({ kind: 'file' as const, path: f })))
    } else {
      files.push({ kind: 'file', path: real })
    }
  }
  const seen = new Set<string>()
  return files.filter(f => {
    const key = f.kind === 'file' ? f.path : `${f.dir}/`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

function manifestFilesIn(root: string, dir: string, entry: string): string[] {
  const files: string[] = []
  for (const name of readdirSync(dir).sort()) {
    if (!MANIFEST_EXTENSIONS.includes(path.extname(name).toLowerCase())) continue
    let real: string
    try {
      real = realpathSync(path.join(dir, name))
    } catch {
      throw new InputError('manifests', `has a broken symlink ${name}`, entry)
    }
    if (!isInside(root, real)) {
      throw new InputError(
        'manifests',
        `must name paths inside the workspace (${root}); ${name} is a symlink that leaves it`,
        entry
      )
    }
    if (statSync(real).isFile()) files.push(real)
  }
  return files
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate)
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel)
}
