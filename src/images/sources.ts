// Where each image is built from, checked on disk before anything starts: the context is a
// directory and the Dockerfile a file, both inside the workspace with symlinks followed.

import { existsSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { InputError } from '../errors.js'
import type { ImageSpec } from './config.js'

export interface ImageSource {
  /** Absolute, symlinks resolved. */
  contextDir: string
  dockerfile: string
}

/** One per image, in order; prebuilt images have nothing to resolve (undefined). */
export function resolveImageSources(
  workspace: string,
  images: readonly ImageSpec[]
): Array<ImageSource | undefined> {
  return images.map(image => {
    if (image.ref !== '') return undefined
    // The shorthand's inputs are named as they are; a list item by its place and name.
    const naming = (field: 'context' | 'dockerfile'): [string, string] =>
      image.origin === 'image'
        ? [field, '']
        : ['images', `${image.origin.slice('images '.length)} (${image.name}) ${field} `]
    const [contextInput, contextLabel] = naming('context')
    const contextDir = insideWorkspace(workspace, image.context, contextInput, contextLabel)
    if (!statSync(contextDir).isDirectory()) {
      throw new InputError(contextInput, `${contextLabel}must be a directory`, image.context)
    }
    const [fileInput, fileLabel] =
      image.dockerfile === '' ? [contextInput, contextLabel] : naming('dockerfile')
    const dockerfile =
      image.dockerfile === ''
        ? join(contextDir, 'Dockerfile')
        : insideWorkspace(workspace, image.dockerfile, fileInput, fileLabel)
    if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
      throw new InputError(
        fileInput,
        `${fileLabel}must point at a Dockerfile: ${relative(realpathSync(workspace), dockerfile)} does not exist`
      )
    }
    return { contextDir, dockerfile }
  })
}

/** Resolves a path the user gave and refuses one that leaves the workspace (symlinks followed). */
function insideWorkspace(workspace: string, given: string, input: string, label: string): string {
  const root = realpathSync(workspace)
  const full = resolve(root, given)
  if (!existsSync(full)) {
    throw new InputError(
      input,
      `${label}must be a path inside the workspace: ${given} does not exist`
    )
  }
  const real = realpathSync(full)
  const rel = relative(root, real)
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new InputError(input, `${label}must be a path inside the workspace`, given)
  }
  return real
}
