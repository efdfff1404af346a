// Checks that need the file system but start nothing: the build contexts, the Dockerfiles and the
// manifests exist inside the workspace and parse. Runs right after input validation, so a typo in
// a path fails in milliseconds, not after minikube has started.

import { InputError } from './errors.js'
import type { Config } from './inputs.js'
import { resolveImageSources, type ImageSource } from './images/index.js'
import {
  generateManifests,
  loadManifests,
  resolveManifestPaths,
  type KubeObject
} from './kube/index.js'

export interface Preflight {
  /** Per image of config.images (undefined for a prebuilt one). */
  sources: Array<ImageSource | undefined>
  /** The manifests to deploy before image substitution; generated when none were given. */
  objects: KubeObject[]
  manifestFiles: string[]
  generated: boolean
}

export function preflight(config: Config, imageRef: string): Preflight {
  const workspace = config.run.workspace
  const sources = resolveImageSources(workspace, config.images.images)
  const manifestFiles = resolveManifestPaths(workspace, config.deploy.manifests)
  const generated = manifestFiles.length === 0
  if (generated && config.images.images.length > 1) {
    throw new InputError(
      'manifests',
      "must be given when 'images' lists several images: the generated Deployment runs one image"
    )
  }
  const objects = generated
    ? generateManifests({
        name: config.images.images[0].name.split('/').pop()!,
        image: imageRef,
        containerPort: config.deploy.containerPort,
        replicas: config.deploy.replicas ?? 1,
        smokePath: config.smoke.checks[0].path.split('?')[0]
      })
    : loadManifests(manifestFiles, workspace)
  return { sources, objects, manifestFiles, generated }
}
