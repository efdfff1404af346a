// Against the real local cluster: namespace, server-side apply, rollout wait, NodePort URL on
// 127.0.0.1, replicas, user manifests, diagnostics of a healthy run.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { applyObjects, ensureNamespace } from '../../src/kube/apply.js'
import { collectDiagnostics } from '../../src/kube/diagnostics.js'
import { nodeInternalIP, nodePortUrl } from '../../src/kube/expose.js'
import { loadManifests } from '../../src/kube/manifests.js'
import { prepareManifests } from '../../src/kube/prepare.js'
import { FIELD_MANAGER } from '../../src/kube/names.js'
import { resolveManifestPaths } from '../../src/kube/paths.js'
import { Resources, type KubePort } from '../../src/kube/port.js'
import { waitForRollout } from '../../src/kube/rollout.js'
import type { Deployment, Pod } from '../../src/kube/types.js'
import { app, firstOk, IMAGE_REPOSITORY, Namespaces, useCluster } from './kube-support.js'

let client: KubePort
let image: string
let namespaces: Namespaces
useCluster('deploy', f => ({ client, image, namespaces } = f))

describe('deploy on the local cluster', () => {
  it('creates the namespace, applies, waits for the rollout and answers on the NodePort at 127.0.0.1', async () => {
    const namespace = namespaces.name('basic')
    const created: string[] = []
    const t0 = Date.now()
    expect(await ensureNamespace(client, namespace, { onCreated: n => created.push(n) })).toEqual({
      created: true
    })
    expect(created).toEqual([namespace])
    const t1 = Date.now()
    const prepared = app({ image, namespace })
    const applied = await applyObjects(client, prepared.objects, FIELD_MANAGER)
    expect(applied.map(a => `${a.kind}/${a.name}`)).toEqual(['Service/web', 'Deployment/web'])
    const t2 = Date.now()
    const progress: string[] = []
    const rollout = await waitForRollout(client, namespace, 'web', {
      timeoutMs: 60_000,
      log: l => progress.push(l)
    })
    const t3 = Date.now()
    expect(rollout.message).toBe('deployment "web" successfully rolled out')
    expect(progress.at(-1)).toBe('deployment "web" successfully rolled out')

    const { url, nodePort } = await nodePortUrl(
      client,
      namespace,
      prepared.target.service,
      '127.0.0.1',
      prepared.target.port
    )
    expect(url).toBe(`http://127.0.0.1:${nodePort}`)
    const answer = await firstOk(url, 15_000)
    expect(answer.body).toMatch(/^ok from web-/)
    console.log(
      `[measure] create namespace ${t1 - t0} ms, apply ${t2 - t1} ms, rollout ${t3 - t2} ms, ` +
        `first 200 on NodePort ${answer.afterMs} ms after rollout`
    )

    // Server-side apply is idempotent: the same objects again change nothing and roll out at once.
    const again = await applyObjects(client, prepared.objects, FIELD_MANAGER)
    expect(again.find(a => a.kind === 'Deployment')?.object.metadata.generation).toBe(1)
    const second = await waitForRollout(client, namespace, 'web', { timeoutMs: 10_000 })
    expect(second.durationMs).toBeLessThan(2000)

    // The run's labels and the image landed as prepared.
    const d = await client.get<Deployment>(Resources.Deployment, 'web', namespace)
    expect(d?.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'minikube-smoke' })
    expect(d?.spec.template.spec.containers[0]).toMatchObject({ image, imagePullPolicy: 'Never' })

    // For `cluster: existing` the URL host defaults to a node's InternalIP (only read, never used here).
    expect(await nodeInternalIP(client)).toMatch(/^[0-9a-f.:]+$/)

    const report = await collectDiagnostics(client, namespace)
    expect(report.data.errors).toEqual([])
    expect(report.data.pods[0].containers[0].logs).toContain('listening on :8080')
    expect(report.data.events.map(e => e.reason)).toEqual(
      expect.arrayContaining(['Scheduled', 'Started'])
    )
  }, 90_000)

  it('honours replicas: 3 and waits for all of them', async () => {
    const namespace = namespaces.name('replicas')
    await ensureNamespace(client, namespace)
    const prepared = app({ image, namespace, replicas: 3 })
    await applyObjects(client, prepared.objects, FIELD_MANAGER)
    // The server ends each watch after 1 s here, so the reconnect path (re-list, re-watch) runs.
    const rollout = await waitForRollout(client, namespace, 'web', {
      timeoutMs: 60_000,
      watchTimeoutSeconds: 1
    })
    expect(rollout.replicas).toBe(3)
    expect(rollout.reconnects).toBeGreaterThan(0)
    const d = await client.get<Deployment>(Resources.Deployment, 'web', namespace)
    expect(d?.status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3
    })
    const pods = await client.list<Pod>(Resources.Pod, { namespace })
    expect(pods.items.filter(p => p.status?.containerStatuses?.[0]?.ready)).toHaveLength(3)
    console.log(
      `[measure] rollout of 3 replicas ${rollout.durationMs} ms (${rollout.reconnects} watch reconnects)`
    )
  }, 90_000)

  it('deploys user manifests from the workspace: image substituted, ConfigMap first, NodePort added', async () => {
    const namespace = namespaces.name('manifests')
    const workspace = mkdtempSync(path.join(tmpdir(), 'kube-ws-'))
    try {
      mkdirSync(path.join(workspace, 'k8s'))
      writeFileSync(
        path.join(workspace, 'k8s', 'app.yaml'),
        [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: {name: shop, namespace: ignored}',
          'spec:',
          '  selector: {matchLabels: {app: shop}}',
          '  template:',
          '    metadata: {labels: {app: shop}}',
          '    spec:',
          '      terminationGracePeriodSeconds: 2',
          '      containers:',
          '      - name: server',
          `        image: ${IMAGE_REPOSITORY}:latest`,
          '        envFrom: [{configMapRef: {name: shop-settings}}]',
          '        ports: [{containerPort: 8080, name: http}]',
          '        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}',
          '---',
          'apiVersion: v1',
          'kind: Service',
          'metadata: {name: shop}',
          'spec:',
          '  selector: {app: shop}',
          '  ports: [{port: 80, targetPort: http}]'
        ].join('\n')
      )
      writeFileSync(
        path.join(workspace, 'k8s', 'config.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: shop-settings}\ndata: {READY_STATUS: "200"}\n'
      )
      const files = resolveManifestPaths(workspace, ['k8s'])
      const prepared = prepareManifests(loadManifests(files, workspace), {
        images: [{ repository: IMAGE_REPOSITORY, ref: image, pullPolicy: 'Never' }],
        namespace,
        containerPort: 8080
      })
      expect(prepared.target).toEqual({
        deployment: 'shop',
        service: 'shop-nodeport',
        port: 8080,
        serviceCreated: true
      })
      await ensureNamespace(client, namespace)
      const applied = await applyObjects(client, prepared.objects, FIELD_MANAGER)
      expect(applied.map(a => `${a.kind}/${a.name}`)).toEqual([
        'ConfigMap/shop-settings',
        'Service/shop',
        'Service/shop-nodeport',
        'Deployment/shop'
      ])
      await waitForRollout(client, namespace, 'shop', { timeoutMs: 60_000 })
      const { url } = await nodePortUrl(
        client,
        namespace,
        prepared.target.service,
        '127.0.0.1',
        prepared.target.port
      )
      expect((await firstOk(url, 15_000)).body).toMatch(/^ok from shop-/)
    } finally {
      rmSync(workspace, { recursive: true, force: true })
    }
  }, 90_000)
})
