// Puts the run's images into pod specs: every container and init container whose image is one of
// the run's repositories (any tag, compared the way Docker does) gets the run's reference and the
// pull policy its delivery needs. No I/O: it rewrites the pod spec it is given, in place;
// prepare.ts calls it for every pod template.

import { InputError } from '../errors.js'
import { sameRepository } from '../kube/image-ref.js'
import type { PodSpec } from '../kube/types.js'

/**
 * How a rewritten container pulls:
 *   Never      the image is in the node's runtime already (docker-env, image-load);
 *   undefined  as the manifest says (prebuilt images);
 *   pull       as the manifest says, except that `Never` becomes `IfNotPresent` (registry: a
 *              freshly pushed tag is never on the node before, so `Never` could only fail).
 */
export type PullPolicyRule = 'Never' | 'pull' | undefined

export interface RunImage {
  /** The repository manifests name, e.g. `api` (any tag matches). */
  repository: string
  /** What containers run instead, e.g. `api:abc1234-42-1-k3y0a` or `localhost:5000/api:…`. */
  ref: string
  pullPolicy?: PullPolicyRule
  /** Other repositories that mean this image (e.g. renamed by a kustomize `images:` entry). */
  aliases?: string[]
}

export interface Substitution {
  /** Repositories of `images` that some container of this pod spec uses. */
  used: Set<string>
  /** One line per `Never` turned into `IfNotPresent`. */
  notes: string[]
}

export function substituteImages(spec: PodSpec, images: readonly RunImage[]): Substitution {
  const used = new Set<string>()
  const notes: string[] = []
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    if (!c.image) continue
    const image = images.find(i =>
      [i.repository, ...(i.aliases ?? [])].some(r => sameRepository(c.image!, r))
    )
    if (!image) continue
    c.image = image.ref
    used.add(image.repository)
    if (image.pullPolicy === 'Never') c.imagePullPolicy = 'Never'
    else if (image.pullPolicy === 'pull' && c.imagePullPolicy === 'Never') {
      c.imagePullPolicy = 'IfNotPresent'
      notes.push(
        `container "${c.name}": imagePullPolicy Never replaced by IfNotPresent, so the node pulls ${image.ref} from the registry`
      )
    }
  }
  return { used, notes }
}

/** Every image of the run must run somewhere; one that no container uses is a mistake. */
export function checkEveryImageUsed(images: readonly RunImage[], used: ReadonlySet<string>): void {
  const unused = images.filter(i => !used.has(i.repository))
  if (unused.length === 0) return
  const names = unused.map(i => `"${i.repository}"`).join(', ')
  throw new InputError(
    'manifests',
    `must use every image of the run: no container has the image ${names} (any tag)`
  )
}
