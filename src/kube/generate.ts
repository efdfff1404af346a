// Manifests when the user gives none: what `kubectl create deployment` + `kubectl expose` make.

import { InputError } from '../errors.js'
import { containerNameFor } from './image-ref.js'
import { isDns1123Label } from './names.js'
import type { Deployment, Service } from './types.js'

export interface GenerateOptions {
  /** Deployment, Service and `app` label value. */
  name: string
  image: string
  containerPort: number
  replicas: number
  /** Path the readiness probe requests, e.g. `/` or `/healthz`. */
  smokePath: string
}

/**
 * What `kubectl create deployment NAME --image=IMAGE` and `kubectl expose deployment NAME
 * --type=NodePort --port=PORT` make, plus replicas, the container port, a readiness probe on the
 * smoke path. The pull policy is left to the image substitution (src/images/substitute.ts), which
 * knows how the image reaches the cluster.
 */
export function generateManifests(options: GenerateOptions): [Deployment, Service] {
  if (!isDns1123Label(options.name)) {
    throw new InputError(
      'image',
      'must give a name usable for the Deployment (lowercase letters, digits and "-")',
      options.name
    )
  }
  const labels = { app: options.name }
  const path = options.smokePath.startsWith('/') ? options.smokePath : `/${options.smokePath}`
  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: options.name, labels: { ...labels } },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          containers: [
            {
              name: containerNameFor(options.image) || options.name,
              image: options.image,
              ports: [{ containerPort: options.containerPort, protocol: 'TCP' }],
              // A short period: the default 10 s would add up to 10 s to every rollout.
              readinessProbe: {
                httpGet: { path, port: options.containerPort },
                periodSeconds: 1,
                timeoutSeconds: 1,
                failureThreshold: 3
              }
            }
          ]
        }
      }
    }
  }
  return [deployment, exposeService(options.name, labels, options.containerPort)]
}

/** The Service `kubectl expose deployment NAME --type=NodePort --port=PORT` creates. */
export function exposeService(
  name: string,
  selector: Record<string, string>,
  port: number,
  type: 'NodePort' | 'ClusterIP' = 'NodePort'
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: { ...selector } },
    spec: {
      type,
      selector: { ...selector },
      // protocol is required: server-side apply on 1.20 rejects ports without it (HTTP 500).
      ports: [{ port, targetPort: port, protocol: 'TCP' }]
    }
  }
}
