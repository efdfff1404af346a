// The diagnostics bundle and its upload.
//
//   writeDiagnosticsBundle(input, {runner, secrets, maxBytes?}) → Bundle {dir, files, bytes, cuts}
//     renders the diagnostics model the failure collected (input.collected; model.ts), or collects
//     one (collect.ts: live objects, pods, events, whole logs); writes every file redacted,
//     bounded (50 MB; TRUNCATED.txt lists cuts); never throws for what it could not collect
//     (errors.txt).
//   bundleWanted(mode, passed)      on failure, or always with `upload-diagnostics: always`
//   uploadBundle(bundle, {mode, name, run, artifacts, log}) → {artifact?} | {notUploaded}
//   artifactName(job, runKey)       `minikube-smoke-diagnostics-<job>-<run key>`
//   saveDiagnostics(input, options) → RunReport['diagnosticsBundle']   write + upload, logged

export {
  writeDiagnosticsBundle,
  DEFAULT_BUNDLE_BYTES,
  LOG_MAX_BYTES,
  type Bundle,
  type BundleDeps,
  type BundleInput
} from './bundle.js'
export {
  artifactName,
  artifactUrl,
  bundleWanted,
  uploadBundle,
  type ArtifactPort,
  type UploadedArtifact,
  type UploadMode,
  type UploadOutcome
} from './upload.js'
export { saveDiagnostics, type SaveDiagnosticsOptions } from './save.js'
export type { DiagnosticsModel } from './model.js'
