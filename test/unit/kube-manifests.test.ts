import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { InputError } from '../../src/errors.js'
import { generateManifests } from '../../src/kube/generate.js'
import { kindOf } from '../../src/kube/kinds.js'
import {
  checkManifestSet,
  describeObject,
  loadManifestFiles,
  parseManifests
} from '../../src/kube/manifests.js'
import { prepareManifests, type PrepareOptions } from '../../src/kube/prepare.js'
import type { Container, Deployment, KubeObject, Service } from '../../src/kube/types.js'
import type { Typed } from '../../src/kube/validate.js'

function errorOf(fn: () => unknown): InputError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    return err as InputError
  }
  throw new Error('expected an InputError')
}

/** Objects with the resource the registry knows for them (discovery's answer in the pipeline). */
const typed = (objects: KubeObject[]): Typed[] =>
  objects.map(o => ({ object: o, type: kindOf(o).type }))
const parse = (text: string) => typed(parseManifests(text, 'app.yaml'))
const find = <T extends KubeObject>(t: Typed[], kind: string, name?: string) =>
  t.find(x => x.object.kind === kind && (!name || x.object.metadata.name === name))?.object as T

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
  it('reads multi-document YAML, skipping empty documents, and remembers each document', () => {
    const objects = parseManifests(APP_YAML, 'k8s/app.yaml')
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Deployment/weather-service',
      'ConfigMap/settings'
    ])
    expect(describeObject(objects[1])).toBe('k8s/app.yaml document 2: ConfigMap "settings"')
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

  it('takes every kind — StatefulSets, cluster-scoped objects, custom resources', () => {
    const text = [
      'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec: {selector: {}, template: {spec: {containers: [{name: db, image: db:1}]}}}',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 1}',
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec: {schedule: "@daily", jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: x}]}}}}}'
    ].join('\n---\n')
    expect(parseManifests(text, 'all.yaml').map(o => o.kind)).toEqual([
      'StatefulSet',
      'ClusterRole',
      'Widget',
      'CronJob'
    ])
  })

  it('reports every bad document with its index and reason', () => {
    const text = [
      'just a string',
      '- a\n- list',
      'kind: Deployment\nmetadata: {name: x}',
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: mine}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: c-}',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: empty}\nspec: {selector: {}, template: {spec: {containers: []}}}',
      'apiVersion: batch/v1\nkind: Job\nmetadata: {name: notemplate}\nspec: {}',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}'
    ].join('\n---\n')
    const err = errorOf(() => parseManifests(text, 'k8s/all.yaml'))
    expect(err.message).toBe(
      [
        "input 'manifests' must hold Kubernetes objects the action can apply:",
        '  k8s/all.yaml document 1: is not a Kubernetes object (it is a string)',
        '  k8s/all.yaml document 2: is not a Kubernetes object (it is a list)',
        '  k8s/all.yaml document 3: is not a Kubernetes object: missing "apiVersion"',
        '  k8s/all.yaml document 5: ConfigMap has no metadata.name (generateName cannot be applied server-side)',
        '  k8s/all.yaml document 6: Deployment "empty" has no containers in its pod template',
        '  k8s/all.yaml document 7: Job "notemplate" has no pod template'
      ].join('\n')
    )
    expect(err.input).toBe('manifests')
  })

  it('reports YAML syntax errors and duplicated keys with the file and line', () => {
    const err = errorOf(() => parseManifests('apiVersion: v1\nkind: [unclosed\n', 'bad.yaml'))
    expect(err.message).toMatch(
      /^input 'manifests' must hold Kubernetes objects the action can apply: bad\.yaml: invalid YAML at line \d+, column \d+: /
    )
    const dup = errorOf(() =>
      parseManifests(
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: "1", a: "2"}\n',
        'dup.yaml'
      )
    )
    expect(dup.message).toContain('dup.yaml: invalid YAML at line 4')
    expect(dup.message).toContain('duplicated mapping key')
  })
})

describe('loadManifestFiles and checkManifestSet', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kube-manifests-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('loads files in order and names them relative to the workspace in errors', () => {
    writeFileSync(path.join(dir, 'a.yaml'), APP_YAML)
    writeFileSync(path.join(dir, 'b.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n')
    expect(
      loadManifestFiles([path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml')], dir).map(o => o.kind)
    ).toEqual(['Deployment', 'ConfigMap', 'Service'])
    writeFileSync(path.join(dir, 'c.yaml'), 'kind: Pod\n')
    writeFileSync(path.join(dir, 'd.yaml'), 'kind: Pod\n')
    const err = errorOf(() =>
      loadManifestFiles([path.join(dir, 'c.yaml'), path.join(dir, 'd.yaml')], dir)
    )
    expect(err.message).toContain(
      '\n  c.yaml document 1: is not a Kubernetes object: missing "apiVersion"'
    )
    expect(err.message).toContain(
      '\n  d.yaml document 1: is not a Kubernetes object: missing "apiVersion"'
    )
  })

  it('refuses an object defined twice in one namespace, and a set with no objects', () => {
    const configMap = (ns: string) =>
      parseManifests(
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ${ns}}\n`,
        'c.yaml'
      )
    const objects = [...parseManifests(APP_YAML, 'a.yaml'), ...parseManifests(APP_YAML, 'b.yaml')]
    expect(errorOf(() => checkManifestSet(objects)).message).toContain(
      'ConfigMap "settings" is defined 2 times'
    )
    expect(
      errorOf(() => checkManifestSet([...configMap('shop'), ...configMap('shop')])).message
    ).toContain('ConfigMap "c" in namespace "shop" is defined 2 times')
    // One name in two namespaces: each maps to a run namespace of its own (namespaces.ts).
    expect(() => checkManifestSet([...configMap('shop'), ...configMap('monitoring')])).not.toThrow()
    expect(errorOf(() => checkManifestSet([])).message).toBe(
      "input 'manifests' must contain at least one Kubernetes object"
    )
  })
})

describe('prepareManifests', () => {
  const options: PrepareOptions = {
    images: [
      { repository: 'weather-service', ref: 'weather-service:smoke-42-1', pullPolicy: 'Never' }
    ],
    labels: { 'app.kubernetes.io/managed-by': 'minikube-smoke', 'minikube-smoke/run': '42-1' },
    annotations: { 'minikube-smoke/sha': 'abc123' }
  }

  it('substitutes the built image (any tag, Docker Hub spellings) and sets imagePullPolicy: Never', () => {
    const input = parse(APP_YAML)
    const before = structuredClone(input)
    const prepared = prepareManifests(input, { ...options, containerPort: 5000 })
    expect(input).toEqual(before) // not mutated
    const pod = find<Deployment>(prepared.objects, 'Deployment').spec.template.spec
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

  it('substitutes an image a kustomize images: entry renamed, keeping the manifest’s pull policy for pulled images', () => {
    const renamed = parse(APP_YAML.replace(/weather-service:latest/g, 'ghcr.io/octo/weather:1.2'))
    const prepared = prepareManifests(renamed, {
      ...options,
      images: [
        {
          repository: 'weather-service',
          ref: 'weather-service:smoke-42-1',
          pullPolicy: 'Never',
          aliases: ['ghcr.io/octo/weather']
        }
      ]
    })
    expect(
      find<Deployment>(prepared.objects, 'Deployment').spec.template.spec.containers[0].image
    ).toBe('weather-service:smoke-42-1')
    const pulled = prepareManifests(parse(APP_YAML), {
      ...options,
      images: [{ repository: 'weather-service', ref: 'localhost:5000/weather-service:1' }]
    })
    expect(
      find<Deployment>(pulled.objects, 'Deployment').spec.template.spec.containers[0]
    ).not.toHaveProperty('imagePullPolicy')
  })

  it('scales the target only when replicas is given', () => {
    const replicasOf = (extra: { replicas?: number }) =>
      find<Deployment>(
        prepareManifests(parse(APP_YAML), { ...options, ...extra }).objects,
        'Deployment'
      ).spec.replicas
    expect(replicasOf({})).toBe(2) // as the manifest says
    expect(replicasOf({ replicas: 3 })).toBe(3)
  })

  it('labels every object and leaves namespaces as written (namespaces.ts maps them)', () => {
    const role =
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: []\n'
    const prepared = prepareManifests(parse(`${APP_YAML}\n---\n${role}`), options)
    for (const { object: o } of prepared.objects) {
      expect(o.metadata.labels).toMatchObject(options.labels!)
      expect(o.metadata.annotations).toMatchObject(options.annotations!)
    }
    const d = find<Deployment>(prepared.objects, 'Deployment')
    expect(d.spec.template.metadata?.labels).toEqual({
      app: 'weather-service',
      tier: 'web',
      ...options.labels
    })
    expect(d.spec.template.metadata?.annotations).toEqual(options.annotations)
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'weather-service' } })
    expect(d.metadata.namespace).toBe('somewhere')
    expect(prepared.warnings).toEqual([])
    // The target names its namespace; the Service added in front of it goes with it.
    expect(prepared.target.namespace).toBe('somewhere')
    expect(find<Service>(prepared.objects, 'Service').metadata.namespace).toBe('somewhere')
  })

  it('a Service of another namespace does not select the target', () => {
    const elsewhere =
      'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: monitoring}\nspec: {type: NodePort, selector: {app: weather-service}, ports: [{port: 80}]}'
    const prepared = prepareManifests(parse(`${APP_YAML}\n---\n${elsewhere}`), options)
    expect(prepared.target.service).toBe('weather-service') // added in front of it instead
    expect(prepared.target.exposed).toContain('no Service selects deployment "weather-service"')
    const same = elsewhere.replace('monitoring', 'somewhere')
    expect(prepareManifests(parse(`${APP_YAML}\n---\n${same}`), options).target.service).toBe('web')
  })

  it('exposes the target like kubectl expose when no Service selects it, on the port the container declares', () => {
    const prepared = prepareManifests(parse(APP_YAML), options)
    const svc = find<Service>(prepared.objects, 'Service')
    expect(svc.metadata.name).toBe('weather-service')
    expect(svc.spec).toEqual({
      type: 'NodePort',
      selector: { app: 'weather-service' },
      ports: [{ port: 5000, targetPort: 5000, protocol: 'TCP' }]
    })
    expect(prepared.target).toMatchObject({
      workload: { kind: 'Deployment', name: 'weather-service' },
      service: 'weather-service',
      port: 5000
    })
    expect(prepared.target.exposed).toBe(
      'no Service selects deployment "weather-service": exposing it as service "weather-service" (port 5000)'
    )
  })

  it('a ClusterIP Service in front of the target is exposed as a NodePort with its own ports (the Kubernetes basics app on 8080)', () => {
    const app8080 = APP_YAML.replace('containerPort: 5000', 'containerPort: 8080')
    const clusterIp =
      'apiVersion: v1\nkind: Service\nmetadata: {name: weather-service}\nspec:\n  selector: {app: weather-service}\n  ports: [{port: 80, targetPort: 8080}]\n'
    const prepared = prepareManifests(parse(`${app8080}\n---\n${clusterIp}`), options)
    expect(prepared.target).toMatchObject({ service: 'weather-service-nodeport', port: 80 })
    expect(find<Service>(prepared.objects, 'Service', 'weather-service-nodeport').spec).toEqual({
      type: 'NodePort',
      selector: { app: 'weather-service' },
      ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }]
    })
    expect(prepared.target.exposed).toBe(
      'service "weather-service" is of type ClusterIP: exposing it as NodePort service "weather-service-nodeport"'
    )
  })

  it('uses a NodePort Service that selects the target, picking the port that targets the container', () => {
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
    const prepared = prepareManifests(parse(`${APP_YAML}\n---\n${svc}`), {
      ...options,
      containerPort: 5000
    })
    expect(prepared.target).toMatchObject({ service: 'web', port: 80 })
    expect(prepared.target.exposed).toBeUndefined()
    expect(prepared.objects.filter(t => t.object.kind === 'Service')).toHaveLength(1)
  })

  it('the service input names the Service to test; its workload may be a StatefulSet', () => {
    const kv = [
      'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: kv}\nspec:\n  serviceName: kv\n  selector: {matchLabels: {app: kv}}\n  template:\n    metadata: {labels: {app: kv}}\n    spec: {containers: [{name: kv, image: "kv:1", ports: [{containerPort: 6379}]}]}',
      'apiVersion: v1\nkind: Service\nmetadata: {name: kv}\nspec: {type: NodePort, selector: {app: kv}, ports: [{port: 6379}]}'
    ].join('\n---\n')
    const prepared = prepareManifests(parse(`${APP_YAML}\n---\n${kv}`), {
      ...options,
      service: 'kv'
    })
    expect(prepared.target).toMatchObject({
      workload: { kind: 'StatefulSet', name: 'kv' },
      service: 'kv',
      port: 6379
    })
    expect(prepared.target.why).toBe('service "kv": named by the service input')
    expect(
      errorOf(() => prepareManifests(parse(APP_YAML), { ...options, service: 'nope' })).message
    ).toBe('input \'service\' must name a Service of the manifests (they have none), got "nope"')
  })

  it('refuses manifests that do not run the built image, or have nothing to smoke-test', () => {
    const other = parse(APP_YAML.replace(/weather-service:latest/g, 'nginx:1'))
    expect(errorOf(() => prepareManifests(other, options)).message).toBe(
      'input \'manifests\' must use every image of the run: no container has the image "weather-service" (any tag)'
    )
    const onlyConfig = typed([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }])
    expect(errorOf(() => prepareManifests(onlyConfig, { ...options, images: [] })).message).toBe(
      "input 'manifests' must contain a Deployment, StatefulSet or DaemonSet to smoke-test (or name its Service with the 'service' input)"
    )
  })

  it('exposes 5000 when neither the input nor the container names a port', () => {
    const noPorts = parse(APP_YAML.replace(/ {8}ports:\n.*\n.*\n/, ''))
    expect(prepareManifests(noPorts, options).target.port).toBe(5000)
  })
})
