// Teardown of the run's images: the tags it made in the Docker engine it built into, when that
// engine outlives the run. Pushed tags stay in the registry (the action never deletes there).

import type { ClusterTeardownAction } from '../cluster/minikube.js'
import type { CommandRunner, Logger } from '../effects.js'
import { lastLine } from './docker.js'

/** Saved in state before the first build, so a killed step is still cleaned up. */
export interface ImagesState {
  docker: string
  /** The engine the tags are in: {} for the runner's, else minikube's docker-env. */
  dockerEnv: Record<string, string>
  /** True when that engine is minikube's own, which goes when the cluster is deleted. */
  inCluster: boolean
  /** Tags made by this run (built, or tagged for a push). */
  tags: string[]
  /** References pushed to a registry: left there. */
  pushed: string[]
}

/** What teardown does with them, given what happens to the cluster. */
export function imagesTeardownAction(
  images: ImagesState,
  cluster: ClusterTeardownAction
): 'remove' | 'with-cluster' {
  return images.inCluster && cluster === 'delete' ? 'with-cluster' : 'remove'
}

/** The command that would remove them, for "kept; to remove it by hand: …". */
export function manualRemoval(images: ImagesState): string {
  return images.tags.length ? `docker image rm ${images.tags.join(' ')}` : ''
}

/**
 * Removes each tag (`--force` only untags: an image still used by a stopping pod's container
 * stays until that container is gone, and no other tag is touched). A tag already gone is fine.
 */
export async function removeImageTags(
  runner: CommandRunner,
  log: Logger,
  images: ImagesState
): Promise<{ removed: string[]; problems: string[] }> {
  const removed: string[] = []
  const problems: string[] = []
  await Promise.all(
    images.tags.map(async tag => {
      const r = await runner.run(images.docker, ['image', 'rm', '--force', tag], {
        env: images.dockerEnv,
        timeoutMs: 60_000
      })
      const out = `${r.stderr}\n${r.stdout}`
      if (r.exitCode === 0) removed.push(`image ${tag}`)
      else if (/no such image/i.test(out)) log.info(`image ${tag} was already gone`)
      else
        problems.push(`docker image rm ${tag} failed (exit code ${r.exitCode}): ${lastLine(out)}`)
    })
  )
  if (images.pushed.length > 0) {
    log.info(
      `pushed images stay in the registry (the action never deletes there): ${images.pushed.join(', ')}`
    )
  }
  return { removed, problems }
}
