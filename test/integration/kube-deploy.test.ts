// Against the real local cluster: namespace, validation, dry run, server-side apply as raw JSON,
// the wait, the NodePort URL on 127.0.0.1, replicas, user manifests, diagnostics of a healthy run.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { collectDiagnostics } from '../../src/kube/diagnostics.js'
import { nodeInternalIP, nodePortUrl } from '../../src/kube/node-port.js'
import { Resources } from '../../src/kube/kinds.js'
import { loadManifestFiles } from '../../src/kube/manifests.js'
import { resolveManifestPaths } from '../../src/kube/paths.js'
import type { KubePort } from '../../src/kube/api.js'
import type { Deployment, Pod } from '../../src/kube/types.js'
import {
  app,
  deploy,
  firstOk,
  IMAGE_REPOSITORY,
  LABEL_SELECTOR,
  Namespaces,
  useCluster,
  waitFor
} from './kube-support.js'

let client: KubePort
let image: string
let namespaces: Namespaces
useCluster('deploy', f => ({ client, image, namespaces } = f))

describe('deploy on the local cluster', () => {
  it('creates the namespace, applies, waits and answers on the NodePort at 127.0.0.1', async () => {
    const namespace = namespaces.name('basic')
    const t0 = Date.now()
    const deployed = await deploy(client, app({ image }), namespace, { image })
    expect(deployed.createdNamespace).toBe(true)
    expect(deployed.records.map(r => `${r.kind}/${r.name}:${r.created}`)).toEqual([
      'Service/web:true',
      'Deployment/web:true'
    ])
    const t1 = Date.now()
    const progress: string[] = []
    const [rollout] = await waitFor(client, deployed, namespace, { log: l => progress.push(l) })
    const t2 = Date.now()
    expect(rollout).toMatchObject({
      state: 'current',
      message: 'deployment "web" successfully rolled out'
    })
    expect(progress.at(-1)).toBe('deployment "web" successfully rolled out')

    const { url, nodePort } = await nodePortUrl(
      client,
      namespace,
      deployed.prepared.target.service,
      '127.0.0.1',
      deployed.prepared.target.port
    )
    expect(url).toBe(`http://127.0.0.1:${nodePort}`)
    const answer = await firstOk(url, 15_000)
    expect(answer.body).toMatch(/^ok from web-/)
    console.log(
      `[measure] validate+namespace+dry run+apply ${t1 - t0} ms, rollout ${t2 - t1} ms, first 200 on NodePort ${answer.afterMs} ms after`
    )

    // Server-side apply is idempotent: the same objects again change nothing, nothing is "created".
    const again = await deploy(client, app({ image }), namespace, { image })
    expect(again.createdNamespace).toBe(false)
    expect(again.records.every(r => r.created === false)).toBe(true)
    const d = await client.get<Deployment>(Resources.Deployment, 'web', namespace)
    expect(d?.metadata.generation).toBe(1)
    expect(d?.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'minikube-smoke' })
    expect(d?.spec.template.spec.containers[0]).toMatchObject({ image, imagePullPolicy: 'Never' })

    // For `cluster: existing` the URL host defaults to a node's InternalIP (only read, never used here).
    expect(await nodeInternalIP(client)).toMatch(/^[0-9a-f.:]+$/)

    const report = await collectDiagnostics(client, namespace, { labelSelector: LABEL_SELECTOR })
    expect(report.data.errors).toEqual([])
    expect(report.data.pods[0].containers[0].logs).toContain('listening on :8080')
    expect(report.data.events.map(e => e.reason)).toEqual(
      expect.arrayContaining(['Scheduled', 'Started'])
    )
  }, 90_000)

  it('honours replicas: 3 and waits for all of them, across watch reconnects', async () => {
    const namespace = namespaces.name('replicas')
    const deployed = await deploy(client, app({ image, replicas: 3 }), namespace, { image })
    // The server ends each watch after 1 s here, so the reconnect path (re-list, re-watch) runs.
    const started = Date.now()
    const [rollout] = await waitFor(client, deployed, namespace, { watchTimeoutSeconds: 1 })
    expect(rollout.state).toBe('current')
    const d = await client.get<Deployment>(Resources.Deployment, 'web', namespace)
    expect(d?.status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3
    })
    const pods = await client.list<Pod>(Resources.Pod, { namespace })
    expect(pods.items.filter(p => p.status?.containerStatuses?.[0]?.ready)).toHaveLength(3)
    console.log(`[measure] rollout of 3 replicas ${Date.now() - started} ms`)
  }, 90_000)

  it('deploys user manifests from the workspace: image substituted, ConfigMap first, the ClusterIP Service exposed', async () => {
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
      const files = resolveManifestPaths(workspace, ['k8s']).map(f =>
        f.kind === 'file' ? f.path : ''
      )
      const deployed = await deploy(client, loadManifestFiles(files, workspace), namespace, {
        image,
        containerPort: undefined
      })
      expect(deployed.prepared.target).toMatchObject({
        workload: { kind: 'Deployment', name: 'shop' },
        service: 'shop-nodeport',
        port: 80
      })
      expect(deployed.records.map(r => `${r.kind}/${r.name}`)).toEqual([
        'ConfigMap/shop-settings',
        'Service/shop',
        'Service/shop-nodeport',
        'Deployment/shop'
      ])
      await waitFor(client, deployed, namespace)
      const { url } = await nodePortUrl(
        client,
        namespace,
        deployed.prepared.target.service,
        '127.0.0.1',
        deployed.prepared.target.port
      )
      expect((await firstOk(url, 15_000)).body).toMatch(/^ok from shop-/)
    } finally {
      rmSync(workspace, { recursive: true, force: true })
    }
  }, 90_000)
})
