// The Kubernetes layer. Everything talks to the cluster through a KubePort (api.ts), so the
// pipeline can be tested with a fake; connectKube() (client.ts) gives the real one. What the
// action knows about each kind is in one place, the kind registry (kinds.ts); how each kind's
// readiness is judged, in status/ (pure rules over a snapshot).
//
// How the phases (src/phases/) use it:
//
//   preflight (before anything starts; throws InputError):
//     resolveManifestPaths(workspace, inputs)       files, and directories with a kustomization
//     loadManifestFiles(files) / renderKustomization(runner, kubectl, dir)   → KubeObject[]
//     imageRenames(dir, workspace, [repository])    a kustomize `images:` rename of the built image
//     generateManifests(...)                        when no manifests are given
//
//   validate (the cluster is up; nothing is written):
//     readServer(kube)                              version, and the quirks keyed by it
//     resolveTypes(objects, discovery, version)     each object's served resource
//     checkFields(objects, new SchemaIndex(openapi), quirks)   servers < 1.25 only
//     prepareManifests(typed, {images, labels, service, ...})   + the smoke target
//     planNamespaces(objects, options) → mapNamespaces(objects, plan)
//                                                   the manifests' namespaces onto the run's
//     readExisting(kube, objects, options)          what exists; someone else's → error
//     claimObjects(kube, options)                   another run's: refused while it lives (or
//                                                   waited for), taken over once it is dead
//
//   deploy:
//     ensureNamespace(kube, name, options)          waits out a namespace still Terminating
//     new RunLease(kube, namespace, runLabel, metadata, log).acquire()   renewed until main ends
//     dryRunAll(kube, objects, options)             every rejection at once, nothing written
//     applyAll(kube, objects, existing, options)    registry order; CRDs established first
//
//   rollout:
//     waitForWorkloads(kube, applied, options)      → WorkloadResult[]; RolloutError on failure,
//                                                   carrying the same in .results. A thin watch
//                                                   driver over status/rollout.ts evaluate()
//   smoke:  watchHealth(kube, options, onProblem)   a serving pod's restart or exit, with its log
//   stable: watchStability(kube, options)           watchHealth from readiness for the window
//   expose: nodeInternalIP(kube), nodePortUrl(...)  (node-port.ts)
//   on failure: collectDiagnostics(kube, namespace, options)   one model (src/diagnostics/model.ts),
//                                                   never throws
//   post step: deleteNamespace(kube, name, options) / deleteOwned(kube, records, runLabel) (delete.ts)

// The real adapter, connectKube (client.ts), is not re-exported: it loads @kubernetes/client-node,
// most of the bundle, which the action loads only once it needs a cluster (system.ts).
export {
  apiVersionOf,
  isConflict,
  KubeApiError,
  resourceName,
  type ApplyOptions as KubeApplyOptions,
  type ApplyResult,
  type Connection,
  type ConnectOptions,
  type DeleteOptions,
  type KubeList,
  type KubePort,
  type ListOptions,
  type LogOptions,
  type ResourceType,
  type WatchEventType,
  type WatchHandle,
  type WatchOptions
} from './api.js'
export type * from './types.js'
export { KINDS, kindOf, knownKind, Rank, Resources, type KindEntry } from './kinds.js'
export { resolveManifestPaths, type ManifestSource } from './paths.js'
export {
  checkManifestSet,
  describeObject,
  loadManifestFiles,
  parseManifests,
  sourceOf
} from './manifests.js'
export { imageRenames, renderKustomization } from './kustomize.js'
export { generateManifests, type GenerateOptions } from './generate.js'
export { Discovery } from './discovery.js'
export { SchemaIndex, type OpenApiV2 } from './schema.js'
export { parseServerVersion, quirks, type ServerQuirks, type ServerVersion } from './versions.js'
export { checkFields, resolveTypes, type Typed } from './validate.js'
export {
  DEFAULT_CONTAINER_PORT,
  prepareManifests,
  type PreparedManifests,
  type PrepareOptions,
  type RunImage
} from './prepare.js'
export {
  mapNamespaces,
  planNamespaces,
  type NamespacePlan,
  type RunNamespace
} from './namespaces.js'
export { imageRepository, normalizeRepository, sameRepository } from './image-ref.js'
export {
  FIELD_MANAGER,
  isDns1123Label,
  isLabelValue,
  newRunKey,
  RUN_LABEL,
  runKey,
  runMetadata,
  toDns1123Label,
  type RunFacts
} from './names.js'
export {
  applyAll,
  dryRunAll,
  ensureNamespace,
  readExisting,
  recordOf,
  typeOfRecord,
  type EnsureNamespaceOptions,
  type ObjectRecord
} from './apply.js'
export {
  claimObjects,
  holdingsOf,
  refusalLine,
  relabelNamespace,
  type Claim,
  type ClaimOptions,
  type Holding,
  type Snapshot
} from './claim.js'
export {
  deleteLease,
  isActionManager,
  leaseName,
  leaseObject,
  RunLease,
  runFieldManager,
  LEASE_TYPE
} from './lease.js'
export { judgeLiveness, type Liveness, type Observation } from './liveness.js'
export { RolloutError } from './errors.js'
export { notWaited, waitForWorkloads, type WaitOptions, type WorkloadResult } from './wait.js'
export { watchHealth, type HealthProblem, type HealthWatch } from './health.js'
export {
  watchStability,
  windowLeft,
  formatWindow,
  type Stability,
  type StabilityFacts
} from './stable.js'
export { nodeInternalIP, nodePortUrl, serviceUrl, type ServiceUrl } from './node-port.js'
export {
  effectiveMaxUnavailable,
  rolloutUpdateCheck,
  UpdateCheckError,
  type UpdateCheckOptions,
  type UpdateCheckResult
} from './update-check.js'
export {
  collectDiagnostics,
  type Diagnostics,
  type DiagnosticsOptions,
  type DiagnosticsReport
} from './diagnostics.js'
export { renderMarkdown, renderTextGroups } from './diagnostics-render.js'
export {
  deleteNamespace,
  deleteOwned,
  podMakersOf,
  type DeleteNamespaceOptions,
  type DeleteNamespaceResult,
  type DeleteOwnedResult
} from './delete.js'
export { readServer, type Server } from './server.js'
