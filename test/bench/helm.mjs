// `npm run bench -- --only helm`: the action on a chart against `helm install`, interleaved pairs
// on the same chart (test/fixtures/charts/weather), cluster and image. Measures, asserts nothing.
//
//  healthy: A = the action (cluster: existing; its build a cache hit), from its report
//           validate.startedAt → chart-tests.endedAt, the stable-for window after it left out (render with the server's capabilities,
//           checks, namespace, pre-install hook, apply, rollout, NodePort, smoke check, test pod).
//           B = `helm install --wait --wait-for-jobs` then `helm test --logs`, from install start
//           to test end (its namespace made before, untimed). Ratio A ÷ B per pair; median.
//  crash:   the same chart with crashOnStart=true. A = the action's verdict (validate start →
//           rollout failed, with the reason and the log line); B = `helm install --wait
//           --timeout 2m` until it gives up.
//
//   --helm-pairs N (default 5), --helm-crash-pairs N (default 1), --helm-major 3|4 (default 3),
//   --helm-timeline 1: also each side's timeline (the action's log lines, helm's `--debug` lines,
//   each stamped as it arrived, ms from the start point) in the result file, to see where time goes.
//   --debug only adds helm's own progress lines; the start and end points stay the same.
// Writes bench-helm-results.json at the repo root (git-ignored).

import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO, runAction } from '../e2e/github-runner.mjs'

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const PAIRS = arg('--helm-pairs', 5)
const CRASH_PAIRS = arg('--helm-crash-pairs', 1)
const MAJOR = arg('--helm-major', 3)
const TIMELINE = arg('--helm-timeline', 0) === 1
const KUBECONFIG = '/var/lib/minikube-smoke/kubeconfig'
const BASE_IMAGE = 'minikube-smoke/python-base:bookworm'
const CHART = 'test/fixtures/charts/weather'
const VALUES = 'test/fixtures/charts/weather-values.yaml'
const REPOSITORY = 'registry.example.com/team/weather'
const HELM_TAG = 'bench-helm'
const log = (...a) => console.log(...a)

const helmDir = execFileSync('bash', [join(REPO, 'test/cluster/helm.sh'), 'path', String(MAJOR)], {
  encoding: 'utf8'
}).trim()
const HELM = join(helmDir, 'helm')
const env = { ...process.env, KUBECONFIG }
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 << 20 })
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` }
}
const kubectl = (...args) => run('kubectl', ['--kubeconfig', KUBECONFIG, ...args])
/** run, each output line stamped with the time it arrived (for --helm-timeline). */
const runStamped = (cmd, args, t0) =>
  new Promise(resolve => {
    const child = spawn(cmd, args, { env })
    const lines = []
    let out = ''
    const take = chunk => {
      out += chunk
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push([Date.now() - t0, l])
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    child.on('close', code => resolve({ code, out, lines }))
  })
const median = xs => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length
    ? s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
    : NaN
}
const sec = ms => `${(ms / 1000).toFixed(2)} s`

if (run('bash', [join(REPO, 'test/cluster/cluster.sh'), 'status']).code !== 0) {
  console.error('the local cluster is not healthy: bash test/cluster/cluster.sh up')
  process.exit(1)
}
// helm's image: the same build as the action's (a second tag of it).
execFileSync(
  'docker',
  [
    'build',
    '-q',
    '-t',
    `${REPOSITORY}:${HELM_TAG}`,
    '--build-arg',
    `BASE_IMAGE=${BASE_IMAGE}`,
    join(REPO, 'weather-service')
  ],
  { stdio: 'inherit' }
)

async function action(set) {
  const stamped = []
  const r = await runAction({
    killMainWhen: line => {
      stamped.push([Date.now(), line]) // never kills: only stamps each line as it arrives
      return false
    },
    inputs: {
      cluster: 'existing',
      context: 'weather-service',
      image: REPOSITORY,
      'build-args': `BASE_IMAGE=${BASE_IMAGE}`,
      'url-host': '127.0.0.1',
      chart: CHART,
      values: VALUES,
      set,
      'smoke-checks': '- name: liveness\n  path: /healthz'
    },
    env: { KUBECONFIG, PATH: `${helmDir}:${process.env.PATH}` }
  })
  const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
  const phase = name => report.phases.find(p => p.name === name)
  // To the verdict helm's flow also gives: the stable-for window after it is a guarantee helm
  // does not make (the run's pods stay ready for 10 s), so it is left out, and reported apart.
  const last = report.phases.filter(p => p.name !== 'stable').at(-1)
  const ms = Date.parse(last.endedAt) - Date.parse(phase('validate').startedAt)
  const error = r.main.output.split('\n').find(l => l.startsWith('::error::')) ?? ''
  const phases = Object.fromEntries(report.phases.map(p => [p.name, p.durationMs]))
  const start = Date.parse(phase('validate').startedAt)
  const timeline = TIMELINE
    ? stamped
        .filter(([t, l]) => t >= start && !/^::(debug|add-mask)/.test(l))
        .map(([t, l]) => [t - start, l.slice(0, 160)])
    : undefined
  return {
    ms,
    result: report.result,
    error: error.replace('::error::', '').slice(0, 160),
    phases,
    timeline
  }
}

async function helm(set, waitArgs) {
  const ns = `bench-helm-${Date.now()}`
  kubectl('create', 'namespace', ns)
  const release = 'weather'
  const started = Date.now()
  const debug = TIMELINE ? ['--debug'] : []
  const exec = TIMELINE
    ? args => runStamped(HELM, [...args, ...debug], started)
    : args => run(HELM, args)
  const install = await exec([
    'install',
    release,
    join(REPO, CHART),
    '--namespace',
    ns,
    '--values',
    join(REPO, VALUES),
    '--set',
    set,
    '--set',
    `image.repository=${REPOSITORY},image.tag=${HELM_TAG}`,
    ...waitArgs
  ])
  let test = { code: 0, out: '' }
  if (install.code === 0) test = await exec(['test', release, '--namespace', ns, '--logs'])
  const ms = Date.now() - started
  const timeline = TIMELINE ? [...install.lines, ...(test.lines ?? [])] : undefined
  run(HELM, ['uninstall', release, '--namespace', ns, '--wait', '--timeout', '2m'])
  kubectl('delete', 'namespace', ns, '--wait=true', '--timeout=120s')
  const why =
    install.code !== 0
      ? // helm's Error: line (with --debug a stack trace follows it)
        (install.out.split('\n').find(l => l.startsWith('Error:')) ??
        install.out.trim().split('\n').at(-1))
      : test.code !== 0
        ? 'helm test failed'
        : ''
  return { ms, ok: install.code === 0 && test.code === 0, why: why.slice(0, 160), timeline }
}

const results = { helm: `helm v${MAJOR} (${HELM})`, healthy: [], crash: [] }
log(`\nhelm bench: ${PAIRS} healthy pairs, ${CRASH_PAIRS} crash pairs, ${results.helm}`)
for (let i = 0; i < PAIRS; i++) {
  // Interleaved, the order alternating, so drift in the shared machine's load hits both sides.
  const a = i % 2 === 0 ? await action('greeting=bench') : undefined
  const b = await helm('greeting=bench', ['--wait', '--wait-for-jobs', '--timeout', '5m'])
  const a2 = a ?? (await action('greeting=bench'))
  results.healthy.push({ action: a2, helm: b, ratio: a2.ms / b.ms })
  log(
    `  healthy ${i + 1}: action ${sec(a2.ms)} (${a2.result}), helm ${sec(b.ms)} (${b.ok ? 'ok' : b.why}), ratio ${(a2.ms / b.ms).toFixed(2)}`
  )
}
for (let i = 0; i < CRASH_PAIRS; i++) {
  const a = await action('crashOnStart=true')
  const b = await helm('crashOnStart=true', ['--wait', '--timeout', '2m'])
  results.crash.push({ action: a, helm: b, ratio: a.ms / b.ms })
  log(
    `  crash ${i + 1}: action ${sec(a.ms)} (${a.error}), helm ${sec(b.ms)} (${b.why}), ratio ${(a.ms / b.ms).toFixed(3)}`
  )
}
// Where the action's time goes: the median of each phase over the healthy runs.
results.healthy_action_phase_medians_ms = Object.fromEntries(
  Object.keys(results.healthy[0]?.action.phases ?? {}).map(k => [
    k,
    median(results.healthy.map(p => p.action.phases[k] ?? 0))
  ])
)
log(`\naction phases (median ms): ${JSON.stringify(results.healthy_action_phase_medians_ms)}`)
results.healthy_median_ratio = median(results.healthy.map(p => p.ratio))
results.healthy_median_action_ms = median(results.healthy.map(p => p.action.ms))
results.healthy_median_helm_ms = median(results.healthy.map(p => p.helm.ms))
results.crash_median_action_ms = median(results.crash.map(p => p.action.ms))
results.crash_median_helm_ms = median(results.crash.map(p => p.helm.ms))
log(
  `\nhealthy chart, apply → tests done: action median ${sec(results.healthy_median_action_ms)}, helm install --wait --wait-for-jobs + helm test median ${sec(results.healthy_median_helm_ms)}; median ratio ${results.healthy_median_ratio.toFixed(2)} (goal ≤ 1.0)`
)
if (results.crash.length)
  log(
    `crash-looping chart: action's verdict ${sec(results.crash_median_action_ms)}, helm install --wait --timeout 2m ${sec(results.crash_median_helm_ms)}; ratio ${(results.crash_median_action_ms / results.crash_median_helm_ms).toFixed(3)}`
  )
writeFileSync(join(REPO, 'bench-helm-results.json'), `${JSON.stringify(results, null, 2)}\n`)
