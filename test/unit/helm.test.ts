// The chart layer's logic: its inputs, Helm's hook order, the argv of `helm template`, helm's
// error line, and the checks before anything starts (with a fake helm; the real helm 3 and 4
// render the fixture chart in the e2e suite).

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import {
  checkChartClash,
  deletePolicies,
  helmMessage,
  missingDependencies,
  parseChartInputs,
  parseRendered,
  prepareChart,
  sortHooks,
  sourceArgs,
  splitHooks,
  templateArgs,
  type ChartConfig
} from '../../src/helm/index.js'
import type { KubeObject } from '../../src/kube/types.js'
import type { CommandResult, CommandRunner } from '../../src/effects.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const reader = (inputs: Record<string, string>) => (name: string) => inputs[name] ?? ''

describe('parseChartInputs', () => {
  it('is undefined without a chart, and refuses chart inputs without one', () => {
    expect(parseChartInputs(reader({}))).toBeUndefined()
    expect(() => parseChartInputs(reader({ set: 'a=1' }))).toThrow(
      "input 'set' applies to a chart: set input 'chart' too"
    )
  })

  it('reads a local chart with values files and set lines in order', () => {
    const c = parseChartInputs(
      reader({
        chart: 'charts/shop',
        values: 'a.yaml\n# a comment\n\nb.yaml\n',
        set: 'image.tag=1\n\nlist={a,b}',
        release: 'gate'
      })
    )
    expect(c).toEqual({
      ref: 'charts/shop',
      oci: false,
      version: '',
      values: ['a.yaml', 'b.yaml'],
      set: ['image.tag=1', 'list={a,b}'],
      setString: [],
      release: 'gate',
      tests: true
    })
  })

  it.each([
    [{ chart: 'oci://ghcr.io/o/shop' }, "input 'chart-version' must be set for an oci:// chart"],
    [
      { chart: 'shop', 'chart-version': '1.2.3' },
      "input 'chart-version' applies to an oci:// chart only"
    ],
    [
      { chart: 'https://charts.example.com/shop' },
      "input 'chart' must be a chart directory or .tgz"
    ],
    [{ chart: 'shop', set: 'a=1\nnokey' }, `input 'set' line 2 must be KEY=VALUE, got "nokey"`],
    [{ chart: 'shop', set: '=1' }, "input 'set' line 1 must be KEY=VALUE"],
    [{ chart: 'shop', release: 'Shop_1' }, "input 'release' must be a Helm release name"],
    [{ chart: 'shop', release: 'a'.repeat(54) }, "input 'release' must be a Helm release name"],
    [{ chart: 'shop', 'chart-tests': 'maybe' }, "input 'chart-tests' must be true or false"]
  ])('refuses %j', (inputs, message) => {
    expect(() => parseChartInputs(reader(inputs))).toThrow(message)
  })

  it('reads set-string lines (values kept as strings), checked like set lines', () => {
    const c = parseChartInputs(
      reader({ chart: 'shop', 'set-string': 'image.tag=1234\n\nflag=true' })
    )
    expect(c?.setString).toEqual(['image.tag=1234', 'flag=true'])
    expect(() => parseChartInputs(reader({ chart: 'shop', 'set-string': 'tag' }))).toThrow(
      `input 'set-string' line 1 must be KEY=VALUE, got "tag"`
    )
    expect(() => parseChartInputs(reader({ 'set-string': 'a=1' }))).toThrow(
      "input 'set-string' applies to a chart: set input 'chart' too"
    )
  })

  it('takes an oci:// chart with its version (a leading v dropped) and chart-tests: false', () => {
    const c = parseChartInputs(
      reader({ chart: 'oci://ghcr.io/o/shop', 'chart-version': 'v1.2.3', 'chart-tests': 'false' })
    )
    expect(c).toMatchObject({ oci: true, version: '1.2.3', tests: false })
  })
})

const obj = (kind: string, name: string, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name, ...(annotations ? { annotations } : {}) }
})
const hook = (kind: string, name: string, events: string, weight?: string) =>
  obj(kind, name, {
    'helm.sh/hook': events,
    ...(weight === undefined ? {} : { 'helm.sh/hook-weight': weight })
  })

describe('splitHooks', () => {
  it('separates the release, install hooks, tests and hooks an install does not run', () => {
    const split = splitHooks([
      obj('Deployment', 'web'),
      hook('Job', 'migrate', 'pre-install,pre-upgrade'),
      hook('Job', 'notify', 'post-install'),
      hook('Pod', 'test', 'test'),
      hook('Pod', 'old-test', 'test-success'),
      hook('Job', 'backup', 'pre-upgrade, pre-rollback'),
      hook('Job', 'cleanup', 'pre-delete')
    ])
    const names = (list: KubeObject[]) => list.map(o => o.metadata.name)
    expect(names(split.release)).toEqual(['web'])
    expect(names(split.preInstall)).toEqual(['migrate'])
    expect(names(split.postInstall)).toEqual(['notify'])
    expect(names(split.tests)).toEqual(['old-test', 'test'])
    expect(split.skipped.map(s => [s.item.metadata.name, s.events])).toEqual([
      ['backup', ['pre-upgrade', 'pre-rollback']],
      ['cleanup', ['pre-delete']]
    ])
  })
})

describe('sortHooks (Helm: weight, then kind, then name)', () => {
  it.each([
    [
      'weight first, negative before none',
      [
        hook('Job', 'b', 'pre-install', '5'),
        hook('Job', 'a', 'pre-install'),
        hook('Job', 'c', 'pre-install', '-5')
      ],
      ['c', 'a', 'b']
    ],
    [
      "same weight: Helm's install order of kinds",
      [
        hook('Job', 'j', 'pre-install'),
        hook('ConfigMap', 'cm', 'pre-install'),
        hook('ServiceAccount', 'sa', 'pre-install'),
        hook('Widget', 'w', 'pre-install')
      ],
      ['sa', 'cm', 'j', 'w']
    ],
    [
      'same weight and kind: by name',
      [hook('Job', 'z', 'pre-install'), hook('Job', 'a', 'pre-install')],
      ['a', 'z']
    ],
    [
      'a weight that is not a number counts as 0',
      [hook('Job', 'b', 'pre-install', 'x'), hook('Job', 'a', 'pre-install', '-1')],
      ['a', 'b']
    ]
  ])('%s', (_why, hooks, order) => {
    expect(sortHooks(hooks).map(o => o.metadata.name)).toEqual(order)
  })
})

describe('deletePolicies', () => {
  it("defaults to before-hook-creation, as Helm's does", () => {
    expect(deletePolicies(hook('Job', 'a', 'pre-install'))).toEqual(['before-hook-creation'])
    const o = obj('Job', 'a', { 'helm.sh/hook-delete-policy': 'hook-succeeded, hook-failed' })
    expect(deletePolicies(o)).toEqual(['hook-succeeded', 'hook-failed'])
  })
})

const chart = (extra: Partial<ChartConfig> = {}): ChartConfig => ({
  ref: 'charts/shop',
  oci: false,
  version: '',
  values: [],
  set: [],
  setString: [],
  release: '',
  tests: true,
  ...extra
})

describe('templateArgs', () => {
  it('renders with the release, namespace, CRDs, values, sets and the capabilities', () => {
    expect(
      templateArgs({
        chart: chart({ set: ['a=1', 'b=x,c=y'] }),
        location: '/w/charts/shop',
        values: ['/w/a.yaml', '/w/b.yaml'],
        release: 'gate',
        namespace: 'smoke-1',
        capabilities: { kubeVersion: 'v1.20.2', apiVersions: ['v1', 'apps/v1/Deployment'] }
      })
    ).toEqual([
      'template',
      'gate',
      '/w/charts/shop',
      '--namespace',
      'smoke-1',
      '--include-crds',
      '--values',
      '/w/a.yaml',
      '--values',
      '/w/b.yaml',
      '--set',
      'a=1',
      '--set',
      'b=x,c=y',
      '--kube-version',
      'v1.20.2',
      '--api-versions',
      'v1',
      '--api-versions',
      'apps/v1/Deployment'
    ])
  })

  it('passes set-string lines as --set-string, after the --set lines (helm applies them after)', () => {
    const args = templateArgs({
      chart: chart({ set: ['image.tag=1'], setString: ['image.tag=1234', 'flag=true'] }),
      location: '/w/charts/shop',
      values: [],
      release: 'gate',
      namespace: 'smoke-1'
    })
    expect(args.slice(args.indexOf('--set'))).toEqual([
      '--set',
      'image.tag=1',
      '--set-string',
      'image.tag=1234',
      '--set-string',
      'flag=true'
    ])
  })

  it('gives an oci:// chart its version, and --plain-http only for a loopback registry', () => {
    const oci = (ref: string) => chart({ ref, oci: true, version: '1.0.0' })
    expect(sourceArgs(oci('oci://ghcr.io/o/shop'))).toEqual(['--version', '1.0.0'])
    expect(sourceArgs(oci('oci://127.0.0.1:5000/o/shop'))).toEqual([
      '--version',
      '1.0.0',
      '--plain-http'
    ])
    expect(sourceArgs(oci('oci://localhost:5000/shop'))).toEqual([
      '--version',
      '1.0.0',
      '--plain-http'
    ])
    expect(sourceArgs(chart())).toEqual([])
  })
})

describe('helmMessage', () => {
  it("takes helm's Error: line, as helm 3 and 4 print it", () => {
    expect(
      helmMessage(
        'walk.go:75: found symbolic link\nError: template: weather/templates/deployment.yaml:31:29: executing "x" at <.Values.image.repository>: can\'t evaluate field repository in type interface {}\n'
      )
    ).toBe(
      'template: weather/templates/deployment.yaml:31:29: executing "x" at <.Values.image.repository>: can\'t evaluate field repository in type interface {}'
    )
    expect(helmMessage('something odd\n  happened  \n')).toBe('happened')
  })

  it("joins on the list an error line introduces (a values schema's violations)", () => {
    expect(
      helmMessage(
        "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nweather:\n- image.tag: Invalid type. Expected: string, given: integer\n\n"
      )
    ).toBe(
      "values don't meet the specifications of the schema(s) in the following chart(s): weather: - image.tag: Invalid type. Expected: string, given: integer"
    )
  })
})

describe('parseRendered', () => {
  it("names each object by helm's # Source: comment", () => {
    const objects = parseRendered(
      '---\n# Source: shop/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n---\n# Source: shop/templates/empty.yaml\n\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n',
      'shop'
    )
    expect(objects.map(o => o.metadata.name)).toEqual(['cm', 's'])
  })

  it('reports a document that is not an object with its template', () => {
    expect(() =>
      parseRendered('---\n# Source: shop/templates/bad.yaml\nkind: ConfigMap\n', 'shop')
    ).toThrow(
      'shop/templates/bad.yaml document 1: is not a Kubernetes object: missing "apiVersion"'
    )
  })
})

function workspace(): string {
  const ws = mkdtempSync(path.join(tmpdir(), 'helm-ws-'))
  mkdirSync(path.join(ws, 'charts/shop/charts'), { recursive: true })
  writeFileSync(
    path.join(ws, 'charts/shop/Chart.yaml'),
    'apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 1.x\n  - name: vendored\n    version: 1.x\n'
  )
  writeFileSync(path.join(ws, 'charts/shop/charts/vendored-1.2.0.tgz'), '')
  writeFileSync(path.join(ws, 'values.yaml'), 'a: 1\n')
  mkdirSync(path.join(ws, 'not-a-chart'))
  return ws
}

/** A helm that answers by subcommand and records its argv. */
function fakeHelm(answers: Record<string, Partial<CommandResult>> = {}) {
  const calls: string[][] = []
  const runner: CommandRunner = {
    run: async (_cmd, args) => {
      calls.push([...args])
      const base = { exitCode: 0, stderr: '', timedOut: false }
      const given = answers[args[0]]
      if (given) return { stdout: '', ...base, ...given }
      if (args[0] === 'version') return { ...base, stdout: 'v3.18.0+gcc58e3f\n' }
      if (args[0] === 'show') return { ...base, stdout: 'name: shop\nversion: 1.0.0\n' }
      if (args[0] === 'template')
        return {
          ...base,
          stdout:
            '---\n# Source: shop/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n'
        }
      return { ...base, stdout: '' }
    }
  }
  return { runner, calls }
}

describe('missingDependencies', () => {
  it('lists the dependencies with nothing vendored in charts/', () => {
    expect(missingDependencies(path.join(workspace(), 'charts/shop'))).toEqual(['redis'])
    expect(missingDependencies(path.join(root, 'test/fixtures/charts/weather'))).toEqual([])
  })
})

describe('prepareChart (before anything starts)', () => {
  const deps = (ws: string, runner: CommandRunner) => ({
    runner,
    workspace: ws,
    namespace: 'smoke-1'
  })

  it('builds missing dependencies, reads the chart, renders it once; release = chart name', async () => {
    const ws = workspace()
    const { runner, calls } = fakeHelm()
    const prepared = await prepareChart(chart({ values: ['values.yaml'] }), deps(ws, runner))
    expect(calls.map(c => c[0])).toEqual(['version', 'dependency', 'show', 'template'])
    expect(prepared.info).toEqual({
      name: 'shop',
      version: '1.0.0',
      release: 'shop',
      ref: 'charts/shop',
      helm: 'v3.18.0+gcc58e3f'
    })
    expect(calls[3]).toEqual(expect.arrayContaining(['--values', path.join(ws, 'values.yaml')]))
    expect(calls[3]).not.toContain('--kube-version')
    expect(prepared.objects.release.map(o => o.metadata.name)).toEqual(['cm'])
  })

  it.each([
    [chart({ ref: 'not-a-chart' }), "input 'chart' must be a chart: not-a-chart has no Chart.yaml"],
    [chart({ ref: '../../etc' }), "input 'chart' must name paths inside the workspace"],
    [
      chart({ ref: 'values.yaml' }),
      "input 'chart' must be a chart directory or a packaged chart (.tgz)"
    ],
    [
      chart({ values: ['missing.yaml'] }),
      "input 'values' must name paths inside the workspace: missing.yaml does not exist"
    ],
    [chart({ values: ['charts'] }), "input 'values' must name files: charts is not one"]
  ])('refuses %j', async (c, message) => {
    await expect(prepareChart(c, deps(workspace(), fakeHelm().runner))).rejects.toThrow(message)
  })

  it('says how to get helm when it is not on PATH', async () => {
    const { runner } = fakeHelm({ version: { exitCode: 127, stderr: 'spawn helm ENOENT' } })
    await expect(prepareChart(chart(), deps(workspace(), runner))).rejects.toThrow(
      "input 'chart' needs helm on PATH (on GitHub's runners it is there; elsewhere add a step such as azure/setup-helm)"
    )
  })

  it("fails with helm's own line when the chart does not render", async () => {
    const { runner } = fakeHelm({
      template: { exitCode: 1, stderr: 'Error: template: shop/templates/cm.yaml:3:2: bad\n' }
    })
    await expect(prepareChart(chart(), deps(workspace(), runner))).rejects.toThrow(
      "input 'chart' does not render (shop 1.0.0): template: shop/templates/cm.yaml:3:2: bad"
    )
  })

  it('refuses a chart name that is no release name unless release is set', async () => {
    const { runner } = fakeHelm({ show: { stdout: 'name: Shop_App\nversion: 1.0.0\n' } })
    await expect(prepareChart(chart(), deps(workspace(), runner))).rejects.toThrow(
      `input 'release' must be set: the chart's name "Shop_App" is not a valid release name`
    )
    const ok = await prepareChart(chart({ release: 'shop' }), deps(workspace(), runner))
    expect(ok.info.release).toBe('shop')
  })

  it('renders again with the server capabilities', async () => {
    const { runner, calls } = fakeHelm()
    const prepared = await prepareChart(chart(), deps(workspace(), runner))
    await prepared.render({ kubeVersion: 'v1.20.2', apiVersions: ['policy/v1beta1'] })
    expect(calls.at(-1)).toEqual(
      expect.arrayContaining(['--kube-version', 'v1.20.2', '--api-versions', 'policy/v1beta1'])
    )
  })
})

describe('checkChartClash', () => {
  it("names both inputs and every object the chart and 'manifests' both define", () => {
    const svc = obj('Service', 'web')
    const cm = { ...obj('ConfigMap', 'cfg'), metadata: { name: 'cfg', namespace: 'team' } }
    expect(() =>
      checkChartClash([svc, cm, obj('Secret', 's')], [svc, cm, obj('Pod', 'p')])
    ).toThrow(
      `input 'chart' defines Service "web", ConfigMap "cfg" in namespace "team", which input 'manifests' also defines: keep one of the two`
    )
  })

  it('passes when they share nothing (same name, other kind; same kind, other name)', () => {
    expect(() =>
      checkChartClash(
        [obj('Service', 'web'), obj('ConfigMap', 'a')],
        [obj('Deployment', 'web'), obj('ConfigMap', 'b')]
      )
    ).not.toThrow()
  })
})
