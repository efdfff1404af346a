// What the bench scripts share about the local cluster: commands, the kubeconfig, the cluster's
// health, the weather service's and the shop's manifests with a given image (what a hand-written
// flow applies), and a Service's NodePort.

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

const CLUSTER_SH = join(REPO, 'test/cluster/cluster.sh')

/** `cluster.sh status` (read-only): exit 0 when every component, the node and the registry are up. */
export const clusterStatus = () => run('bash', [CLUSTER_SH, 'status'], { timeoutMs: 60_000 })

/**
 * Makes sure the cluster is healthy. `start`: run `cluster.sh up` when it is not (idempotent; the
 * default). Else only wait for someone else's `up` to finish: `status` every 30 s, up to
 * `waitMs`. Returns how it went, for the log.
 */
export async function ensureCluster({ start = true, waitMs = 15 * 60_000, log = () => {} } = {}) {
  const began = Date.now()
  for (;;) {
    const st = await clusterStatus()
    if (st.code === 0) return `healthy (cluster.sh status, ${Date.now() - began} ms)`
    if (start) {
      const up = await run('bash', [CLUSTER_SH, 'up'], { timeoutMs: 3_600_000 })
      if (up.code !== 0) throw new Error(`cluster.sh up failed (exit ${up.code}): ${up.stderr}`)
      return `started (cluster.sh up, ${up.ms} ms)`
    }
    if (Date.now() - began > waitMs) {
      throw new Error(
        `the cluster is not healthy after ${Math.round(waitMs / 60_000)} min (--no-cluster-up: not starting it):\n${st.stdout}`
      )
    }
    log(
      `  cluster not healthy yet (${st.stdout.match(/node \S+\s+(.*)/)?.[1] ?? '?'}); again in 30 s`
    )
    await new Promise(resolve => setTimeout(resolve, 30_000))
  }
}

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

/** Docker's comparison of repositories: `shop:latest` and `docker.io/library/shop` are one. */
export function repositoryOf(ref) {
  const name = ref.split('@')[0]
  const repo =
    name.lastIndexOf(':') > name.lastIndexOf('/') ? name.slice(0, name.lastIndexOf(':')) : name
  const first = repo.split('/')[0]
  const hasHost =
    repo.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
  const host = hasHost ? (first === 'index.docker.io' ? 'docker.io' : first) : 'docker.io'
  const path = hasHost ? repo.slice(first.length + 1) : repo
  return host === 'docker.io' && !path.includes('/') ? `${host}/library/${path}` : `${host}/${path}`
}

/** The pod spec of a workload (Pod, CronJob, or any kind with spec.template.spec.containers). */
function podSpecOf(doc) {
  if (doc.kind === 'Pod') return doc.spec
  if (doc.kind === 'CronJob') return doc.spec?.jobTemplate?.spec?.template?.spec
  return Array.isArray(doc.spec?.template?.spec?.containers) ? doc.spec.template.spec : undefined
}

/**
 * What the action does to a container of the run's image on a local engine (docker-env): the
 * built reference in place of any tag of `repository`, and imagePullPolicy Never.
 */
export function useImage(docs, repository, imageRef) {
  const want = repositoryOf(repository)
  for (const doc of docs) {
    const spec = podSpecOf(doc)
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
      if (c.image && repositoryOf(c.image) === want) {
        c.image = imageRef
        c.imagePullPolicy = 'Never'
      }
    }
  }
  return docs
}

/**
 * `protocol: TCP` on every container and Service port that omits it, as the action sets it:
 * 1.20's server-side apply keys ports by (port, protocol) and rejects a Service port without one
 * ("associative list with keys has an element that omits key field"). Harmless for `apply -f`.
 */
export function defaultProtocols(docs) {
  for (const doc of docs) {
    if (doc.kind === 'Service') for (const p of doc.spec?.ports ?? []) p.protocol ??= 'TCP'
    const spec = podSpecOf(doc)
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])])
      for (const p of c.ports ?? []) p.protocol ??= 'TCP'
  }
  return docs
}

export const SHOP = 'test/fixtures/apps/shop'
/** The shop's manifests as the action is given them (input `manifests`, one per line). */
export const SHOP_MANIFESTS = [
  `${SHOP}/deploy`,
  `${SHOP}/pdb/policy-v1beta1.yaml`,
  `${SHOP}/cluster/widgets.yaml`
]
/** Its cluster-scoped objects: fixed names, so two runs must never overlap. */
export const SHOP_CLUSTER_OBJECTS = [
  'customresourcedefinition/widgets.shop.minikube-smoke.test',
  'clusterrole/shop-widget-reader',
  'clusterrolebinding/shop-widget-reader'
]

/** The shop's documents: `kubectl kustomize deploy`, then the PDB and widgets.yaml, as parsed. */
export async function renderShop() {
  const r = await kubectl('kustomize', join(REPO, SHOP, 'deploy'))
  if (r.code !== 0) throw new Error(`kubectl kustomize ${SHOP}/deploy failed: ${r.stderr}`)
  return [
    ...loadAll(r.stdout),
    ...loadAll(readFileSync(join(REPO, SHOP, 'pdb/policy-v1beta1.yaml'), 'utf8')),
    ...loadAll(readFileSync(join(REPO, SHOP, 'cluster/widgets.yaml'), 'utf8'))
  ].filter(Boolean)
}

/**
 * The shop's manifests as a hand-written flow applies them into `namespace`: the image `shop`
 * replaced by `imageRef` with imagePullPolicy Never, port protocols explicit, the ServiceAccount
 * subjects of the bindings pointed at the namespace (as the action does). Two files: the CRDs (applied first and waited
 * for until Established) and the rest. Returns their paths.
 */
export function writeShopManifests(docs, imageRef, namespace) {
  const copy = defaultProtocols(useImage(structuredClone(docs), 'shop', imageRef))
  const accounts = new Set(copy.filter(d => d.kind === 'ServiceAccount').map(d => d.metadata.name))
  for (const d of copy) {
    if (d.kind !== 'RoleBinding' && d.kind !== 'ClusterRoleBinding') continue
    for (const s of d.subjects ?? [])
      if (s.kind === 'ServiceAccount' && accounts.has(s.name)) s.namespace = namespace
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-shop-'))
  const write = (name, list) => {
    const path = join(dir, name)
    writeFileSync(path, list.map(d => dump(d)).join('---\n'))
    return path
  }
  const isCrd = d => d.kind === 'CustomResourceDefinition'
  return {
    crds: write('crds.yaml', copy.filter(isCrd)),
    rest: write(
      'rest.yaml',
      copy.filter(d => !isCrd(d))
    )
  }
}

/**
 * weather-service/k8s as one file with `imageRef` on the weather-service containers and
 * imagePullPolicy Never (and port protocols explicit): what the hand-run flows apply. Returns the file's path.
 */
export function writeWeatherManifest(imageRef, dir = join(REPO, 'weather-service/k8s')) {
  const docs = []
  for (const f of readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .sort()) {
    docs.push(...loadAll(readFileSync(join(dir, f), 'utf8')).filter(Boolean))
  }
  defaultProtocols(useImage(docs, 'weather-service', imageRef))
  const path = join(mkdtempSync(join(tmpdir(), 'bench-manifest-')), 'weather.yaml')
  writeFileSync(path, docs.map(d => dump(d)).join('---\n'))
  return path
}
