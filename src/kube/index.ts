// The Kubernetes layer: manifests → namespace → server-side apply → rollout wait → URL →
// diagnostics → teardown. Everything talks to the cluster through a KubePort (port.ts), so the
// pipeline can be tested with a fake; connectKube() gives the real one.
//
// How the pipeline uses it:
//
//   preflight (before anything starts; throws InputError):
//     const files = resolveManifestPaths(workspace, config.deploy.manifests)   // [] → generate
//     const objects = files.length
//       ? loadManifests(files, workspace)
//       : generateManifests({ name, image: imageRef, containerPort, replicas, smokePath })
//
//   deploy:
//     const kube = connectKube({ context })
//     const namespace = config.deploy.namespace || defaultNamespace(run)          // inputs.ts
//     const { labels, annotations } = runMetadata({ repository, runId, runAttempt, sha, key })
//     const prepared = prepareManifests(objects, { images, namespace, labels, annotations,
//       containerPort })     // images: src/images (deliverImages().substitutions); warnings → log
//     await ensureNamespace(kube, namespace, { labels, onCreated: ns => state.save(ns) })
//     await applyObjects(kube, prepared.objects, FIELD_MANAGER, log)
//     await waitForRollouts(kube, namespace, prepared.deployments, { timeoutMs, signal, log })
//                                                               // RolloutError (.reason, .container)
//
//   expose:
//     const host = urlHost || (minikube ? minikubeIp : await nodeInternalIP(kube))
//     const { url, nodePort } = await nodePortUrl(kube, namespace, prepared.target.service, host,
//       prepared.target.port)
//
//   rollout-check: update (after the smoke test passes):
//     const deployment = prepared.objects.find(
//       o => o.kind === 'Deployment' && o.metadata.name === prepared.target.deployment) as Deployment
//     await rolloutUpdateCheck(kube, { namespace, deployment, fieldManager: FIELD_MANAGER,
//       probeUrl: url + smokePath, timeoutMs })  // → {failedRequests, totalRequests, durationMs}
//                                                // UpdateCheckError (.result) when maxUnavailable is 0
//
//   on any failure:
//     const report = await collectDiagnostics(kube, namespace)   // never throws
//     report.groups → log groups; report.markdown → job summary
//
//   post step:
//     created namespace → await deleteNamespace(kube, namespace, { wait: false })
//     user's namespace  → await deleteObjects(kube, prepared.objects.map(objectRef))

// The real adapter, connectKube (client.ts), is not re-exported: it loads @kubernetes/client-node,
// most of the bundle, which the action loads only once it needs a cluster (system.ts).
export {
  isConflict,
  isNotFound,
  KubeApiError,
  Resources,
  type DeleteOptions,
  type KubeList,
  type KubePort,
  type ListOptions,
  type LogOptions,
  type ResourceType,
  type WatchEventType,
  type WatchHandle,
  type WatchOptions
} from './port.js'
export type * from './types.js'
export { resolveManifestPaths } from './paths.js'
export { APPLY_ORDER, loadManifests, parseManifests, sortForApply } from './manifests.js'
export { generateManifests, type GenerateOptions } from './generate.js'
export { prepareManifests, type PreparedManifests, type PrepareOptions } from './prepare.js'
export { imageRepository, normalizeRepository, sameRepository } from './image-ref.js'
export {
  FIELD_MANAGER,
  isDns1123Label,
  isLabelValue,
  runMetadata,
  RUN_LABEL,
  toDns1123Label,
  type RunFacts
} from './names.js'
export {
  applyObjects,
  ensureNamespace,
  type AppliedObject,
  type EnsureNamespaceOptions
} from './apply.js'
export { KubePhase, RolloutError } from './errors.js'
export { waitForRollout, waitForRollouts, type RolloutResult, type WaitOptions } from './rollout.js'
export {
  deploymentStatus,
  evaluateRollout,
  podFailure,
  FATAL_WAITING_REASONS,
  type RolloutVerdict
} from './rollout-rule.js'
export { nodeInternalIP, nodePortUrl, serviceUrl, type ServiceUrl } from './expose.js'
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
  deleteObjects,
  objectRef,
  type DeleteNamespaceOptions,
  type DeleteNamespaceResult,
  type ObjectRef
} from './teardown.js'
