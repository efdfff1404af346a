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
import { connectKube } from '../../src/kube/client.js'
import { generateManifests } from '../../src/kube/generate.js'
import { prepareManifests } from '../../src/kube/prepare.js'
import { runMetadata } from '../../src/kube/names.js'
import type { KubePort } from '../../src/kube/port.js'
import { deleteNamespace } from '../../src/kube/teardown.js'
import type { Container, Deployment, KubeObject } from '../../src/kube/types.js'

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
  return connectKube({ kubeconfigPath: KUBECONFIG })
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
  namespace: string
  replicas?: number
  env?: Record<string, string>
  smokePath?: string
  /** Pod terminationGracePeriodSeconds (default: Kubernetes' 30). */
  gracePeriodSeconds?: number
  /** Changes to the generated Deployment, e.g. a strategy. */
  tweak?: (d: Deployment) => void
}

/** Generated manifests for the test server, prepared like the action prepares them. */
export function app(options: AppOptions) {
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
  const { labels, annotations } = runMetadata({
    repository: 'local/minikube-smoke',
    runId: 'it',
    runAttempt: '1',
    sha: '0'.repeat(40),
    key: 'itkey'
  })
  return prepareManifests([deployment, service] as KubeObject[], {
    images: [{ repository: IMAGE_REPOSITORY, ref: options.image, pullPolicy: 'Never' }],
    namespace: options.namespace,
    labels,
    annotations,
    containerPort: 8080
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
