// Checks that need the file system but start nothing: the build contexts, the Dockerfiles and the
// manifests exist inside the workspace and parse (kustomizations are rendered). Runs right after
// input validation, so a typo in a path fails in a second, not after minikube has started.

import { InputError } from './errors.js'
import { defaultNamespace, type Config } from './inputs.js'
import { checkChartClash, prepareChart, type PreparedChart } from './helm/index.js'
import type { CommandRunner } from './effects.js'
import { resolveImageSources, type ImageSource } from './images/index.js'
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
import { loadCheckFiles, type SmokeCheck } from './smoke/index.js'

export interface Preflight {
  /** Per image of config.images (undefined for a prebuilt one). */
  sources: Array<ImageSource | undefined>
  /** The manifests to deploy before image substitution; generated when none were given. */
  objects: KubeObject[]
  generated: boolean
  /** Per image repository, the names a kustomize `images:` entry renames it to. */
  imageAliases: Map<string, string[]>
  /** config.smoke.checks with the files they name (`ca`) read. */
  smokeChecks: SmokeCheck[]
  /** The chart (input `chart`), rendered once without the server's capabilities. */
  chart?: PreparedChart
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
  const smokeChecks = loadCheckFiles(config.smoke.checks, workspace)
  const sources = resolveImageSources(workspace, config.images.images)
  const manifests = resolveManifestPaths(workspace, config.deploy.manifests)
  const chart =
    config.chart &&
    (await prepareChart(config.chart, {
      runner: deps.runner,
      workspace,
      namespace: config.deploy.namespace || defaultNamespace(config.run)
    }))
  if (manifests.length === 0 && !chart) {
    if (config.images.images.length > 1) {
      throw new InputError(
        'manifests',
        "must be given when 'images' lists several images: the generated Deployment runs one image"
      )
    }
    const objects = generateManifests({
      name: config.images.images[0].name.split('/').pop()!,
      image: imageRef,
      containerPort: config.deploy.containerPort ?? DEFAULT_CONTAINER_PORT,
      replicas: config.deploy.replicas ?? 1,
      smokePath: config.deploy.readinessPath // generate.ts: the readiness probe path
    })
    return { sources, objects, generated: true, imageAliases: new Map(), smokeChecks }
  }
  // Every file's problems at once; then each kustomization (apply order comes from the kinds).
  const files = manifests.flatMap(s => (s.kind === 'file' ? [s.path] : []))
  const objects: KubeObject[] = files.length ? loadManifestFiles(files, workspace) : []
  const repositories = config.images.images.map(i => i.name)
  const aliases = new Map<string, string[]>()
  for (const source of manifests) {
    if (source.kind !== 'kustomize') continue
    objects.push(
      ...(await renderKustomization(deps.runner, deps.kubectl, source.dir, source.entry))
    )
    for (const [repo, names] of imageRenames(source.dir, workspace, repositories)) {
      aliases.set(repo, [...(aliases.get(repo) ?? []), ...names])
    }
  }
  const rendered = chart ? chartObjectsOf(chart) : []
  checkChartClash(objects, rendered)
  checkManifestSet([...objects, ...rendered])
  return { sources, objects, generated: false, imageAliases: aliases, smokeChecks, chart }
}

/** Every object of the chart the run applies: the release, its install hooks and tests. */
function chartObjectsOf(chart: PreparedChart) {
  const o = chart.objects
  return [...o.release, ...o.preInstall, ...o.postInstall, ...o.tests]
}
