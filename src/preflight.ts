// Checks that need the file system but start nothing: the build context, the Dockerfile and the
// manifests exist inside the workspace and parse (kustomizations are rendered). Runs right after
// input validation, so a typo in a path fails in a second, not after minikube has started.

import { existsSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { InputError } from './errors.js'
import type { Config } from './inputs.js'
import type { CommandRunner } from './ports.js'
import {
  checkManifestSet,
  DEFAULT_CONTAINER_PORT,
  generateManifests,
  imageRenames,
  loadManifestFiles,
  renderKustomization,
  resolveManifestPaths,
  type KubeObject
} from './kube/index.js'

export interface Preflight {
  contextDir: string
  dockerfile: string
  /** The manifests to deploy before image substitution; generated when none were given. */
  objects: KubeObject[]
  generated: boolean
  /** Repositories a kustomize `images:` entry renames the built image to. */
  imageAliases: string[]
}

export interface PreflightDeps {
  runner: CommandRunner
  kubectl: string
}

export async function preflight(
  config: Config,
  imageRef: string,
  deps: PreflightDeps
): Promise<Preflight> {
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
  const sources = resolveManifestPaths(workspace, config.deploy.manifests)
  if (sources.length === 0) {
    const objects = generateManifests({
      name: config.build.image.split('/').pop()!,
      image: imageRef,
      containerPort: config.deploy.containerPort ?? DEFAULT_CONTAINER_PORT,
      replicas: config.deploy.replicas ?? 1,
      smokePath: config.smoke.checks[0].path.split('?')[0]
    })
    return { contextDir, dockerfile, objects, generated: true, imageAliases: [] }
  }
  // Every file's problems at once; then each kustomization (apply order comes from the kinds).
  const files = sources.flatMap(s => (s.kind === 'file' ? [s.path] : []))
  const objects: KubeObject[] = files.length ? loadManifestFiles(files, workspace) : []
  const aliases = new Set<string>()
  for (const source of sources) {
    if (source.kind !== 'kustomize') continue
    objects.push(
      ...(await renderKustomization(deps.runner, deps.kubectl, source.dir, source.entry))
    )
    for (const names of imageRenames(source.dir, workspace, [config.build.image]).values()) {
      for (const n of names) aliases.add(n)
    }
  }
  checkManifestSet(objects)
  return { contextDir, dockerfile, objects, generated: false, imageAliases: [...aliases] }
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
