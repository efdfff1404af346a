// `helm template` as the release would be installed: argv only, never a shell. Errors are one
// line with helm's own message.

import { InputError } from '../errors.js'
import type { CommandResult, CommandRunner } from '../effects.js'
import type { ChartConfig } from './inputs.js'

const HELM_TIMEOUT_MS = 120_000

/** What the server serves, so a chart's `.Capabilities` checks choose what this cluster has. */
export interface Capabilities {
  /** e.g. `v1.20.2`. */
  kubeVersion: string
  /** Group versions and `group/version/Kind` entries, as `helm install` sees them. */
  apiVersions: string[]
}

export interface TemplateRequest {
  chart: ChartConfig
  /** The chart argument: an absolute path, or the oci:// reference. */
  location: string
  /** Absolute paths of the values files. */
  values: string[]
  release: string
  namespace: string
  capabilities?: Capabilities
}

/** The argv of `helm template`. */
export function templateArgs(r: TemplateRequest): string[] {
  const args = ['template', r.release, r.location, '--namespace', r.namespace, '--include-crds']
  args.push(...sourceArgs(r.chart))
  for (const file of r.values) args.push('--values', file)
  for (const line of r.chart.set) args.push('--set', line)
  for (const line of r.chart.setString) args.push('--set-string', line)
  if (r.capabilities) {
    args.push('--kube-version', r.capabilities.kubeVersion)
    for (const v of r.capabilities.apiVersions) args.push('--api-versions', v)
  }
  return args
}

/** `--version` for an oci:// chart; `--plain-http` for a loopback registry (as Docker treats one). */
export function sourceArgs(chart: ChartConfig): string[] {
  if (!chart.oci) return []
  const host = chart.ref.slice('oci://'.length).split('/')[0].replace(/:\d+$/, '')
  const loopback = host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]'
  return ['--version', chart.version, ...(loopback ? ['--plain-http'] : [])]
}

/** Runs helm; a missing helm or a failure is an InputError for `chart` with helm's message. */
export async function runHelm(
  runner: CommandRunner,
  helm: string,
  args: string[],
  what: string
): Promise<CommandResult> {
  const r = await runner.run(helm, args, { timeoutMs: HELM_TIMEOUT_MS })
  if (r.exitCode === 127) {
    throw new InputError(
      'chart',
      `needs helm on PATH (on GitHub's runners it is there; elsewhere add a step such as azure/setup-helm): ${r.stderr.trim() || 'helm: not found'}`
    )
  }
  if (r.timedOut) {
    throw new InputError('chart', `${what}: helm did not finish within ${HELM_TIMEOUT_MS / 1000} s`)
  }
  if (r.exitCode !== 0) {
    throw new InputError('chart', `${what}: ${helmMessage(r.stderr) || `exit code ${r.exitCode}`}`)
  }
  return r
}

/**
 * helm's error, one line: its `Error: …` line without the prefix (else the last line). An error
 * line ending in `:` introduces a list (a values schema's violations): the list is joined on.
 */
export function helmMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map(l => l.trim())
    .filter(Boolean)
  const at = lines.findIndex(l => l.startsWith('Error: '))
  if (at < 0) return (lines.at(-1) ?? '').replace(/\s+/g, ' ')
  const error = lines[at].slice('Error: '.length)
  const list = error.endsWith(':') ? lines.slice(at + 1, at + 6) : []
  return [error, ...list].join(' ').replace(/\s+/g, ' ')
}
