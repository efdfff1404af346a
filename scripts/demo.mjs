// The main job, end to end, for a newcomer: bring up a cluster (a running real minikube if there
// is one, else the local Kubernetes harness), run the committed action on the weather service the
// way GitHub runs it, and print the URL, the smoke table and the timings.

import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO, runAction } from '../test/e2e/github-runner.mjs'

const STATE = process.env.MINIKUBE_SMOKE_STATE || '/var/lib/minikube-smoke'
const checks = `
- name: liveness
  path: /healthz
- name: forecast for Chicago (GET)
  path: /?msg=Chicago
  expect-json:
    success: true
    response.place: Chicago
- name: forecast for Chicago (POST JSON)
  path: /
  method: POST
  body: { msg: Chicago }
  expect-json:
    success: true
- name: unknown place is a clean 404
  path: /?msg=Atlantis
  expect-status: 404
  expect-json:
    success: false
`

const minikubeRunning =
  spawnSync('minikube', ['status', '-o', 'json'], { encoding: 'utf8' }).stdout?.includes(
    '"APIServer":"Running"'
  ) && !spawnSync('minikube', ['version'], { encoding: 'utf8' }).stdout?.includes('STAND-IN')

let inputs
let env = {}
if (minikubeRunning) {
  console.log('A real minikube is running: using it (cluster: minikube).')
  inputs = { cluster: 'minikube' }
} else {
  console.log(
    'No running minikube: bringing up the local Kubernetes harness (test/cluster/cluster.sh up).'
  )
  execFileSync('bash', [join(REPO, 'test/cluster/cluster.sh'), 'up'], { stdio: 'inherit' })
  execFileSync('bash', [join(REPO, 'weather-service/scripts/build-offline-base.sh')], {
    stdio: 'inherit'
  })
  // No registry here: build on the local offline base; the node is this machine.
  inputs = {
    cluster: 'existing',
    'url-host': '127.0.0.1',
    'build-args': 'BASE_IMAGE=minikube-smoke/python-base:bookworm'
  }
  env = { KUBECONFIG: join(STATE, 'kubeconfig') }
}

process.env.E2E_VERBOSE = '1' // stream the action's log as it runs
const r = await runAction({
  inputs: {
    ...inputs,
    context: 'weather-service',
    manifests: 'weather-service/k8s',
    'smoke-checks': checks
  },
  env
})
let report
try {
  report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
} catch {
  console.error('\nNo report was written; the output above says why.')
  process.exit(1)
}
const pad = (s, n) => String(s).padEnd(n)
console.log('\n──────── result ────────')
console.log(`result:    ${r.outputs.result}`)
console.log(`url:       ${r.outputs.url}`)
console.log(`image:     ${r.outputs.image}`)
console.log(`namespace: ${r.outputs.namespace}`)
console.log('\nsmoke checks')
for (const s of report.smoke) {
  const last = s.attempts.at(-1)
  console.log(
    `  ${s.passed ? '✔' : '✘'} ${pad(s.check, 52)} ${pad(last?.status ?? last?.error ?? '', 6)} ${pad(`${last?.latencyMs ?? '?'} ms`, 9)} ${s.attempts.length} attempt(s)${s.passed ? '' : `: ${s.reason}`}`
  )
}
console.log('\ntimings')
for (const p of report.phases)
  console.log(`  ${pad(p.name, 14)} ${pad(p.status, 8)} ${(p.durationMs / 1000).toFixed(2)} s`)
console.log(`  ${pad('main step', 14)} ${pad('', 8)} ${(r.main.ms / 1000).toFixed(2)} s`)
console.log(
  `  ${pad('post step', 14)} ${pad(r.post.code === 0 ? 'ok' : 'failed', 8)} ${(r.post.ms / 1000).toFixed(2)} s (teardown)`
)
console.log(`\nreport: ${r.outputs.report}`)
process.exit(r.outputs.result === 'passed' ? 0 : 1)
