// Uploads the bundle as a workflow artifact, named per job and per use of the action so matrix jobs
// and two uses in one job never collide. Where there is no artifact service (a local run, GHES
// without it) or the upload fails, the directory stays and the log says where.

import { errorMessage } from '../errors.js'
import type { Logger } from '../effects.js'
import type { Bundle } from './bundle.js'

export type UploadMode = 'on-failure' | 'always' | 'never'

/** The artifact service (@actions/artifact in production, loaded only when uploading). */
export interface ArtifactPort {
  /** Why there is no artifact service here; undefined when there is one. */
  unavailable(): string | undefined
  upload(
    name: string,
    files: string[],
    rootDirectory: string
  ): Promise<{ id?: number; size?: number }>
}

export interface UploadedArtifact {
  name: string
  id?: number
  /** The artifact's page, when the id is known. */
  url?: string
  bytes?: number
}

export interface UploadOutcome {
  artifact?: UploadedArtifact
  /** Why it was not uploaded (the directory is kept). */
  notUploaded?: string
}

/** Whether a bundle is written at all: on failure unless told otherwise, on success when asked. */
export function bundleWanted(mode: UploadMode, passed: boolean): boolean {
  return !passed || mode === 'always'
}

/** `minikube-smoke-diagnostics-<job>-<run key>`: unique per job and per use of the action. */
export function artifactName(job: string, runKey: string): string {
  const part = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '')
  return ['minikube-smoke-diagnostics', part(job), part(runKey)].filter(Boolean).join('-')
}

export function artifactUrl(
  run: { serverUrl: string; repository: string; runId: string },
  id: number | undefined
): string | undefined {
  if (id === undefined || !run.repository || !run.runId) return undefined
  return `${run.serverUrl.replace(/\/+$/, '')}/${run.repository}/actions/runs/${run.runId}/artifacts/${id}`
}

export async function uploadBundle(
  bundle: Bundle,
  options: {
    mode: UploadMode
    name: string
    run: { serverUrl: string; repository: string; runId: string }
    artifacts: ArtifactPort
    log: Logger
  }
): Promise<UploadOutcome> {
  const { log } = options
  const kept = (why: string): UploadOutcome => {
    log.info(`diagnostics: not uploaded (${why}); the bundle is kept in ${bundle.dir}`)
    return { notUploaded: why }
  }
  if (options.mode === 'never') return kept('upload-diagnostics: never')
  const unavailable = options.artifacts.unavailable()
  if (unavailable) return kept(unavailable)
  const files = bundle.files.map(f => `${bundle.dir}/${f.path}`)
  try {
    const r = await options.artifacts.upload(options.name, files, bundle.dir)
    const artifact: UploadedArtifact = {
      name: options.name,
      id: r.id,
      url: artifactUrl(options.run, r.id),
      bytes: r.size
    }
    log.info(
      `diagnostics: uploaded as artifact "${options.name}"${artifact.url ? ` (${artifact.url})` : ''}`
    )
    return { artifact }
  } catch (err) {
    const why =
      (err as Error)?.name === 'GHESNotSupportedError'
        ? 'this GitHub Enterprise Server has no artifact service for @actions/artifact 2+'
        : `the upload failed: ${errorMessage(err)}`
    log.warning(`diagnostics: ${why}; the bundle is kept in ${bundle.dir}`)
    return { notUploaded: why }
  }
}
