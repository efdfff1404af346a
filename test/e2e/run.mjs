// End-to-end suite: the committed dist/ bundle, run the way GitHub runs it, against the real local
// Kubernetes cluster and Docker engine (test/cluster/), on the weather service. The only stand-in
// is test/cluster/bin/minikube, backed by that same cluster.
//
//   npm run e2e                 all cases (the cluster is brought up when needed)
//   npm run e2e -- crash bad    only cases whose name contains one of the words
//
// Ends with `N passed, N failed`. E2E_VERBOSE=1 echoes the action's output.

import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { promisify } from 'node:util'
import { REPO, runAction } from './github-runner.mjs'
import { runGate, stepOf } from './gate-runner.mjs'
import { startArtifactServer } from '../support/artifact-server.mjs'
import { writeLargeApp } from '../support/large-app.mjs'
import { readAsRunner } from '../support/workflow-commands.mjs'
import { renderSummary } from '../support/render-summary.mjs'

const STATE = process.env.MINIKUBE_SMOKE_STATE || '/var/lib/minikube-smoke'
// What a run leaves to look at afterwards (summaries and their screenshots), like the timings file.
const ARTIFACTS = process.env.E2E_ARTIFACTS || join(tmpdir(), 'minikube-smoke-e2e-artifacts')
const CLUSTER = join(REPO, 'test/cluster/cluster.sh')
const STANDIN_BIN = join(REPO, 'test/cluster/bin')
const CLUSTER_KUBECONFIG = join(STATE, 'kubeconfig')
const BASE_IMAGE = 'minikube-smoke/python-base:bookworm'
const WEATHER_CHECKS = `
- name: liveness
  path: /healthz
- name: forecast for Chicago
  path: /?msg=Chicago
  expect-json:
    success: true
    response.place: Chicago
- name: unknown place
  path: /?msg=Atlantis
  expect-status: 404
`

// ---------------------------------------------------------------------------------- helpers

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts })
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` }
}
const kubectl = (...args) => sh('kubectl', ['--kubeconfig', CLUSTER_KUBECONFIG, ...args])
const clusterUp = () => execFileSync('bash', [CLUSTER, 'up'], { stdio: 'inherit' })
const clusterHealthy = () => sh('bash', [CLUSTER, 'status']).code === 0

function ensureBaseImage() {
  execFileSync('bash', [join(REPO, 'weather-service/scripts/build-offline-base.sh')], {
    stdio: 'inherit'
  })
}

class Failure extends Error {}
function check(condition, message) {
  if (!condition) throw new Failure(message)
}
function contains(text, needle, what) {
  check(
    text.includes(needle),
    `${what} should contain ${JSON.stringify(needle)}; it was:\n${tail(text)}`
  )
}
const tail = (text, n = 25) => text.trim().split('\n').slice(-n).join('\n')
const errorLines = out => out.split('\n').filter(l => l.startsWith('::error::'))

/** Nothing of the run remains: its namespace is gone (deletion finishes in the background). */
async function assertNothingLeft(namespace) {
  check(namespace, 'the run reported no namespace')
  const deadline = Date.now() + 30_000
  for (;;) {
    const ns = kubectl('get', 'namespace', namespace, '-o', 'name')
    if (ns.code !== 0 && /NotFound|not found/.test(ns.out)) return
    check(
      Date.now() < deadline,
      `namespace ${namespace} still exists 30 s after the post step: ${ns.out}`
    )
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

/**
 * Inputs every case against the local cluster shares. stable-for is 2 s where it is not the
 * subject: the action's 10 s, counted from readiness, would add ~8 s to every passing run (the
 * stable-for case deletes the key to run with the action's default).
 */
function localInputs(extra = {}) {
  return {
    'build-args': `BASE_IMAGE=${BASE_IMAGE}`,
    'url-host': '127.0.0.1',
    'stable-for': '2s',
    ...extra
  }
}
const existing = { env: { KUBECONFIG: CLUSTER_KUBECONFIG } }

/** Runs the action on the local cluster expecting it to fail; returns the run and its error line. */
async function runFailing(inputs, env = {}) {
  const r = await runAction({
    inputs: localInputs({ cluster: 'existing', ...inputs }),
    env: { ...existing.env, ...env }
  })
  check(r.main.code === 1, `main exited ${r.main.code}, expected 1:\n${tail(r.main.output)}`)
  return { r, error: errorLines(r.main.output).join('\n') }
}

/** Every file under dir, as relative paths with `/`. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(e => e.isFile())
    .map(e => relative(dir, join(e.parentPath, e.name)))
    .sort()
}

/** Until nothing matches the predicate (a process's command line) or the deadline passes. */
async function processesGone(matches, ms) {
  const deadline = Date.now() + ms
  for (;;) {
    const left = readdirSync('/proc')
      .filter(e => /^\d+$/.test(e))
      .filter(e => {
        try {
          return matches(readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' '))
        } catch {
          return false
        }
      })
    if (left.length === 0 || Date.now() > deadline) return left
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

/**
 * The run's job summary as GitHub shows it: every Mermaid diagram must parse and draw in headless
 * chromium (mermaid from node_modules). Keeps the summary, and with `shot` a screenshot, in
 * ARTIFACTS. Returns the diagrams' results ({kind, ok, texts}).
 */
function summaryRenders(r, name, { shot = false, kinds = ['gantt'] } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true })
  writeFileSync(join(ARTIFACTS, `${name}.md`), r.summary)
  const screenshot = shot ? join(ARTIFACTS, `${name}.png`) : undefined
  const rendered = renderSummary(r.summary, { screenshot })
  check(rendered.done, `the summary page did not finish rendering: ${rendered.error}`)
  const bad = rendered.results.filter(d => !d.ok)
  check(
    bad.length === 0,
    `diagrams that did not render: ${JSON.stringify(bad.map(d => [d.kind, d.error]))}`
  )
  const drawn = rendered.results.map(d => d.kind)
  for (const kind of kinds) check(drawn.includes(kind), `no ${kind} diagram drawn: ${drawn}`)
  return rendered.results
}
const drawnTexts = diagrams => diagrams.flatMap(d => d.texts ?? []).join('\n')

/** What the runner would make of main's output: its commands, annotations, masks, shown lines. */
const asRunner = r => readAsRunner(r.main.output)

/** A phase of the run, from its JSON report. */
const phaseOf = (r, name) =>
  JSON.parse(readFileSync(r.outputs.report, 'utf8')).phases.find(p => p.name === name)

/**
 * The stand-in on PATH with a kubeconfig and an invocation log of this case's own: other users of
 * the shared machine append to the default log at any moment.
 */
function standin() {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-standin-'))
  const log = join(dir, 'minikube-standin.log')
  const env = {
    PATH: `${STANDIN_BIN}:${process.env.PATH}`,
    KUBECONFIG: join(dir, 'config'),
    MINIKUBE_SMOKE_STATE: STATE,
    MINIKUBE_STANDIN_LOG: log
  }
  return { env, log }
}

/** True while /proc says the process lives (and is not a zombie). */
function processAlive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** The kubectl port-forward pid main logged. */
function forwarderPid(output) {
  const m = /kubectl port-forward \(pid (\d+)\) forwards 127\.0\.0\.1:\d+/.exec(output)
  return m ? Number(m[1]) : undefined
}

/**
 * A stand-in profile of its own (the one shared cluster, which must stay up): started — which
 * reuses the running cluster — and, at the end, its profile file removed. Never `minikube
 * delete`: that would stop the cluster under everyone.
 */
async function withStandinProfile(startArgs, fn) {
  const profile = `e2e-${Math.random().toString(36).slice(2, 8)}`
  const minikube = standin()
  execFileSync(join(STANDIN_BIN, 'minikube'), ['start', '-p', profile, ...startArgs], {
    stdio: 'inherit',
    env: { ...process.env, ...minikube.env }
  })
  try {
    return await fn(profile, minikube)
  } finally {
    rmSync(join(STATE, 'minikube-standin/profiles', profile), { force: true })
  }
}

// ---------------------------------------------------------------------------------- images

const FRONT = join(REPO, 'test/fixtures/e2e/front')
const REGISTRY = 'localhost:5000'
const REGISTRY_LOG = join(STATE, 'logs/registry.log')
const docker = (...args) => sh('docker', args)

/**
 * A PATH whose `docker` is Debian's docker.io client (20.10, BuildKit built in), the one the
 * harness installs. A newer client on PATH without the buildx plugin has no BuildKit (this
 * machine's /usr/local/bin/docker 28 is one): the other cases build with whatever is on PATH.
 */
function buildkitPath() {
  check(existsSync('/usr/bin/docker'), 'Debian docker.io (/usr/bin/docker) is not installed')
  const bin = mkdtempSync(join(tmpdir(), 'e2e-docker-'))
  symlinkSync('/usr/bin/docker', join(bin, 'docker'))
  return `${bin}:${process.env.PATH}`
}

/**
 * A workspace of its own: front/ (the static front-end binary, built here, and its Dockerfiles),
 * api/ (a copy of the weather service) and k8s/app.yaml (front end + API).
 */
function twoImageWorkspace() {
  const ws = mkdtempSync(join(tmpdir(), 'e2e-ws-'))
  mkdirSync(join(ws, 'front'))
  execFileSync(
    'go',
    ['build', '-trimpath', '-ldflags=-s -w', '-o', join(ws, 'front/front'), join(FRONT, 'main.go')],
    { env: { ...process.env, CGO_ENABLED: '0', GO111MODULE: 'off', GOFLAGS: '' }, stdio: 'pipe' }
  )
  for (const f of ['Dockerfile', 'Dockerfile.secret'])
    copyFileSync(join(FRONT, f), join(ws, 'front', f))
  cpSync(join(REPO, 'weather-service'), join(ws, 'api'), {
    recursive: true,
    filter: src => !src.includes('/tests')
  })
  mkdirSync(join(ws, 'k8s'))
  copyFileSync(join(FRONT, 'app.yaml'), join(ws, 'k8s/app.yaml'))
  return ws
}

const registryLog = () => (existsSync(REGISTRY_LOG) ? readFileSync(REGISTRY_LOG, 'utf8') : '')
/** A pull asks the registry for the manifest (HEAD or GET by tag or digest); a push never does. */
const pulledFromRegistry = (log, repository) =>
  new RegExp(`"(HEAD|GET) /v2/${repository}/manifests/`).test(log)
const imageExists = ref => docker('image', 'inspect', ref).code === 0

// ---------------------------------------------------------------------------------- cases

const cases = []
const test = (name, needsCluster, fn) => cases.push({ name, needsCluster, fn })

test(
  'summary rendering: the checker itself catches a diagram Mermaid cannot draw',
  false,
  async () => {
    // The same page and browser as every run's summary: one good diagram, one broken.
    const md = [
      '## x',
      '```mermaid\ngantt\n    dateFormat x\n    section a\n    ok :t1, 0, 1000\n```',
      '```mermaid\nxychart-beta\n    bar [1, 2\n```'
    ].join('\n\n')
    const { done, results } = renderSummary(md)
    check(done, 'the page finished')
    check(
      results.length === 2 && results[0].ok && !results[1].ok,
      `one drawn, one refused: ${JSON.stringify(results.map(r => [r.ok, r.error]))}`
    )
    return `broken diagram reported: ${results[1].error.split('\n')[0].slice(0, 120)}`
  }
)

test('bad inputs: one line each, nothing started', false, async () => {
  const bad = [
    [{ replicas: 'abc' }, `input 'replicas' must be an integer from 1 to 50, got "abc"`],
    [{ cluster: 'kind' }, `input 'cluster' must be one of "minikube", "existing", got "kind"`],
    [{ 'container-port': '99999' }, `input 'container-port' must be an integer from 1 to 65535`],
    [{ 'start-args': '--memory=4g; curl evil' }, `input 'start-args' has the shell character ";"`],
    [{ 'start-args': '--driver=kvm2' }, `input 'start-args' must not set --driver`],
    [{ 'start-args': '--memory=4g -d kvm2' }, `input 'start-args' must not set -d`],
    [{ 'url-mode': 'ingress' }, `input 'url-mode' must be one of "nodeport", "port-forward"`],
    [{ teardown: 'maybe' }, `input 'teardown' must be one of "always", "on-success", "never"`],
    [{ 'rollout-timeout': 'forever' }, `input 'rollout-timeout' must be a duration`],
    [{ 'stable-for': 'a while' }, `input 'stable-for' must be a duration from 0 (off) to 1h`],
    [{ image: 'Weather:1' }, `input 'image' must be an image repository name`],
    [{ context: '../../etc' }, `input 'context' must be a path inside the workspace`],
    [
      { context: 'no-such-dir' },
      `input 'context' must be a path inside the workspace: no-such-dir does not exist`
    ],
    [{ manifests: '/etc/passwd' }, `input 'manifests'`],
    [{ 'smoke-checks': '- path: /\n  expect-stauts: 200' }, `input 'smoke-checks'`],
    [{ 'smoke-checks': '- path: http://example.com/' }, `input 'smoke-checks'`],
    [
      { 'smoke-checks': '- path: /\n  load: {concurrency: 8}' },
      `input 'smoke-checks' check 1: 'load' needs 'requests' or 'duration'`
    ],
    [
      { 'smoke-checks': '- {path: /, scheme: https, ca: no-such.pem}' },
      `input 'smoke-checks' check 1: 'ca' must be a file inside the workspace: it does not exist`
    ],
    [{ 'readiness-path': 'healthz' }, `input 'readiness-path' must start with '/'`],
    [{ namespace: 'Bad_Namespace' }, `input 'namespace' must be a valid namespace name`],
    [{ 'build-args': 'JUSTAKEY' }, `input 'build-args' line 1 must be KEY=VALUE`],
    [
      { 'build-args': '', images: '- name: api\n  context: a\n- name: api\n  context: b' },
      `input 'images' lists "api" twice`
    ],
    [
      { 'build-args': '', images: '- name: api\n  context: ../../etc' },
      `input 'images' item 1 context must be a path inside the workspace`
    ],
    [{ load: 'registry' }, `input 'registry' must be set for load: registry`],
    [{ 'build-secrets': 'token' }, `input 'build-secrets' line 1 must be id=VALUE`]
  ]
  const minikube = standin()
  for (const [inputs, expected] of bad) {
    const r = await runAction({ inputs, env: minikube.env })
    check(r.main.code === 1, `${JSON.stringify(inputs)}: main exited ${r.main.code}, expected 1`)
    const errors = errorLines(r.main.output)
    check(
      errors.length === 1,
      `${JSON.stringify(inputs)}: expected one error line, got:\n${r.main.output}`
    )
    contains(errors[0], expected, `${JSON.stringify(inputs)} error`)
    check(
      !/::group::/.test(r.main.output),
      `${JSON.stringify(inputs)}: a phase started:\n${r.main.output}`
    )
    contains(r.post.output, 'Nothing to tear down', `${JSON.stringify(inputs)} post step`)
    check(r.post.code === 0, `${JSON.stringify(inputs)}: post exited ${r.post.code}`)
  }
  check(
    !existsSync(minikube.log),
    `a bad input reached the minikube command:\n${existsSync(minikube.log) && readFileSync(minikube.log, 'utf8')}`
  )
  return `${bad.length} bad inputs refused`
})

test(
  'success, cluster: minikube (stand-in) started by the action, then deleted',
  true,
  async () => {
    execFileSync(join(STANDIN_BIN, 'minikube'), ['delete'], {
      stdio: 'inherit',
      env: { ...process.env, MINIKUBE_SMOKE_STATE: STATE }
    })
    check(!clusterHealthy(), 'the cluster should be down before this case')
    const minikube = standin()
    const r = await runAction({
      inputs: localInputs({
        'url-host': '',
        manifests: 'weather-service/k8s',
        'kubernetes-version': 'v1.20.2',
        'start-args': `--memory=2g --extra-config='kubelet.max-pods=50'`,
        'smoke-checks': WEATHER_CHECKS
      }),
      env: minikube.env
    })
    check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
    check(r.outputs.result === 'passed', `result output ${r.outputs.result}`)
    check(/^http:\/\/127\.0\.0\.1:\d+$/.test(r.outputs.url), `url output ${r.outputs.url}`)
    check(
      /^weather-service:[0-9a-f]{7}-\d+-1-[a-z0-9]{5}$/.test(r.outputs.image),
      `image output ${r.outputs.image}`
    )
    const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
    check(
      report.smoke.length === 3 && report.smoke.every(s => s.passed),
      'every smoke check passed in the report'
    )
    check(
      ['cluster', 'image', 'deploy', 'rollout', 'expose', 'smoke'].every(p =>
        report.phases.some(x => x.name === p && x.status === 'ok')
      ),
      `phases in the report: ${JSON.stringify(report.phases.map(p => [p.name, p.status]))}`
    )
    contains(r.summary, 'forecast for Chicago', 'job summary')
    const standinLog = readFileSync(minikube.log, 'utf8')
    contains(standinLog, '--kubernetes-version=v1.20.2', 'the stand-in log (start flags)')
    contains(standinLog, '--extra-config=kubelet.max-pods=50', 'the stand-in log (start flags)')
    contains(r.post.output, 'minikube delete -p minikube', 'post step')
    check(r.post.code === 0, `post exited ${r.post.code}`)
    check(!clusterHealthy(), 'the cluster this run started should be deleted')
    return `url ${r.outputs.url}, main ${(r.main.ms / 1000).toFixed(1)} s, post ${(r.post.ms / 1000).toFixed(1)} s`
  }
)

test('success, cluster: minikube already running is reused and kept', true, async () => {
  const minikube = standin()
  execFileSync(join(STANDIN_BIN, 'minikube'), ['start'], {
    stdio: 'inherit',
    env: { ...process.env, ...minikube.env }
  })
  const r = await runAction({
    inputs: localInputs({
      'url-host': '',
      manifests: 'weather-service/k8s',
      'smoke-checks': WEATHER_CHECKS,
      'upload-diagnostics': 'always'
    }),
    env: minikube.env
  })
  check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
  contains(r.main.output, 'already running: reusing it', 'main output')
  // upload-diagnostics: always writes the bundle of a passing run too, with `minikube logs`.
  const bundle = r.outputs['diagnostics-dir']
  check(bundle && existsSync(join(bundle, 'README.txt')), `no bundle for a passing run: ${bundle}`)
  contains(
    readFileSync(join(bundle, 'minikube-logs.txt'), 'utf8'),
    '==> kubelet <==',
    'minikube-logs.txt'
  )
  contains(readFileSync(minikube.log, 'utf8'), 'logs -p minikube --length=2000', 'the stand-in log')
  contains(r.post.output, 'was already running before this run: kept', 'post output')
  check(clusterHealthy(), 'a reused cluster must not be deleted')
  await assertNothingLeft(r.outputs.namespace)
  return `reused; main ${(r.main.ms / 1000).toFixed(1)} s, post ${(r.post.ms / 1000).toFixed(1)} s`
})

test('success, cluster: existing, replicas 3, rollout-check update', true, async () => {
  const r = await runAction({
    inputs: localInputs({
      cluster: 'existing',
      manifests: 'weather-service/k8s',
      replicas: '3',
      'rollout-check': 'update',
      'smoke-checks': WEATHER_CHECKS
    }),
    ...existing
  })
  check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
  const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
  check(
    report.phases.some(p => p.name === 'rollout-check' && p.status === 'ok'),
    'the update check ran'
  )
  contains(JSON.stringify(report.rollout), '0 of ', 'update check counts (no failed request)')
  check(
    /rollout to finish: \d of 3 updated replicas/.test(r.main.output),
    'the rollout waited for 3 replicas'
  )
  await assertNothingLeft(r.outputs.namespace)
  return `update check ${report.rollout['update check: failed requests']} failed; main ${(r.main.ms / 1000).toFixed(1)} s`
})

test('fault: container exits → CrashLoopBackOff, fast, with its logs', true, async () => {
  const { r, error } = await runFailing({ manifests: 'test/fixtures/e2e/crash.yaml' })
  contains(error, 'CrashLoopBackOff', 'the failure')
  contains(error, '"app"', 'the failure (container name)')
  contains(
    r.main.output,
    'config file /etc/weather/config.toml not found',
    'the output (container log)'
  )
  contains(
    r.summary,
    'config file /etc/weather/config.toml not found',
    'the job summary (container log)'
  )
  const rollout = phaseOf(r, 'rollout')
  check(rollout.durationMs < 45_000, `rollout phase took ${rollout.durationMs} ms`)
  const diagrams = summaryRenders(r, 'summary-failed-rollout', { shot: true })
  contains(drawnTexts(diagrams), 'Deployment/weather-crash failed after', 'the drawn timeline')
  await assertNothingLeft(r.outputs.namespace)
  return `failed in the rollout phase after ${(rollout.durationMs / 1000).toFixed(1)} s; its summary renders`
})

test('fault: image that does not exist → ErrImageNeverPull in < 10 s', true, async () => {
  const { r, error } = await runFailing({ manifests: 'test/fixtures/e2e/missing-image.yaml' })
  contains(error, 'ErrImageNeverPull', 'the failure')
  contains(error, 'metrics-sidecar', 'the failure (container name)')
  const rollout = phaseOf(r, 'rollout')
  check(rollout.durationMs < 10_000, `detected after ${rollout.durationMs} ms, goal < 10 s`)
  await assertNothingLeft(r.outputs.namespace)
  return `detected after ${(rollout.durationMs / 1000).toFixed(1)} s`
})

test('fault: readiness probe never passes → rollout timeout naming the probe', true, async () => {
  const { r, error } = await runFailing({
    manifests: 'test/fixtures/e2e/never-ready.yaml',
    'rollout-timeout': '15s'
  })
  contains(error, '/ready-never', 'the failure (the probe)')
  const rollout = phaseOf(r, 'rollout')
  check(
    rollout.durationMs >= 14_000 && rollout.durationMs < 25_000,
    `timed out after ${rollout.durationMs} ms, expected ~15 s`
  )
  await assertNothingLeft(r.outputs.namespace)
  return `timed out after ${(rollout.durationMs / 1000).toFixed(1)} s`
})

test('fault: smoke check gets 500 → failed, reported, torn down', true, async () => {
  const { r, error } = await runFailing({
    manifests: 'test/fixtures/e2e/server-error.yaml',
    'smoke-checks': '- path: /?msg=Chicago\n  expect-status: 200',
    'smoke-timeout': '5s'
  })
  check(
    /GET \/\?msg=Chicago: expected status 200, got 500 after \d+ attempts in [\d.]+ s/.test(error),
    `failure message: ${error}`
  )
  check(r.outputs.result === 'failed', `result output ${r.outputs.result}`)
  const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
  check(
    report.smoke[0].passed === false && report.smoke[0].attempts.length > 1,
    'the report shows the failed check and its attempts'
  )
  contains(r.summary, '500', 'the job summary')
  // The failing check's attempts, drawn (runs of the same outcome as one bar).
  contains(
    drawnTexts(summaryRenders(r, 'summary-failed-smoke')),
    'status 500',
    'the drawn timeline'
  )
  await assertNothingLeft(r.outputs.namespace)
  return `${report.smoke[0].attempts.length} attempts reported and drawn`
})

test(
  'fault: a check expecting the wrong value fails the action and still tears down',
  true,
  async () => {
    const { r, error } = await runFailing({
      manifests: 'weather-service/k8s',
      'smoke-checks': '- path: /?msg=Chicago\n  expect-json:\n    response.place: Boston',
      'smoke-timeout': '3s'
    })
    check(
      /GET \/\?msg=Chicago: .*response\.place.*Boston.*after \d+ attempts in [\d.]+ s/.test(error),
      `failure message: ${error}`
    )
    check(r.outputs.result === 'failed', `result output ${r.outputs.result}`)
    contains(r.summary, 'Boston', 'the job summary')
    await assertNothingLeft(r.outputs.namespace)
    return error.replace('::error::', '')
  }
)

test(
  'load: a load check on the weather service passes, reported in JSON, summary and JUnit',
  true,
  async () => {
    const r = await runAction({
      inputs: localInputs({
        cluster: 'existing',
        manifests: 'weather-service/k8s',
        'smoke-checks': `
- path: /healthz
- name: forecast under load
  path: /?msg=Chicago
  expect-json: { success: true }
  load: { requests: 300, concurrency: 8 }
  min-success-rate: 100
`
      }),
      ...existing
    })
    check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
    const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
    const load = report.smoke[1].load
    check(
      load?.requests === 300 && load.successRate === 100 && load.requestsPerSecond > 0,
      `load result: ${JSON.stringify(load)?.slice(0, 400)}`
    )
    check(load.latency.p95 > 0 && load.series.length > 0, 'latency percentiles and a series')
    check(
      load.percentiles?.map(p => p.p).join() === '50,75,90,95,99,99.9,100' && load.startedAt,
      `load percentiles and start: ${JSON.stringify(load.percentiles)} ${load.startedAt}`
    )
    contains(r.summary, '### Load', 'the job summary')
    const diagrams = summaryRenders(r, 'summary-passed-load', {
      shot: true,
      kinds: ['gantt', 'xychart-beta']
    })
    const drawn = drawnTexts(diagrams)
    contains(drawn, 'ready in', 'the drawn timeline (the Deployment)')
    contains(drawn, 'load 300 requests', 'the drawn timeline (the load)')
    contains(drawn, 'p99.9', 'the drawn latency chart')
    const junit = readFileSync(r.outputs.junit, 'utf8')
    check(
      /<testsuite name="smoke" tests="2" failures="0"/.test(junit),
      `JUnit file ${r.outputs.junit}:\n${junit.slice(0, 600)}`
    )
    await assertNothingLeft(r.outputs.namespace)
    return `${load.requests} requests, ${load.requestsPerSecond} req/s, p95 ${load.latency.p95} ms`
  }
)

test('load: a service failing 5 % of requests fails min-success-rate 99', true, async () => {
  const { r, error } = await runFailing({
    manifests: 'test/fixtures/e2e/flaky.yaml',
    'smoke-checks': '- path: /\n  load: { requests: 400, concurrency: 4 }'
  })
  // The ::error:: command escapes '%' as %25.
  contains(
    error.replaceAll('%25', '%'),
    'success rate 95 % (380 of 400) under min-success-rate 99 %; errors: status 500 × 20',
    'the failure'
  )
  const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
  check(
    report.smoke[0].load?.failed === 20,
    `load: ${JSON.stringify(report.smoke[0].load?.errors)}`
  )
  const junit = readFileSync(r.outputs.junit, 'utf8')
  contains(junit, 'failure message="success rate 95 %', 'the JUnit file')
  await assertNothingLeft(r.outputs.namespace)
  return error.replace('::error::', '').replaceAll('%25', '%')
})

test('fault: Dockerfile that does not build → the build error shown', true, async () => {
  const { r, error } = await runFailing({
    context: 'test/fixtures/e2e/bad-build',
    'smoke-path': '/healthz'
  })
  contains(error, 'docker build of weather-service:', 'the failure')
  contains(error, 'requirements-missing.txt', 'the failure (the build error)')
  check(!r.outputs.namespace, 'nothing should have been deployed')
  return 'build error surfaced'
})

test('fault: main step killed mid-rollout → post still removes everything', true, async () => {
  let sawRollout = false
  const r = await runAction({
    inputs: localInputs({
      cluster: 'existing',
      manifests: 'test/fixtures/e2e/never-ready.yaml',
      'rollout-timeout': '60s'
    }),
    ...existing,
    killMainWhen: line => {
      // Kill on the first progress line of the rollout wait: the namespace and objects exist.
      if (line.includes('::group::rollout')) sawRollout = true
      return sawRollout && /Waiting for deployment/.test(line)
    }
  })
  check(r.killed, `main was never in the rollout:\n${tail(r.main.output)}`)
  const saved = JSON.parse(r.state.run)
  check(saved.namespace?.name, `state holds no namespace: ${r.state.run}`)
  check(r.post.code === 0, `post exited ${r.post.code}`)
  await assertNothingLeft(saved.namespace.name)
  return `killed; post removed ${saved.namespace.name} in ${(r.post.ms / 1000).toFixed(1)} s`
})

/** A generated app of `n` ConfigMaps + Deployment + NodePort Service, inside the workspace. */
function largeApp(n) {
  const dir = join(REPO, '.e2e', `large-${randomBytes(3).toString('hex')}`)
  return { dir, manifests: writeLargeApp(REPO, dir, n) }
}

/** Bytes the runner would hand to post: every saved state value (the whole GITHUB_STATE file). */
const stateBytes = r => statSync(join(r.dir, 'state')).size

test(
  'large app: 1000 objects pass, state stays small, post starts and removes everything',
  true,
  async () => {
    const app = largeApp(998)
    try {
      const r = await runAction({
        inputs: localInputs({
          cluster: 'existing',
          manifests: app.manifests,
          'smoke-path': '/healthz'
        }),
        ...existing
      })
      check(r.main.code === 0, `main failed:\n${tail(r.main.output, 40)}`)
      contains(r.main.output, 'configmap/settings-0997 serverside-applied (created)', 'main output')
      const written = stateBytes(r)
      check(written < 8192, `main wrote ${written} bytes to GITHUB_STATE (a few KiB expected)`)
      const saved = JSON.parse(r.state.run)
      const journal = readFileSync(saved.objectsFile, 'utf8').trim().split('\n')
      check(journal.length === 2 * 1000, `the journal holds ${journal.length} lines, not 2000`)
      check(r.post.code === 0, `post exited ${r.post.code}:\n${tail(r.post.output)}`)
      contains(r.post.output, `Removed: namespace "${r.outputs.namespace}"`, 'post output')
      await assertNothingLeft(r.outputs.namespace)
      const deploy = phaseOf(r, 'deploy')
      return `state ${written} B; deploy ${(Date.parse(deploy.endedAt) - Date.parse(deploy.startedAt)) / 1000} s; main ${(r.main.ms / 1000).toFixed(1)} s, post ${(r.post.ms / 1000).toFixed(1)} s`
    } finally {
      rmSync(app.dir, { recursive: true, force: true })
    }
  }
)

test(
  'fault: main killed (SIGKILL) halfway through applying 1000 objects → post deletes each one',
  true,
  async () => {
    const app = largeApp(998)
    // A namespace that exists before the run: kept, so post must delete the run's objects one by
    // one from its journal (a namespace the run created would take them all with it).
    const namespace = `e2e-large-${randomBytes(3).toString('hex')}`
    check(kubectl('create', 'namespace', namespace).code === 0, `cannot create ${namespace}`)
    const settings = () =>
      kubectl('get', 'configmaps', '-n', namespace, '-o', 'name')
        .out.split('\n')
        .filter(l => l.startsWith('configmap/settings-')).length
    try {
      let before
      const r = await runAction({
        inputs: localInputs({ cluster: 'existing', manifests: app.manifests, namespace }),
        ...existing,
        killMainWhen: line => line.includes('configmap/settings-0500 serverside-applied'),
        afterMain: async () => (before = settings())
      })
      check(r.killed, `main was never killed mid-apply:\n${tail(r.main.output)}`)
      check(before > 500 && before < 998, `${before} ConfigMaps existed when main was killed`)
      check(stateBytes(r) < 8192, `main wrote ${stateBytes(r)} bytes to GITHUB_STATE`)
      check(r.post.code === 0, `post exited ${r.post.code}:\n${tail(r.post.output)}`)
      const left = settings()
      check(
        left === 0,
        `${left} of the run's ConfigMaps are still there after post:\n${tail(r.post.output)}`
      )
      const deleted = r.post.output
        .split('\n')
        .filter(l =>
          new RegExp(`^configmap "settings-\\d+" in namespace "${namespace}" deleted$`).test(l)
        )
      check(
        deleted.length === before,
        `post said it deleted ${deleted.length} ConfigMaps; ${before} existed`
      )
      return `killed with ${before} ConfigMaps applied; post deleted them all in ${(r.post.ms / 1000).toFixed(1)} s`
    } finally {
      kubectl('delete', 'namespace', namespace, '--wait=false')
      rmSync(app.dir, { recursive: true, force: true })
    }
  }
)

test(
  'minikube 1.38 stand-in: a reused none-driver profile builds on the host engine',
  true,
  async () =>
    withStandinProfile(['--driver=none'], async (profile, minikube) => {
      const r = await runAction({
        inputs: localInputs({
          'url-host': '',
          profile,
          driver: 'none',
          manifests: 'weather-service/k8s',
          'smoke-checks': WEATHER_CHECKS
        }),
        env: minikube.env
      })
      check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
      contains(r.main.output, 'minikube 1.38.1 at', 'main output (the version it talks to)')
      contains(r.main.output, 'already running: reusing it', 'main output')
      contains(r.main.output, 'driver "none": building with the host Docker engine', 'main output')
      const log = readFileSync(minikube.log, 'utf8')
      check(
        log.includes(`profile list -o json --light`) && !log.includes(`docker-env -p ${profile}`),
        'the profile was read, and docker-env (which refuses the none driver: 51) never called'
      )
      check(clusterHealthy(), 'a reused cluster must stay up')
      await assertNothingLeft(r.outputs.namespace)
      return `reused ${profile} (none driver); main ${(r.main.ms / 1000).toFixed(1)} s`
    })
)

test(
  'fault: a reused profile with another driver is reported, nothing built, cluster kept',
  true,
  async () =>
    withStandinProfile(['-d', 'none'], async (profile, minikube) => {
      const r = await runAction({
        inputs: localInputs({ 'url-host': '', profile, manifests: 'weather-service/k8s' }),
        env: minikube.env
      })
      check(r.main.code === 1, `main exited ${r.main.code}, expected 1:\n${tail(r.main.output)}`)
      const error = errorLines(r.main.output).join('\n')
      contains(
        error,
        `minikube profile "${profile}" already exists with the "none" driver, but input 'driver' is "docker"`,
        'the failure'
      )
      check(
        !/docker build|Running: minikube start/.test(r.main.output),
        'nothing was built or started'
      )
      check(
        !/minikube (delete|stop)/.test(r.post.output),
        `post touched the cluster:\n${r.post.output}`
      )
      check(clusterHealthy(), 'the cluster must stay up')
      return error.replace('::error::', '')
    })
)

test(
  'fault: minikube status null (its engine not answering) → one clear line, cluster left alone',
  true,
  async () =>
    withStandinProfile([], async (profile, minikube) => {
      const r = await runAction({
        inputs: localInputs({ 'url-host': '', profile, manifests: 'weather-service/k8s' }),
        env: { ...minikube.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' }
      })
      check(r.main.code === 1, `main exited ${r.main.code}, expected 1:\n${tail(r.main.output)}`)
      const error = errorLines(r.main.output).join('\n')
      contains(error, `minikube status -p ${profile} printed null`, 'the failure')
      contains(error, '(exit code 7)', 'the failure')
      check(!/Running: minikube start/.test(r.main.output), 'minikube start must not run')
      check(
        !/minikube (delete|stop)/.test(r.post.output),
        `post touched the cluster:\n${r.post.output}`
      )
      check(
        existsSync(join(STATE, 'minikube-standin/profiles', profile)),
        'the profile must still exist'
      )
      check(clusterHealthy(), 'the cluster must stay up')
      return error.replace('::error::', '')
    })
)

test(
  'port-forward: a ClusterIP-only Service, reached on 127.0.0.1, no forwarder left',
  true,
  async () => {
    const r = await runAction({
      inputs: localInputs({
        cluster: 'existing',
        'url-host': '',
        'url-mode': 'port-forward',
        manifests: 'test/fixtures/e2e/clusterip-only.yaml',
        'smoke-checks': WEATHER_CHECKS
      }),
      ...existing
    })
    check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
    check(/^http:\/\/127\.0\.0\.1:\d+$/.test(r.outputs.url), `url output ${r.outputs.url}`)
    check(!r.main.output.includes('no NodePort Service selects'), 'a NodePort Service was added')
    check(r.outputs['node-port'] === '', `node-port output ${r.outputs['node-port']}`)
    const pid = forwarderPid(r.main.output)
    check(pid, `no port-forward pid in the output:\n${tail(r.main.output)}`)
    check(JSON.parse(r.state.run).portForward === undefined, 'main left the forwarder in state')
    check(!processAlive(pid), `kubectl port-forward (pid ${pid}) is still running`)
    await assertNothingLeft(r.outputs.namespace)
    return `${r.outputs.url} via pid ${pid} (stopped by main)`
  }
)

test(
  'port-forward: main killed while forwarding → post stops the forwarder by pid',
  true,
  async () => {
    let pid
    const r = await runAction({
      inputs: localInputs({
        cluster: 'existing',
        'url-host': '',
        'url-mode': 'port-forward',
        manifests: 'test/fixtures/e2e/clusterip-only.yaml',
        // never passes, so main is still forwarding when it is killed
        'smoke-checks': '- path: /healthz\n  expect-status: 418',
        'smoke-timeout': '60s'
      }),
      ...existing,
      killMainWhen: line => {
        pid ??= forwarderPid(line)
        return pid !== undefined
      }
    })
    check(r.killed && pid, `main was never killed while forwarding:\n${tail(r.main.output)}`)
    const saved = JSON.parse(r.state.run)
    check(saved.portForward?.pid === pid, `state does not hold the forwarder: ${r.state.run}`)
    check(r.post.code === 0, `post exited ${r.post.code}`)
    contains(r.post.output, `the port-forward left by the main step (pid ${pid})`, 'post output')
    check(!processAlive(pid), `kubectl port-forward (pid ${pid}) survived the post step`)
    await assertNothingLeft(saved.namespace.name)
    return `post stopped pid ${pid}`
  }
)

test('local debugger: @github/local-action runs main and post, post tears down', true, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-la-'))
  const envFile = join(dir, '.env')
  const vars = {
    INPUT_CLUSTER: 'existing',
    INPUT_MANIFESTS: 'weather-service/k8s',
    'INPUT_BUILD-ARGS': `BASE_IMAGE=${BASE_IMAGE}`,
    'INPUT_URL-HOST': '127.0.0.1',
    'INPUT_SMOKE-PATH': '/healthz',
    'INPUT_STABLE-FOR': '2s',
    KUBECONFIG: CLUSTER_KUBECONFIG,
    GITHUB_WORKSPACE: REPO,
    RUNNER_TEMP: dir
  }
  writeFileSync(
    envFile,
    Object.entries(vars)
      .map(([k, v]) => `${k}="${v}"`)
      .join('\n') + '\n'
  )
  const env = { ...process.env }
  for (const k of Object.keys(env))
    if (/^(INPUT_|STATE_|GITHUB_(OUTPUT|STATE|ENV|PATH|STEP_SUMMARY)$)/.test(k)) delete env[k]
  const t0 = Date.now()
  // From another directory: npm runs the script in the package's own directory, which is what
  // local-action needs to find the @actions/core it replaces.
  const run = sh('npm', ['--prefix', REPO, 'run', '--silent', 'local-action', '--', envFile], {
    cwd: tmpdir(),
    env: { ...env, PATH: `${join(REPO, 'node_modules/.bin')}:${env.PATH}` },
    timeout: 5 * 60_000
  })
  const out = run.out
  check(run.code === 0, `local-action exited ${run.code}:\n${tail(out, 40)}`)
  // With local-action's @actions/core stub in place: outputs collected, state kept for post.
  contains(out, '::set-output name=result::passed', 'local-action output')
  check(!out.includes('No outputs were set!'), `outputs were lost:\n${tail(out, 40)}`)
  check(!out.includes('::save-state'), 'the real @actions/core ran (state printed, not kept)')
  const namespace = /::set-output name=namespace::(\S+)/.exec(out)?.[1]
  contains(out, `Removed: namespace "${namespace}"`, 'the post step')
  await assertNothingLeft(namespace)
  return `${namespace} created and removed in ${((Date.now() - t0) / 1000).toFixed(1)} s`
})

test(
  'images: front end + API built in parallel, both substituted and rolled out',
  true,
  async () => {
    const ws = twoImageWorkspace()
    const r = await runAction({
      inputs: localInputs({
        cluster: 'existing',
        'build-args': '',
        images: `
- name: shop-front
  context: front
- name: weather-api
  context: api
  build-args:
    BASE_IMAGE: ${BASE_IMAGE}
`,
        manifests: 'k8s',
        'smoke-checks': `
- name: front end
  path: /
  expect-body-contains: front end
- name: the API through the front end
  path: /api/?msg=Chicago
  expect-json:
    success: true
    response.place: Chicago
`
      }),
      env: { ...existing.env, GITHUB_WORKSPACE: ws, PATH: buildkitPath() }
    })
    check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
    const images = JSON.parse(r.outputs.images)
    check(
      /^shop-front:\S+$/.test(images['shop-front']) &&
        /^weather-api:\S+$/.test(images['weather-api']),
      `images output ${r.outputs.images}`
    )
    contains(r.main.output, 'building 2 images in parallel (BuildKit)', 'main output')
    contains(r.main.output, 'deployment "api" successfully rolled out', 'main output')
    contains(r.main.output, 'deployment "front" successfully rolled out', 'main output')
    const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
    check(
      report.smoke.every(s => s.passed),
      'every smoke check passed (the API answered through the front end)'
    )
    check(
      report.images.every(i => i.buildMs > 0),
      `build times in the report: ${JSON.stringify(report.images)}`
    )
    contains(r.summary, '### Images', 'job summary')
    contains(r.summary, `\`${images['weather-api']}\``, 'job summary (the API image)')
    contains(
      r.summary,
      'docker-env: built in the local Docker engine',
      'job summary (how it got there)'
    )
    await assertNothingLeft(r.outputs.namespace)
    // cluster: existing keeps the engine: the run's tags are removed from it.
    check(
      !imageExists(images['shop-front']) && !imageExists(images['weather-api']),
      "the run's tags are gone"
    )
    const times = report.images.map(i => `${i.name} ${(i.buildMs / 1000).toFixed(1)} s`).join(', ')
    return `built ${times}; main ${(r.main.ms / 1000).toFixed(1)} s`
  }
)

test(
  'images: cluster existing, load registry → pushed to the local registry, pulled by the pods',
  true,
  async () => {
    const r = await runAction({
      inputs: localInputs({
        cluster: 'existing',
        load: 'registry',
        registry: REGISTRY,
        manifests: 'weather-service/k8s',
        'smoke-checks': WEATHER_CHECKS
      }),
      ...existing
    })
    check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
    const ref = r.outputs.image
    check(ref.startsWith(`${REGISTRY}/weather-service:`), `image output ${ref}`)
    const tag = ref.split(':').pop()
    contains(r.main.output, `pushed ${ref} (sha256:`, 'main output')
    // weather-service/k8s says Never (for the docker-env flow): a pushed tag must be pulled.
    contains(r.main.output, 'imagePullPolicy Never replaced by IfNotPresent', 'main output')
    check(
      pulledFromRegistry(registryLog(), 'weather-service') &&
        new RegExp(`"(HEAD|GET) /v2/weather-service/manifests/${tag} `).test(registryLog()),
      `the registry log shows no pull of weather-service:${tag}`
    )
    contains(r.summary, `registry: pushed to ${REGISTRY}, pulled by the nodes`, 'job summary')
    contains(r.post.output, 'pushed images stay in the registry', 'post output')
    await assertNothingLeft(r.outputs.namespace)
    check(!imageExists(`weather-service:${tag}`), 'the locally built tag is removed')
    const tags = sh('curl', ['-sf', `http://127.0.0.1:5000/v2/weather-service/tags/list`]).out
    contains(tags, tag, 'the registry tag list (pushed tags stay)')
    docker('image', 'rm', ref) // what the kubelet pulled into this engine (the test's to clean)
    return `pushed and pulled ${ref}; main ${(r.main.ms / 1000).toFixed(1)} s`
  }
)

test(
  'images: prebuilt (build: false) → nothing built, the pods pull the reference',
  true,
  async () => {
    // Made the way a pipeline's earlier job would: built and pushed, not left on this engine.
    const ws = twoImageWorkspace()
    const ref = `${REGISTRY}/e2e/prebuilt-front:${randomBytes(4).toString('hex')}`
    check(
      docker('build', '-q', '-t', ref, join(ws, 'front')).code === 0,
      'could not build the prebuilt image'
    )
    const pushed = docker('push', ref)
    check(pushed.code === 0, `could not push ${ref}: ${pushed.out}`)
    docker('image', 'rm', ref)
    const r = await runAction({
      inputs: localInputs({
        cluster: 'existing',
        build: 'false',
        'build-args': '',
        image: ref,
        'container-port': '8080',
        'smoke-checks': '- path: /\n  expect-body-contains: front end'
      }),
      ...existing
    })
    check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
    check(!r.main.output.includes('Running: docker build'), 'something was built')
    check(r.outputs.image === ref, `image output ${r.outputs.image}`)
    contains(r.summary, 'none: prebuilt, pulled by the nodes', 'job summary')
    check(
      pulledFromRegistry(registryLog(), 'e2e/prebuilt-front'),
      'the pods did not pull the prebuilt image'
    )
    await assertNothingLeft(r.outputs.namespace)
    docker('image', 'rm', ref) // pulled by the kubelet; not the action's to remove
    return `deployed ${ref} without a build; main ${(r.main.ms / 1000).toFixed(1)} s`
  }
)

test('fault: push to a registry that is down → one line naming the registry', true, async () => {
  const down = 'localhost:5099'
  check(
    sh('curl', ['-s', '--max-time', '1', 'http://127.0.0.1:5099/v2/']).code !== 0,
    '5099 answers'
  )
  const { r, error } = await runFailing({
    registry: down,
    manifests: 'weather-service/k8s',
    'smoke-path': '/healthz'
  })
  check(errorLines(r.main.output).length === 1, `one error line:\n${tail(r.main.output)}`)
  check(
    new RegExp(
      `push of ${down}/weather-service:\\S+ to registry ${down} failed: .*connection refused`
    ).test(error),
    `failure message: ${error}`
  )
  check(!r.outputs.namespace, 'nothing should have been deployed')
  const state = JSON.parse(r.state.run)
  check(
    state.images.tags.every(t => !imageExists(t)),
    `the run's tags are left: ${state.images.tags.join(', ')}`
  )
  return error.replace('::error::', '')
})

test(
  'images: a build secret reaches the build and appears in no log, summary or report',
  true,
  async () => {
    const ws = twoImageWorkspace()
    const secret = `smoke-secret-${randomBytes(12).toString('hex')}`
    const argValue = `build-arg-value-${randomBytes(6).toString('hex')}`
    const proof = createHash('sha256').update(secret).digest('hex')
    const r = await runAction({
      inputs: localInputs({
        cluster: 'existing',
        context: 'front',
        dockerfile: 'front/Dockerfile.secret',
        image: 'front-secret',
        'build-args': `BASE_IMAGE=${BASE_IMAGE}\nPROOF_RUN=${argValue}`,
        'build-secrets': `smoke_token=${secret}`,
        'container-port': '8080',
        'smoke-checks': `- path: /proof\n  expect-body-contains: ${proof}`
      }),
      env: { ...existing.env, GITHUB_WORKSPACE: ws, PATH: buildkitPath() }
    })
    check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
    // The runner hides the value everywhere once told; the only line holding it tells it.
    const lines = r.main.output.split('\n').filter(l => l.includes(secret))
    check(
      lines.length > 0 && lines.every(l => l === `::add-mask::${secret}`),
      `the secret is printed outside ::add-mask::\n${lines.join('\n')}`
    )
    const report = readFileSync(r.outputs.report, 'utf8')
    for (const [what, text] of [
      ['post output', r.post.output],
      ['job summary', r.summary],
      ['report', report],
      ['saved state', JSON.stringify(r.state)],
      ['outputs', JSON.stringify(r.outputs)]
    ])
      check(!text.includes(secret), `the secret appears in the ${what}`)
    const running = r.main.output.split('\n').find(l => l.startsWith('Running: docker build'))
    check(running && !running.includes(argValue), `build-arg value in: ${running}`)
    contains(running, 'PROOF_RUN=…', 'the build command line')
    return `proof ${proof.slice(0, 12)}… served by the image; secret masked`
  }
)

test(
  'images: minikube (stand-in) with containerd → built on the runner, minikube image load',
  true,
  async () => {
    // A profile of its own, started with containerd: minikube keeps the runtime in the profile,
    // and a run that expects another one is refused.
    return withStandinProfile(['--container-runtime=containerd'], async (profile, minikube) => {
      const r = await runAction({
        inputs: localInputs({
          'url-host': '',
          profile,
          manifests: 'weather-service/k8s',
          'smoke-checks': WEATHER_CHECKS,
          'start-args': '--container-runtime=containerd'
        }),
        env: minikube.env
      })
      const standinLog = readFileSync(minikube.log, 'utf8')
      check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
      contains(
        r.main.output,
        'images reach the cluster by image-load: container runtime containerd',
        'main output'
      )
      contains(
        standinLog,
        `image load --daemon ${r.outputs.image} -p ${profile}`,
        'the stand-in log'
      )
      contains(r.summary, 'image-load: built on the runner', 'job summary')
      check(clusterHealthy(), 'a reused cluster must not be deleted')
      await assertNothingLeft(r.outputs.namespace)
      check(!imageExists(r.outputs.image), "the runner's tag is removed")
      return `loaded ${r.outputs.image}; main ${(r.main.ms / 1000).toFixed(1)} s`
    })
  }
)

test(
  'fault: CrashLoopBackOff → diagnostics bundle with the crashed run’s log and events, uploaded',
  true,
  async () => {
    const server = await startArtifactServer()
    try {
      const { r, error } = await runFailing(
        { manifests: 'test/fixtures/e2e/crash.yaml' },
        { ...server.env, GITHUB_JOB: 'e2e-crash' }
      )
      contains(error, 'CrashLoopBackOff', 'the failure')
      const dir = r.outputs['diagnostics-dir']
      check(
        dir && existsSync(dir),
        `diagnostics-dir output ${JSON.stringify(dir)} is not a directory`
      )
      const files = filesUnder(dir)
      const read = f => readFileSync(join(dir, f), 'utf8')
      // The crashed run's log: app.log while the container is down after its first crash (the
      // action fails on the kubelet's first BackOff), app.previous.log once it has restarted.
      const previous = files.find(f =>
        /^logs\/weather-crash-[a-z0-9]+-[a-z0-9]+\/app(\.previous)?\.log$/.test(f)
      )
      check(previous, `no log of the crashed container in the bundle: ${files.join(', ')}`)
      contains(read(previous), 'config file /etc/weather/config.toml not found', previous)
      // The namespace's events, oldest first. (The kubelet's own, BackOff included, may still be
      // on their way when the fail-fast verdict comes: only the scheduler's are certain.)
      check(
        /SuccessfulCreate.*\n(.*\n)*.*Scheduled\s+pod\/weather-crash-/.test(read('events.txt')),
        `events.txt should list the pod's creation, then its scheduling:\n${read('events.txt')}`
      )
      check(
        /^LAST SEEN\s+TYPE\s+REASON/.test(read('events.txt')),
        `events.txt is not the events table:\n${tail(read('events.txt'))}`
      )
      for (const f of [
        'README.txt',
        'report.json',
        'manifests/applied.yaml',
        'objects/deployment-weather-crash.yaml'
      ])
        check(files.includes(f), `${f} missing from the bundle: ${files.join(', ')}`)
      const podFile = files.find(f => /^pods\/weather-crash-.*\.txt$/.test(f))
      contains(podFile ? read(podFile) : '', 'Restart Count:', 'the pod description')
      contains(read('manifests/applied.yaml'), 'imagePullPolicy: Never', 'the applied manifest')
      check(JSON.parse(read('report.json')).result === 'failed', 'report.json result')

      // The artifact: named per job and use, the same files, the summary links it.
      check(
        server.problems.length === 0,
        `artifact service problems: ${server.problems.join('; ')}`
      )
      const runKey = r.outputs.namespace.replace(/^smoke-/, '')
      const artifact = server.artifacts.find(
        a => a.name === `minikube-smoke-diagnostics-e2e-crash-${runKey}`
      )
      check(
        artifact?.finalize,
        `no finalized artifact named for the job: ${JSON.stringify(server.artifacts.map(a => a.name))}`
      )
      const uploaded = [...artifact.files.keys()].sort()
      check(
        JSON.stringify(uploaded) === JSON.stringify(files),
        `uploaded files differ from the bundle:\n${uploaded.join(', ')}\nvs\n${files.join(', ')}`
      )
      check(
        artifact.files.get(previous).toString() === read(previous),
        `${previous} arrived changed`
      )
      const runId = runKey.split('-')[0]
      contains(
        r.summary,
        `/octo/minikube-smoke/actions/runs/${runId}/artifacts/${artifact.id}`,
        'the summary (artifact link)'
      )
      await assertNothingLeft(r.outputs.namespace)
      return `${files.length} files, ${artifact.finalize.size} bytes uploaded as ${artifact.name}`
    } finally {
      await server.close()
    }
  }
)

test('fault: a pod printing workflow commands → shown literally, none obeyed', true, async () => {
  const { r } = await runFailing({ manifests: 'test/fixtures/e2e/inject.yaml' })
  const reading = asRunner(r)
  const forged = reading.annotations.filter(a => /^(owned|legacy-owned)/.test(a.message))
  check(
    forged.length === 0,
    `the runner would annotate from the pod's output: ${JSON.stringify(forged)}`
  )
  check(
    !reading.masks.includes('x') && !reading.masks.includes('y'),
    `the runner would mask what the pod asked: ${JSON.stringify(reading.masks)}`
  )
  check(
    !reading.commands.some(c => c.name === 'set-output'),
    'the runner would set an output from the pod'
  )
  check(!reading.stillStopped, 'the log ends inside a stop-commands block')
  for (const line of ['::error::owned', '::add-mask::x', '::set-output name=result::passed'])
    check(reading.shown.includes(line), `the log should show ${JSON.stringify(line)} as text`)
  // The action's own error still reaches the runner after the fenced output.
  check(
    reading.annotations.some(a => a.level === 'error' && a.message.includes('CrashLoopBackOff')),
    `the action's error is not an annotation: ${JSON.stringify(reading.annotations)}`
  )
  await assertNothingLeft(r.outputs.namespace)
  const fences = reading.commands.filter(c => c.name === 'stop-commands').length
  return `${fences} fenced blocks; annotations: ${reading.annotations.map(a => a.level).join(', ')}`
})

test(
  'secrets: a credential header never shows in the log, summary, report or bundle',
  true,
  async () => {
    const secret = `s3cr3t-${randomBytes(8).toString('hex')}`
    const { r } = await runFailing({
      manifests: 'test/fixtures/e2e/echo-headers.yaml',
      'smoke-checks': `- path: /\n  headers:\n    Authorization: Bearer ${secret}\n    X-Api-Key: key-${secret}`,
      'smoke-timeout': '4s'
    })
    const raw = r.main.output.split('\n').filter(l => !l.startsWith('::add-mask::'))
    // The app logged the header: without masking and redaction, it would be everywhere below.
    check(
      raw.some(l => l.includes(secret)),
      'the app did not log the header: this case would prove nothing'
    )
    const reading = asRunner(r)
    check(
      reading.masks.includes(`Bearer ${secret}`),
      `not masked: ${JSON.stringify(reading.masks)}`
    )
    const shown = reading.shown.join('\n')
    check(
      !shown.includes(secret),
      `the log shows the secret:\n${tail(
        shown
          .split('\n')
          .filter(l => l.includes(secret))
          .join('\n')
      )}`
    )
    check(!r.summary.includes(secret), 'the job summary holds the secret')
    check(!readFileSync(r.outputs.report, 'utf8').includes(secret), 'the report holds the secret')
    const dir = r.outputs['diagnostics-dir']
    const files = filesUnder(dir)
    const leaking = files.filter(f => readFileSync(join(dir, f), 'utf8').includes(secret))
    check(leaking.length === 0, `bundle files hold the secret: ${leaking.join(', ')}`)
    const appLog = files.find(f => /^logs\/weather-echo-.*\/app\.log$/.test(f))
    contains(
      appLog ? readFileSync(join(dir, appLog), 'utf8') : '',
      'Authorization: *** X-Api-Key: ***',
      'the app log in the bundle'
    )
    await assertNothingLeft(r.outputs.namespace)
    return `masked in the log; redacted in the summary, the report and ${files.length} bundle files`
  }
)

test(
  'cancel: SIGTERM during docker build → the build and its children stop, nothing left',
  true,
  async () => {
    const r = await runAction({
      inputs: localInputs({
        cluster: 'existing',
        context: 'test/fixtures/e2e/slow-build',
        'smoke-path': '/'
      }),
      ...existing,
      signalMainWhen: line =>
        line.trim() === 'minikube-smoke: slow build step running' ? 'SIGTERM' : undefined
    })
    check(r.signalled, `the build step never ran:\n${tail(r.main.output)}`)
    const exitMs = r.main.endedAt - r.signalled.at
    check(exitMs < 10_000, `main took ${exitMs} ms to exit after SIGTERM`)
    check(r.main.code === 1, `main exited ${r.main.code} (signal ${r.main.signal})`)
    const docker = r.signalled.descendants.filter(p => /(^|\/)docker(\s|$)/.test(p.cmd))
    check(
      docker.length > 0,
      `docker build was not a child of main: ${JSON.stringify(r.signalled.descendants)}`
    )
    const survivors = r.signalled.descendantsAliveAtExit
    check(survivors.length === 0, `children outlived main: ${JSON.stringify(survivors)}`)
    const reading = asRunner(r)
    check(
      reading.annotations.some(
        a => a.level === 'error' && a.message.startsWith('cancelled: the step received SIGTERM')
      ),
      `no cancel error the runner would show: ${JSON.stringify(reading.annotations)}`
    )
    // The daemon-side build (its RUN container) ends with the client.
    const left = await processesGone(cmd => cmd.includes('sleep 617'), 15_000)
    check(
      left.length === 0,
      `the build's RUN step still runs 15 s after main exited (pids ${left.join(', ')})`
    )
    check(
      !JSON.parse(r.state.run).namespace,
      'nothing was deployed, yet the state holds a namespace'
    )
    check(r.post.code === 0, `post exited ${r.post.code}`)
    return `main exited ${exitMs} ms after SIGTERM; ${r.signalled.descendants.length} children stopped`
  }
)

test(
  'cancel: SIGTERM during the rollout → prompt exit, post removes everything',
  true,
  async () => {
    const r = await runAction({
      inputs: localInputs({
        cluster: 'existing',
        manifests: 'test/fixtures/e2e/never-ready.yaml',
        'rollout-timeout': '120s'
      }),
      ...existing,
      signalMainWhen: line => (/Waiting for deployment/.test(line) ? 'SIGTERM' : undefined)
    })
    check(r.signalled, `main was never in the rollout:\n${tail(r.main.output)}`)
    const exitMs = r.main.endedAt - r.signalled.at
    // A wait that ignored the cancel would run to the 120 s rollout timeout.
    check(exitMs < 10_000, `main took ${exitMs} ms to exit after SIGTERM`)
    check(r.main.code === 1, `main exited ${r.main.code} (signal ${r.main.signal})`)
    check(r.signalled.descendantsAliveAtExit.length === 0, 'children outlived main')
    contains(r.main.output, 'cancelled: the step received SIGTERM', 'main output')
    const saved = JSON.parse(r.state.run)
    check(saved.namespace?.name, `state holds no namespace: ${r.state.run}`)
    check(r.post.code === 0, `post exited ${r.post.code}`)
    await assertNothingLeft(saved.namespace.name)
    return `main exited ${exitMs} ms after SIGTERM; post removed ${saved.namespace.name}`
  }
)

test(
  'fault: a pod that crashes after it was Ready fails the run during the smoke checks',
  true,
  async () => {
    const { r, error } = await runFailing({
      manifests: 'test/fixtures/e2e/crash-after-ready.yaml',
      // The first check passes at once; the load keeps the checks running past the crash (~8 s in).
      'smoke-checks': '- path: /\n- path: /\n  load: { duration: 30s, concurrency: 2 }',
      'smoke-timeout': '60s'
    })
    check(
      /(container "app" of pod "weather-dies-[a-z0-9-]+" (restarted|terminated)|pod "weather-dies-[a-z0-9-]+" stopped being ready) .*while the smoke checks ran/.test(
        error
      ),
      `the failure should name the pod that broke: ${error}`
    )
    const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
    check(report.smoke[0].passed === true, 'the first check passed before the crash')
    const smoke = phaseOf(r, 'smoke')
    check(
      smoke.durationMs < 25_000,
      `the load was stopped at the crash, not run out (${smoke.durationMs} ms)`
    )
    await assertNothingLeft(r.outputs.namespace)
    return `${error.replace('::error::', '').slice(0, 140)} after ${(smoke.durationMs / 1000).toFixed(1)} s of checks`
  }
)

test(
  'stable-for: an app that crashes 6 s after start, after its checks passed, fails within the window, the crash named',
  true,
  async () => {
    const inputs = localInputs({
      cluster: 'existing',
      manifests: 'test/fixtures/e2e/crash-after-start.yaml'
    })
    delete inputs['stable-for'] // the action's default, 10s
    const r = await runAction({ inputs, ...existing })
    check(r.main.code === 1, `main exited ${r.main.code}:\n${tail(r.main.output, 40)}`)
    const error = errorLines(r.main.output).join('\n')
    check(
      /container "app" of pod "weather-crash6-[a-z0-9-]+" (restarted|terminated) \d+\.\d s after every workload was ready \(stable-for 10s\)(, while the smoke checks ran)?: last exit code 3/.test(
        error
      ),
      `the failure should name the pod, the container and the exit code: ${error}`
    )
    contains(r.main.output, 'fatal: the background worker died', 'the output (its last log lines)')
    const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
    check(
      report.smoke[0]?.attempts.some(a => a.passed),
      'the app answered a check before it crashed'
    )
    const s = report.stability
    check(s?.windowMs === 10_000 && s.result === 'broken', `report.stability: ${JSON.stringify(s)}`)
    check(
      s.brokenAfterMs < 10_000,
      `broken ${s.brokenAfterMs} ms after readiness: outside the window`
    )
    contains(r.summary, '**Stable for:** 10.0 s after readiness: ❌ broken', 'job summary')
    await assertNothingLeft(r.outputs.namespace)
    const failed = report.phases.at(-1)
    return `failed in ${failed.name}, ${(s.brokenAfterMs / 1000).toFixed(1)} s after readiness (checks took ${(phaseOf(r, 'smoke').durationMs / 1000).toFixed(1)} s)`
  }
)

test(
  'rollout-check update: a service that needs a credential — the update check fails without it (401), passes with it',
  true,
  async () => {
    const base = {
      cluster: 'existing',
      manifests: 'test/fixtures/e2e/auth-update.yaml',
      'rollout-check': 'update'
    }
    const without = await runAction({
      inputs: localInputs({ ...base, 'smoke-checks': '- path: /' }),
      ...existing
    })
    check(
      without.main.code === 1,
      `main exited ${without.main.code}:\n${tail(without.main.output, 40)}`
    )
    check(
      phaseOf(without, 'smoke')?.status === 'ok',
      'the smoke checks passed (the first version asks no credential)'
    )
    check(phaseOf(without, 'rollout-check')?.status === 'failed', 'the update check failed')
    const error = errorLines(without.main.output).join('\n')
    contains(
      error,
      'failed during the rolling update of deployment "weather-auth", although maxUnavailable is 0 (first failures: expected status 2xx, got 401',
      'the failure'
    )
    await assertNothingLeft(without.outputs.namespace)

    const withIt = await runAction({
      inputs: localInputs({
        ...base,
        'smoke-checks': '- path: /\n  headers:\n    Authorization: Bearer e2e-update-token'
      }),
      ...existing
    })
    check(withIt.main.code === 0, `main failed:\n${tail(withIt.main.output, 40)}`)
    const report = JSON.parse(readFileSync(withIt.outputs.report, 'utf8'))
    const counted = report.rollout['update check: failed requests']
    check(/^0 of \d+$/.test(counted), `update check counts: ${counted}`)
    await assertNothingLeft(withIt.outputs.namespace)
    return `without: ${/(\d+ of \d+) requests/.exec(error)?.[1]} failed (401); with: ${counted} failed`
  }
)

// ------------------------------------------------------------------------- real apps and trust

const SHOP = 'test/fixtures/apps/shop'
const KINDS_FAULTS = 'test/fixtures/e2e/kinds'
/** The shop's image (store, migration and API are one script) built from its own Dockerfile. */
const shopInputs = extra => ({ context: SHOP, image: 'shop', ...extra })
const SHOP_CHECKS = (greeting = 'hello from the shop') => `
- name: the API answers the schema the migration Job wrote
  path: /
  expect-json:
    schema: v1
    greeting: ${greeting}
`
/** The shop deployed from `manifests` and smoke-tested; fails the case unless main passes. */
async function runShop(manifests, greeting) {
  const r = await runAction({
    inputs: localInputs(
      shopInputs({ cluster: 'existing', manifests, 'smoke-checks': SHOP_CHECKS(greeting) })
    ),
    ...existing
  })
  check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
  return r
}
/** The cluster-scoped objects of the shop (test/fixtures/apps/shop/cluster/widgets.yaml). */
const SHOP_CLUSTER_OBJECTS = [
  ['customresourcedefinition', 'widgets.shop.minikube-smoke.test'],
  ['clusterrole', 'shop-widget-reader'],
  ['clusterrolebinding', 'shop-widget-reader']
]

/** Namespaces the action makes (smoke-…), by name. */
const smokeNamespaces = () =>
  new Set(
    kubectl('get', 'namespaces', '-o', 'name')
      .out.split('\n')
      .map(l => l.replace('namespace/', '').trim())
      .filter(n => n.startsWith('smoke-'))
  )

/** No namespace of the action appeared since `before` (one made for a dry run may still be going). */
async function noNewNamespace(before, what) {
  const deadline = Date.now() + 30_000
  for (;;) {
    const added = [...smokeNamespaces()].filter(n => !before.has(n))
    if (added.length === 0) return
    check(Date.now() < deadline, `${what}: namespace ${added.join(', ')} was left behind`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

/** Each cluster-scoped object is gone (deletion can take a moment: a CRD drains its resources). */
async function clusterObjectsGone(objects) {
  const deadline = Date.now() + 30_000
  for (const [kind, name] of objects) {
    for (;;) {
      const r = kubectl('get', kind, name, '-o', 'name')
      if (r.code !== 0 && /NotFound|not found/.test(r.out)) break
      check(Date.now() < deadline, `${kind} ${name} still exists 30 s after the post step`)
      await new Promise(resolve => setTimeout(resolve, 250))
    }
  }
}

/** The rollout phase's wall time and the `::error::` line, for the fail-fast cases. */
async function failsFast(manifests, words) {
  const { r, error } = await runFailing({ manifests })
  for (const w of words) contains(error, w, 'the failure')
  const rollout = phaseOf(r, 'rollout')
  check(rollout.status === 'failed', `the rollout phase should fail, it was ${rollout.status}`)
  check(rollout.durationMs < 15_000, `detected after ${rollout.durationMs} ms, goal < 15 s`)
  await assertNothingLeft(r.outputs.namespace)
  return { r, error, ms: rollout.durationMs }
}

test(
  'success: a real app — StatefulSet, migration Job, Deployment, Ingress, HPA, PDB, NetworkPolicy, CRD + custom resource, ClusterRole',
  true,
  async () => {
    // deploy/ is a kustomization (no-op); the PDB as 1.20 serves it; CRD, Widget, ClusterRole.
    const r = await runShop(
      `${SHOP}/deploy\n${SHOP}/pdb/policy-v1beta1.yaml\n${SHOP}/cluster/widgets.yaml`
    )
    const out = r.main.output
    for (const line of [
      'customresourcedefinition "widgets.shop.minikube-smoke.test" established',
      'statefulset "kv" successfully rolled out',
      'job "migrate" completed',
      'deployment "api" successfully rolled out',
      'ingress.networking.k8s.io/api: applied, not waited for',
      'horizontalpodautoscaler.autoscaling/api: applied, not waited for',
      'poddisruptionbudget.policy/api: applied, not waited for',
      'networkpolicy.networking.k8s.io/kv-clients: applied, not waited for',
      'widget.shop.minikube-smoke.test/default-widget serverside-applied (created)'
    ])
      contains(out, line, 'the output')
    // The CRD is applied (and established) before the custom resource of it.
    const establishedAt = out.indexOf('widgets.shop.minikube-smoke.test" established')
    const widgetAt = out.indexOf(
      'widget.shop.minikube-smoke.test/default-widget serverside-applied'
    )
    check(
      establishedAt >= 0 && establishedAt < widgetAt,
      `the Widget was applied after its CRD was established (${establishedAt}, ${widgetAt}):\n${tail(out, 60)}`
    )
    const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
    const kinds = new Set(report.workloads.map(w => w.kind))
    for (const k of ['StatefulSet', 'Job', 'Deployment'])
      check(kinds.has(k), `the report lists a ${k}`)
    check(report.smoke[0].passed, 'the smoke check (which needs the Job to have run) passed')
    const crashNote = toleratedCrash(out)
    await assertNothingLeft(r.outputs.namespace)
    await clusterObjectsGone(SHOP_CLUSTER_OBJECTS)
    const byKind = Object.fromEntries(
      report.workloads.map(w => [w.kind, (w.durationMs / 1000).toFixed(1)])
    )
    return `rollout ${(phaseOf(r, 'rollout').durationMs / 1000).toFixed(1)} s (StatefulSet ${byKind.StatefulSet} s, Job ${byKind.Job} s, Deployment ${byKind.Deployment} s)${crashNote}; main ${(r.main.ms / 1000).toFixed(1)} s`
  }
)

/** A note when the log shows the API crashing while its database started (and being waited for). */
function toleratedCrash(out) {
  return out.includes('tolerated while other workloads start')
    ? ', the API crashed while its database started and was waited for'
    : ''
}

test(
  'success: a kustomize overlay — namePrefix, labels, configMapGenerator, an images: rename',
  true,
  async () => {
    const r = await runShop(`${SHOP}/overlays/staging`, 'hello from staging')
    const out = r.main.output
    check(
      /configmap\/staging-settings-[a-z0-9]{10} serverside-applied \(created\)/.test(out),
      `the generated ConfigMap keeps kustomize's hash suffix:\n${tail(out, 40)}`
    )
    for (const line of [
      'statefulset "staging-kv" successfully rolled out',
      'job "staging-migrate" completed',
      'deployment "staging-api" successfully rolled out',
      'smoke target: service "staging-api"'
    ])
      contains(out, line, 'the output')
    // The overlay renamed shop to registry.example.test/team/shop:staging: the built image ran.
    const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
    check(report.smoke[0].passed, 'the smoke check passed (the built image ran)')
    check(!out.includes('registry.example.test'), 'the renamed reference was never deployed')
    await assertNothingLeft(r.outputs.namespace)
    return `main ${(r.main.ms / 1000).toFixed(1)} s`
  }
)

// ------------------------------------------------------------------------------------ storage

const STORAGE = 'test/fixtures/e2e/storage'
/** The app on claims (StatefulSet volumeClaimTemplates + a Deployment's own claim), on the shop's image. */
const storageInputs = extra =>
  localInputs(
    shopInputs({
      cluster: 'existing',
      manifests: `${STORAGE}/app.yaml`,
      service: 'db',
      'smoke-checks': `
- name: the database wrote to its volume and reads it back
  path: /k/boot
  expect-json:
    written: true
    dir: /data
`,
      ...extra
    })
  )

/** PersistentVolumeClaims in the namespace, and PersistentVolumes bound to a claim of it. */
function storageOf(ns) {
  const claims = kubectl('get', 'pvc', '-n', ns, '-o', 'name').out.trim()
  const volumes = kubectl(
    'get',
    'pv',
    '-o',
    'jsonpath={range .items[*]}{.metadata.name} {.spec.claimRef.namespace}{"\\n"}{end}'
  )
    .out.split('\n')
    .filter(l => l.endsWith(` ${ns}`))
  return { claims, volumes }
}

/** No claim in `ns` and no volume of it (deletion waits for the pods to go: generous deadline). */
async function noStorageLeft(ns) {
  const deadline = Date.now() + 120_000
  for (;;) {
    const { claims, volumes } = storageOf(ns)
    if (!claims && volumes.length === 0) return
    check(
      Date.now() < deadline,
      `storage of namespace ${ns} left 120 s after the post step: ${claims} ${volumes.join(', ')}`
    )
    await new Promise(resolve => setTimeout(resolve, 500))
  }
}

test(
  'storage: a StatefulSet with a volumeClaimTemplates claim on standard and a Deployment with its own claim pass; the pod writes to the volume',
  true,
  async () => {
    const r = await runAction({ inputs: storageInputs(), ...existing })
    check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
    const out = r.main.output
    contains(out, 'statefulset "db" successfully rolled out', 'the output')
    contains(out, 'deployment "files" successfully rolled out', 'the output')
    const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
    check(report.smoke[0].passed, 'the smoke check read back what the pod wrote to its volume')
    const provisioned = readFileSync(join(STATE, 'logs/storage-provisioner.log'), 'utf8')
    const ns = r.outputs.namespace
    contains(provisioned, `for ${ns}/data-db-0 at`, 'the provisioner log')
    contains(provisioned, `for ${ns}/uploads at`, 'the provisioner log')
    await assertNothingLeft(ns)
    await noStorageLeft(ns)
    const waited = out.includes('waiting for storage') ? ', waited for storage' : ''
    return `rollout ${(phaseOf(r, 'rollout').durationMs / 1000).toFixed(1)} s${waited}; main ${(r.main.ms / 1000).toFixed(1)} s`
  }
)

test(
  'storage: a claim on a StorageClass that does not exist fails at once, naming the claim and the class',
  true,
  async () => {
    const { r, error } = await runFailing(
      shopInputs({ manifests: `${STORAGE}/missing-class.yaml` })
    )
    contains(
      error,
      'statefulset.apps "db" failed: persistentvolumeclaim "uploads-db-0" cannot be bound: storageclass "fast-ssd" not found',
      'the failure'
    )
    const rollout = phaseOf(r, 'rollout')
    check(rollout.status === 'failed', `the rollout phase should fail, it was ${rollout.status}`)
    await assertNothingLeft(r.outputs.namespace)
    return `failed after ${(rollout.durationMs / 1000).toFixed(2)} s of rollout (goal < 5 s)`
  }
)

test(
  'storage: in a given namespace the post step deletes the StatefulSet’s claims; no claim and no volume of the run left',
  true,
  async () => {
    const ns = `e2e-storage-${randomBytes(3).toString('hex')}`
    check(kubectl('create', 'namespace', ns).code === 0, `create namespace ${ns}`)
    try {
      const r = await runAction({ inputs: storageInputs({ namespace: ns }), ...existing })
      check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
      for (const claim of ['data-db-0', 'uploads'])
        contains(
          r.post.output,
          `persistentvolumeclaim "${claim}" in namespace "${ns}" deleted`,
          'the post output'
        )
      const t0 = Date.now()
      await noStorageLeft(ns)
      check(kubectl('get', 'namespace', ns).code === 0, 'the given namespace still exists')
      return `claims and volumes gone ${((Date.now() - t0) / 1000).toFixed(1)} s after the post step`
    } finally {
      kubectl('delete', 'namespace', ns, '--wait=false')
    }
  }
)

test(
  'fault: a kustomization that does not build → kustomize’s message, nothing started',
  false,
  async () => {
    const before = existsSync(CLUSTER_KUBECONFIG) ? smokeNamespaces() : new Set()
    const r = await runAction({
      inputs: localInputs(
        shopInputs({ cluster: 'existing', manifests: `${SHOP}/overlays/broken` })
      ),
      ...existing
    })
    check(r.main.code === 1, `main exited ${r.main.code}`)
    const errors = errorLines(r.main.output)
    check(errors.length === 1, `one error line, got:\n${errors.join('\n')}`)
    contains(errors[0], "input 'manifests'", 'the error')
    contains(errors[0], 'does not build', 'the error')
    contains(errors[0], 'no-such-base', "the error (kustomize's own message)")
    check(!r.main.output.includes('docker build'), 'nothing was built')
    if (existsSync(CLUSTER_KUBECONFIG) && clusterHealthy()) await noNewNamespace(before, 'render')
    return errors[0].slice(0, 160)
  }
)

test(
  'fault: a StatefulSet that crashes fails fast, naming it, its container and the rule',
  true,
  async () => {
    const { r, error, ms } = await failsFast(`${KINDS_FAULTS}/statefulset-crash.yaml`, [
      'statefulset.apps "store" failed',
      'container "store" is in CrashLoopBackOff',
      'no other workload of the run is starting'
    ])
    contains(r.main.output, 'data directory /var/lib/store is not writable', 'the output (its log)')
    return `${(ms / 1000).toFixed(1)} s: ${error.replace('::error::', '').slice(0, 120)}`
  }
)

test(
  'fault: a Job that fails (BackoffLimitExceeded) fails fast with its pod’s log',
  true,
  async () => {
    // The migration beside the app it migrates: a Job alone has nothing to smoke-test.
    const { r, ms } = await failsFast(`weather-service/k8s\n${KINDS_FAULTS}/job-fails.yaml`, [
      'job "migrate" failed: BackoffLimitExceeded'
    ])
    contains(r.main.output, 'relation "forecasts" already exists', 'the output (the pod log)')
    return `${(ms / 1000).toFixed(1)} s`
  }
)

test(
  'fault: a DaemonSet with an image that is not there fails fast (ErrImageNeverPull)',
  true,
  async () => {
    // A node agent beside the app.
    const { ms } = await failsFast(
      `weather-service/k8s\n${KINDS_FAULTS}/daemonset-bad-image.yaml`,
      ['daemonset.apps "log-shipper" failed', 'container "shipper" is in ErrImageNeverPull']
    )
    return `${(ms / 1000).toFixed(1)} s`
  }
)

test(
  'trust: typo’d fields and a dry-run rejection fail before anything is created',
  true,
  async () => {
    const before = smokeNamespaces()
    const typo = await runFailing({ manifests: `${KINDS_FAULTS}/typo.yaml` })
    contains(typo.error, 'spec.template.spec.containers[0].imagePullPolcy', 'the typo error')
    contains(typo.error, 'spec.template.spec.containers[0].readinesProbe', 'the typo error')
    contains(typo.error, 'typo.yaml', 'the typo error (the document)')
    check(phaseOf(typo.r, 'validate').status === 'failed', 'the validate phase failed')
    check(!typo.r.main.output.includes('serverside-applied'), 'nothing was applied')
    await noNewNamespace(before, 'typo')

    const dry = await runFailing({ manifests: `${KINDS_FAULTS}/dry-run-rejected.yaml` })
    contains(dry.error, 'valid range', "the dry-run error (the server's message)")
    check(!dry.r.main.output.includes('serverside-applied'), 'nothing was applied')
    await noNewNamespace(before, 'dry run')
    return `${typo.error.replace('::error::', '').slice(0, 150)}…`
  }
)

test(
  'trust: objects that were there before the run — conflict unless force-conflicts, never deleted',
  true,
  async () => {
    const ns = `e2e-shared-${randomBytes(3).toString('hex')}`
    const must = (r, what) => check(r.code === 0, `${what}: ${r.out}`)
    must(kubectl('create', 'namespace', ns), 'create namespace')
    try {
      for (const name of ['weather-service', 'bystander'])
        must(
          kubectl(
            'create',
            'deployment',
            name,
            '-n',
            ns,
            '--image=weather-service:latest',
            '--replicas=0'
          ),
          `create deployment ${name}`
        )
      const snapshot = name =>
        kubectl(
          'get',
          'deployment',
          name,
          '-n',
          ns,
          '-o',
          'jsonpath={.metadata.uid} {.metadata.resourceVersion}'
        ).out
      const bystander = snapshot('bystander')
      const takenOver = snapshot('weather-service')

      const conflict = await runFailing({ manifests: 'weather-service/k8s', namespace: ns })
      contains(conflict.error, 'conflict', 'the failure')
      contains(conflict.error, 'deployment', 'the failure')
      contains(conflict.error, "'force-conflicts: true'", 'the failure (what to do)')
      check(snapshot('weather-service') === takenOver, 'the conflicting Deployment is unchanged')

      const forced = await runAction({
        inputs: localInputs({
          cluster: 'existing',
          manifests: 'weather-service/k8s',
          namespace: ns,
          'force-conflicts': 'true',
          'smoke-checks': WEATHER_CHECKS
        }),
        ...existing
      })
      check(
        forced.main.code === 0,
        `main with force-conflicts failed:\n${tail(forced.main.output, 40)}`
      )
      check(
        snapshot('bystander') === bystander,
        'the Deployment the manifests do not name is unchanged'
      )
      const after = snapshot('weather-service')
      check(
        after.split(' ')[0] === takenOver.split(' ')[0],
        `the taken-over Deployment still exists after post (was ${takenOver}, now ${after || 'gone'})`
      )
      check(kubectl('get', 'namespace', ns).code === 0, 'the given namespace still exists')
      check(
        kubectl('get', 'service', 'weather-service', '-n', ns).code !== 0,
        'the Service the run created is gone'
      )
      contains(forced.post.output, 'kept what existed before the run', 'the post output')
      return `conflict refused; with force-conflicts passed and kept deployment/weather-service`
    } finally {
      kubectl('delete', 'namespace', ns, '--wait=false')
    }
  }
)

test(
  'trust: two runs at once, same run id, different jobs — both pass, nothing shared, nothing left',
  true,
  async () => {
    const runId = String(Date.now())
    const one = job =>
      runAction({
        inputs: localInputs({
          cluster: 'existing',
          manifests: 'weather-service/k8s',
          'smoke-checks': WEATHER_CHECKS
        }),
        env: { ...existing.env, GITHUB_RUN_ID: runId, GITHUB_JOB: job }
      })
    const [a, b] = await Promise.all([one('smoke-a'), one('smoke-b')])
    for (const [r, job] of [
      [a, 'a'],
      [b, 'b']
    ])
      check(
        r.main.code === 0 && r.post.code === 0,
        `run ${job} failed:\n${tail(r.main.output, 40)}`
      )
    check(a.outputs.namespace !== b.outputs.namespace, 'the namespaces differ')
    check(a.outputs.image !== b.outputs.image, 'the image tags differ')
    check(a.outputs.report !== b.outputs.report, 'the report files differ')
    await assertNothingLeft(a.outputs.namespace)
    await assertNothingLeft(b.outputs.namespace)
    return `${a.outputs.namespace} and ${b.outputs.namespace}`
  }
)

test(
  'crash policy: an API pointed at a database that never answers fails at its next crash after the rest is ready',
  true,
  async () => {
    let othersReadyAt
    let migrated = false
    let stored = false
    const r = await runAction({
      inputs: localInputs(
        shopInputs({
          cluster: 'existing',
          manifests: `${SHOP}/overlays/no-database`,
          'smoke-checks': SHOP_CHECKS()
        })
      ),
      ...existing,
      // Progress lines as they arrive: when the store and the migration are both done.
      signalMainWhen: line => {
        if (line.includes('statefulset "kv" successfully rolled out')) stored = true
        if (line.includes('job "migrate" completed')) migrated = true
        if (stored && migrated && othersReadyAt === undefined) othersReadyAt = Date.now()
        return undefined
      }
    })
    check(r.main.code === 1, `main exited ${r.main.code}:\n${tail(r.main.output, 40)}`)
    const error = errorLines(r.main.output).join('\n')
    contains(error, 'deployment.apps "api" failed', 'the failure')
    contains(error, 'CrashLoopBackOff', 'the failure')
    contains(
      error,
      'it crashed after every other workload of the run was ready',
      'the failure (the rule)'
    )
    contains(r.main.output, 'database http://127.0.0.1:7999 not reachable', 'the output (its log)')
    check(othersReadyAt !== undefined, 'the store and the migration became ready first')
    const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
    const api = report.workloads?.find(w => w.kind === 'Deployment' && w.name === 'api')
    check(api?.state === 'failed', `the report's api: ${JSON.stringify(api)}`)
    const drawn = drawnTexts(summaryRenders(r, 'summary-crash-policy'))
    contains(drawn, 'Deployment/api failed after', 'the drawn timeline')
    // Crashes before the others were ready were tolerated: each is marked where it was seen.
    if (api.tolerated?.length)
      contains(drawn, 'Deployment/api crash tolerated', 'the drawn timeline')
    const failedAt = Date.parse(phaseOf(r, 'rollout').endedAt)
    const after = failedAt - othersReadyAt
    // At its next crash: that waits for the kubelet's restart back-off (10 s, 20 s, 40 s), so
    // the bound is the longest back-off before max-restarts (3) fires, plus detection.
    check(after < 45_000, `failed ${after} ms after the others were ready, bound 45 s`)
    await assertNothingLeft(r.outputs.namespace)
    const restarts = /restarted (\d+) time/.exec(error)?.[1]
    return `failed ${(after / 1000).toFixed(1)} s after the store and the migration were ready (restarted ${restarts} times)`
  }
)

// ------------------------------------------------------------- deploy folders with namespaces

const OWN_NAMESPACE = 'test/fixtures/e2e/namespaces/own'
const TWO_NAMESPACES = 'test/fixtures/e2e/namespaces/two'

/** `kubectl get … -o json`, parsed; undefined when it does not exist. */
function getJson(...args) {
  const r = kubectl('get', ...args, '-o', 'json')
  return r.code === 0 ? JSON.parse(r.out) : undefined
}

/** The manifests' own namespace does not exist: the run never creates it. */
function notCreated(name, when) {
  const r = kubectl('get', 'namespace', name, '-o', 'name')
  check(
    r.code !== 0 && /NotFound|not found/.test(r.out),
    `namespace ${name} exists ${when}: the run must never create the manifests' own namespace (${r.out.trim()})`
  )
}

/** What the cluster holds for the run between main and post (checked after post has run). */
function snapshot(namespaces, objects) {
  return {
    namespaces: Object.fromEntries(namespaces.map(n => [n, getJson('namespace', n)?.metadata])),
    objects: Object.fromEntries(objects.map(args => [args.join(' '), getJson(...args)])),
    manifestsOwn: ['shop-prod', 'shop-monitoring'].filter(n => getJson('namespace', n))
  }
}

test(
  'namespaces: a deploy folder with its own Namespace (Pod Security labels) and metadata.namespace on every object passes as it is',
  true,
  async () => {
    notCreated('shop-prod', 'before the run')
    let seen
    const r = await runAction({
      inputs: localInputs({
        cluster: 'existing',
        manifests: OWN_NAMESPACE,
        'smoke-checks': WEATHER_CHECKS
      }),
      ...existing,
      afterMain: outputs => {
        const ns = outputs.namespace
        seen = snapshot(
          [ns],
          [
            ['deployment', 'weather-service', '-n', ns],
            ['rolebinding', 'weather-view', '-n', ns]
          ]
        )
      }
    })
    check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
    const ns = r.outputs.namespace
    contains(r.main.output, `namespaces: shop-prod → ${ns};`, 'the output (the mapping line)')
    const meta = seen.namespaces[ns]
    check(meta, `the run's namespace ${ns} existed during the run`)
    check(
      meta.labels?.['pod-security.kubernetes.io/enforce'] === 'baseline' &&
        meta.labels?.['pod-security.kubernetes.io/warn'] === 'restricted',
      `the Namespace's Pod Security labels are on ${ns}: ${JSON.stringify(meta.labels)}`
    )
    check(
      meta.annotations?.['shop.example.test/owner'] === 'team-shop',
      `the Namespace's annotation is on ${ns}: ${JSON.stringify(meta.annotations)}`
    )
    check(seen.objects[`deployment weather-service -n ${ns}`], `the Deployment ran in ${ns}`)
    const subject = seen.objects[`rolebinding weather-view -n ${ns}`]?.subjects?.[0]
    check(
      subject?.namespace === ns,
      `the RoleBinding's ServiceAccount subject moved to ${ns}: ${JSON.stringify(subject)}`
    )
    check(seen.manifestsOwn.length === 0, `shop-prod existed during the run`)
    await assertNothingLeft(ns)
    notCreated('shop-prod', 'after the post step')
    return `shop-prod → ${ns}, labels carried, nothing left; main ${(r.main.ms / 1000).toFixed(1)} s`
  }
)

test(
  'namespaces: an app and its monitoring (kustomize, two namespaces) pass in two namespaces of the run, both removed',
  true,
  async () => {
    for (const n of ['shop-prod', 'shop-monitoring']) notCreated(n, 'before the run')
    let seen
    const r = await runAction({
      inputs: localInputs({
        cluster: 'existing',
        manifests: TWO_NAMESPACES,
        'smoke-checks': WEATHER_CHECKS
      }),
      ...existing,
      afterMain: outputs => {
        const ns = outputs.namespace
        const monitoring = `${ns}-shop-monitoring`
        seen = snapshot(
          [ns, monitoring],
          [
            ['deployment', 'weather-service', '-n', ns],
            ['deployment', 'prober', '-n', monitoring],
            ['clusterrolebinding', 'minikube-smoke-e2e-scraper']
          ]
        )
      }
    })
    check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
    const ns = r.outputs.namespace
    const monitoring = `${ns}-shop-monitoring`
    contains(
      r.main.output,
      `namespaces: shop-prod → ${ns}, shop-monitoring → ${monitoring};`,
      'the output (the mapping line)'
    )
    contains(r.main.output, 'smoke target: service "weather-service"', 'the output')
    const ready = d => d?.status?.readyReplicas === 1
    check(
      ready(seen.objects[`deployment weather-service -n ${ns}`]),
      `weather-service ran in ${ns}`
    )
    check(ready(seen.objects[`deployment prober -n ${monitoring}`]), `prober ran in ${monitoring}`)
    const labels = n => seen.namespaces[n]?.labels?.['pod-security.kubernetes.io/enforce']
    check(
      labels(ns) === 'baseline' && labels(monitoring) === 'privileged',
      `each Namespace's labels on its run namespace: ${labels(ns)}, ${labels(monitoring)}`
    )
    const subject = seen.objects['clusterrolebinding minikube-smoke-e2e-scraper']?.subjects?.[0]
    check(
      subject?.namespace === monitoring,
      `the ClusterRoleBinding's subject moved to ${monitoring}: ${JSON.stringify(subject)}`
    )
    check(seen.manifestsOwn.length === 0, `${seen.manifestsOwn.join(', ')} existed during the run`)
    const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
    check(
      JSON.stringify(report.otherNamespaces) === JSON.stringify([monitoring]),
      `the report lists the other namespace: ${JSON.stringify(report.otherNamespaces)}`
    )
    await assertNothingLeft(ns)
    await assertNothingLeft(monitoring)
    await clusterObjectsGone([['clusterrolebinding', 'minikube-smoke-e2e-scraper']])
    for (const n of ['shop-prod', 'shop-monitoring']) notCreated(n, 'after the post step')
    return `shop-prod → ${ns}, shop-monitoring → ${monitoring}, both gone; main ${(r.main.ms / 1000).toFixed(1)} s`
  }
)

test(
  'namespaces: with a namespace input, both namespaces of the manifests map into it',
  true,
  async () => {
    const given = `e2e-given-${randomBytes(3).toString('hex')}`
    let seen
    const r = await runAction({
      inputs: localInputs({
        cluster: 'existing',
        manifests: TWO_NAMESPACES,
        namespace: given,
        'smoke-checks': WEATHER_CHECKS
      }),
      ...existing,
      afterMain: () => {
        seen = snapshot(
          [given],
          [
            ['deployment', 'weather-service', '-n', given],
            ['deployment', 'prober', '-n', given]
          ]
        )
      }
    })
    check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
    contains(
      r.main.output,
      `namespaces: shop-prod → ${given}, shop-monitoring → ${given} (all into the namespace input "${given}")`,
      'the output (the mapping line)'
    )
    for (const d of ['weather-service', 'prober'])
      check(seen.objects[`deployment ${d} -n ${given}`], `${d} ran in ${given}`)
    // Two Namespaces with different enforce levels: the first stays, the other is a warning.
    contains(r.main.output, 'pod-security.kubernetes.io/enforce=', 'the output (the warning)')
    check(seen.manifestsOwn.length === 0, `${seen.manifestsOwn.join(', ')} existed during the run`)
    await assertNothingLeft(given) // the run created it, so it deleted it
    return `both into ${given}; main ${(r.main.ms / 1000).toFixed(1)} s`
  }
)

// ---------------------------------------------------------------------------------- the gate

/**
 * A workspace with the front end's binary and Dockerfile in front/ and k8s/hello.yaml, the
 * Deployment `kubectl create deployment hello --port=8080` writes (containerPort 8080, no Service).
 */
function helloWorkspace() {
  const ws = twoImageWorkspace()
  const yaml = execFileSync(
    'kubectl',
    [
      'create',
      'deployment',
      'hello',
      '--image=hello',
      '--port=8080',
      '--dry-run=client',
      '-o',
      'yaml'
    ],
    { encoding: 'utf8' }
  )
  check(/containerPort: 8080/.test(yaml), `kubectl wrote no containerPort 8080:\n${yaml}`)
  writeFileSync(join(ws, 'k8s/hello.yaml'), yaml)
  return ws
}

/** The gate's job ran every step it should, the deploy step's post included. */
function gatePassed(g) {
  const failed = g.steps.filter(s => s.code !== undefined && s.code !== 0)
  check(
    g.status === 'success' && failed.length === 0,
    `the gate failed at ${failed.map(s => s.name).join(', ')}:\n${tail(failed.map(s => s.output ?? '').join('\n'), 60)}`
  )
  check(g.outputs.result === 'passed', `gate output result ${g.outputs.result}`)
}

test(
  'gate: an undeclared input or a missing kubeconfig stops the gate before anything runs',
  false,
  async () => {
    let refused
    await runGate({ with: { contxt: '.' } }).catch(err => (refused = err.message))
    check(
      refused === 'Invalid input, contxt is not defined in the referenced workflow.',
      `an undeclared input: ${refused}`
    )
    const g = await runGate({ with: { cluster: 'existing' } })
    const kubeconfig = stepOf(g, 'kubeconfig')
    check(kubeconfig.code === 1, `the kubeconfig step exited ${kubeconfig.code}`)
    contains(
      kubeconfig.output,
      'cluster: existing needs the kubeconfig secret',
      'the kubeconfig step'
    )
    check(stepOf(g, 'smoke').skipped, 'the deploy step ran after the kubeconfig step failed')
    check(g.outputs.result === '', `result output ${g.outputs.result}`)
    return 'refused in the call; stopped at the kubeconfig step'
  }
)

test(
  'gate: a Deployment declaring containerPort 8080 and no Service passes through the gate and directly',
  true,
  async () => {
    const ws = helloWorkspace()
    const expected =
      'no Service selects deployment "hello": exposing it as service "hello" (port 8080)'
    const common = {
      context: 'front',
      image: 'hello',
      manifests: 'k8s/hello.yaml',
      'smoke-path': '/healthz'
    }
    // Through the gate as a caller writes it: the gate's default cluster (minikube, the
    // stand-in here), on a runner whose HOME holds the kubeconfig minikube writes. The deploy
    // step's KUBECONFIG is empty without the kubeconfig secret, so minikube and the action use
    // ~/.kube/config: started once more with that HOME, the profile's context is written there
    // (the case's own HOME, never the machine's).
    const gated = await withStandinProfile([], async (profile, minikube) => {
      const home = mkdtempSync(join(tmpdir(), 'e2e-home-'))
      const env = { ...minikube.env, KUBECONFIG: '', HOME: home }
      execFileSync(join(STANDIN_BIN, 'minikube'), ['start', '-p', profile], {
        stdio: 'inherit',
        env: { ...process.env, ...env }
      })
      return runGate({ with: { ...common, profile }, workspace: ws, env })
    })
    gatePassed(gated)
    const via = gated.action
    check(via.main.output.includes(expected), `through the gate:\n${tail(via.main.output, 40)}`)
    await assertNothingLeft(gated.outputs.namespace)
    // Directly, on the same cluster.
    const direct = await runAction({
      inputs: { ...common, cluster: 'existing', 'url-host': '127.0.0.1' },
      env: { ...existing.env, GITHUB_WORKSPACE: ws }
    })
    check(direct.main.code === 0, `directly:\n${tail(direct.main.output, 40)}`)
    contains(direct.main.output, expected, 'the direct run')
    await assertNothingLeft(direct.outputs.namespace)
    return `gate ${(via.main.ms / 1000).toFixed(1)} s, direct ${(direct.main.ms / 1000).toFixed(1)} s, both on port 8080`
  }
)

test(
  'gate: two images with build args and a build secret, on the cluster from the kubeconfig secret',
  true,
  async () => {
    const ws = twoImageWorkspace()
    const secret = `gate-secret-${randomBytes(12).toString('hex')}`
    const proof = createHash('sha256').update(secret).digest('hex')
    const g = await runGate({
      with: {
        cluster: 'existing',
        images: `
- name: shop-front
  context: front
  dockerfile: front/Dockerfile.secret
  build-args:
    BASE_IMAGE: ${BASE_IMAGE}
    PROOF_RUN: ${randomBytes(4).toString('hex')}
- name: weather-api
  context: api
  build-args: BASE_IMAGE=${BASE_IMAGE}
`,
        manifests: 'k8s',
        'url-host': '127.0.0.1',
        'smoke-checks': `
- name: the build secret reached the front end's build
  path: /proof
  expect-body-contains: ${proof}
- name: the API through the front end
  path: /api/?msg=Chicago
  expect-json: { success: true, response.place: Chicago }
`
      },
      secrets: {
        kubeconfig: readFileSync(CLUSTER_KUBECONFIG, 'utf8'),
        'build-secrets': `smoke_token=${secret}`
      },
      workspace: ws,
      env: { PATH: buildkitPath() }
    })
    gatePassed(g)
    const images = JSON.parse(g.outputs.images)
    check(
      /^shop-front:\S+$/.test(images['shop-front']) &&
        /^weather-api:\S+$/.test(images['weather-api']),
      `gate output images ${g.outputs.images}`
    )
    check(g.outputs.image === images['shop-front'], `gate output image ${g.outputs.image}`)
    const leaks = g.action.main.output
      .split('\n')
      .filter(l => l.includes(secret) && l !== `::add-mask::${secret}`)
    check(leaks.length === 0, `the build secret is printed:\n${leaks.join('\n')}`)
    await assertNothingLeft(g.outputs.namespace)
    return `${Object.values(images).join(', ')}; main ${(g.action.main.ms / 1000).toFixed(1)} s`
  }
)

test(
  'gate: cluster existing with the kubeconfig secret passes on the local cluster and leaves nothing',
  true,
  async () => {
    const server = await startArtifactServer()
    try {
      const g = await runGate({
        with: {
          cluster: 'existing',
          context: 'weather-service',
          'build-args': `BASE_IMAGE=${BASE_IMAGE}`,
          manifests: 'weather-service/k8s',
          'smoke-checks': WEATHER_CHECKS,
          'url-host': '127.0.0.1',
          'upload-diagnostics': 'always'
        },
        secrets: { kubeconfig: readFileSync(CLUSTER_KUBECONFIG, 'utf8') },
        // The runner's own KUBECONFIG leads nowhere: only the secret's file can reach the cluster.
        env: { ...server.env, KUBECONFIG: '/nonexistent/kubeconfig' }
      })
      gatePassed(g)
      const written = stepOf(g, 'kubeconfig').outputs.path
      check(written.startsWith(`${g.temp}/deploy-gate-kubeconfig-`), `kubeconfig path ${written}`)
      // The cluster's credential: a client key (or a token, as the harness once wrote).
      const token = /(?:client-key-data|token): (\S+)/.exec(
        readFileSync(CLUSTER_KUBECONFIG, 'utf8')
      )?.[1]
      check(token, `no credential in ${CLUSTER_KUBECONFIG}`)
      contains(stepOf(g, 'kubeconfig').output, `::add-mask::${token}`, 'the kubeconfig step')
      check(!g.action.main.output.includes(token), 'the token is in the deploy step output')
      check(!existsSync(dirname(written)), `${dirname(written)} is still there after the job`)
      // Post steps in reverse order: the deploy step's teardown, then the kubeconfig's removal.
      const order = g.steps.map(s => s.name).filter(n => n.startsWith('Post '))
      check(
        JSON.stringify(order) ===
          JSON.stringify(['Post Deploy and smoke-test', 'Post Kubeconfig for cluster existing']),
        `post steps ran as ${JSON.stringify(order)}`
      )
      check(g.action.post.code === 0, `the deploy step's post:\n${tail(g.action.post.output)}`)
      contains(
        g.action.post.output,
        `Removed: namespace "${g.outputs.namespace}"`,
        "the deploy step's post"
      )
      // The artifact named by the gate's output holds the report and the JUnit file.
      const artifact = server.artifacts.find(a => a.name === g.outputs['diagnostics-artifact'])
      check(
        artifact?.finalize,
        `gate output diagnostics-artifact ${g.outputs['diagnostics-artifact']}; uploaded: ${JSON.stringify(server.artifacts.map(a => a.name))}`
      )
      for (const f of ['report.json', 'junit.xml'])
        check(artifact.files.has(f), `${f} missing from ${artifact.name}`)
      await assertNothingLeft(g.outputs.namespace)
      return `${g.outputs.url}; artifact ${artifact.name}; kubeconfig removed after teardown`
    } finally {
      await server.close()
    }
  }
)
// ---------------------------------------------------------------------------------- helm charts

const CHART = 'test/fixtures/charts/weather'
const CHART_VALUES = 'test/fixtures/charts/weather-values.yaml'
const HELM_SH = join(REPO, 'test/cluster/helm.sh')
/** The directory of a real helm (3 or 4), extracted from npm by the harness (cached). */
const helmDir = major =>
  execFileSync('bash', [HELM_SH, 'path', String(major)], { encoding: 'utf8' }).trim()
/** The environment of a run whose PATH has that helm first. */
const withHelm = major => ({ ...existing.env, PATH: `${helmDir(major)}:${process.env.PATH}` })
/** The chart says registry.example.com/team/weather:2.4.0: the run's build must replace it. */
const chartInputs = extra =>
  localInputs({
    cluster: 'existing',
    context: 'weather-service',
    image: 'registry.example.com/team/weather',
    chart: CHART,
    values: CHART_VALUES,
    set: 'greeting=hello from set',
    'smoke-checks': '- name: liveness\n  path: /healthz',
    ...extra
  })

/** Deploys the weather chart with helm `major`; checks what only the chart could have made. */
async function chartPasses(major, extra, names) {
  let live
  const r = await runAction({
    inputs: chartInputs(extra),
    env: withHelm(major),
    // Between main and post, as a later step of the job would see it.
    afterMain: outputs => {
      const ns = outputs.namespace
      live = {
        config: kubectl('-n', ns, 'get', 'configmap', `${names.fullname}-config`, '-o', 'json'),
        job: kubectl('-n', ns, 'get', 'job', `${names.fullname}-migrate`, '-o', 'name'),
        deployment: kubectl('-n', ns, 'get', 'deployment', names.fullname, '-o', 'json')
      }
    }
  })
  const out = r.main.output
  check(r.main.code === 0, `main failed:\n${tail(out, 60)}`)
  for (const line of [
    `rendered as release "${names.release}" (helm v${major}.`,
    `pre-install hook job.batch "${names.fullname}-migrate": succeeded`,
    `job.batch "${names.fullname}-migrate" deleted (helm.sh/hook-delete-policy: hook-succeeded)`,
    `deployment "${names.fullname}" successfully rolled out`,
    // .Capabilities from the server: only discovery lists kinds, and 1.20 serves policy/v1beta1.
    `poddisruptionbudget.policy/${names.fullname}`,
    `post-install hook job.batch "${names.fullname}-notify": succeeded`,
    `hooks not run (an install runs pre-install, post-install and test hooks only): Job "${names.fullname}-backup" (pre-upgrade, pre-delete)`,
    `chart test pod "${names.fullname}-test-connection": passed`,
    'answered 200' // the test pod's own log line
  ])
    contains(out, line, 'the output')
  // The migration ran before the release's objects were applied.
  const hookAt = out.indexOf(`pre-install hook job.batch "${names.fullname}-migrate": succeeded`)
  const deployAt = out.indexOf(`deployment.apps/${names.fullname} serverside-applied`)
  check(hookAt >= 0 && hookAt < deployAt, `the Deployment was applied after the migration hook`)
  // The post-install hook ran once the Deployment was ready.
  const readyAt = out.indexOf(`deployment "${names.fullname}" successfully rolled out`)
  const postAt = out.indexOf(`post-install hook job.batch "${names.fullname}-notify": applying`)
  check(readyAt >= 0 && readyAt < postAt, 'the post-install hook ran after the rollout')
  const config = JSON.parse(live.config.out).data
  check(config.GREETING === 'hello from set', `set overrides the values: ${live.config.out}`)
  check(config.SCHEMA === 'v2', `the values file was used: ${live.config.out}`)
  check(/NotFound|not found/.test(live.job.out), `the succeeded hook was deleted: ${live.job.out}`)
  const pod = JSON.parse(live.deployment.out).spec.template
  check(
    /^[0-9a-f]{64}$/.test(pod.metadata.annotations['checksum/config'] ?? ''),
    'the checksum annotation was rendered'
  )
  check(
    pod.spec.containers[0].image.startsWith('registry.example.com/team/weather:') &&
      !pod.spec.containers[0].image.endsWith(':2.4.0'),
    `the run's image replaced the chart's: ${pod.spec.containers[0].image}`
  )
  const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
  check(
    report.chart?.name === 'weather' && report.chart.version === '0.3.0',
    `the report names the chart: ${JSON.stringify(report.chart)}`
  )
  check(report.chart.release === names.release, 'the report names the release')
  check(report.chartTests?.[0]?.passed === true, 'the chart test is in the report')
  const junit = readFileSync(r.outputs.junit, 'utf8')
  contains(junit, `Pod/${names.fullname}-test-connection`, 'the JUnit file')
  contains(r.summary, '### Chart tests', 'the summary')
  await assertNothingLeft(r.outputs.namespace)
  return r
}

test('helm 3: a chart with a migration hook, values, set, a test pod', true, async () => {
  const r = await chartPasses(3, { release: 'gate' }, { release: 'gate', fullname: 'gate-weather' })
  return `main ${(r.main.ms / 1000).toFixed(1)} s; deploy ${(phaseOf(r, 'deploy').durationMs / 1000).toFixed(1)} s (migration hook included)`
})

test('helm 4: the same chart, release named after the chart, a set-string tag', true, async () => {
  // set-string keeps a tag of digits a string, as the chart's values.schema.json requires.
  const r = await chartPasses(
    4,
    { 'set-string': 'image.tag=20240101' },
    { release: 'weather', fullname: 'weather' }
  )
  return `main ${(r.main.ms / 1000).toFixed(1)} s`
})

test('helm: a failing pre-install migration fails at once with its log line', true, async () => {
  const { r, error } = await runFailing(chartInputs({ set: 'migration.exitCode=3' }), withHelm(3))
  contains(error, 'pre-install hook job.batch "weather-migrate" failed', 'the failure')
  // The migration's own error, in the failure line itself.
  contains(
    error,
    'its log ends: migration failed: relation "forecasts" already exists',
    'the failure'
  )
  check(
    !r.main.output.includes('deployment.apps/weather serverside-applied'),
    'the release was not applied after its hook failed'
  )
  const deploy = phaseOf(r, 'deploy')
  check(deploy.status === 'failed', `the deploy phase failed (${deploy.status})`)
  check(deploy.durationMs < 30_000, `failed after ${deploy.durationMs} ms, bound 30 s`)
  await assertNothingLeft(r.outputs.namespace)
  return `deploy phase failed after ${(deploy.durationMs / 1000).toFixed(1)} s`
})

test('helm: a chart from an OCI registry, by reference and version', true, async () => {
  const helm = join(helmDir(3), 'helm')
  const dir = mkdtempSync(join(tmpdir(), 'e2e-chart-'))
  try {
    execFileSync(helm, ['package', join(REPO, CHART), '--destination', dir], { stdio: 'pipe' })
    execFileSync(
      helm,
      [
        'push',
        join(dir, 'weather-0.3.0.tgz'),
        'oci://127.0.0.1:5000/minikube-smoke-e2e/charts',
        '--plain-http'
      ],
      { stdio: 'pipe', env: { ...process.env, HELM_CONFIG_HOME: dir, HELM_CACHE_HOME: dir } }
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const r = await runAction({
    inputs: chartInputs({
      chart: 'oci://127.0.0.1:5000/minikube-smoke-e2e/charts/weather',
      'chart-version': '0.3.0',
      'chart-tests': 'false'
    }),
    env: withHelm(4)
  })
  check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
  contains(r.main.output, 'chart weather 0.3.0 rendered as release "weather"', 'the output')
  contains(r.main.output, 'chart tests not run (chart-tests: false)', 'the output')
  await assertNothingLeft(r.outputs.namespace)
  return `main ${(r.main.ms / 1000).toFixed(1)} s`
})

test('helm: dependencies not vendored get helm dependency build first', true, async () => {
  // Charts in the workspace (.e2e/ is git-ignored) that depend on the weather chart by file://.
  const dir = join(REPO, '.e2e', `charts-${Date.now()}`)
  const chart = (name, repository) => {
    mkdirSync(join(dir, name), { recursive: true })
    writeFileSync(
      join(dir, name, 'Chart.yaml'),
      `apiVersion: v2\nname: ${name}\nversion: 1.0.0\ndependencies:\n  - name: weather\n    version: 0.3.0\n    repository: file://${repository}\n`
    )
    return relative(REPO, join(dir, name))
  }
  const umbrella = chart('umbrella', join(REPO, CHART))
  const broken = chart('broken', join(dir, 'no-such-chart'))
  try {
    const bad = await runAction({ inputs: chartInputs({ chart: broken }), env: withHelm(4) })
    check(bad.main.code === 1, `main exited ${bad.main.code}:\n${tail(bad.main.output)}`)
    const errors = errorLines(bad.main.output)
    check(errors.length === 1, `one error line:\n${tail(bad.main.output)}`)
    contains(errors[0], "input 'chart' has dependencies that do not build (weather): ", 'the error')
    const r = await runAction({ inputs: chartInputs({ chart: umbrella }), env: withHelm(3) })
    check(r.main.code === 0, `main failed:\n${tail(r.main.output, 60)}`)
    contains(r.main.output, 'chart umbrella 1.0.0 rendered as release "umbrella"', 'the output')
    contains(
      r.main.output,
      'pre-install hook job.batch "umbrella-weather-migrate": succeeded',
      "the output (the dependency's hook)"
    )
    check(
      existsSync(join(REPO, umbrella, 'charts/weather-0.3.0.tgz')),
      'helm dependency build vendored the dependency'
    )
    await assertNothingLeft(r.outputs.namespace)
    return errors[0].replace('::error::', '').slice(0, 160)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('helm: bad chart inputs, one line each, nothing started', true, async () => {
  const noHelm = process.env.PATH.split(':')
    .filter(d => d && !existsSync(join(d, 'helm')))
    .join(':')
  const bad = [
    [
      { chart: 'test/fixtures/charts' },
      `input 'chart' must be a chart: test/fixtures/charts has no Chart.yaml`
    ],
    [{ chart: '../../etc' }, `input 'chart' must name paths inside the workspace`],
    [
      { values: 'no-such.yaml' },
      `input 'values' must name paths inside the workspace: no-such.yaml does not exist`
    ],
    [{ set: 'greeting' }, `input 'set' line 1 must be KEY=VALUE`],
    [{ 'set-string': 'tag' }, `input 'set-string' line 1 must be KEY=VALUE`],
    // --set makes a number of a tag of digits; the chart's values.schema.json wants a string.
    [
      { set: 'image.tag=20240101' },
      `input 'chart' does not render (weather 0.3.0): values don't meet the specifications of the schema(s) in the following chart(s): weather: - image.tag: Invalid type. Expected: string, given: integer`
    ],
    [{ 'chart-version': '1.0.0' }, `input 'chart-version' applies to an oci:// chart only`],
    [
      { chart: 'oci://127.0.0.1:5000/x/weather' },
      `input 'chart-version' must be set for an oci:// chart`
    ],
    [
      { set: 'image=flat' },
      `input 'chart' does not render (weather 0.3.0): template: weather/templates/`
    ],
    [{ release: 'Gate_1' }, `input 'release' must be a Helm release name`],
    [
      { manifests: 'test/fixtures/charts/weather-service-clash.yaml', release: 'weather' },
      `input 'chart' defines Service "weather", which input 'manifests' also defines`
    ],
    [{}, `input 'chart' needs helm on PATH`, { ...existing.env, PATH: noHelm }]
  ]
  for (const [inputs, expected, env = withHelm(3)] of bad) {
    const what = JSON.stringify(inputs)
    const before = smokeNamespaces()
    const r = await runAction({ inputs: chartInputs(inputs), env })
    check(
      r.main.code === 1,
      `${what}: main exited ${r.main.code}, expected 1:\n${tail(r.main.output)}`
    )
    const errors = errorLines(r.main.output)
    check(errors.length === 1, `${what}: expected one error line, got:\n${r.main.output}`)
    contains(errors[0], expected, `${what} error`)
    check(!r.main.output.includes('Running: docker build'), `${what}: nothing was built`)
    await noNewNamespace(before, what)
  }
  return `${bad.length} bad inputs refused before anything started`
})

// ---------------------------------------------------------------------------------- shared namespaces

const SLOW = 'test/fixtures/e2e/slow.yaml'

/** A use of the action on the slow fixture in a given namespace, under its own run id. */
function sharedRun(namespace, runId, extra = {}, hooks = {}) {
  return runAction({
    inputs: localInputs({
      cluster: 'existing',
      manifests: SLOW,
      namespace,
      'smoke-path': '/healthz',
      ...extra
    }),
    env: { ...existing.env, GITHUB_RUN_ID: runId },
    ...hooks
  })
}

/** Every image the pods of the namespace run, with when it was seen, until stop() is called. */
function watchPodImages(namespace) {
  const run = promisify(execFile)
  const seen = []
  let running = true
  const done = (async () => {
    while (running) {
      // stdout only (kubectl says "No resources found" on stderr); async, so the runs' output
      // keeps flowing.
      const r = await run(
        'kubectl',
        [
          '--kubeconfig',
          CLUSTER_KUBECONFIG,
          'get',
          'pods',
          '-n',
          namespace,
          '-o',
          'jsonpath={range .items[*]}{.spec.containers[0].image}{" "}{end}'
        ],
        { encoding: 'utf8' }
      ).then(
        out => ({ status: 0, stdout: out.stdout }),
        () => ({ status: 1, stdout: '' })
      )
      const at = Date.now()
      if (r.status === 0)
        for (const image of r.stdout.split(' ').filter(Boolean)) seen.push({ at, image })
      await new Promise(resolve => setTimeout(resolve, 500))
    }
  })()
  return {
    seen,
    stop: async () => {
      running = false
      await done
    }
  }
}

/** Starts the first run; resolves when it is waiting for its rollout (or has ended). */
function firstWaitingForRollout(namespace, runId) {
  let waiting
  const reached = new Promise(resolve => (waiting = resolve))
  const first = sharedRun(
    namespace,
    runId,
    {},
    { signalMainWhen: line => (/Waiting for deployment/.test(line) && waiting(), undefined) }
  )
  return { first, reached: Promise.race([reached, first]) }
}

test(
  'shared namespace: a second run while the first waits for its rollout is refused at once, naming the object and the run; the first passes untouched',
  true,
  async () => {
    const ns = `e2e-held-${randomBytes(3).toString('hex')}`
    const idA = `${Date.now()}1`
    const pods = watchPodImages(ns)
    const { first, reached } = firstWaitingForRollout(ns, idA)
    await reached
    const second = await sharedRun(ns, `${Date.now()}2`)
    const a = await first
    await pods.stop()
    check(
      a.main.code === 0 && a.post.code === 0,
      `the first run failed:\n${tail(a.main.output, 40)}`
    )
    check(
      second.main.code === 1,
      `the second run exited ${second.main.code}:\n${tail(second.main.output, 40)}`
    )
    const error = errorLines(second.main.output).join('\n')
    contains(error, `deployment.apps "slow"`, 'the refusal')
    contains(error, `belong to run "${idA}-1-`, 'the refusal (the run)')
    contains(
      error,
      'which is still running (it renewed its lease while this run watched)',
      'the refusal'
    )
    contains(error, 'started ', 'the refusal (its age)')
    contains(error, "'queue-timeout'", 'the refusal (a way out)')
    contains(error, "'concurrency:' group", 'the refusal (the other way out)')
    check(!JSON.parse(second.state.run).namespace, 'the refused run recorded a namespace')
    check(!JSON.parse(second.state.run).lease, 'the refused run made a lease')
    const images = new Set(pods.seen.map(p => p.image))
    check(
      images.size === 1 && images.has(a.outputs.image),
      `the first run's pods ran ${[...images].join(', ')}; expected only ${a.outputs.image}`
    )
    await assertNothingLeft(ns)
    const validate = phaseOf(second, 'validate')
    return `refused ${(second.main.ms / 1000).toFixed(1)} s after its start (validate phase ${(validate.durationMs / 1000).toFixed(1)} s); ${pods.seen.length} pod reads, all ${a.outputs.image}`
  }
)

test(
  'shared namespace: with queue-timeout the second run waits for the first, then both pass, one after the other',
  true,
  async () => {
    const ns = `e2e-queue-${randomBytes(3).toString('hex')}`
    const idA = `${Date.now()}1`
    const pods = watchPodImages(ns)
    const { first, reached } = firstWaitingForRollout(ns, idA)
    await reached
    const secondP = sharedRun(ns, `${Date.now()}2`, { 'queue-timeout': '3m' })
    const a = await first
    const aPostEnded = Date.now()
    const b = await secondP
    await pods.stop()
    check(
      a.main.code === 0 && a.post.code === 0,
      `the first run failed:\n${tail(a.main.output, 40)}`
    )
    check(
      b.main.code === 0 && b.post.code === 0,
      `the queued run failed:\n${tail(b.main.output, 40)}`
    )
    contains(b.main.output, `queued: deployment.apps "slow"`, 'the queued run’s log')
    contains(b.main.output, `held by run "${idA}-1-`, 'the queued run’s log (who holds it)')
    const bDeploy = Date.parse(phaseOf(b, 'deploy').startedAt)
    check(
      bDeploy >= a.main.endedAt,
      `the queued run deployed ${a.main.endedAt - bDeploy} ms before the first run's main ended`
    )
    const early = pods.seen.filter(p => p.at < a.main.endedAt && p.image !== a.outputs.image)
    check(
      early.length === 0,
      `while the first ran, its pods ran ${early.map(p => p.image).join(', ')}`
    )
    check(
      pods.seen.some(p => p.image === b.outputs.image),
      'the queued run’s image never ran in the namespace'
    )
    await assertNothingLeft(ns)
    const queued =
      Date.parse(phaseOf(b, 'validate').endedAt) - Date.parse(phaseOf(b, 'validate').startedAt)
    return `queued ${(queued / 1000).toFixed(1)} s; deployed ${((bDeploy - a.main.endedAt) / 1000).toFixed(1)} s after the first's main ended (its post ended ${((aPostEnded - a.main.endedAt) / 1000).toFixed(1)} s after it)`
  }
)

test(
  'shared namespace: a run cancelled while queued exits at once and leaves nothing; the holder passes untouched',
  true,
  async () => {
    const ns = `e2e-qcancel-${randomBytes(3).toString('hex')}`
    const idA = `${Date.now()}1`
    const { first, reached } = firstWaitingForRollout(ns, idA)
    await reached
    const queued = await sharedRun(
      ns,
      `${Date.now()}2`,
      { 'queue-timeout': '3m', 'force-conflicts': 'true' },
      { signalMainWhen: line => (line.startsWith('queued: ') ? 'SIGTERM' : undefined) }
    )
    const a = await first
    check(queued.signalled, `the second run never queued:\n${tail(queued.main.output, 40)}`)
    const exitMs = queued.main.endedAt - queued.signalled.at
    check(queued.main.code === 1, `the cancelled run exited ${queued.main.code}`)
    const saved = JSON.parse(queued.state.run)
    check(!saved.namespace && !saved.lease, `the cancelled run recorded ${queued.state.run}`)
    check(queued.post.code === 0, `its post exited ${queued.post.code}`)
    check(a.main.code === 0 && a.post.code === 0, `the holder failed:\n${tail(a.main.output, 40)}`)
    check(
      !a.main.output.includes('was deleted while the run waited'),
      'the holder lost an object while the other was queued'
    )
    await assertNothingLeft(ns)
    return `cancelled while queued (force-conflicts: true did not let it through); exited ${exitMs} ms after SIGTERM`
  }
)

test(
  'shared namespace: what a run killed with SIGKILL before its post step left is taken over by the next run and removed at its teardown',
  true,
  async () => {
    const ns = `e2e-dead-${randomBytes(3).toString('hex')}`
    const idA = `${Date.now()}1`
    const killed = await sharedRun(
      ns,
      idA,
      {},
      { killMainWhen: line => /Waiting for deployment/.test(line), skipPost: true }
    )
    try {
      check(killed.killed, `the first run was never in its rollout:\n${tail(killed.main.output)}`)
      const nsUid = kubectl('get', 'namespace', ns, '-o', 'jsonpath={.metadata.uid}').out
      check(nsUid, `the killed run left no namespace ${ns}`)
      const next = await sharedRun(
        ns,
        `${Date.now()}2`,
        {},
        {
          afterMain: async () =>
            kubectl('get', 'namespace', ns, '-o', 'jsonpath={.metadata.uid}').out
        }
      )
      check(
        next.main.code === 0 && next.post.code === 0,
        `the next run failed:\n${tail(next.main.output, 40)}`
      )
      contains(next.main.output, `run "${idA}-1-`, 'the next run’s log')
      contains(next.main.output, 'is gone (its lease was not renewed for', 'the next run’s log')
      contains(
        next.main.output,
        `taking over deployment.apps "slow", service "slow", namespace "${ns}"`,
        'the next run’s log'
      )
      contains(
        next.main.output,
        'taken over from a dead run: deleted at teardown',
        'the next run’s log'
      )
      check(next.between === nsUid, 'the namespace was made again instead of taken over')
      await assertNothingLeft(ns)
      const gone = /is gone \(its lease was not renewed for (\d+) s/.exec(next.main.output)?.[1]
      return `taken over after ${gone} s of silence; namespace, Deployment and Service removed by the next run's post`
    } finally {
      // The killed run's post never ran: its image tag is still in the engine.
      for (const tag of JSON.parse(killed.state.run || '{}').images?.tags ?? []) docker('rmi', tag)
      kubectl('delete', 'namespace', ns, '--wait=false')
    }
  }
)

test(
  'shared cluster: four uses of one manifest set at once, each in its own namespace — all pass, nothing left',
  true,
  async () => {
    const runId = String(Date.now())
    const runs = await Promise.all(
      ['a', 'b', 'c', 'd'].map(job =>
        runAction({
          inputs: localInputs({
            cluster: 'existing',
            manifests: 'weather-service/k8s',
            'smoke-checks': WEATHER_CHECKS
          }),
          env: { ...existing.env, GITHUB_RUN_ID: runId, GITHUB_JOB: `smoke-${job}` }
        })
      )
    )
    for (const r of runs)
      check(r.main.code === 0 && r.post.code === 0, `a run failed:\n${tail(r.main.output, 40)}`)
    check(new Set(runs.map(r => r.outputs.namespace)).size === 4, 'the namespaces differ')
    for (const r of runs) await assertNothingLeft(r.outputs.namespace)
    const deploy = runs.map(r => phaseOf(r, 'deploy').durationMs)
    return `namespaces ${runs.map(r => r.outputs.namespace).join(', ')}; deploy phases ${deploy.join(', ')} ms`
  }
)

// ---------------------------------------------------------------------------------- runner

const filters = process.argv.slice(2)
const selected = cases.filter(c => filters.length === 0 || filters.some(f => c.name.includes(f)))
let passed = 0
let failedCount = 0
const timings = []
ensureBaseImage()
for (const c of selected) {
  if (c.needsCluster && !clusterHealthy()) clusterUp()
  const t0 = Date.now()
  process.stdout.write(`\n▶ ${c.name}\n`)
  try {
    const note = await c.fn()
    passed++
    console.log(`✔ ${c.name} (${((Date.now() - t0) / 1000).toFixed(1)} s) — ${note}`)
  } catch (err) {
    failedCount++
    console.log(
      `✘ ${c.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n${err instanceof Failure ? err.message : err.stack}`
    )
  }
  timings.push({ case: c.name, seconds: (Date.now() - t0) / 1000 })
}
writeFileSync(join(tmpdir(), 'minikube-smoke-e2e-timings.json'), JSON.stringify(timings, null, 2))
console.log(`\ne2e: ${passed} passed, ${failedCount} failed`)
process.exit(failedCount === 0 ? 0 : 1)
