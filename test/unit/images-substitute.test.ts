// The run's images in pod specs: every container and init container using one of the
// repositories, with the pull policy their delivery needs.

import { describe, expect, test } from '@jest/globals'
import { InputError } from '../../src/errors.js'
import {
  checkEveryImageUsed,
  substituteImages,
  type RunImage
} from '../../src/images/substitute.js'
import { prepareManifests, parseManifests, type Deployment } from '../../src/kube/index.js'
import type { PodSpec } from '../../src/kube/types.js'
import { kindOf } from '../../src/kube/kinds.js'
import type { KubeObject } from '../../src/kube/types.js'

const typed = (objects: KubeObject[]) => objects.map(o => ({ object: o, type: kindOf(o).type }))

const pod = (): PodSpec => ({
  initContainers: [{ name: 'migrate', image: 'docker.io/library/api:dev' }],
  containers: [
    { name: 'api', image: 'api', imagePullPolicy: 'Always' },
    { name: 'web', image: 'front:latest', imagePullPolicy: 'Never' },
    { name: 'proxy', image: 'envoyproxy/envoy:v1.31', imagePullPolicy: 'IfNotPresent' }
  ]
})

const run = (pullPolicy: RunImage['pullPolicy'], prefix = ''): RunImage[] => [
  { repository: 'front', ref: `${prefix}front:t1`, pullPolicy },
  { repository: 'api', ref: `${prefix}api:t1`, pullPolicy }
]

describe('substituteImages', () => {
  test('docker-env / image-load: the run reference and Never, in containers and init containers', () => {
    const spec = pod()
    const r = substituteImages(spec, run('Never'))
    expect(spec.initContainers).toEqual([
      { name: 'migrate', image: 'api:t1', imagePullPolicy: 'Never' }
    ])
    expect(spec.containers).toEqual([
      { name: 'api', image: 'api:t1', imagePullPolicy: 'Never' },
      { name: 'web', image: 'front:t1', imagePullPolicy: 'Never' },
      { name: 'proxy', image: 'envoyproxy/envoy:v1.31', imagePullPolicy: 'IfNotPresent' }
    ])
    expect([...r.used].sort()).toEqual(['api', 'front'])
    expect(r.notes).toEqual([])
  })

  test('registry: the pushed reference, the manifest’s policy, but never Never', () => {
    const spec = pod()
    const r = substituteImages(spec, run('pull', 'localhost:5000/'))
    expect(spec.containers.map(c => [c.image, c.imagePullPolicy])).toEqual([
      ['localhost:5000/api:t1', 'Always'],
      ['localhost:5000/front:t1', 'IfNotPresent'],
      ['envoyproxy/envoy:v1.31', 'IfNotPresent']
    ])
    expect(spec.initContainers![0]).toEqual({ name: 'migrate', image: 'localhost:5000/api:t1' })
    expect(r.notes).toEqual([
      'container "web": imagePullPolicy Never replaced by IfNotPresent, so the node pulls localhost:5000/front:t1 from the registry'
    ])
  })

  test('prebuilt: the manifest’s policy as written, Never included', () => {
    const spec = pod()
    substituteImages(spec, run(undefined, 'ghcr.io/octo/'))
    expect(spec.containers.map(c => c.imagePullPolicy)).toEqual(['Always', 'Never', 'IfNotPresent'])
  })

  test('an alias (a repository renamed by kustomize `images:`) means the same image', () => {
    const spec: PodSpec = { containers: [{ name: 'web', image: 'registry.example/shop/front:v9' }] }
    const r = substituteImages(spec, [
      {
        repository: 'front',
        ref: 'front:t1',
        pullPolicy: 'Never',
        aliases: ['registry.example/shop/front']
      }
    ])
    expect(spec.containers[0]).toEqual({ name: 'web', image: 'front:t1', imagePullPolicy: 'Never' })
    expect([...r.used]).toEqual(['front'])
  })

  test('a container without an image, or with another repository, is left alone', () => {
    const spec: PodSpec = { containers: [{ name: 'x' }, { name: 'y', image: 'frontend:1' }] }
    expect(substituteImages(spec, run('Never')).used.size).toBe(0)
    expect(spec.containers).toEqual([{ name: 'x' }, { name: 'y', image: 'frontend:1' }])
  })
})

describe('every image of the run must run somewhere', () => {
  test('an unused image is a one-line error naming it', () => {
    expect(() => checkEveryImageUsed(run('Never'), new Set(['front']))).toThrow(InputError)
    expect(() => checkEveryImageUsed(run('Never'), new Set(['front']))).toThrow(
      `input 'manifests' must use every image of the run: no container has the image "api" (any tag)`
    )
    expect(() => checkEveryImageUsed(run('Never'), new Set(['front', 'api']))).not.toThrow()
  })

  const APP = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: front}
spec:
  selector: {matchLabels: {app: front}}
  template:
    metadata: {labels: {app: front}}
    spec:
      containers: [{name: front, image: front:dev, ports: [{containerPort: 8080}]}]
`

  test('prepareManifests: both Deployments rewritten; the target runs the first image', () => {
    const prepared = prepareManifests(typed(parseManifests(APP, 'app.yaml')), {
      images: run('Never')
    })
    const image = (name: string) =>
      (
        prepared.objects.find(
          t => t.object.metadata.name === name && t.object.kind === 'Deployment'
        )!.object as Deployment
      ).spec.template.spec.containers[0].image
    expect(image('api')).toBe('api:t1')
    expect(image('front')).toBe('front:t1')
    // `front` is listed first in the run's images, so it is the one exposed and smoke-tested,
    // though `api` comes first in the manifests.
    expect(prepared.target.workload).toEqual({ kind: 'Deployment', name: 'front' })
  })

  test('prepareManifests refuses an image no container uses', () => {
    const images = [
      ...run('Never'),
      { repository: 'worker', ref: 'worker:t1', pullPolicy: 'Never' as const }
    ]
    expect(() => prepareManifests(typed(parseManifests(APP, 'app.yaml')), { images })).toThrow(
      `no container has the image "worker" (any tag)`
    )
  })
})
