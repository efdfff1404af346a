// A large app, generated at test time (never committed as files): N ConfigMaps, the weather
// service's Deployment (reading one of them) and a NodePort Service — for the e2e cases and the
// bench that measure how the action scales with the number of objects.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { dump, load, loadAll } from 'js-yaml'

/**
 * Writes `<dir>/app.yaml` with `configMaps` ConfigMaps + Deployment + Service (count = configMaps
 * + 2). `dir` must be inside `repo` (the action reads manifests inside the workspace); returns the
 * path relative to it, for the `manifests` input. `image` replaces the Deployment's image (for a
 * hand-run kubectl flow: the action substitutes its own build).
 */
export function writeLargeApp(repo, dir, configMaps, image) {
  mkdirSync(dir, { recursive: true })
  const docs = []
  for (let i = 0; i < configMaps; i++) {
    docs.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `settings-${String(i).padStart(4, '0')}`, labels: { app: 'large' } },
      data: {
        'index.txt': String(i),
        'feature.flags': `flag-a=on\nflag-b=${i % 2 ? 'on' : 'off'}\n`
      }
    })
  }
  const deployment = load(readFileSync(join(repo, 'weather-service/k8s/deployment.yaml'), 'utf8'))
  const service = loadAll(readFileSync(join(repo, 'weather-service/k8s/service.yaml'), 'utf8'))[0]
  // The pods read one of the ConfigMaps, so the apply order (ConfigMaps first) matters.
  deployment.spec.template.spec.containers[0].envFrom = [
    { configMapRef: { name: 'settings-0000' } }
  ]
  if (image) deployment.spec.template.spec.containers[0].image = image
  docs.push(deployment, service)
  const file = join(dir, 'app.yaml')
  writeFileSync(file, docs.map(d => dump(d)).join('---\n'))
  return relative(repo, file)
}
