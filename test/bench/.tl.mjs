import { readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { REPO, runAction } from '/work/wt-helm/test/e2e/github-runner.mjs'
const helmDir = execFileSync('bash', [join(REPO, 'test/cluster/helm.sh'), 'path', '3'], { encoding: 'utf8' }).trim()
const KUBECONFIG = '/var/lib/minikube-smoke/kubeconfig'
const t0 = Date.now(); const lines = []
const r = await runAction({
  inputs: { cluster: 'existing', context: 'weather-service', image: 'registry.example.com/team/weather',
    'build-args': 'BASE_IMAGE=minikube-smoke/python-base:bookworm', 'url-host': '127.0.0.1',
    chart: 'test/fixtures/charts/weather', values: 'test/fixtures/charts/weather-values.yaml', set: 'greeting=bench',
    'smoke-checks': '- name: liveness\n  path: /healthz' },
  env: { KUBECONFIG, PATH: `${helmDir}:${process.env.PATH}` },
  killMainWhen: line => { lines.push([Date.now() - t0, line]); return false }
})
for (const [t, l] of lines) if (!l.startsWith('::debug')) console.log(String(t).padStart(6), l.slice(0, 170))
const report = JSON.parse(readFileSync(r.outputs.report, 'utf8'))
for (const p of report.phases) console.log(p.name, p.durationMs, p.startedAt)
