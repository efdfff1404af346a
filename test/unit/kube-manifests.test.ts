import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { InputError } from '../../src/errors.js'
import { generateManifests } from '../../src/kube/generate.js'
import { loadManifests, parseManifests, sortForApply } from '../../src/kube/manifests.js'
import { prepareManifests } from '../../src/kube/prepare.js'
import type { Container, Deployment, KubeObject, Service } from '../../src/kube/types.js'

function errorOf(fn: () => unknown): InputError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    return err as InputError
  }
  throw new Error('expected an InputError')
}

const APP_YAML = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: weather-service
  namespace: somewhere
  labels: {app: weather-service}
spec:
  replicas: 2
  selector:
    matchLabels: {app: weather-service}
  template:
    metadata:
      labels: {app: weather-service, tier: web}
    spec:
      initContainers:
      - name: migrate
        image: docker.io/library/weather-service:latest
      containers:
      - name: app
        image: weather-service:latest
        ports:
        - containerPort: 5000
          name: http
      - name: sidecar
        image: busybox:1.36
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {MODE: "on"}
---
`

describe('generateManifests', () => {
  it('makes what kubectl create deployment + expose --type=NodePort would, for a local image', () => {
    const [d, s] = generateManifests({
      name: 'weather-service',
      image: 'weather-service:smoke-7-1',
      containerPort: 5000,
      replicas: 2,
      smokePath: '/health'
    })
    expect(d).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'weather-service', labels: { app: 'weather-service' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'weather-service' } },
        template: {
          metadata: { labels: { app: 'weather-service' } },
          spec: {
            containers: [
              {
                name: 'weather-service',
                image: 'weather-service:smoke-7-1',
                ports: [{ containerPort: 5000, protocol: 'TCP' }],
                readinessProbe: {
                  httpGet: { path: '/health', port: 5000 },
                  periodSeconds: 1,
                  timeoutSeconds: 1,
                  failureThreshold: 3
                }
              }
            ]
          }
        }
      }
    })
    expect(s).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'weather-service', labels: { app: 'weather-service' } },
      spec: {
        type: 'NodePort',
        selector: { app: 'weather-service' },
        ports: [{ port: 5000, targetPort: 5000, protocol: 'TCP' }]
      }
    })
  })

  it('names the container after the image, like kubectl', () => {
    const [d] = generateManifests({
      name: 'web',
      image: 'localhost:5000/team/My_App:1',
      containerPort: 80,
      replicas: 1,
      smokePath: 'ping'
    })
    const c = d.spec.template.spec.containers[0]
    expect(c.name).toBe('my-app')
    expect(c.readinessProbe?.httpGet?.path).toBe('/ping')
  })

  it('refuses a name that cannot be a Deployment name', () => {
    expect(
      errorOf(() =>
        generateManifests({
          name: 'Web_App',
          image: 'x',
          containerPort: 1,
          replicas: 1,
          smokePath: '/'
        })
      ).message
    ).toContain('Web_App')
  })
})

describe('parseManifests', () => {
  it('reads multi-document YAML, skipping empty documents', () => {
    const objects = parseManifests(APP_YAML, 'k8s/app.yaml')
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Deployment/weather-service',
      'ConfigMap/settings'
    ])
  })

  it('reads YAML like kubectl does: 1.1 octals and merge keys, timestamps as text', () => {
    const [d] = parseManifests(
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: c',
        '  annotations: {built: 2026-11-26}',
        'x-base: &base {mode: 0644}',
        'volume: {<<: *base, name: v}'
      ].join('\n'),
      'c.yaml'
    )
    expect(d.volume).toEqual({ mode: 420, name: 'v' })
    expect(d.metadata.annotations).toEqual({ built: '2026-11-26' })
  })

  it('reads JSON and flattens kind: List', () => {
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b' } }
      ]
    })
    expect(parseManifests(list, 'list.json').map(o => o.kind)).toEqual(['ConfigMap', 'Secret'])
  })

  it('reports every bad document with its index and reason', () => {
    const text = [
      'just a string',
      '- a\n- list',
      'kind: Deployment\nmetadata: {name: x}',
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: mine}',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: admin2}',
      'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}',
      'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: old}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: c-}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: empty}\nspec: {selector: {}, template: {spec: {containers: []}}}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}'
    ].join('\n---\n')
    const err = errorOf(() => parseManifests(text, 'k8s/all.yaml'))
    expect(err.message).toBe(
      [
        "input 'manifests' must be valid YAML holding supported Kubernetes objects:",
        '  k8s/all.yaml document 1: is not a Kubernetes object (it is a string)',
        '  k8s/all.yaml document 2: is not a Kubernetes object (it is a list)',
        '  k8s/all.yaml document 3: is not a Kubernetes object: missing "apiVersion"',
        '  k8s/all.yaml document 4: Namespace "mine" is not supported: the namespace is chosen by the action (input \'namespace\')',
        '  k8s/all.yaml document 5: ClusterRole "admin2" is not supported: it is cluster-scoped and would outlive the run\'s namespace',
        '  k8s/all.yaml document 6: StatefulSet "db" is not supported: only Deployments are rolled out and waited for',
        '  k8s/all.yaml document 7: kind "Widget" is not supported (supported: ServiceAccount, Secret, ConfigMap, PersistentVolumeClaim, Role, RoleBinding, Service, Deployment)',
        '  k8s/all.yaml document 8: Deployment "old" must have apiVersion apps/v1, got extensions/v1beta1',
        '  k8s/all.yaml document 9: ConfigMap has no metadata.name (generateName cannot be applied server-side)',
        '  k8s/all.yaml document 10: Deployment "empty" has no spec.template.spec.containers'
      ].join('\n')
    )
    expect(err.input).toBe('manifests')
  })

  it('reports YAML syntax errors with the file and line', () => {
    const err = errorOf(() => parseManifests('apiVersion: v1\nkind: [unclosed\n', 'bad.yaml'))
    expect(err.message).toMatch(
      /^input 'manifests' must be valid YAML holding supported Kubernetes objects:\n {2}bad\.yaml: invalid YAML at line \d+, column \d+: /
    )
  })
})

describe('loadManifests', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kube-manifests-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('loads files in order and names them relative to the workspace in errors', () => {
    writeFileSync(path.join(dir, 'a.yaml'), APP_YAML)
    writeFileSync(path.join(dir, 'b.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n')
    expect(
      loadManifests([path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml')], dir).map(o => o.kind)
    ).toEqual(['Deployment', 'ConfigMap', 'Service'])
    writeFileSync(path.join(dir, 'c.yaml'), 'kind: Pod\n')
    const err = errorOf(() =>
      loadManifests([path.join(dir, 'a.yaml'), path.join(dir, 'c.yaml')], dir)
    )
    expect(err.message).toContain(
      '\n  c.yaml document 1: is not a Kubernetes object: missing "apiVersion"'
    )
  })

  it('refuses an object defined twice, and files with no objects', () => {
    writeFileSync(
      path.join(dir, 'dup.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n'
    )
    expect(
      errorOf(() => loadManifests([path.join(dir, 'a.yaml'), path.join(dir, 'dup.yaml')], dir))
        .message
    ).toContain('ConfigMap "settings" is defined 2 times')
    writeFileSync(path.join(dir, 'empty.yaml'), '---\n# nothing\n')
    expect(errorOf(() => loadManifests([path.join(dir, 'empty.yaml')], dir)).message).toBe(
      "input 'manifests' must contain at least one Kubernetes object"
    )
  })
})

describe('prepareManifests', () => {
  const options = {
    images: [
      {
        repository: 'weather-service',
        ref: 'weather-service:smoke-42-1',
        pullPolicy: 'Never' as const
      }
    ],
    namespace: 'smoke-42-1',
    labels: { 'app.kubernetes.io/managed-by': 'minikube-smoke', 'minikube-smoke/run': '42-1' },
    annotations: { 'minikube-smoke/sha': 'abc123' }
  }

  it('substitutes the built image (any tag, Docker Hub spellings) and sets imagePullPolicy: Never', () => {
    const input = parseManifests(APP_YAML, 'app.yaml')
    const before = structuredClone(input)
    const prepared = prepareManifests(input, { ...options, containerPort: 5000 })
    expect(input).toEqual(before) // not mutated
    const d = prepared.objects.find(o => o.kind === 'Deployment') as Deployment
    const pod = d.spec.template.spec
    const byName = (cs: Container[] = [], n: string) => cs.find(c => c.name === n)!
    expect(byName(pod.containers, 'app')).toMatchObject({
      image: 'weather-service:smoke-42-1',
      imagePullPolicy: 'Never'
    })
    expect(byName(pod.initContainers, 'migrate')).toMatchObject({
      image: 'weather-service:smoke-42-1',
      imagePullPolicy: 'Never'
    })
    expect(byName(pod.containers, 'sidecar')).toEqual({ name: 'sidecar', image: 'busybox:1.36' })
    expect(byName(pod.containers, 'app').ports).toEqual([
      { containerPort: 5000, name: 'http', protocol: 'TCP' }
    ])
  })

  it('scales the Deployment running the image only when replicas is given', () => {
    const replicasOf = (extra: { replicas?: number }) =>
      (
        prepareManifests(parseManifests(APP_YAML, 'app.yaml'), {
          ...options,
          ...extra
        }).objects.find(o => o.kind === 'Deployment') as Deployment
      ).spec.replicas
    expect(replicasOf({})).toBe(2) // as the manifest says
    expect(replicasOf({ replicas: 3 })).toBe(3)
  })

  it('applies the namespace and run labels/annotations to objects and pod templates, with a warning on override', () => {
    const prepared = prepareManifests(parseManifests(APP_YAML, 'app.yaml'), options)
    for (const o of prepared.objects) {
      expect(o.metadata.namespace).toBe('smoke-42-1')
      expect(o.metadata.labels).toMatchObject(options.labels)
      expect(o.metadata.annotations).toMatchObject(options.annotations)
    }
    const d = prepared.objects.find(o => o.kind === 'Deployment') as Deployment
    expect(d.metadata.labels).toMatchObject({ app: 'weather-service' })
    expect(d.spec.template.metadata?.labels).toEqual({
      app: 'weather-service',
      tier: 'web',
      ...options.labels
    })
    expect(d.spec.template.metadata?.annotations).toEqual(options.annotations)
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'weather-service' } })
    expect(prepared.warnings).toContain(
      'Deployment "weather-service": namespace "somewhere" replaced by "smoke-42-1"'
    )
  })

  it('exposes the Deployment like kubectl expose when no NodePort Service selects it', () => {
    const prepared = prepareManifests(parseManifests(APP_YAML, 'app.yaml'), {
      ...options,
      containerPort: 5000
    })
    const svc = prepared.objects.find(o => o.kind === 'Service') as Service
    expect(svc.metadata.name).toBe('weather-service')
    expect(svc.spec).toEqual({
      type: 'NodePort',
      selector: { app: 'weather-service' },
      ports: [{ port: 5000, targetPort: 5000, protocol: 'TCP' }]
    })
    expect(prepared.target).toEqual({
      deployment: 'weather-service',
      service: 'weather-service',
      port: 5000,
      serviceCreated: true
    })
    expect(prepared.deployments).toEqual(['weather-service'])
    expect(prepared.warnings.at(-1)).toBe(
      'no NodePort Service selects deployment "weather-service": exposing it as service "weather-service" (port 5000)'
    )
  })

  it('takes the port from the container when container-port is not given, and avoids a name clash', () => {
    const clusterIp =
      'apiVersion: v1\nkind: Service\nmetadata: {name: weather-service}\nspec:\n  selector: {app: weather-service}\n  ports: [{port: 80, targetPort: 5000}]\n'
    const prepared = prepareManifests(
      parseManifests(`${APP_YAML}\n---\n${clusterIp}`, 'app.yaml'),
      options
    )
    expect(prepared.target).toEqual({
      deployment: 'weather-service',
      service: 'weather-service-nodeport',
      port: 5000,
      serviceCreated: true
    })
    const userSvc = prepared.objects.find(
      o => o.metadata.name === 'weather-service' && o.kind === 'Service'
    ) as Service
    expect(userSvc.spec?.ports).toEqual([{ port: 80, targetPort: 5000, protocol: 'TCP' }])
  })

  it('uses a NodePort Service that selects the Deployment, picking the port that targets the container', () => {
    const svc = [
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: web}',
      'spec:',
      '  type: NodePort',
      '  selector: {app: weather-service}',
      '  ports:',
      '  - {name: metrics, port: 9090, targetPort: 9090}',
      '  - {name: web, port: 80, targetPort: http}'
    ].join('\n')
    const prepared = prepareManifests(parseManifests(`${APP_YAML}\n---\n${svc}`, 'app.yaml'), {
      ...options,
      containerPort: 5000
    })
    expect(prepared.target).toEqual({
      deployment: 'weather-service',
      service: 'web',
      port: 80,
      serviceCreated: false
    })
    expect(prepared.objects.filter(o => o.kind === 'Service')).toHaveLength(1)
  })

  it('ignores a NodePort Service whose selector does not match the pods', () => {
    const svc =
      'apiVersion: v1\nkind: Service\nmetadata: {name: other}\nspec: {type: NodePort, selector: {app: other}, ports: [{port: 1}]}\n'
    const prepared = prepareManifests(parseManifests(`${APP_YAML}\n---\n${svc}`, 'app.yaml'), {
      ...options,
      containerPort: 5000
    })
    expect(prepared.target.service).toBe('weather-service')
  })

  it('refuses manifests that do not run the built image, or have no Deployment', () => {
    const other = parseManifests(APP_YAML.replace(/weather-service:latest/g, 'nginx:1'), 'app.yaml')
    expect(errorOf(() => prepareManifests(other, options)).message).toBe(
      'input \'manifests\' must run the built image: no Deployment has a container with image "weather-service" (any tag)'
    )
    const onlyConfig: KubeObject[] = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }
    ]
    expect(errorOf(() => prepareManifests(onlyConfig, options)).message).toBe(
      "input 'manifests' must contain a Deployment"
    )
  })

  it('asks for container-port when nothing says which port to expose', () => {
    const noPorts = parseManifests(APP_YAML.replace(/ {8}ports:\n.*\n.*\n/, ''), 'app.yaml')
    expect(errorOf(() => prepareManifests(noPorts, options)).message).toBe(
      'input \'container-port\' must be set: deployment "weather-service" declares no container port to expose'
    )
  })

  it('orders objects so that what pods reference exists first', () => {
    const kinds = ['Deployment', 'Service', 'ConfigMap', 'Secret', 'ServiceAccount', 'Deployment']
    const sorted = sortForApply(
      kinds.map((kind, i) => ({ apiVersion: 'v1', kind, metadata: { name: `o${i}` } }))
    )
    expect(sorted.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/o4',
      'Secret/o3',
      'ConfigMap/o2',
      'Service/o1',
      'Deployment/o0',
      'Deployment/o5'
    ])
  })
})
