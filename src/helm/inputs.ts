// The chart inputs (`chart`, `chart-version`, `values`, `set`, `set-string`, `release`, `chart-tests`): what can
// be checked from the strings alone. Paths are checked against the workspace in preflight.

import { InputError } from '../errors.js'
import type { InputReader } from '../inputs.js'

export interface ChartConfig {
  /** A directory or `.tgz` in the workspace, or an `oci://` reference. */
  ref: string
  oci: boolean
  /** The version of an oci:// chart; '' for a local one (its Chart.yaml says). */
  version: string
  /** Values files, workspace paths, in order (repeated `--values`). */
  values: string[]
  /** `KEY=VALUE` lines, in order after the files (repeated `--set`). */
  set: string[]
  /** `KEY=VALUE` lines whose values stay strings (repeated `--set-string`; helm applies them after `--set`). */
  setString: string[]
  /** '' means the chart's name. */
  release: string
  /** Run the chart's `helm.sh/hook: test` pods after the smoke checks. */
  tests: boolean
}

const DEPENDENT = ['chart-version', 'values', 'set', 'set-string', 'release']
// Helm's own rule for release names (pkg/chartutil ValidateReleaseName): a DNS subdomain, ≤ 53.
const RELEASE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/** Undefined when no chart is given (then the other chart inputs must be empty too). */
export function parseChartInputs(input: InputReader): ChartConfig | undefined {
  const text = (name: string) => input(name).trim()
  const ref = text('chart')
  if (ref === '') {
    const stray = DEPENDENT.find(name => text(name) !== '')
    if (stray) throw new InputError(stray, "applies to a chart: set input 'chart' too")
    return undefined
  }
  const oci = ref.startsWith('oci://')
  const version = text('chart-version').replace(/^v(?=\d)/, '')
  if (oci && version === '') {
    throw new InputError('chart-version', `must be set for an oci:// chart (${ref})`)
  }
  if (!oci && version !== '') {
    throw new InputError(
      'chart-version',
      "applies to an oci:// chart only: a local chart's version is the one in its Chart.yaml",
      version
    )
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) && !oci) {
    throw new InputError(
      'chart',
      'must be a chart directory or .tgz in the workspace, or an oci:// reference',
      ref
    )
  }
  const release = text('release')
  if (release !== '' && (release.length > 53 || !RELEASE.test(release))) {
    throw new InputError(
      'release',
      'must be a Helm release name: lowercase letters, digits, "-" and ".", at most 53',
      release
    )
  }
  return {
    ref,
    oci,
    version,
    values: lines(input('values')),
    set: parseSetLines(input('set')),
    setString: parseSetLines(input('set-string'), 'set-string'),
    release,
    tests: chartTests(text('chart-tests'))
  }
}

function lines(value: string): string[] {
  return value
    .split('\n')
    .map(l => l.trim())
    .filter(l => l !== '' && !l.startsWith('#'))
}

/** Each line `KEY=VALUE` (helm --set syntax inside: `a.b=1`, `list[0]=x`, `a=1,b=2`). */
export function parseSetLines(value: string, name = 'set'): string[] {
  const out: string[] = []
  value.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    if (!/^[^=]+=/.test(line)) {
      throw new InputError(name, `line ${i + 1} must be KEY=VALUE`, line)
    }
    out.push(line)
  })
  return out
}

function chartTests(value: string): boolean {
  if (value === '' || ['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new InputError('chart-tests', 'must be true or false', value)
}
