// The validate phase: nothing is written; every problem the cluster can find in the manifests,
// at once. Connects, renders a chart for this server, resolves each object's resource, checks
// fields, prepares the manifests for the run, maps their namespaces, and claims the objects
// (another run's are refused while it may still run, or waited for).

import type { ClusterSession } from '../cluster/types.js'
import type { DeliveredImages } from '../images/deliver.js'
import {
  checkFields,
  checkManifestSet,
  claimObjects,
  Discovery,
  mapNamespaces,
  planNamespaces,
  prepareManifests,
  readExisting,
  readServer,
  resolveTypes,
  Resources,
  SchemaIndex,
  type Claim,
  type KubeObject,
  type KubePort,
  type NamespacePlan,
  type OpenApiV2,
  type PreparedManifests,
  type Server,
  type Typed
} from '../kube/index.js'
import { checkChartClash, renderForServer, splitBy, type ChartObjects } from '../helm/index.js'
import type { Run, Trail } from './run.js'

export interface Validated {
  kube: KubePort
  server: Server
  discovery: Discovery
  claim: Claim
  /** The objects as they will be applied, in the run's namespaces, and the smoke target. */
  prepared: PreparedManifests
  /** The run's namespaces: `namespace` first, then one per further namespace the manifests name. */
  namespaces: NamespacePlan
  /** A chart's objects by role: the release, its install hooks, its tests. */
  hooks?: ChartObjects<Typed>
}

export async function validate(
  run: Run,
  cluster: ClusterSession,
  images: DeliveredImages,
  trail: Trail
): Promise<Validated> {
  const { deps, state } = run
  const connection = await deps.connectKube({ context: cluster.kubeContext })
  const kube = connection.kube
  trail.kube = kube
  state.update({
    kube: { context: connection.context, kubeconfig: connection.kubeconfigPath },
    runLabel: run.runLabel
  })
  const server = await readServer(kube)
  deps.log.info(
    `Kubernetes ${server.version.gitVersion} at ${connection.server} (context ${connection.context})`
  )
  const discovery = new Discovery(kube)
  const { prepared, namespaces, hooks } = await prepare(run, kube, server, discovery, images)
  trail.applied = prepared.objects
  const claim = await claimRunObjects(run, kube, prepared.objects)
  return { kube, server, discovery, claim, prepared, namespaces, hooks }
}

/** The manifests (and a chart rendered for this server) checked and made ready for the run. */
async function prepare(
  run: Run,
  kube: KubePort,
  server: Server,
  discovery: Discovery,
  images: DeliveredImages
) {
  const { config, checked, deps, report } = run
  const { log } = deps
  // Servers before 1.25 cannot be asked to reject unknown fields: their schema is checked
  // below. Fetched (about a second on 1.20) while the chart renders.
  const openapi = server.quirks.strictFieldValidation
    ? undefined
    : kube.getJson<OpenApiV2>('/openapi/v2')
  openapi?.catch(() => undefined) // awaited below; a failure surfaces there
  // A chart is rendered again with what this server serves (.Capabilities).
  const chart =
    checked.chart &&
    (await renderForServer(checked.chart, discovery, server.version, l => log.info(l)))
  report.chart = checked.chart?.info
  const toApply = chart
    ? [...checked.objects, ...chart.release, ...chart.preInstall, ...chart.postInstall]
    : checked.objects
  if (chart && config.chart?.tests) toApply.push(...chart.tests)
  else if (chart?.tests.length) log.info('chart tests not run (chart-tests: false)')
  if (chart) checkChartClash(checked.objects, toApply.slice(checked.objects.length))
  if (chart) checkManifestSet(toApply)
  const typed = await resolveTypes(toApply, discovery, server.version)
  if (openapi) checkFields(toApply, new SchemaIndex(await openapi), server.quirks)
  const prepared = prepareManifests(typed, {
    // A kustomize `images:` entry may have renamed an image: those names mean it too.
    images: images.substitutions.map(i => ({
      ...i,
      aliases: [...(i.aliases ?? []), ...(checked.imageAliases.get(i.repository) ?? [])]
    })),
    labels: run.metadata.labels,
    annotations: run.metadata.annotations,
    containerPort: config.deploy.containerPort,
    replicas: config.deploy.replicas,
    service: config.deploy.service,
    // A port-forward reaches any Service with a selector: no NodePort needs adding.
    exposeAsNodePort: config.deploy.urlMode !== 'port-forward'
  })
  // The manifests' own namespaces onto the run's; the smoke target's becomes `namespace`.
  const namespaces = planNamespaces(prepared.objects, {
    namespace: run.namespace,
    given: Boolean(config.deploy.namespace),
    primary: prepared.target.namespace
  })
  prepared.objects = mapNamespaces(prepared.objects, namespaces)
  if (namespaces.line) log.info(namespaces.line)
  for (const w of [...namespaces.warnings, ...prepared.warnings]) log.warning(w)
  const hooks = chart ? splitBy(prepared.objects, t => t.object) : undefined
  log.info(`smoke target: ${prepared.target.why} (port ${prepared.target.port})`)
  if (prepared.target.exposed) log.info(prepared.target.exposed)
  return { prepared, namespaces, hooks }
}

/** Another run's objects (or namespace): refused while it may still run, or waited for. */
function claimRunObjects(run: Run, kube: KubePort, objects: Typed[]): Promise<Claim> {
  const { config, deps, namespace } = run
  return claimObjects(kube, {
    namespace,
    ownRun: run.runLabel,
    queueTimeoutMs: config.deploy.queueTimeoutMs,
    signal: deps.signal,
    log: line => deps.log.info(line),
    read: async () => ({
      existing: await readExisting(kube, objects, {
        fieldManager: run.fieldManager,
        force: config.deploy.forceConflicts
      }),
      namespaceObject: await kube.get<KubeObject>(Resources.Namespace, namespace)
    })
  })
}
