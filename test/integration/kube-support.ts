// Shared by the kube-* integration tests: the local cluster's KubePort, the test image (a static
// Go server FROM scratch, built into the local Docker engine: there is no registry), namespaces
// that are always deleted, and an HTTP GET that only ever goes to 127.0.0.1.

import { afterAll, beforeAll, expect } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  applyAll,
  dryRunAll,
  ensureNamespace,
  readExisting,
  type ObjectRecord
} from '../../src/kube/apply.js'
import { connectKube } from '../../src/kube/client.js'
import { Discovery } from '../../src/kube/discovery.js'
import { generateManifests } from '../../src/kube/generate.js'
import {
  prepareManifests,
  type PreparedManifests,
  type PrepareOptions
} from '../../src/kube/prepare.js'
import { mapNamespaces, planNamespaces } from '../../src/kube/namespaces.js'
import { FIELD_MANAGER, RUN_LABEL, runMetadata } from '../../src/kube/names.js'
import type { KubePort } from '../../src/kube/api.js'
import { SchemaIndex, type OpenApiV2 } from '../../src/kube/schema.js'
import { readServer } from '../../src/kube/server.js'
import { deleteNamespace } from '../../src/kube/delete.js'
import type { Container, Deployment, KubeObject } from '../../src/kube/types.js'
import { checkFields, resolveTypes } from '../../src/kube/validate.js'
import { waitForWorkloads, type WaitOptions, type WorkloadResult } from '../../src/kube/wait.js'

export const KUBECONFIG =
  process.env.MINIKUBE_SMOKE_KUBECONFIG ?? '/var/lib/minikube-smoke/kubeconfig'
export const IMAGE_REPOSITORY = 'minikube-smoke-test/smoke-server'
const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/kube/smoke-server'
)

export function kube(): KubePort {
  if (!existsSync(KUBECONFIG)) {
    throw new Error(
      `no kubeconfig at ${KUBECONFIG}: bring the local cluster up (test/cluster/cluster.sh up)`
    )
  }
  // Hard rule for these machines: only ever talk to 127.0.0.1.
  const server = /server:\s*(\S+)/.exec(readFileSync(KUBECONFIG, 'utf8'))?.[1] ?? ''
  if (!/^https?:\/\/127\.0\.0\.1[:/]/.test(server)) {
    throw new Error(
      `refusing to run against ${server || 'an unknown server'}: tests only use 127.0.0.1`
    )
  }
  return connectKube({ kubeconfigPath: KUBECONFIG }).kube
}

/** Builds the test image unless this exact source is already built; returns its reference. */
export function ensureTestImage(): string {
  const source = readFileSync(path.join(FIXTURE, 'main.go'))
  const tag = createHash('sha256')
    .update(source)
    .update(readFileSync(path.join(FIXTURE, 'Dockerfile')))
    .digest('hex')
    .slice(0, 12)
  const ref = `${IMAGE_REPOSITORY}:${tag}`
  try {
    execFileSync('docker', ['image', 'inspect', ref], { stdio: 'ignore' })
    return ref
  } catch {
    // not built yet
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'smoke-server-'))
  try {
    execFileSync(
      'go',
      [
        'build',
        '-trimpath',
        '-ldflags=-s -w',
        '-o',
        path.join(dir, 'smoke-server'),
        path.join(FIXTURE, 'main.go')
      ],
      {
        env: {
          ...process.env,
          CGO_ENABLED: '0',
          GOFLAGS: '',
          GO111MODULE: 'off',
          HOME: process.env.HOME ?? tmpdir()
        },
        stdio: 'pipe'
      }
    )
    copyFileSync(path.join(FIXTURE, 'Dockerfile'), path.join(dir, 'Dockerfile'))
    execFileSync('docker', ['build', '-q', '-t', ref, dir], { stdio: 'pipe' })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return ref
}

/** Namespaces made by a test file; `cleanup()` in afterAll deletes them all and waits. */
export class Namespaces {
  private readonly names = new Set<string>()

  constructor(
    private readonly client: KubePort,
    private readonly prefix: string
  ) {}

  name(label: string): string {
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
    const name = `it-${this.prefix}-${label}-${suffix}`.slice(0, 63).replace(/-+$/, '')
    this.names.add(name)
    return name
  }

  /** Deletes every namespace and returns those still present afterwards (should be none). */
  async cleanup(): Promise<string[]> {
    const left: string[] = []
    await Promise.all(
      [...this.names].map(async name => {
        try {
          const result = await deleteNamespace(this.client, name, { wait: true, timeoutMs: 90_000 })
          if (!result.gone) left.push(`${name}: still there after 90 s`)
        } catch (err) {
          left.push(`${name}: ${err instanceof Error ? err.message : String(err)}`)
        }
      })
    )
    return left
  }
}

export interface AppOptions {
  name?: string
  image: string
  replicas?: number
  env?: Record<string, string>
  smokePath?: string
  /** Pod terminationGracePeriodSeconds (default: Kubernetes' 30). */
  gracePeriodSeconds?: number
  /** Changes to the generated Deployment, e.g. a strategy. */
  tweak?: (d: Deployment) => void
}

/** Generated manifests for the test server (a Deployment and its NodePort Service). */
export function app(options: AppOptions): KubeObject[] {
  const name = options.name ?? 'web'
  const [deployment, service] = generateManifests({
    name,
    image: options.image,
    containerPort: 8080,
    replicas: options.replicas ?? 1,
    smokePath: options.smokePath ?? '/healthz'
  })
  const container: Container = deployment.spec.template.spec.containers[0]
  if (options.env)
    container.env = Object.entries(options.env).map(([k, v]) => ({ name: k, value: v }))
  if (options.gracePeriodSeconds !== undefined) {
    deployment.spec.template.spec.terminationGracePeriodSeconds = options.gracePeriodSeconds
  }
  options.tweak?.(deployment)
  return [deployment, service] as KubeObject[]
}

/** The run's labels in these tests: `minikube-smoke/run=it-itkey`. */
export const METADATA = runMetadata({
  repository: 'local/minikube-smoke',
  runId: 'it',
  runAttempt: '1',
  sha: '0'.repeat(40),
  key: 'itkey'
})
export const LABEL_SELECTOR = `${RUN_LABEL}=${METADATA.labels[RUN_LABEL]}`

export interface Deployed {
  prepared: PreparedManifests
  /** What the run recorded, as the post step would see it. */
  records: ObjectRecord[]
  createdNamespace: boolean
}

/**
 * What the pipeline's validate and deploy phases do, through the same functions: discovery, the
 * schema check (this server is 1.20), prepare, read what exists, namespace, dry run, apply.
 */
export async function deploy(
  client: KubePort,
  objects: readonly KubeObject[],
  namespace: string,
  options: Partial<PrepareOptions> & { image?: string; force?: boolean } = {}
): Promise<Deployed> {
  const server = await readServer(client)
  const discovery = new Discovery(client)
  const typed = await resolveTypes(objects, discovery, server.version)
  if (!server.quirks.strictFieldValidation) {
    checkFields(
      objects,
      new SchemaIndex(await client.getJson<OpenApiV2>('/openapi/v2')),
      server.quirks
    )
  }
  const prepared = prepareManifests(typed, {
    images: options.image
      ? [{ repository: IMAGE_REPOSITORY, ref: options.image, pullPolicy: 'Never' }]
      : [],
    labels: METADATA.labels,
    annotations: METADATA.annotations,
    containerPort: 8080,
    ...options
  })
  prepared.objects = mapNamespaces(
    prepared.objects,
    planNamespaces(prepared.objects, { namespace, given: true })
  )
  const checkedAt = Date.now()
  const existing = await readExisting(client, prepared.objects, {
    fieldManager: FIELD_MANAGER,
    force: options.force ?? false
  })
  const { created } = await ensureNamespace(client, namespace)
  const records: ObjectRecord[] = []
  const applyOptions = {
    fieldManager: FIELD_MANAGER,
    force: options.force ?? false,
    strictFields: server.quirks.strictFieldValidation,
    discovery,
    checkedAt,
    record: (r: ObjectRecord) => {
      const i = records.findIndex(x => x.kind === r.kind && x.name === r.name)
      if (i >= 0) records[i] = r
      else records.push(r)
    }
  }
  await dryRunAll(client, prepared.objects, applyOptions)
  await applyAll(client, prepared.objects, existing, applyOptions)
  return { prepared, records, createdNamespace: created }
}

/** The rollout phase: every workload of the run, by its kind's rule. */
export function waitFor(
  client: KubePort,
  deployed: Deployed,
  namespace: string,
  options: Partial<WaitOptions> = {}
): Promise<WorkloadResult[]> {
  return waitForWorkloads(client, deployed.prepared.objects, {
    namespace,
    labelSelector: LABEL_SELECTOR,
    timeoutMs: 60_000,
    maxRestarts: 3,
    ...options
  })
}

/** GET on 127.0.0.1 only; resolves with status and body. */
export function get(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  const parsed = new URL(url)
  if (parsed.hostname !== '127.0.0.1')
    throw new Error(`tests only connect to 127.0.0.1, not ${parsed.hostname}`)
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', chunk => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
  })
}

/** Retries a GET until it answers 200 (kube-proxy programs NodePorts a moment after readiness). */
export async function firstOk(
  url: string,
  withinMs: number
): Promise<{ status: number; body: string; afterMs: number }> {
  const started = Date.now()
  let last: unknown
  while (Date.now() - started < withinMs) {
    try {
      const r = await get(url, 1000)
      if (r.status === 200) return { ...r, afterMs: Date.now() - started }
      last = new Error(`HTTP ${r.status}`)
    } catch (err) {
      last = err
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not answer 200 within ${withinMs} ms: ${String(last)}`)
}

export const clusterReady = existsSync(KUBECONFIG)

export interface ClusterFixture {
  client: KubePort
  image: string
  namespaces: Namespaces
}

/**
 * The setup every integration file shares: a client for the local cluster, the test image, and
 * namespaces named `it-<prefix>-…` that must all be gone after the file's tests.
 */
export function useCluster(prefix: string, receive: (fixture: ClusterFixture) => void): void {
  let namespaces: Namespaces | undefined
  beforeAll(() => {
    const client = kube()
    namespaces = new Namespaces(client, prefix)
    receive({ client, image: ensureTestImage(), namespaces })
  }, 120_000)
  afterAll(async () => {
    expect(await namespaces?.cleanup()).toEqual([])
  }, 180_000)
}
