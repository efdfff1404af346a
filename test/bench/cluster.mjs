// What the bench scripts share about the local cluster: commands, the kubeconfig, the weather
// service's manifests with a given image, and a Service's NodePort.

import { spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { dump, loadAll } from 'js-yaml'
import { REPO } from '../e2e/github-runner.mjs'

export const STATE = process.env.MINIKUBE_SMOKE_STATE || '/var/lib/minikube-smoke'
export const KUBECONFIG = join(STATE, 'kubeconfig')

/** Runs a command without blocking the event loop (watch timestamps stay accurate). */
export function run(cmd, args, { timeoutMs = 180_000, env = process.env } = {}) {
  return new Promise(resolve => {
    const startedAt = Date.now()
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => (stdout += d))
    child.stderr.on('data', d => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', e => (stderr += e.message))
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, startedAt, endedAt: Date.now(), ms: Date.now() - startedAt })
    })
  })
}

export const kubectl = (...args) => run('kubectl', ['--kubeconfig', KUBECONFIG, ...args])

let kubeConfig
export function kc() {
  if (!kubeConfig) {
    kubeConfig = new KubeConfig()
    kubeConfig.loadFromFile(KUBECONFIG)
  }
  return kubeConfig
}

/** The NodePort of a Service's first port, or NaN when kubectl fails. */
export async function nodePortOf(namespace, service) {
  const r = await kubectl(
    'get',
    'svc',
    service,
    '-n',
    namespace,
    '-o',
    'jsonpath={.spec.ports[0].nodePort}'
  )
  return r.code === 0 ? Number(r.stdout.trim()) : NaN
}

/**
 * weather-service/k8s as one file with `imageRef` on the weather-service containers and
 * imagePullPolicy Never: what the hand-run flow applies. Returns the file's path.
 */
export function writeWeatherManifest(imageRef, dir = join(REPO, 'weather-service/k8s')) {
  const docs = []
  for (const f of readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .sort()) {
    for (const doc of loadAll(readFileSync(join(dir, f), 'utf8'))) {
      if (!doc) continue
      for (const c of doc.spec?.template?.spec?.containers ?? []) {
        if (c.image?.split(':')[0] === 'weather-service') {
          c.image = imageRef
          c.imagePullPolicy = 'Never'
        }
      }
      docs.push(dump(doc))
    }
  }
  const path = join(mkdtempSync(join(tmpdir(), 'bench-manifest-')), 'weather.yaml')
  writeFileSync(path, docs.join('---\n'))
  return path
}
