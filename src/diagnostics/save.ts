// The diagnostics step at the end of a run: decide, write the bundle, upload it, say where it is.

import { errorMessage } from '../errors.js'
import type { CommandRunner, Logger } from '../effects.js'
import type { RunReport } from '../report/types.js'
import type { SecretRegistry } from '../secrets.js'
import { writeDiagnosticsBundle, type BundleInput } from './bundle.js'
import { artifactName, uploadBundle, type ArtifactPort, type UploadMode } from './upload.js'

export interface SaveDiagnosticsOptions {
  mode: UploadMode
  runner: CommandRunner
  secrets: SecretRegistry
  artifacts: ArtifactPort
  log: Logger
  run: { job: string; serverUrl: string; repository: string; runId: string }
  maxBytes?: number
}

/** Writes and uploads the bundle; what it reports goes into the run report. Never throws. */
export async function saveDiagnostics(
  input: BundleInput,
  o: SaveDiagnosticsOptions
): Promise<RunReport['diagnosticsBundle'] | undefined> {
  return o.log.group('diagnostics: bundle', async () => {
    try {
      const bundle = await writeDiagnosticsBundle(input, {
        runner: o.runner,
        secrets: o.secrets,
        maxBytes: o.maxBytes
      })
      o.log.info(
        `diagnostics: ${bundle.files.length} files (${bundle.bytes} bytes) in ${bundle.dir}` +
          (bundle.cuts.length ? `; ${bundle.cuts.length} cut to stay bounded (TRUNCATED.txt)` : '')
      )
      const upload = await uploadBundle(bundle, {
        mode: o.mode,
        name: artifactName(o.run.job, input.runKey),
        run: o.run,
        artifacts: o.artifacts,
        log: o.log
      })
      return {
        dir: bundle.dir,
        files: bundle.files.length,
        bytes: bundle.bytes,
        ...upload
      }
    } catch (err) {
      o.log.warning(`diagnostics: the bundle could not be written: ${errorMessage(err)}`)
      return undefined
    }
  })
}
