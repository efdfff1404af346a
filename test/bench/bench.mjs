// Benchmark: what the action costs against hand-written kubectl flows, and how fast it notices
// success and failure. Runs the committed dist/ bundle the way GitHub does (test/e2e/github-runner),
// against the real local Kubernetes 1.20 cluster (test/cluster/), on the weather service and on the
// multi-kind shop app (test/fixtures/apps/shop).
//
//   npm run bench                          everything (~20 min on 2 cores)
//   npm run bench -- --pairs 7 --faults 3  more samples
//   npm run bench -- --baseline old.json   also print before/after against an earlier result file
//   npm run bench -- --only cold           cold start + bundle only (no cluster needed)
//   npm run bench -- --only pairs          overhead pairs and failure detection only
//   npm run bench -- --only load           the load check against wrk only (--load-pairs 3,
//                                          --load-duration 20, --load-concurrency 32)
//   npm run bench -- --only kinds          the multi-kind app against a hand-written flow only
//                                          (--kinds-pairs 3; --warmup applies too)
//   npm run bench -- --only helm           a chart: the action against helm install (test/bench/helm.mjs)
//   npm run bench -- --only storage        the StatefulSet-with-claim app against a hand-written
//                                          flow only (--storage-pairs 3; --warmup applies too)
//   npm run bench -- --only large          apps of 10/100/1000 objects against kubectl only
//                                          (--large-sizes 10,100,1000, --large-pairs 1)
//   npm run bench -- --no-cluster-up ...   never start the cluster: wait (up to 15 min) until
//                                          `cluster.sh status` says healthy (a shared cluster)
//   With --only, bench-results.json keeps the figures of the parts that did not run.
//
// Prints a table and writes bench-results.json at the repo root (git-ignored; --out to change).
// Nothing here asserts a timing: it measures and reports. test/bench/proxy-lag.mjs shows how a
// fresh NodePort behaves around the pod's Ready moment (the data behind the smoke retry rule).
//
// What is measured (each side is described again in the printed output):
//  1. Overhead: A = the action (cluster: existing, the prebuilt image's tag so its build is a cache
//     hit) — from its report, deploy.startedAt → smoke.endedAt (namespace + server-side apply,
//     rollout watch, NodePort lookup, smoke check until it passes). B = the course's hand-run flow
//     with kubectl: `kubectl apply -f` → `kubectl rollout status` → `kubectl get svc` → curl every
//     1 s until 200, from apply start to the first 200 (its namespace is created before, untimed).
//     C = the same flow at its strongest: `kubectl apply --server-side`, curl (--max-time 1) every
//     100 ms. Same manifests (weather-service/k8s), same image (a second tag of it: the action's
//     post step removes its own), fresh namespace each, interleaved A, B, C.
//  2. Ready → first request: a watch on the run's pods (started before the run) records when the
//     pod's Ready condition turns True (local receive time); compared with the first smoke
//     attempt's `at` from the report (A) or the first curl's start (B).
//  3. Failure detection: crash.yaml (CrashLoopBackOff) and missing-image.yaml (ErrImageNeverPull):
//     from the first kubelet report of that state (pod status or event, receive time of the watch)
//     to the `::error::` line on main's stdout; also from the event's own timestamp.
//  4. Cold start: spawn `node dist/main/index.js` (bad input) → first stdout byte; bundle sizes.
//  5. Teardown: the post step's wall time after successful runs.
//  6. Load: the action's load check (GET SMOKE_PATH on weather-service/k8s, `--load-concurrency`
//     connections for `--load-duration` s) against wrk (Debian's, installed when missing) on the
//     same NodePort URL, same concurrency and duration, in pairs on the same pod: the action runs
//     (a short warm-up load, then the measured one), then — between main and post, the pod still
//     up — wrk. Reported: requests/s ratio (action ÷ wrk), p95 ratio, and the action process's peak
//     RSS (VmHWM from /proc, polled every 100 ms).
//  7. Multi-kind app (test/fixtures/apps/shop: StatefulSet, migration Job, Deployment, NodePort,
//     Ingress, HPA, NetworkPolicy, PDB, CRD + custom resource, ClusterRole + binding): A = the
//     action as in 1 (deploy.startedAt → smoke.endedAt, GET / until "schema": "v1") against P = the
//     strongest hand-written flow, same image: `kubectl apply --server-side` the CRD → `kubectl wait
//     --for=condition=established` → apply the rest → rollout status of the StatefulSet, wait for
//     the Job's completion and rollout status of the Deployment in parallel → curl every 100 ms
//     until 200 with schema v1; from the first apply to that answer (rendering, namespace and
//     teardown untimed). Interleaved pairs; cluster-scoped objects gone between samples.
//  8. Storage (test/fixtures/e2e/storage/app.yaml, see test/bench/storage.mjs): A = the action as
//     in 1 (GET /k/boot until "written": true, what the database wrote to its claim) against P =
//     kubectl apply --server-side → rollout status of the StatefulSet and the Deployment in
//     parallel → get svc → curl every 100 ms until that answer. Interleaved pairs; each sample
//     waits until the last one's namespace and volumes are gone.
//  9. Large apps (test/support/large-app.mjs: N-2 ConfigMaps + the weather Deployment reading one
//     + its NodePort Service, N = 10, 100, 1000): A = the action, validate.startedAt → smoke.endedAt
//     (GET /healthz until 200), with its peak RSS (VmHWM polled every 100 ms), the bytes it saved to
//     GITHUB_STATE and its post step's time; K = `kubectl apply --server-side -n NS -f app.yaml` →
//     `kubectl rollout status` → get svc → curl every 100 ms until 200, first apply → 200 (namespace
//     created before, untimed). Interleaved, same image.

import { spawn } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { gzipSync } from 'node:zlib'
import { Watch } from '@kubernetes/client-node'
import { load } from 'js-yaml'
import { REPO, runAction } from '../e2e/github-runner.mjs'
import { bytes, median, ms, range, round, summary, table } from './stats.mjs'
import { writeLargeApp } from '../support/large-app.mjs'
import {
  KUBECONFIG,
  SHOP,
  SHOP_CLUSTER_OBJECTS,
  SHOP_MANIFESTS,
  ensureCluster,
  kc,
  kubectl,
  renderShop,
  run,
  writeShopManifests,
  writeWeatherManifest
} from './cluster.mjs'
import {
  STORAGE_APP,
  STORAGE_CHECKS,
  storageGone,
  storagePeer,
  writeStorageManifest
} from './storage.mjs'

// ------------------------------------------------------------------------------------ options

const opts = {
  pairs: 8,
  warmup: 1,
  faults: 3,
  cold: 11,
  loadPairs: 3,
  loadDuration: 20,
  loadConcurrency: 32,
  kindsPairs: 3,
  storagePairs: 3,
  largeSizes: [10, 100, 1000],
  largePairs: 1,
  clusterUp: true,
  out: join(REPO, 'bench-results.json')
}
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]
  const next = () => process.argv[++i]
  if (a === '--pairs') opts.pairs = Math.max(1, Number(next()))
  else if (a === '--warmup') opts.warmup = Math.max(0, Number(next()))
  else if (a === '--faults') opts.faults = Math.max(0, Number(next()))
  else if (a === '--cold') opts.cold = Math.max(1, Number(next()))
  else if (a === '--out') opts.out = next()
  else if (a === '--baseline') opts.baseline = next()
  else if (a === '--only') opts.only = next()
  else if (a === '--load-pairs') opts.loadPairs = Math.max(1, Number(next()))
  else if (a === '--load-duration') opts.loadDuration = Math.min(120, Math.max(1, Number(next())))
  else if (a === '--load-concurrency')
    opts.loadConcurrency = Math.min(256, Math.max(1, Number(next())))
  else if (a === '--label') opts.label = next()
  else if (a === '--kinds-pairs') opts.kindsPairs = Math.max(1, Number(next()))
  else if (a === '--storage-pairs') opts.storagePairs = Math.max(1, Number(next()))
  else if (a === '--large-sizes')
    opts.largeSizes = next()
      .split(',')
      .map(n => Math.max(3, Number(n)))
  else if (a === '--large-pairs') opts.largePairs = Math.max(1, Number(next()))
  else if (a === '--no-cluster-up') opts.clusterUp = false
  else if (a.startsWith('--helm-'))
    next() // test/bench/helm.mjs reads its own
  else {
    console.error(`unknown argument ${a}`)
    process.exit(2)
  }
}
const PARTS = ['cold', 'pairs', 'load', 'kinds', 'storage', 'large']
// The chart bench is its own script (test/bench/helm.mjs, own options and result file).
if (opts.only === 'helm') {
  await import('./helm.mjs')
  process.exit(0)
}
if (opts.only !== undefined && !PARTS.includes(opts.only)) {
  console.error(`--only must be one of ${PARTS.join(', ')}`)
  process.exit(2)
}
/** Whether this part of the bench runs. */
const want = part => opts.only === undefined || opts.only === part

const BASE_IMAGE = 'minikube-smoke/python-base:bookworm'
const MANIFESTS = 'weather-service/k8s'
const SMOKE_PATH = '/?msg=Chicago'
const ACTION = load(readFileSync(join(REPO, 'action.yml'), 'utf8'))
const ENTRY = join(REPO, ACTION.runs.main)
const DIST = join(REPO, 'dist/main')
const sleep = t => new Promise(resolve => setTimeout(resolve, t))
const log = (...a) => console.log(...a)
const benchStarted = Date.now()

// ------------------------------------------------------------------------------------ helpers

function must(r, what) {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr || r.stdout}`)
  return r
}

/**
 * Watches pods and events of one namespace (it need not exist yet: a field selector on
 * metadata.namespace over the cluster-wide collections). Records the local receive time of the
 * first Ready=True, of each container waiting reason, of the first container termination, and of
 * each event reason (with the event's own timestamp).
 */
async function watchNamespace(ns) {
  const rec = { firsts: {}, ready: undefined }
  const controllers = []
  let stopped = false
  const first = (key, at, extra = {}) => {
    if (!rec.firsts[key]) rec.firsts[key] = { at, ...extra }
  }
  const onPod = (_type, pod) => {
    const at = Date.now()
    const ready = pod.status?.conditions?.find(c => c.type === 'Ready')
    if (ready?.status === 'True' && !rec.ready) {
      rec.ready = { at, lastTransitionTime: ready.lastTransitionTime, pod: pod.metadata?.name }
    }
    const statuses = [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? [])
    ]
    for (const s of statuses) {
      if (s.state?.waiting?.reason) first(`waiting:${s.state.waiting.reason}`, at)
      const term = s.state?.terminated ?? s.lastState?.terminated
      if (term) first('terminated', at, { ts: term.finishedAt })
    }
  }
  const onEvent = (type, ev) => {
    if (type !== 'ADDED' && type !== 'MODIFIED') return
    first(`event:${ev.reason}`, Date.now(), {
      ts: ev.firstTimestamp ?? ev.eventTime,
      source: ev.source?.component
    })
  }
  const start = async (path, handler) => {
    let restarts = 0
    const go = async () => {
      if (stopped) return
      try {
        const c = await new Watch(kc()).watch(
          path,
          { fieldSelector: `metadata.namespace=${ns}`, timeoutSeconds: 600 },
          (type, obj) => !stopped && handler(type, obj),
          () => {
            if (!stopped && restarts++ < 50) setTimeout(go, 100)
          }
        )
        controllers.push(c)
        if (stopped) c.abort()
      } catch {
        if (!stopped && restarts++ < 50) setTimeout(go, 200)
      }
    }
    await go()
  }
  await Promise.all([start('/api/v1/pods', onPod), start('/api/v1/events', onEvent)])
  return {
    rec,
    stop() {
      stopped = true
      for (const c of controllers) c.abort()
    }
  }
}

/** Waits (bounded) until no container of the namespace runs any more, so runs do not overlap. */
async function settle(ns) {
  const started = Date.now()
  for (let i = 0; i < 360; i++) {
    const r = await run('docker', [
      'ps',
      '-q',
      '--filter',
      `label=io.kubernetes.pod.namespace=${ns}`
    ])
    if (r.code === 0 && r.stdout.trim() === '') break
    await sleep(250)
  }
  await sleep(1000)
  return Date.now() - started
}

const baseInputs = () => ({
  cluster: 'existing',
  tag: TAG,
  'build-args': `BASE_IMAGE=${BASE_IMAGE}`,
  'url-host': '127.0.0.1'
})
let runCounter = 0

/**
 * One action run (main + post), timestamping every line main prints. If the bundle did not even
 * start (dist/ being rebuilt by someone at that moment: main prints nothing), waits and runs once
 * more, saying so.
 */
async function actionRun(inputs, hooks = {}) {
  const x = await actionRunOnce(inputs, hooks)
  if (x.r.main.output.includes('minikube-smoke: main step')) return x
  log(
    `  (the bundle did not start — ${x.r.main.output.trim().split('\n')[0] || 'no output'}; retrying in 15 s)`
  )
  await sleep(15_000)
  return actionRunOnce(inputs, hooks)
}

async function actionRunOnce(inputs, hooks = {}) {
  const runId = `${Date.now()}${runCounter++}`
  const ns = `smoke-${runId}-1`
  const watch = await watchNamespace(ns)
  const lines = []
  const r = await runAction({
    // Named up front (the default name has a random part) so the watch can start before the run.
    inputs: { ...baseInputs(), namespace: ns, ...inputs },
    env: { KUBECONFIG, GITHUB_RUN_ID: runId, GITHUB_RUN_ATTEMPT: '1' },
    killMainWhen: line => {
      lines.push({ at: Date.now(), line })
      hooks.onLine?.(line)
      return false
    },
    ...hooks
  })
  watch.stop()
  let report
  try {
    report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
  } catch {
    report = undefined
  }
  const teardownLine = /teardown took ([\d.]+) s/.exec(r.post?.output ?? '')
  const settleMs = await settle(ns)
  return { ns, r, report, lines, watch: watch.rec, teardownInner: teardownLine?.[1], settleMs }
}

/** `refused×3,200` */
const runs = items => {
  const out = []
  for (const x of items) {
    const last = out.at(-1)
    if (last && last.x === x) last.n++
    else out.push({ x, n: 1 })
  }
  return out.map(({ x, n }) => (n > 1 ? `${x}×${n}` : String(x))).join(',')
}
const phase = (report, name) => report?.phases.find(p => p.name === name)
const t = iso => (iso ? Date.parse(iso) : NaN)

// ------------------------------------------------------------------------------------ 4. cold start

function bundleSizes() {
  const files = {}
  let total = 0
  let gz = 0
  for (const f of readdirSync(DIST).sort()) {
    const size = statSync(join(DIST, f)).size
    files[f] = size
    total += size
    gz += gzipSync(readFileSync(join(DIST, f))).length
  }
  return { dir: 'dist/main', total_bytes: total, gzip_bytes: gz, files }
}

function inputDefaults(overrides) {
  const env = {}
  for (const [name, spec] of Object.entries(ACTION.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = String(
      name in overrides ? overrides[name] : (spec.default ?? '')
    )
  }
  return env
}

async function coldStart(n) {
  const samples = []
  for (let i = 0; i < n; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cold-'))
    const files = {}
    for (const k of ['GITHUB_STATE', 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY']) {
      files[k] = join(dir, k.toLowerCase())
      writeFileSync(files[k], '')
    }
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !k.startsWith('INPUT_') && !k.startsWith('STATE_')
      )
    )
    Object.assign(env, files, inputDefaults({ replicas: 'abc' }), {
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: REPO
    })
    const sample = await new Promise(resolve => {
      const t0 = performance.now()
      const child = spawn(process.execPath, [ENTRY], {
        cwd: REPO,
        env,
        stdio: ['ignore', 'pipe', 'pipe']
      })
      const s = {}
      let out = ''
      child.stdout.on('data', d => {
        s.firstByteMs ??= performance.now() - t0
        out += d
        if (s.errorLineMs === undefined && /(^|\n)::error::/.test(out))
          s.errorLineMs = performance.now() - t0
      })
      child.on('close', code => {
        s.exitMs = performance.now() - t0
        s.code = code
        s.firstLine = out.split('\n')[0]
        resolve(s)
      })
    })
    samples.push(sample)
  }
  return samples
}

// ------------------------------------------------------------------------------------ 1+2. pairs

let TAG
let HAND_MANIFEST
/**
 * The tag the hand-written flows run. Not TAG: the action builds TAG again (its labels make a new
 * image) and its post step removes that tag, which would take the image from under them.
 */
const handTag = () => `${TAG}-hand`

/** The hand-run manifests: weather-service/k8s with the image substituted, pull policy Never. */
function writeHandManifest() {
  HAND_MANIFEST = writeWeatherManifest(`weather-service:${handTag()}`, join(REPO, MANIFESTS))
}

/** The two hand-run flows of part 1: B (the course's) and C (the same, its strongest settings). */
const HAND_FLOWS = {
  B: { serverSide: false, intervalMs: 1000, maxTimeS: 5, label: 'hand, curl every 1 s' },
  C: { serverSide: true, intervalMs: 100, maxTimeS: 1, label: 'hand, curl every 100 ms' }
}

async function sampleAction() {
  const x = await actionRun({
    manifests: MANIFESTS,
    'smoke-path': SMOKE_PATH,
    'expect-status': '200'
  })
  const { r, report, watch } = x
  if (r.main.code !== 0 || report?.result !== 'passed') {
    throw new Error(`the action failed:\n${r.main.output.split('\n').slice(-30).join('\n')}`)
  }
  const names = ['deploy', 'rollout', 'expose', 'smoke']
  const ph = Object.fromEntries(names.map(n => [n, phase(report, n).durationMs]))
  const startedAt = t(phase(report, 'deploy').startedAt)
  const endedAt = t(phase(report, 'smoke').endedAt)
  const attempts = report.smoke[0].attempts
  const firstRequestAt = t(attempts[0].at)
  const passed = attempts.find(a => a.passed)
  return {
    ns: x.ns,
    ms: endedAt - startedAt,
    phaseSumMs: names.reduce((a, n) => a + ph[n], 0),
    phases: ph,
    image_ms: phase(report, 'image')?.durationMs,
    main_ms: r.main.ms,
    post_ms: r.post.ms,
    teardown_inner_ms: x.teardownInner ? Number(x.teardownInner) * 1000 : null,
    attempts: attempts.map(a => ({
      n: a.n,
      at: a.at,
      latencyMs: round(a.latencyMs, 1),
      status: a.status,
      error: a.error
    })),
    readyAt: watch.ready?.at,
    readyLastTransitionTime: watch.ready?.lastTransitionTime,
    readyToFirstRequestMs: watch.ready ? firstRequestAt - watch.ready.at : null,
    readyLttToFirstRequestMs: watch.ready
      ? firstRequestAt - t(watch.ready.lastTransitionTime)
      : null,
    readyToFirst200Ms:
      watch.ready && passed ? t(passed.at) + passed.latencyMs - watch.ready.at : null,
    readyToRolloutDoneMs: watch.ready ? t(phase(report, 'rollout').endedAt) - watch.ready.at : null,
    settleMs: x.settleMs
  }
}

async function sampleHand(flow) {
  const ns = `bench-hand-${Date.now()}`
  const watch = await watchNamespace(ns)
  const created = must(await kubectl('create', 'namespace', ns), 'kubectl create namespace')
  const apply = must(
    await kubectl(
      'apply',
      ...(flow.serverSide ? ['--server-side'] : []),
      '-n',
      ns,
      '-f',
      HAND_MANIFEST
    ),
    'kubectl apply'
  )
  const rollout = must(
    await kubectl('rollout', 'status', 'deployment/weather-service', '-n', ns, '--timeout=180s'),
    'kubectl rollout status'
  )
  const svc = must(
    await kubectl(
      'get',
      'svc',
      'weather-service',
      '-n',
      ns,
      '-o',
      'jsonpath={.spec.ports[0].nodePort}'
    ),
    'kubectl get svc'
  )
  const url = `http://127.0.0.1:${svc.stdout.trim()}${SMOKE_PATH}`
  const curls = []
  let done
  const deadline = Date.now() + 120_000
  for (let n = 1; Date.now() < deadline && !done; n++) {
    const c = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--max-time',
      String(flow.maxTimeS),
      url
    ])
    curls.push({
      n,
      at: new Date(c.startedAt).toISOString(),
      ms: c.ms,
      status: c.stdout.trim(),
      exit: c.code
    })
    if (c.stdout.trim() === '200') done = c.endedAt
    else await sleep(flow.intervalMs)
  }
  watch.stop()
  await kubectl('delete', 'namespace', ns, '--wait=false')
  const settleMs = await settle(ns)
  if (!done) throw new Error(`hand-run: no 200 from ${url} after ${curls.length} tries`)
  const rec = watch.rec
  const firstCurl = t(curls[0].at)
  return {
    ns,
    ms: done - apply.startedAt,
    steps: {
      create_namespace: created.ms,
      apply: apply.ms,
      rollout_status: rollout.ms,
      get_svc: svc.ms,
      curl_until_200: done - t(curls[0].at)
    },
    curls,
    readyAt: rec.ready?.at,
    readyLastTransitionTime: rec.ready?.lastTransitionTime,
    readyToFirstRequestMs: rec.ready ? firstCurl - rec.ready.at : null,
    readyToFirst200Ms: rec.ready ? done - rec.ready.at : null,
    readyToRolloutDoneMs: rec.ready ? rollout.endedAt - rec.ready.at : null,
    settleMs
  }
}

// ------------------------------------------------------------------------------------ 7. kinds

const SHOP_CHECKS = '- path: /\n  expect-json:\n    schema: v1'
let SHOP_DOCS

/** Polls until none of `names` (kubectl `kind/name`) exists; false after `timeoutMs`. */
async function gone(names, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const r = await kubectl('get', ...names, '--ignore-not-found', '-o', 'name')
    if (r.code === 0 && r.stdout.trim() === '') return true
    if (Date.now() > deadline) return false
    await sleep(500)
  }
}

/**
 * Before a sample of the shop: its cluster-scoped objects (fixed names) must not exist: the last
 * sample's teardown, or someone else's run of the shop (e2e), has to be over. Never deletes them.
 */
async function shopObjectsAbsent() {
  const started = Date.now()
  if (!(await gone(SHOP_CLUSTER_OBJECTS, 600_000))) {
    throw new Error(
      `${SHOP_CLUSTER_OBJECTS.join(', ')} still exist(s) after 10 min: another run of the shop, or a leak`
    )
  }
  return Date.now() - started
}

/** After a sample: the namespace and the shop's cluster-scoped objects gone, so nothing overlaps. */
async function shopSettled(ns) {
  const started = Date.now()
  const ok = await gone([`namespace/${ns}`, ...SHOP_CLUSTER_OBJECTS])
  if (!ok) log(`  (namespace ${ns} or the shop's cluster-scoped objects still there after 5 min)`)
  await settle(ns)
  return Date.now() - started
}

async function sampleKindsAction() {
  const waitedMs = await shopObjectsAbsent()
  const x = await actionRun({
    context: SHOP,
    image: 'shop',
    manifests: SHOP_MANIFESTS.join('\n'),
    'smoke-checks': SHOP_CHECKS
  })
  const { r, report } = x
  if (r.main.code !== 0 || report?.result !== 'passed') {
    throw new Error(
      `the action failed on the shop:\n${r.main.output.split('\n').slice(-40).join('\n')}`
    )
  }
  const postTail = (r.post?.output ?? '').trim().split('\n').slice(-12).join('\n')
  if (r.post?.code !== 0 || !/Removed: .*customresourcedefinition/.test(r.post?.output ?? '')) {
    log(`  the post step (exit ${r.post?.code}) did not say it removed the CRD:\n${postTail}`)
  }
  const settledMs = await shopSettled(x.ns)
  const names = ['deploy', 'rollout', 'expose', 'smoke']
  const startedAt = t(phase(report, 'deploy').startedAt)
  const attempts = report.smoke[0].attempts
  return {
    ns: x.ns,
    ms: t(phase(report, 'smoke').endedAt) - startedAt,
    phases: Object.fromEntries(names.map(n => [n, phase(report, n).durationMs])),
    image_ms: phase(report, 'image')?.durationMs,
    validate_ms: phase(report, 'validate')?.durationMs,
    workloads: (report.workloads ?? []).map(w => ({
      kind: w.kind,
      name: w.name,
      durationMs: w.durationMs
    })),
    attempts: attempts.map(a => ({
      n: a.n,
      at: a.at,
      latencyMs: round(a.latencyMs, 1),
      status: a.status,
      error: a.error
    })),
    crash_tolerated: /CrashLoopBackOff|restarted \d+ time/.test(r.main.output),
    main_ms: r.main.ms,
    post_ms: r.post?.ms,
    post_tail: postTail,
    waited_before_ms: waitedMs,
    settle_ms: settledMs
  }
}

/** The body of `curl -w '\n%{http_code}'`, split. */
function curlAnswer(stdout) {
  const i = stdout.lastIndexOf('\n')
  return { body: stdout.slice(0, i), status: stdout.slice(i + 1).trim() }
}

/**
 * The strongest hand-written flow for the shop (see the printed description). Timed from the
 * first apply to the first 200 with "schema": "v1"; rendering, the namespace and the teardown
 * are not timed.
 */
async function sampleKindsPeer() {
  const waitedMs = await shopObjectsAbsent()
  const ns = `bench-kinds-${Date.now()}`
  const rendered = performance.now()
  const files = writeShopManifests(SHOP_DOCS, `shop:${handTag()}`, ns)
  const renderMs = performance.now() - rendered
  must(await kubectl('create', 'namespace', ns), 'kubectl create namespace')
  let flow
  try {
    flow = await kindsPeerFlow(ns, files)
  } finally {
    // Teardown (untimed), also after a failure: the namespace and the cluster-scoped objects,
    // waited for until gone.
    await Promise.all([
      kubectl('delete', 'namespace', ns, '--wait=true', '--timeout=300s'),
      kubectl(
        'delete',
        ...SHOP_CLUSTER_OBJECTS,
        '--ignore-not-found',
        '--wait=true',
        '--timeout=300s'
      )
    ])
  }
  const settledMs = await shopSettled(ns)
  return {
    ns,
    ...flow,
    render_ms: round(renderMs, 1),
    waited_before_ms: waitedMs,
    settle_ms: settledMs
  }
}

/** The timed part of the hand-written flow: first apply → first 200 with schema v1. */
async function kindsPeerFlow(ns, files) {
  const crd = must(
    await kubectl('apply', '--server-side', '-f', files.crds),
    'kubectl apply --server-side (CRD)'
  )
  const at = r => r.endedAt - crd.startedAt
  const established = must(
    await kubectl('wait', '--for=condition=established', '--timeout=60s', SHOP_CLUSTER_OBJECTS[0]),
    'kubectl wait established'
  )
  const apply = must(
    await kubectl('apply', '--server-side', '-n', ns, '-f', files.rest),
    'kubectl apply --server-side (the rest)'
  )
  // `cmd & cmd & cmd & wait`: the three waits (and the NodePort lookup) at once.
  const [kv, migrate, api, svc] = await Promise.all([
    kubectl('rollout', 'status', 'statefulset/kv', '-n', ns, '--timeout=180s'),
    kubectl('wait', '--for=condition=complete', 'job/migrate', '-n', ns, '--timeout=180s'),
    kubectl('rollout', 'status', 'deployment/api', '-n', ns, '--timeout=180s'),
    kubectl('get', 'svc', 'api', '-n', ns, '-o', 'jsonpath={.spec.ports[0].nodePort}')
  ])
  for (const [r, what] of [
    [kv, 'rollout status statefulset/kv'],
    [migrate, 'wait job/migrate'],
    [api, 'rollout status deployment/api'],
    [svc, 'get svc api']
  ])
    must(r, `hand-written shop flow: kubectl ${what}`)
  const url = `http://127.0.0.1:${svc.stdout.trim()}/`
  const curls = []
  let done
  const deadline = Date.now() + 120_000
  for (let n = 1; Date.now() < deadline && !done; n++) {
    const c = await run('curl', ['-s', '-w', '\n%{http_code}', '--max-time', '1', url])
    const { body, status } = curlAnswer(c.stdout)
    let schema
    try {
      schema = JSON.parse(body).schema
    } catch {
      schema = undefined
    }
    curls.push({ n, at: new Date(c.startedAt).toISOString(), ms: c.ms, status, schema })
    if (status === '200' && schema === 'v1') done = c.endedAt
    else await sleep(100)
  }
  if (!done)
    throw new Error(`hand-written shop flow: no schema v1 from ${url} after ${curls.length} tries`)
  return {
    ms: done - crd.startedAt,
    steps: {
      apply_crd: crd.ms,
      established: established.ms,
      apply_rest: apply.ms,
      rollout_kv: kv.ms,
      wait_migrate: migrate.ms,
      rollout_api: api.ms,
      get_svc: svc.ms,
      curl_until_good: done - t(curls[0].at)
    },
    // From the first apply's start.
    ends: {
      apply_rest: at(apply),
      rollout_kv: at(kv),
      wait_migrate: at(migrate),
      rollout_api: at(api)
    },
    curls
  }
}

// ------------------------------------------------------------------------------------ 3. faults

const FAULTS = {
  crash_loop_back_off: {
    manifests: 'test/fixtures/e2e/crash.yaml',
    reason: 'CrashLoopBackOff',
    // The kubelet reports it as the container's waiting reason and as a BackOff event.
    keys: ['waiting:CrashLoopBackOff', 'event:BackOff'],
    event: 'event:BackOff',
    status: 'waiting:CrashLoopBackOff'
  },
  err_image_never_pull: {
    manifests: 'test/fixtures/e2e/missing-image.yaml',
    reason: 'ErrImageNeverPull',
    keys: ['waiting:ErrImageNeverPull', 'event:ErrImageNeverPull'],
    event: 'event:ErrImageNeverPull',
    status: 'waiting:ErrImageNeverPull'
  }
}

async function sampleFault(name) {
  const f = FAULTS[name]
  const x = await actionRun({ manifests: f.manifests, 'rollout-timeout': '90s' })
  const { r, report, lines, watch } = x
  const error = lines.find(l => l.line.startsWith('::error::'))
  const reports = f.keys.map(k => watch.firsts[k]).filter(Boolean)
  const firstReport = reports.length ? Math.min(...reports.map(x => x.at)) : undefined
  const ev = watch.firsts[f.event]
  const st = watch.firsts[f.status]
  const rollout = phase(report, 'rollout')
  const ok = r.main.code === 1 && error?.line.includes(f.reason)
  return {
    ns: x.ns,
    ok,
    main_code: r.main.code,
    main_signal: r.main.signal,
    main_output_tail: ok ? undefined : r.main.output.split('\n').slice(-15).join('\n'),
    error: error?.line.slice(0, 200),
    errorAt: error?.at,
    detectionMs: error && firstReport ? error.at - firstReport : null,
    detectionFromEventTimestampMs: error && ev?.ts ? error.at - t(ev.ts) : null,
    // The action reads pod status, which the kubelet writes after its event (up to ~1 s later).
    eventToPodStatusMs: ev && st ? st.at - ev.at : null,
    podStatusToErrorMs: error && st ? error.at - st.at : null,
    firstReportToRolloutEndMs: firstReport && rollout ? t(rollout.endedAt) - firstReport : null,
    rolloutEndToErrorLineMs: error && rollout ? error.at - t(rollout.endedAt) : null,
    firstTerminationToErrorMs:
      error && watch.firsts.terminated ? error.at - watch.firsts.terminated.at : null,
    rolloutPhaseMs: rollout?.durationMs,
    post_ms: r.post?.ms,
    firsts: watch.firsts
  }
}

// ------------------------------------------------------------------------------------ 6. load

async function ensureWrk() {
  if ((await run('wrk', ['--version'])).stdout.includes('wrk')) return
  log('Installing wrk (Debian package) ...')
  must(await run('apt-get', ['update', '-qq'], { timeoutMs: 600_000 }), 'apt-get update')
  must(
    await run('apt-get', ['install', '-y', '-qq', 'wrk'], {
      timeoutMs: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    }),
    'apt-get install wrk'
  )
}

/** VmRSS and VmHWM (peak) of a process, in kB; undefined once it has exited. */
function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = key => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
  } catch {
    return undefined
  }
}

function runWrk(url) {
  return run(
    'wrk',
    [
      '-t',
      '2',
      '-c',
      String(opts.loadConcurrency),
      '-d',
      `${opts.loadDuration}s`,
      '--timeout',
      '5s',
      '-s',
      join(REPO, 'test/bench/wrk-report.lua'),
      url
    ],
    { timeoutMs: (opts.loadDuration + 60) * 1000 }
  )
}

async function sampleLoad() {
  const memory = { rssKb: 0, hwmKb: 0, polls: 0, peakAt: 0, atLoadKb: 0 }
  let poll
  let wrk
  let loadStarted = false
  const x = await actionRun(
    {
      manifests: MANIFESTS,
      'smoke-timeout': '60s',
      'smoke-checks': [
        '- path: /healthz',
        '- name: warm-up',
        `  path: "${SMOKE_PATH}"`,
        `  load: {requests: 200, concurrency: ${opts.loadConcurrency}}`,
        '- name: measured',
        `  path: "${SMOKE_PATH}"`,
        '  expect-json: {success: true}',
        `  load: {duration: ${opts.loadDuration}s, concurrency: ${opts.loadConcurrency}}`
      ].join('\n')
    },
    {
      onMainSpawn: child => {
        poll = setInterval(() => {
          const m = memoryOf(child.pid)
          // An exited process (a zombie until reaped) has no Vm* lines.
          if (!m || !Number.isFinite(m.hwm)) return
          memory.polls++
          memory.rssKb = Math.max(memory.rssKb, m.rss)
          if (m.hwm > memory.hwmKb) memory.peakAt = Date.now()
          memory.hwmKb = Math.max(memory.hwmKb, m.hwm)
          // RSS when the measured load begins: what the load itself adds is the rest.
          if (loadStarted && !memory.atLoadKb) memory.atLoadKb = m.rss
        }, 100)
      },
      onLine: line => {
        if (/measured/.test(line)) loadStarted = true
      },
      afterMain: async outputs => {
        clearInterval(poll)
        // Same URL, same pod, right after the action's load: the deployment is still up.
        if (outputs.url) wrk = await runWrk(`${outputs.url}${SMOKE_PATH}`)
      }
    }
  )
  const { r, report } = x
  const measured = report?.smoke?.find(c => c.name === 'measured')?.load
  const line = wrk?.stdout.split('\n').find(l => l.startsWith('WRK_JSON '))
  const w = line ? JSON.parse(line.slice('WRK_JSON '.length)) : undefined
  if (!measured || !w) {
    throw new Error(
      `load sample incomplete (action load ${measured ? 'ok' : 'missing'}, wrk ${w ? 'ok' : 'missing'}):\n` +
        `${r.main.output.split('\n').slice(-20).join('\n')}\n${wrk?.stderr ?? ''}`
    )
  }
  const wrkRps = w.requests / (w.duration_us / 1e6)
  return {
    ns: x.ns,
    action: {
      requests: measured.requests,
      rps: measured.requestsPerSecond,
      success_rate: measured.successRate,
      p50_ms: measured.latency.p50,
      p95_ms: measured.latency.p95,
      p99_ms: measured.latency.p99,
      errors: measured.errors
    },
    wrk: {
      requests: w.requests,
      rps: round(wrkRps, 1),
      p50_ms: w.p50_us / 1000,
      p95_ms: w.p95_us / 1000,
      p99_ms: w.p99_us / 1000,
      errors: w.errors
    },
    rps_ratio: measured.requestsPerSecond / wrkRps,
    p95_ratio: measured.latency.p95 / (w.p95_us / 1000),
    peak_rss_mb: round(memory.hwmKb / 1024, 1),
    rss_at_load_mb: round(memory.atLoadKb / 1024, 1),
    // The last line the action printed before its peak: which phase the peak belongs to.
    peak_during: phaseLineBefore(x.lines, memory.peakAt),
    max_polled_rss_mb: round(memory.rssKb / 1024, 1),
    rss_polls: memory.polls,
    main_ms: r.main.ms
  }
}

/** The last main-step line printed before `at` (cut to 80 characters), for "the peak came during …". */
function phaseLineBefore(lines, at) {
  const line = lines.filter(l => l.at <= at).at(-1)?.line ?? ''
  return line.replace(/^::[a-z]+::/, '').slice(0, 80)
}

// ------------------------------------------------------------------------------------ 9. large

/** Polls a process's peak RSS (VmHWM) every 100 ms until stop(); peak in kB. */
function peakRss(pid) {
  const m = { hwmKb: 0 }
  const timer = setInterval(() => {
    const x = memoryOf(pid)
    if (x && Number.isFinite(x.hwm)) m.hwmKb = Math.max(m.hwmKb, x.hwm)
  }, 100)
  return { m, stop: () => clearInterval(timer) }
}

async function sampleLargeAction(size) {
  const dir = join(REPO, '.e2e', `bench-large-${size}-${Date.now()}`)
  const manifests = writeLargeApp(REPO, dir, size - 2)
  let rss
  const x = await actionRun(
    { manifests, 'smoke-path': '/healthz' },
    {
      onMainSpawn: child => (rss = peakRss(child.pid)),
      afterMain: async () => rss?.stop()
    }
  )
  rmSync(dir, { recursive: true, force: true })
  const { r, report } = x
  if (r.main.code !== 0 || report?.result !== 'passed') {
    throw new Error(`the action failed:\n${r.main.output.split('\n').slice(-30).join('\n')}`)
  }
  const names = ['validate', 'deploy', 'rollout', 'expose', 'smoke']
  return {
    ns: x.ns,
    ms: t(phase(report, 'smoke').endedAt) - t(phase(report, 'validate').startedAt),
    phases: Object.fromEntries(names.map(n => [n, phase(report, n).durationMs])),
    peak_rss_mb: round(rss.m.hwmKb / 1024, 1),
    state_bytes: statSync(join(r.dir, 'state')).size,
    main_ms: r.main.ms,
    post_ms: r.post.ms
  }
}

async function sampleLargeKubectl(size) {
  const ns = `bench-large-${Date.now()}`
  const dir = join(REPO, '.e2e', ns)
  const file = join(REPO, writeLargeApp(REPO, dir, size - 2, `weather-service:${handTag()}`))
  must(await kubectl('create', 'namespace', ns), 'kubectl create namespace')
  const apply = must(
    await kubectl('apply', '--server-side', '-n', ns, '-f', file, '--timeout=600s'),
    'kubectl apply --server-side'
  )
  const rollout = must(
    await kubectl('rollout', 'status', 'deployment/weather-service', '-n', ns, '--timeout=300s'),
    'kubectl rollout status'
  )
  const svc = must(
    await kubectl(
      'get',
      'svc',
      'weather-service',
      '-n',
      ns,
      '-o',
      'jsonpath={.spec.ports[0].nodePort}'
    ),
    'kubectl get svc'
  )
  const url = `http://127.0.0.1:${svc.stdout.trim()}/healthz`
  let done
  let curls = 0
  const deadline = Date.now() + 120_000
  while (!done && Date.now() < deadline) {
    curls++
    const c = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--max-time',
      '1',
      url
    ])
    if (c.stdout.trim() === '200') done = c.endedAt
    else await sleep(100)
  }
  await kubectl('delete', 'namespace', ns, '--wait=false')
  rmSync(dir, { recursive: true, force: true })
  await settle(ns)
  if (!done) throw new Error(`kubectl flow: no 200 from ${url} after ${curls} tries`)
  return {
    ns,
    ms: done - apply.startedAt,
    steps: { apply: apply.ms, rollout_status: rollout.ms, get_svc: svc.ms, curls }
  }
}

// ------------------------------------------------------------------------------------ main

const results = {
  label: opts.label ?? '',
  started_at: new Date(benchStarted).toISOString(),
  machine: {
    node: process.version,
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    mem_gib: round(totalmem() / 1024 ** 3, 1),
    loadavg_start: loadavg().map(x => round(x, 2)),
    note: 'the cluster (etcd, apiserver, controller-manager, scheduler, kubelet, kube-proxy, dockerd) shares these cores'
  }
}

log(`minikube-smoke bench — ${results.started_at}`)
log(
  `Node ${process.version}, ${results.machine.cores} cores (${results.machine.cpu}), load ${results.machine.loadavg_start.join(' ')}; ` +
    'the cluster runs on the same cores.\n'
)

// 4. cold start first: nothing else runs then.
let cold = []
if (want('cold')) {
  log(`Cold start: ${opts.cold} spawns of node ${ACTION.runs.main} with INPUT_REPLICAS=abc ...`)
  cold = await coldStart(opts.cold)
}
const bundle = bundleSizes()

/**
 * Builds `name:TAG` once (the action's build of the same tag is then a cache hit) and tags it
 * `name:TAG-hand` for the hand-written flows.
 */
async function buildOnce(name, context) {
  log(`Building ${name}:${TAG} once (docker build; also tagged ${name}:${handTag()}) ...`)
  const build = must(
    await run(
      'docker',
      [
        'build',
        '-q',
        '-t',
        `${name}:${TAG}`,
        '--build-arg',
        `BASE_IMAGE=${BASE_IMAGE}`,
        join(REPO, context)
      ],
      { timeoutMs: 1_800_000 }
    ),
    'docker build'
  )
  must(await run('docker', ['tag', `${name}:${TAG}`, `${name}:${handTag()}`]), 'docker tag')
  builtImages.push(`${name}:${TAG}`, `${name}:${handTag()}`)
  return { ref: `${name}:${TAG}`, hand_ref: `${name}:${handTag()}`, build_ms: build.ms }
}
const builtImages = []

if (want('pairs') || want('load') || want('kinds') || want('storage') || want('large')) {
  log(
    opts.clusterUp
      ? 'Checking the cluster (cluster.sh status; cluster.sh up when it is not healthy) ...'
      : 'Checking the cluster (cluster.sh status; --no-cluster-up: waiting for it, never starting it) ...'
  )
  log(`  ${await ensureCluster({ start: opts.clusterUp, log })}`)
  must(
    await run('bash', [join(REPO, 'weather-service/scripts/build-offline-base.sh')], {
      timeoutMs: 1_800_000
    }),
    'build-offline-base.sh'
  )
  TAG = `bench-${Date.now()}`
}
if (want('pairs') || want('load') || want('large')) {
  results.image = await buildOnce('weather-service', 'weather-service')
  writeHandManifest()

  if (want('load')) {
    await ensureWrk()
    log(
      `Load: ${opts.loadPairs} pairs of the action's load check and wrk, ${opts.loadConcurrency} connections for ${opts.loadDuration} s each ...`
    )
    const loads = []
    for (let i = 0; i < opts.loadPairs; i++) {
      const s = await sampleLoad()
      log(
        `  pair ${i + 1}/${opts.loadPairs}: action ${s.action.rps} req/s p95 ${s.action.p95_ms} ms, ` +
          `wrk ${s.wrk.rps} req/s p95 ${s.wrk.p95_ms} ms; ratio ${s.rps_ratio.toFixed(3)}, peak RSS ${s.peak_rss_mb} MB ` +
          `(${s.rss_at_load_mb} MB as the measured load began; peak after "${s.peak_during}")`
      )
      loads.push(s)
    }
    results.load = loads
  }
}
if (want('pairs')) {
  // A tiny idle-cost probe: one kubectl round trip (process start + one API read).
  const probes = []
  for (let i = 0; i < 5; i++) probes.push((await kubectl('get', '--raw', '/healthz')).ms)
  results.kubectl_call_ms = probes

  const pairs = []
  const total = opts.warmup + opts.pairs
  for (let i = 0; i < total; i++) {
    const warm = i < opts.warmup
    const tag = warm ? `warm-up ${i + 1}` : `pair ${i - opts.warmup + 1}/${opts.pairs}`
    const a = await sampleAction()
    log(
      `  ${tag}: A (action) ${ms(a.ms)}  [${Object.entries(a.phases)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}]`
    )
    const hand = {}
    for (const [side, flow] of Object.entries(HAND_FLOWS)) {
      hand[side] = await sampleHand(flow)
      log(
        `  ${tag}: ${side} (${flow.label}) ${ms(hand[side].ms)}  [${Object.entries(hand[side].steps)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}]`
      )
    }
    const { B: b, C: c } = hand
    pairs.push({ warmup: warm, ratio: a.ms / b.ms, ratioFast: a.ms / c.ms, a, b, c })
  }
  results.pairs = pairs

  log(`Fault runs: ${opts.faults} × each of ${Object.keys(FAULTS).join(', ')} (interleaved) ...`)
  const faults = Object.fromEntries(Object.keys(FAULTS).map(k => [k, []]))
  for (let i = 0; i < opts.faults; i++) {
    for (const name of Object.keys(FAULTS)) {
      const s = await sampleFault(name)
      log(
        `  ${name} #${i + 1}: ${s.ok ? 'failed as expected' : 'UNEXPECTED'}, detected ${ms(s.detectionMs)} after the kubelet's report`
      )
      faults[name].push(s)
    }
  }
  results.faults = faults
}
if (want('kinds')) {
  results.kinds_image = await buildOnce('shop', SHOP)
  SHOP_DOCS = await renderShop()
  const kinds = []
  const total = opts.warmup + opts.kindsPairs
  log(
    `Multi-kind app (${SHOP}): ${opts.kindsPairs} interleaved pairs of the action and the hand-written flow after ${opts.warmup} warm-up ...`
  )
  for (let i = 0; i < total; i++) {
    const warm = i < opts.warmup
    const tag = warm ? `warm-up ${i + 1}` : `pair ${i - opts.warmup + 1}/${opts.kindsPairs}`
    const a = await sampleKindsAction()
    log(
      `  ${tag}: action ${ms(a.ms)}  [${Object.entries(a.phases)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; ${a.workloads
        .filter(w => w.durationMs > 0)
        .map(w => `${w.kind} ${w.durationMs}`)
        .join(', ')}]`
    )
    const p = await sampleKindsPeer()
    log(
      `  ${tag}: peer   ${ms(p.ms)}  [${Object.entries(p.steps)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}]`
    )
    kinds.push({ warmup: warm, ratio: a.ms / p.ms, a, p })
  }
  results.kinds = kinds
}
if (want('storage')) {
  results.storage_image = results.kinds_image ?? (await buildOnce('shop', SHOP))
  const manifest = writeStorageManifest(`shop:${handTag()}`)
  const samples = []
  const total = opts.warmup + opts.storagePairs
  log(
    `Storage (${STORAGE_APP}): ${opts.storagePairs} interleaved pairs of the action and the hand-written flow after ${opts.warmup} warm-up ...`
  )
  for (let i = 0; i < total; i++) {
    const warm = i < opts.warmup
    const tag = warm ? `warm-up ${i + 1}` : `pair ${i - opts.warmup + 1}/${opts.storagePairs}`
    const x = await actionRun({
      context: SHOP,
      image: 'shop',
      manifests: STORAGE_APP,
      service: 'db',
      'smoke-checks': STORAGE_CHECKS
    })
    if (x.r.main.code !== 0 || x.report?.result !== 'passed') {
      throw new Error(
        `the action failed on the storage app:\n${x.r.main.output.split('\n').slice(-40).join('\n')}`
      )
    }
    await storageGone(x.ns)
    const a = {
      ns: x.ns,
      ms: t(phase(x.report, 'smoke').endedAt) - t(phase(x.report, 'deploy').startedAt),
      rollout_ms: phase(x.report, 'rollout').durationMs,
      waited_for_storage: x.r.main.output.includes('waiting for storage')
    }
    const p = await storagePeer(manifest)
    log(
      `  ${tag}: action ${ms(a.ms)} (rollout ${ms(a.rollout_ms)})  peer ${ms(p.ms)}  ratio ${(a.ms / p.ms).toFixed(2)}`
    )
    samples.push({ warmup: warm, ratio: a.ms / p.ms, a, p })
  }
  results.storage = samples
}
if (want('large')) {
  if (!results.image) results.image = await buildOnce('weather-service', 'weather-service')
  log(
    `Large apps: ${opts.largeSizes.join(', ')} objects, ${opts.largePairs} pair(s) each (action, then kubectl) ...`
  )
  const large = []
  for (const size of opts.largeSizes) {
    for (let i = 0; i < opts.largePairs; i++) {
      const a = await sampleLargeAction(size)
      const k = await sampleLargeKubectl(size)
      log(
        `  ${size} objects: action ${ms(a.ms)} [${Object.entries(a.phases)
          .map(([n, v]) => `${n} ${v}`)
          .join(
            ', '
          )}], peak RSS ${a.peak_rss_mb} MB, state ${a.state_bytes} B, post ${ms(a.post_ms)}; ` +
          `kubectl ${ms(k.ms)} [apply ${k.steps.apply}, rollout status ${k.steps.rollout_status}]; ratio ${(a.ms / k.ms).toFixed(3)}`
      )
      large.push({ size, ratio: a.ms / k.ms, a, k })
    }
  }
  results.large = large
}
// -f: exited pods may still reference them; a tag the action's post step removed is already gone.
if (builtImages.length) await run('docker', ['rmi', '-f', ...builtImages])
results.machine.loadavg_end = loadavg().map(x => round(x, 2))
results.duration_s = round((Date.now() - benchStarted) / 1000, 1)

// ------------------------------------------------------------------------------------ report

const measured = (results.pairs ?? []).filter(p => !p.warmup)
const S = {
  ratio: summary(measured.map(p => p.ratio)),
  ratioFast: summary(measured.map(p => p.ratioFast)),
  a: summary(measured.map(p => p.a.ms)),
  b: summary(measured.map(p => p.b.ms)),
  c: summary(measured.map(p => p.c?.ms)),
  readyA: summary(measured.map(p => p.a.readyToFirstRequestMs)),
  readyALtt: summary(measured.map(p => p.a.readyLttToFirstRequestMs)),
  readyB: summary(measured.map(p => p.b.readyToFirstRequestMs)),
  readyC: summary(measured.map(p => p.c?.readyToFirstRequestMs)),
  ready200A: summary(measured.map(p => p.a.readyToFirst200Ms)),
  ready200B: summary(measured.map(p => p.b.readyToFirst200Ms)),
  ready200C: summary(measured.map(p => p.c?.readyToFirst200Ms)),
  teardown: summary(measured.map(p => p.a.post_ms)),
  cold: summary(cold.map(c => c.firstByteMs)),
  coldError: summary(cold.map(c => c.errorLineMs)),
  coldExit: summary(cold.map(c => c.exitMs))
}
const faultStats = Object.fromEntries(
  Object.entries(results.faults ?? {}).map(([k, v]) => [
    k,
    {
      watch: summary(v.map(s => s.detectionMs)),
      event: summary(v.map(s => s.detectionFromEventTimestampMs)),
      eventToStatus: summary(v.map(s => s.eventToPodStatusMs)),
      statusToError: summary(v.map(s => s.podStatusToErrorMs)),
      rolloutEndToError: summary(v.map(s => s.rolloutEndToErrorLineMs)),
      fromTermination: summary(v.map(s => s.firstTerminationToErrorMs)),
      post: summary(v.map(s => s.post_ms))
    }
  ])
)

const kindsMeasured = (results.kinds ?? []).filter(k => !k.warmup)
const K = {
  ratio: summary(kindsMeasured.map(k => k.ratio)),
  a: summary(kindsMeasured.map(k => k.a.ms)),
  p: summary(kindsMeasured.map(k => k.p.ms))
}

const storageMeasured = (results.storage ?? []).filter(k => !k.warmup)
const ST = { ratio: summary(storageMeasured.map(k => k.ratio)) }
if (storageMeasured.length) {
  log(
    `\n=== 8. Storage (${STORAGE_APP}): action ÷ hand-written peer (apply --server-side, rollout status ×2, curl every 100 ms), ${storageMeasured.length} pairs ===`
  )
  log(
    `  median ratio ${ST.ratio.median.toFixed(3)} (min ${ST.ratio.min.toFixed(3)}, max ${ST.ratio.max.toFixed(3)}); action ${storageMeasured.map(k => ms(k.a.ms)).join(', ')}; peer ${storageMeasured.map(k => ms(k.p.ms)).join(', ')}`
  )
}

const loads = results.load ?? []
const L = {
  rpsRatio: summary(loads.map(l => l.rps_ratio)),
  p95Ratio: summary(loads.map(l => l.p95_ratio)),
  rss: summary(loads.map(l => l.peak_rss_mb)),
  actionRps: summary(loads.map(l => l.action.rps)),
  wrkRps: summary(loads.map(l => l.wrk.rps)),
  actionP95: summary(loads.map(l => l.action.p95_ms)),
  wrkP95: summary(loads.map(l => l.wrk.p95_ms))
}

const verdict = (value, goal) => (value === null ? 'n/a' : value <= goal ? 'met' : 'NOT met')
const atLeast = (value, goal) => (value === null ? 'n/a' : value >= goal ? 'met' : 'NOT met')
const ratioFmt = x => (x === null ? '–' : x.toFixed(3))

log('\n=== 4. Cold start and bundle ===')
log(`  spawn → first stdout byte ("minikube-smoke: main step"): ${range(S.cold)}`)
log(`  spawn → ::error:: line (main chunk loaded, inputs refused): ${range(S.coldError)}`)
log(`  spawn → exit: ${range(S.coldExit)}`)
log(
  `  ${bundle.dir}: ${bytes(bundle.total_bytes)} (${bytes(bundle.gzip_bytes)} gzipped), ${Object.keys(bundle.files).length} files`
)
log(
  table([
    ['file', 'bytes', 'size'],
    ...Object.entries(bundle.files).map(([f, b]) => [f, b, bytes(b)])
  ])
)

if (measured.length) {
  log(
    `\n=== 1. Overhead: action (A) vs hand-run (B, C), ${measured.length} interleaved triples after ${opts.warmup} warm-up ===`
  )
  log(
    '  A = the action (dist/, cluster: existing, prebuilt tag): its report, deploy.startedAt → smoke.endedAt:'
  )
  log(
    '      namespace + server-side apply, rollout watch, NodePort lookup, GET ' +
      SMOKE_PATH +
      ' retried until 200.'
  )
  log(
    '  B = by hand: kubectl apply -f (same manifests, same image, imagePullPolicy Never) → kubectl rollout status →'
  )
  log(
    '      kubectl get svc (nodePort) → curl every 1 s until 200; apply start → first 200 (namespace created before, untimed).'
  )
  log(
    '  C = B with the strongest settings: kubectl apply --server-side, curl --max-time 1 every 100 ms. Order A, B, C.'
  )
  log(
    table([
      [
        'pair',
        'A',
        'B',
        'C',
        'A/B',
        'A/C',
        'A deploy',
        'A rollout',
        'A expose',
        'A smoke',
        'A attempts',
        'B apply',
        'B rollout st.',
        'B get svc',
        'B curls',
        'C curls'
      ],
      ...measured.map((p, i) => [
        i + 1,
        ms(p.a.ms),
        ms(p.b.ms),
        ms(p.c?.ms),
        ratioFmt(p.ratio),
        ratioFmt(p.ratioFast ?? null),
        ms(p.a.phases.deploy),
        ms(p.a.phases.rollout),
        ms(p.a.phases.expose),
        ms(p.a.phases.smoke),
        runs(p.a.attempts.map(x => x.status ?? (x.error?.includes('refused') ? 'refused' : 'err'))),
        ms(p.b.steps.apply),
        ms(p.b.steps.rollout_status),
        ms(p.b.steps.get_svc),
        runs(p.b.curls.map(c => (c.status === '000' ? 'refused' : c.status))),
        runs((p.c?.curls ?? []).map(c => (c.status === '000' ? 'refused' : c.status)))
      ])
    ])
  )
  log(
    `  ratio A/B: median ${ratioFmt(S.ratio.median)} (${ratioFmt(S.ratio.min)} – ${ratioFmt(S.ratio.max)}); goal ≤ 1.05: ${verdict(S.ratio.median, 1.05)}`
  )
  log(
    `  ratio A/C: median ${ratioFmt(S.ratioFast.median)} (${ratioFmt(S.ratioFast.min)} – ${ratioFmt(S.ratioFast.max)})`
  )
  log(`  A: ${range(S.a)}   B: ${range(S.b)}   C: ${range(S.c)}`)

  log('\n=== 2. Ready → first request (pod Ready=True seen by a watch started before the run) ===')
  log(
    table([
      ['', 'A (action): first smoke attempt', 'B (hand, 1 s): first curl', 'C (hand, 100 ms)'],
      ['Ready (watch) → first request', range(S.readyA), range(S.readyB), range(S.readyC)],
      ['Ready (lastTransitionTime, 1 s precision) → first request', range(S.readyALtt), '–', '–'],
      [
        'Ready (watch) → first 200 received',
        range(S.ready200A),
        range(S.ready200B),
        range(S.ready200C)
      ],
      [
        'Ready (watch) → rollout reported done',
        range(summary(measured.map(p => p.a.readyToRolloutDoneMs))),
        range(summary(measured.map(p => p.b.readyToRolloutDoneMs))),
        range(summary(measured.map(p => p.c?.readyToRolloutDoneMs)))
      ]
    ])
  )
  log(`  goal ≤ 500 ms (watch-based, action): ${verdict(S.readyA.median, 500)}`)

  log('\n=== 5. Teardown (post step wall time after a passing run: process start + delete) ===')
  log(
    `  post step: ${range(S.teardown)}; of which the teardown group: ${range(summary(measured.map(p => p.a.teardown_inner_ms)))}`
  )
}

if (results.faults) {
  log('\n=== 3. Failure detection (kubelet first report → ::error:: line on main stdout) ===')
  log(
    table([
      [
        'fault',
        'from report seen by watch',
        'from event timestamp (1 s precision)',
        'kubelet event → pod status',
        'pod status → ::error::',
        'rollout end → ::error::',
        'first container exit → ::error::'
      ],
      ...Object.entries(faultStats).map(([k, s]) => [
        k,
        range(s.watch),
        range(s.event),
        range(s.eventToStatus),
        range(s.statusToError),
        range(s.rolloutEndToError),
        range(s.fromTermination)
      ])
    ])
  )
  for (const [k, s] of Object.entries(faultStats))
    log(`  ${k}: goal ≤ 10 s: ${verdict(s.watch.median, 10_000)}`)
  const bad = Object.values(results.faults)
    .flat()
    .filter(s => !s.ok)
  if (bad.length) log(`  WARNING: ${bad.length} fault run(s) did not fail with the expected reason`)
}

if (loads.length) {
  log(
    `\n=== 6. Load: the action's load check vs wrk, GET ${SMOKE_PATH}, ${opts.loadConcurrency} connections, ${opts.loadDuration} s, ${loads.length} pairs ===`
  )
  log(
    '  Each pair on one pod: the action (a 200-request warm-up load, then the measured one), then wrk -t2 on the same URL between main and post.'
  )
  log(
    table([
      [
        'pair',
        'action req/s',
        'wrk req/s',
        'ratio',
        'action p50/p95/p99',
        'wrk p50/p95/p99',
        'p95 ratio',
        'action ok %',
        'peak RSS'
      ],
      ...loads.map((l, i) => [
        i + 1,
        l.action.rps,
        l.wrk.rps,
        l.rps_ratio.toFixed(3),
        `${l.action.p50_ms}/${l.action.p95_ms}/${l.action.p99_ms} ms`,
        `${l.wrk.p50_ms}/${l.wrk.p95_ms}/${l.wrk.p99_ms} ms`,
        l.p95_ratio.toFixed(3),
        l.action.success_rate,
        `${l.peak_rss_mb} MB`
      ])
    ])
  )
}

if (kindsMeasured.length) {
  log(
    `\n=== 7. Multi-kind app (${SHOP}): action (A) vs the strongest hand-written flow (P), ${kindsMeasured.length} interleaved pairs after ${opts.warmup} warm-up ===`
  )
  log(
    '  The app: StatefulSet kv (listens after 6 s), Job migrate (writes schema=v1 into it), Deployment api ×2 (exits until kv'
  )
  log(
    '  answers), NodePort Service, Ingress, HPA, NetworkPolicy, PDB (policy/v1beta1), CRD + a Widget, ClusterRole + binding.'
  )
  log(
    '  A = the action (dist/, cluster: existing, image shop prebuilt with the same tag): its report, deploy.startedAt → smoke.endedAt'
  )
  log(
    '      (namespace, dry run + server-side apply, CRD Established first, every workload watched, GET / until schema v1).'
  )
  log(
    '  P = by hand, same image (imagePullPolicy Never), manifests rendered before (kubectl kustomize deploy + the PDB + widgets.yaml,'
  )
  log(
    '      binding subject → the namespace; untimed, like the namespace): kubectl apply --server-side -f CRD → kubectl wait'
  )
  log(
    '      --for=condition=established → kubectl apply --server-side -n NS -f the rest → in parallel (cmd & … & wait): kubectl'
  )
  log(
    '      rollout status statefulset/kv, kubectl wait --for=condition=complete job/migrate, kubectl rollout status deployment/api,'
  )
  log(
    '      kubectl get svc api (nodePort) → curl --max-time 1 every 100 ms until 200 with "schema": "v1"; first apply → that answer.'
  )
  log(
    "  Each sample waits until the shop's CRD, ClusterRole and ClusterRoleBinding are gone (fixed names) and its namespace is gone."
  )
  log(
    table([
      [
        'pair',
        'A',
        'P',
        'A/P',
        'A deploy',
        'A rollout',
        'A expose',
        'A smoke',
        'A workloads (sts/job/deploy)',
        'A attempts',
        'P apply CRD+wait',
        'P apply rest',
        'P waits done (kv/job/api, from t0)',
        'P curls'
      ],
      ...kindsMeasured.map((k, i) => [
        i + 1,
        ms(k.a.ms),
        ms(k.p.ms),
        ratioFmt(k.ratio),
        ms(k.a.phases.deploy),
        ms(k.a.phases.rollout),
        ms(k.a.phases.expose),
        ms(k.a.phases.smoke),
        ['StatefulSet', 'Job', 'Deployment']
          .map(kind => ms(k.a.workloads.find(w => w.kind === kind)?.durationMs))
          .join(' / '),
        runs(k.a.attempts.map(x => x.status ?? (x.error?.includes('refused') ? 'refused' : 'err'))),
        ms(k.p.steps.apply_crd + k.p.steps.established),
        ms(k.p.steps.apply_rest),
        [k.p.ends.rollout_kv, k.p.ends.wait_migrate, k.p.ends.rollout_api].map(ms).join(' / '),
        runs(k.p.curls.map(c => (c.status === '000' ? 'refused' : c.status)))
      ])
    ])
  )
  log(
    `  ratio A/P: median ${ratioFmt(K.ratio.median)} (${ratioFmt(K.ratio.min)} – ${ratioFmt(K.ratio.max)}, n=${K.ratio.n}); goal ≤ 1.0: ${verdict(K.ratio.median, 1.0)}`
  )
  log(`  A: ${range(K.a)}   P: ${range(K.p)}`)
}

const large = results.large ?? []
const largeBySize = opts.largeSizes
  .map(size => {
    const xs = large.filter(l => l.size === size)
    return {
      size,
      n: xs.length,
      ratio: summary(xs.map(l => l.ratio)),
      a: summary(xs.map(l => l.a.ms)),
      k: summary(xs.map(l => l.k.ms)),
      rss: summary(xs.map(l => l.a.peak_rss_mb)),
      state: summary(xs.map(l => l.a.state_bytes)),
      post: summary(xs.map(l => l.a.post_ms))
    }
  })
  .filter(x => x.n > 0)
if (large.length) {
  log(
    '\n=== 9. Large apps: N-2 ConfigMaps + Deployment + NodePort Service, action (A) vs kubectl (K) ==='
  )
  log(
    '  A = the action, validate.startedAt → smoke.endedAt (GET /healthz until 200); K = kubectl apply --server-side → rollout status'
  )
  log('      → get svc → curl every 100 ms until 200, first apply → 200. Same image.')
  log(
    table([
      [
        'objects',
        'A',
        'K',
        'A/K',
        'A validate',
        'A deploy',
        'A rollout',
        'A smoke',
        'K apply',
        'peak RSS',
        'state',
        'post'
      ],
      ...large.map(l => [
        l.size,
        ms(l.a.ms),
        ms(l.k.ms),
        ratioFmt(l.ratio),
        ms(l.a.phases.validate),
        ms(l.a.phases.deploy),
        ms(l.a.phases.rollout),
        ms(l.a.phases.smoke),
        ms(l.k.steps.apply),
        `${l.a.peak_rss_mb} MB`,
        bytes(l.a.state_bytes),
        ms(l.a.post_ms)
      ])
    ])
  )
}

log('\n=== Summary ===')
const faultRows = Object.entries(faultStats).map(([k, s]) => [
  `failure detection: ${k}`,
  range(s.watch),
  '≤ 10 s',
  verdict(s.watch.median, 10_000)
])
log(
  table([
    ['metric', 'median (min – max, n)', 'goal', 'verdict'],
    [
      'overhead ratio A/B (deploy→first 200)',
      measured.length
        ? `${ratioFmt(S.ratio.median)} (${ratioFmt(S.ratio.min)} – ${ratioFmt(S.ratio.max)}, n=${S.ratio.n})`
        : '–',
      '≤ 1.05',
      verdict(S.ratio.median, 1.05)
    ],
    [
      'overhead ratio A/C (hand-run, curl every 100 ms)',
      S.ratioFast.n
        ? `${ratioFmt(S.ratioFast.median)} (${ratioFmt(S.ratioFast.min)} – ${ratioFmt(S.ratioFast.max)}, n=${S.ratioFast.n})`
        : '–',
      '–',
      '–'
    ],
    [
      'multi-kind app, action ÷ hand-written (apply→good answer)',
      K.ratio.n
        ? `${ratioFmt(K.ratio.median)} (${ratioFmt(K.ratio.min)} – ${ratioFmt(K.ratio.max)}, n=${K.ratio.n})`
        : '–',
      '≤ 1.0',
      verdict(K.ratio.median, 1.0)
    ],
    ['multi-kind app: action (apply→schema v1)', range(K.a), '–', '–'],
    ['multi-kind app: hand-written (apply→schema v1)', range(K.p), '–', '–'],
    [
      'ready → first smoke request (watch)',
      range(S.readyA),
      '≤ 500 ms',
      verdict(S.readyA.median, 500)
    ],
    [
      'ready → first 200 (action / hand-run 1 s / 100 ms)',
      `${ms(S.ready200A.median)} / ${ms(S.ready200B.median)} / ${ms(S.ready200C.median)}`,
      '–',
      '–'
    ],
    ...faultRows,
    [
      'cold start (spawn → first stdout byte)',
      range(S.cold),
      '≤ 300 ms',
      verdict(S.cold.median, 300)
    ],
    ['teardown (post step wall time)', range(S.teardown), '–', '–'],
    [
      'load req/s, action ÷ wrk',
      L.rpsRatio.n
        ? `${ratioFmt(L.rpsRatio.median)} (${ratioFmt(L.rpsRatio.min)} – ${ratioFmt(L.rpsRatio.max)}, n=${L.rpsRatio.n})`
        : '–',
      '≥ 0.8',
      atLeast(L.rpsRatio.median, 0.8)
    ],
    [
      'load p95, action ÷ wrk',
      L.p95Ratio.n
        ? `${ratioFmt(L.p95Ratio.median)} (${ratioFmt(L.p95Ratio.min)} – ${ratioFmt(L.p95Ratio.max)}, n=${L.p95Ratio.n})`
        : '–',
      '≤ 1.2',
      verdict(L.p95Ratio.median, 1.2)
    ],
    [
      `action peak RSS, ${opts.loadDuration} s at concurrency ${opts.loadConcurrency}`,
      L.rss.n ? `${L.rss.max} MB max (${L.rss.min} – ${L.rss.max})` : '–',
      '≤ 150 MB',
      verdict(L.rss.n ? L.rss.max : null, 150)
    ],
    ...largeBySize.flatMap(x => [
      [
        `${x.size} objects: action ÷ kubectl (validate→200 vs apply→200)`,
        `${ratioFmt(x.ratio.median)} (${ratioFmt(x.ratio.min)} – ${ratioFmt(x.ratio.max)}, n=${x.ratio.n})`,
        '≤ 1.0',
        verdict(x.ratio.median, 1.0)
      ],
      [
        `${x.size} objects: action peak RSS`,
        `${x.rss.max} MB max`,
        '≤ 150 MB',
        verdict(x.rss.max, 150)
      ]
    ]),
    ['bundle dist/main', `${bytes(bundle.total_bytes)} (${bytes(bundle.gzip_bytes)} gz)`, '–', '–']
  ])
)

log('\n=== Noise ===')
log(
  `  ${results.machine.cores} cores shared with the whole cluster; load average ${results.machine.loadavg_start.join(' ')} at start, ${results.machine.loadavg_end.join(' ')} at end.`
)
if (measured.length) {
  log(
    `  run-to-run spread (coefficient of variation): A ${(S.a.cv * 100).toFixed(1)} %, B ${(S.b.cv * 100).toFixed(1)} %, C ${(S.c.cv * 100).toFixed(1)} %, ratio ${(S.ratio.cv * 100).toFixed(1)} %`
  )
  log(
    `  one kubectl call (process start + GET /healthz): ${range(summary(results.kubectl_call_ms))}`
  )
}
if (kindsMeasured.length) {
  log(
    `  multi-kind spread: A ${(K.a.cv * 100).toFixed(1)} %, P ${(K.p.cv * 100).toFixed(1)} %, ratio ${(K.ratio.cv * 100).toFixed(1)} %`
  )
}
log(
  `  ${S.cold.n ? `cold start spread: ${(S.cold.cv * 100).toFixed(1)} %;  ` : ''}bench took ${results.duration_s} s`
)

// ------------------------------------------------------------------------------------ JSON

const out = {
  overhead_ratio_median: round(S.ratio.median, 3),
  overhead_ratio_min: round(S.ratio.min, 3),
  overhead_ratio_max: round(S.ratio.max, 3),
  overhead_ratio_samples: measured.map(p => round(p.ratio, 3)),
  action_ms_samples: measured.map(p => p.a.ms),
  hand_run_ms_samples: measured.map(p => p.b.ms),
  hand_run_fast_ms_samples: measured.map(p => p.c?.ms),
  overhead_ratio_fast_median: round(S.ratioFast.median, 3),
  overhead_ratio_fast_samples: measured.map(p => round(p.ratioFast, 3)),
  hand_run_fast:
    'kubectl apply --server-side → rollout status → get svc → curl --max-time 1 every 100 ms until 200',
  ready_to_first_request_ms_median: round(S.readyA.median),
  ready_to_first_request_ms_samples: measured.map(p => p.a.readyToFirstRequestMs),
  ready_to_first_request_source:
    'watch receive time of Ready=True (client-node Watch on pods, started before the run) → first smoke attempt `at`',
  ready_to_first_request_ltt_ms_samples: measured.map(p => p.a.readyLttToFirstRequestMs),
  ready_to_first_200_ms_samples: measured.map(p => round(p.a.readyToFirst200Ms)),
  hand_run_ready_to_first_request_ms_samples: measured.map(p => p.b.readyToFirstRequestMs),
  hand_run_ready_to_first_200_ms_samples: measured.map(p => p.b.readyToFirst200Ms),
  cold_start_ms_median: round(S.cold.median, 1),
  cold_start_ms_min: round(S.cold.min, 1),
  cold_start_ms_max: round(S.cold.max, 1),
  cold_start_ms_samples: cold.map(c => round(c.firstByteMs, 1)),
  cold_start_error_line_ms_samples: cold.map(c => round(c.errorLineMs, 1)),
  bundle,
  failure_detection_ms_median: Object.fromEntries(
    Object.entries(faultStats).map(([k, s]) => [k, round(s.watch.median)])
  ),
  failure_detection_ms_samples: Object.fromEntries(
    Object.entries(results.faults ?? {}).map(([k, v]) => [k, v.map(s => s.detectionMs)])
  ),
  failure_detection_from_pod_status_ms_samples: Object.fromEntries(
    Object.entries(results.faults ?? {}).map(([k, v]) => [k, v.map(s => s.podStatusToErrorMs)])
  ),
  failure_detection_from_event_timestamp_ms_samples: Object.fromEntries(
    Object.entries(results.faults ?? {}).map(([k, v]) => [
      k,
      v.map(s => s.detectionFromEventTimestampMs)
    ])
  ),
  teardown_ms_median: round(S.teardown.median),
  teardown_ms_samples: measured.map(p => p.a.post_ms),
  load_endpoint: `GET ${SMOKE_PATH} on weather-service/k8s (NodePort, 127.0.0.1)`,
  load_concurrency: opts.loadConcurrency,
  load_duration_s: opts.loadDuration,
  load_wrk_threads: 2,
  load_rps_ratio_median: round(L.rpsRatio.median, 3),
  load_rps_ratio_samples: loads.map(l => round(l.rps_ratio, 3)),
  load_action_rps_samples: loads.map(l => l.action.rps),
  load_wrk_rps_samples: loads.map(l => l.wrk.rps),
  load_p95_ratio_median: round(L.p95Ratio.median, 3),
  load_p95_ratio_samples: loads.map(l => round(l.p95_ratio, 3)),
  load_action_p95_ms_samples: loads.map(l => l.action.p95_ms),
  load_wrk_p95_ms_samples: loads.map(l => l.wrk.p95_ms),
  load_peak_rss_mb_max: L.rss.n ? L.rss.max : null,
  load_peak_rss_mb_samples: loads.map(l => l.peak_rss_mb),
  kinds_app: `${SHOP} (${SHOP_MANIFESTS.join(', ')})`,
  kinds_ratio_median: round(K.ratio.median, 3),
  kinds_ratio_min: round(K.ratio.min, 3),
  kinds_ratio_max: round(K.ratio.max, 3),
  kinds_ratio_samples: kindsMeasured.map(k => round(k.ratio, 3)),
  kinds_action_ms_samples: kindsMeasured.map(k => k.a.ms),
  kinds_peer_ms_samples: kindsMeasured.map(k => k.p.ms),
  kinds_peer:
    'kubectl apply --server-side CRD → wait established → apply --server-side the rest → rollout status sts/kv, wait job/migrate complete, rollout status deploy/api in parallel → curl every 100 ms until 200 with schema v1',
  storage_app: STORAGE_APP,
  storage_ratio_median: round(ST.ratio.median, 3),
  storage_ratio_samples: storageMeasured.map(k => round(k.ratio, 3)),
  storage_action_ms_samples: storageMeasured.map(k => k.a.ms),
  storage_peer_ms_samples: storageMeasured.map(k => k.p.ms),
  storage_peer:
    'kubectl apply --server-side → rollout status sts/db and deploy/files in parallel → get svc → curl every 100 ms until GET /k/boot says written: true',
  large_app: 'N-2 ConfigMaps + weather Deployment + NodePort Service (test/support/large-app.mjs)',
  large_sizes: largeBySize.map(x => x.size),
  large_ratio_median: largeBySize.map(x => round(x.ratio.median, 3)),
  large_action_ms_median: largeBySize.map(x => round(x.a.median)),
  large_kubectl_ms_median: largeBySize.map(x => round(x.k.median)),
  large_peak_rss_mb_max: largeBySize.map(x => x.rss.max),
  large_state_bytes_max: largeBySize.map(x => x.state.max),
  large_post_ms_median: largeBySize.map(x => round(x.post.median)),
  details: results
}
/** Which part of the bench a result key belongs to (for --only: the others are kept). */
const partOf = key =>
  key.startsWith('cold_start') || key === 'bundle'
    ? 'cold'
    : key.startsWith('load')
      ? 'load'
      : key.startsWith('kinds')
        ? 'kinds'
        : key.startsWith('storage')
          ? 'storage'
          : key.startsWith('large')
            ? 'large'
            : 'pairs'
let written = out
if (opts.only !== undefined && existsSync(opts.out)) {
  const before = JSON.parse(readFileSync(opts.out, 'utf8'))
  written = { ...before }
  for (const [key, value] of Object.entries(out)) {
    if (key !== 'details' && partOf(key) === opts.only) written[key] = value
  }
  written.details = { ...before.details, ...results }
}
writeFileSync(opts.out, `${JSON.stringify(written, null, 2)}\n`)
log(`\nWrote ${opts.out}`)

// ------------------------------------------------------------------------------------ before/after

if (opts.baseline) {
  const before = JSON.parse(readFileSync(opts.baseline, 'utf8'))
  const row = (name, key, fmt = ms) => [name, fmt(before[key]), fmt(out[key])]
  const rows = [
    [
      'metric (median)',
      `before (${before.details?.label || opts.baseline})`,
      `after (${out.details.label || 'this run'})`
    ],
    row('overhead ratio A/B', 'overhead_ratio_median', ratioFmt),
    [
      'action A deploy→smoke',
      ms(median(before.action_ms_samples ?? [])),
      ms(median(out.action_ms_samples))
    ],
    [
      'hand-run B apply→200',
      ms(median(before.hand_run_ms_samples ?? [])),
      ms(median(out.hand_run_ms_samples))
    ],
    row('ready → first request', 'ready_to_first_request_ms_median'),
    [
      'ready → first 200',
      ms(median(before.ready_to_first_200_ms_samples ?? [])),
      ms(median(out.ready_to_first_200_ms_samples))
    ],
    row('cold start', 'cold_start_ms_median'),
    ...Object.keys(out.failure_detection_ms_median).map(k => [
      `failure detection ${k}`,
      ms(before.failure_detection_ms_median?.[k]),
      ms(out.failure_detection_ms_median[k])
    ]),
    row('teardown (post step)', 'teardown_ms_median'),
    ['bundle total', bytes(before.bundle?.total_bytes ?? 0), bytes(out.bundle.total_bytes)]
  ]
  log('\n=== Before / after ===')
  log(table(rows))
}
