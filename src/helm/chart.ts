// The chart, checked before anything starts: where it is (inside the workspace, or oci://), its
// values files, helm on PATH, its dependencies built, and a first render without the server's
// capabilities so a template error fails in a second. The validate phase renders it again with
// them (render), once the cluster is up.

import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { load } from 'js-yaml'
import { InputError } from '../errors.js'
import { parseManifests } from '../kube/manifests.js'
import type { KubeObject } from '../kube/types.js'
import type { CommandRunner } from '../effects.js'
import { splitHooks, type ChartObjects } from './hooks.js'
import type { ChartConfig } from './inputs.js'
import { runHelm, sourceArgs, templateArgs, type Capabilities } from './render.js'

export interface ChartInfo {
  name: string
  version: string
  release: string
  /** As the input gave it (workspace path or oci:// reference). */
  ref: string
  /** `helm version --short`, e.g. `v3.18.0+gcc58e3f`. */
  helm: string
}

export interface PreparedChart {
  info: ChartInfo
  /** The offline render (default capabilities): for the checks before anything starts. */
  objects: ChartObjects
  /** Renders again with the server's capabilities. */
  render(capabilities: Capabilities): Promise<ChartObjects>
}

export interface ChartDeps {
  runner: CommandRunner
  workspace: string
  namespace: string
  /** The helm program (default `helm`, from PATH). */
  helm?: string
}

export async function prepareChart(chart: ChartConfig, deps: ChartDeps): Promise<PreparedChart> {
  const helm = deps.helm ?? 'helm'
  const location = chart.oci ? chart.ref : localChart(chart.ref, deps.workspace)
  const values = chart.values.map(v => workspaceFile('values', v, deps.workspace))
  const version = (
    await runHelm(deps.runner, helm, ['version', '--short'], 'helm version')
  ).stdout.trim()
  if (!chart.oci && statSync(location).isDirectory() && missingDependencies(location).length) {
    await runHelm(
      deps.runner,
      helm,
      ['dependency', 'build', location],
      `has dependencies that do not build (${missingDependencies(location).join(', ')})`
    )
  }
  const shown = await runHelm(
    deps.runner,
    helm,
    ['show', 'chart', location, ...sourceArgs(chart)],
    `cannot be read (${chart.ref})`
  )
  const meta = (load(shown.stdout) ?? {}) as { name?: string; version?: string }
  const name = String(meta.name ?? '')
  const release = chart.release || name
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(release)) {
    throw new InputError(
      'release',
      `must be set: the chart's name "${name}" is not a valid release name (lowercase letters, digits, "-" and ".")`
    )
  }
  const info: ChartInfo = {
    name,
    version: String(meta.version ?? ''),
    release,
    ref: chart.ref,
    helm: version
  }
  const render = async (capabilities?: Capabilities) => {
    const args = templateArgs({
      chart,
      location,
      values,
      release,
      namespace: deps.namespace,
      capabilities
    })
    const r = await runHelm(deps.runner, helm, args, `does not render (${name} ${info.version})`)
    return splitHooks(parseRendered(r.stdout, name))
  }
  return { info, objects: await render(), render }
}

/** helm's output, each document named by its `# Source:` template for messages. */
export function parseRendered(text: string, chartName: string): KubeObject[] {
  const objects: KubeObject[] = []
  for (const doc of text.split(/^---\s*$/m)) {
    if (doc.trim() === '') continue
    const source = /^# Source: (.+)$/m.exec(doc)?.[1].trim() ?? `chart ${chartName}`
    objects.push(...parseManifests(doc, source))
  }
  return objects
}

/** A chart directory (with Chart.yaml) or a packaged chart, inside the workspace. */
function localChart(ref: string, workspace: string): string {
  const real = workspacePath('chart', ref, workspace)
  if (statSync(real).isDirectory()) {
    if (!existsSync(path.join(real, 'Chart.yaml'))) {
      throw new InputError('chart', `must be a chart: ${ref} has no Chart.yaml`, ref)
    }
    return real
  }
  if (!/\.(tgz|tar\.gz)$/.test(real)) {
    throw new InputError('chart', 'must be a chart directory or a packaged chart (.tgz)', ref)
  }
  return real
}

function workspaceFile(input: string, entry: string, workspace: string): string {
  const real = workspacePath(input, entry, workspace)
  if (!statSync(real).isFile()) throw new InputError(input, `must name files: ${entry} is not one`)
  return real
}

/** The real path of an entry, which must exist inside the workspace (symlinks followed). */
function workspacePath(input: string, entry: string, workspace: string): string {
  const root = realpathSync(workspace)
  const inside = (p: string) => {
    const rel = path.relative(root, p)
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
  }
  const lexical = path.resolve(root, entry)
  if (!inside(lexical)) {
    throw new InputError(input, `must name paths inside the workspace (${root})`, entry)
  }
  let real: string
  try {
    real = realpathSync(lexical)
  } catch {
    throw new InputError(input, `must name paths inside the workspace: ${entry} does not exist`)
  }
  if (!inside(real)) {
    throw new InputError(input, `must name paths inside the workspace (${entry} leads outside)`)
  }
  return real
}

/** Dependencies of Chart.yaml with nothing for them in charts/ (neither a directory nor a .tgz). */
export function missingDependencies(dir: string): string[] {
  let deps: Array<{ name?: string; alias?: string }> = []
  try {
    const doc = load(readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')) as {
      dependencies?: typeof deps
    }
    deps = Array.isArray(doc?.dependencies) ? doc.dependencies : []
  } catch {
    return [] // helm itself reports a broken Chart.yaml
  }
  let vendored: string[] = []
  try {
    vendored = readdirSync(path.join(dir, 'charts'))
  } catch {
    vendored = []
  }
  return deps
    .map(d => String(d.name ?? ''))
    .filter(
      n => n !== '' && !vendored.some(f => f === n || (f.startsWith(`${n}-`) && /\.tgz$/.test(f)))
    )
}
