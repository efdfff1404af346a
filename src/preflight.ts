// Checks that need the file system but start nothing: the build context, the Dockerfile and the
// manifests exist inside the workspace and parse. Runs right after input validation, so a typo in
// a path fails in milliseconds, not after minikube has started.

import { existsSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { InputError } from './errors.js'
import type { Config } from './inputs.js'
import {
  generateManifests,
  loadManifests,
  resolveManifestPaths,
  type KubeObject
} from './kube/index.js'

export interface Preflight {
  contextDir: string
  dockerfile: string
  /** The manifests to deploy before image substitution; generated when none were given. */
  objects: KubeObject[]
  manifestFiles: string[]
  generated: boolean
}

export function preflight(config: Config, imageRef: string): Preflight {
  const workspace = config.run.workspace
  const contextDir = insideWorkspace(workspace, config.build.context, 'context')
  if (!statSync(contextDir).isDirectory()) {
    throw new InputError('context', 'must be a directory', config.build.context)
  }
  const dockerfile =
    config.build.dockerfile === ''
      ? join(contextDir, 'Dockerfile')
      : insideWorkspace(workspace, config.build.dockerfile, 'dockerfile')
  if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
    throw new InputError(
      config.build.dockerfile === '' ? 'context' : 'dockerfile',
      `must point at a Dockerfile: ${relative(workspace, dockerfile)} does not exist`
    )
  }
  const manifestFiles = resolveManifestPaths(workspace, config.deploy.manifests)
  const generated = manifestFiles.length === 0
  const objects = generated
    ? generateManifests({
        name: config.build.image.split('/').pop()!,
        image: imageRef,
        containerPort: config.deploy.containerPort,
        replicas: config.deploy.replicas ?? 1,
        smokePath: config.smoke.checks[0].path.split('?')[0]
      })
    : loadManifests(manifestFiles, workspace)
  return { contextDir, dockerfile, objects, manifestFiles, generated }
}

/** Resolves a path the user gave and refuses one that leaves the workspace (symlinks followed). */
function insideWorkspace(workspace: string, given: string, input: string): string {
  const root = realpathSync(workspace)
  const full = resolve(root, given)
  if (!existsSync(full)) {
    throw new InputError(input, `must be a path inside the workspace: ${given} does not exist`)
  }
  const real = realpathSync(full)
  const rel = relative(root, real)
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new InputError(input, 'must be a path inside the workspace', given)
  }
  return real
}
