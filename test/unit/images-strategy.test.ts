// How images reach the cluster, for each cluster kind, runtime and node count, chosen or asked.

import { describe, expect, test } from '@jest/globals'
import { chooseDelivery, deliveryLabel, type ClusterFacts } from '../../src/images/strategy.js'
import type { LoadStrategy } from '../../src/images/config.js'

const built = (load: LoadStrategy | 'auto' = 'auto', registry = '') => ({
  build: true,
  load,
  registry
})
const minikube = (runtime: ClusterFacts['runtime'], nodes?: number): ClusterFacts => ({
  kind: 'minikube',
  runtime,
  nodes
})
const strategyOf = (choice: ReturnType<typeof chooseDelivery>) =>
  choice.ok ? choice.strategy : `refused: ${choice.input}`

describe('chosen automatically', () => {
  test.each([
    // runtime, nodes → strategy
    ['docker', 1, 'docker-env'],
    ['docker', undefined, 'docker-env'], // before start: one node assumed, checked again after
    ['docker', 2, 'image-load'],
    ['docker', 3, 'image-load'],
    ['containerd', 1, 'image-load'],
    ['containerd', 3, 'image-load'],
    ['cri-o', 1, 'image-load'],
    ['cri-o', 2, 'image-load']
  ] as const)('minikube, %s runtime, %s node(s) → %s', (runtime, nodes, strategy) => {
    expect(strategyOf(chooseDelivery(built(), minikube(runtime, nodes)))).toBe(strategy)
  })

  test('the reason is said: why image-load for containerd', () => {
    const c = chooseDelivery(built(), minikube('containerd', 1))
    expect(c.ok && c.why).toMatch(
      /container runtime containerd: minikube docker-env works with the docker runtime only/
    )
    const n = chooseDelivery(built(), minikube('docker', 3))
    expect(n.ok && n.why).toMatch(/^3 nodes: docker-env reaches one node only/)
  })

  test('cluster: existing → the local engine, unless a registry is set', () => {
    expect(strategyOf(chooseDelivery(built(), { kind: 'existing' }))).toBe('docker-env')
    const c = chooseDelivery(built(), { kind: 'existing' })
    expect(c.ok && c.why).toContain('otherwise set registry')
    expect(strategyOf(chooseDelivery(built('auto', 'localhost:5000'), { kind: 'existing' }))).toBe(
      'registry'
    )
  })

  test('a registry given is used on minikube too, whatever the runtime', () => {
    for (const runtime of ['docker', 'containerd', 'cri-o'] as const) {
      expect(strategyOf(chooseDelivery(built('auto', 'ghcr.io/octo'), minikube(runtime, 2)))).toBe(
        'registry'
      )
    }
  })

  test('prebuilt images (build: false) → none, on any cluster', () => {
    const prebuilt = { build: false, load: 'auto' as const, registry: '' }
    expect(strategyOf(chooseDelivery(prebuilt, minikube('containerd', 3)))).toBe('none')
    expect(strategyOf(chooseDelivery(prebuilt, { kind: 'existing' }))).toBe('none')
    expect(strategyOf(chooseDelivery({ ...prebuilt, load: 'none' }, minikube('docker', 1)))).toBe(
      'none'
    )
  })
})

describe('asked with load', () => {
  test.each([
    ['docker-env', 'docker', 1, 'docker-env'],
    ['image-load', 'docker', 1, 'image-load'],
    ['image-load', 'containerd', 2, 'image-load'],
    ['docker-env', 'containerd', 1, 'refused: load'],
    ['docker-env', 'cri-o', 1, 'refused: load'],
    ['docker-env', 'docker', 2, 'refused: load'],
    ['registry', 'docker', 1, 'refused: registry'], // no registry given
    ['none', 'docker', 1, 'refused: load'] // none is for prebuilt images
  ] as const)('load %s on minikube %s × %s → %s', (load, runtime, nodes, expected) => {
    expect(strategyOf(chooseDelivery(built(load), minikube(runtime, nodes)))).toBe(expected)
  })

  test('docker-env on several nodes is refused by the cluster, not the inputs', () => {
    const c = chooseDelivery(built('docker-env'), minikube('docker', 2))
    expect(c).toEqual({
      ok: false,
      input: 'load',
      cluster: true,
      message:
        'is "docker-env", which does not work with several nodes (this cluster has 2): use image-load or registry'
    })
  })

  test('image-load needs minikube', () => {
    const c = chooseDelivery(built('image-load'), { kind: 'existing' })
    expect(c.ok).toBe(false)
    expect(!c.ok && c.message).toContain(
      'needs cluster: minikube; for an existing cluster set registry'
    )
  })

  test('registry with load: registry', () => {
    const c = chooseDelivery(built('registry', 'localhost:5000'), { kind: 'existing' })
    expect(c).toMatchObject({ ok: true, strategy: 'registry' })
  })
})

describe('every rule, one row each', () => {
  const existing: ClusterFacts = { kind: 'existing' }
  // build, load, registry, cluster → strategy, or the input refused (`by cluster` when only the
  // cluster's facts rule it out)
  test.each([
    // build: false
    [false, 'auto', '', minikube('docker', 1), 'none'],
    [false, 'none', '', existing, 'none'],
    [false, 'auto', 'localhost:5000', minikube('docker', 1), 'refused: registry'],
    [false, 'image-load', '', minikube('docker', 1), 'refused: load'],
    [false, 'registry', 'localhost:5000', existing, 'refused: registry'],
    // inputs that contradict each other, whatever the cluster
    [true, 'none', '', existing, 'refused: load'],
    [true, 'registry', '', minikube('docker', 1), 'refused: registry'],
    [true, 'docker-env', 'localhost:5000', minikube('docker', 1), 'refused: registry'],
    [true, 'image-load', 'ghcr.io/org', existing, 'refused: registry'],
    // a registry: any cluster
    [true, 'auto', 'localhost:5000', minikube('cri-o', 3), 'registry'],
    [true, 'registry', 'localhost:5000', minikube('docker', 1), 'registry'],
    [true, 'registry', 'localhost:5000', existing, 'registry'],
    // cluster: existing
    [true, 'auto', '', existing, 'docker-env'],
    [true, 'docker-env', '', existing, 'docker-env'],
    [true, 'image-load', '', existing, 'refused: load'],
    // minikube, asked
    [true, 'docker-env', '', minikube('docker', 1), 'docker-env'],
    [true, 'docker-env', '', minikube('docker'), 'docker-env'],
    [true, 'docker-env', '', minikube('containerd', 1), 'refused: load'],
    [true, 'docker-env', '', minikube('docker', 2), 'refused: load by cluster'],
    [true, 'image-load', '', minikube('docker', 1), 'image-load'],
    [true, 'image-load', '', minikube('cri-o', 3), 'image-load'],
    // minikube, chosen
    [true, 'auto', '', minikube(undefined), 'docker-env'], // runtime not known: minikube's default
    [true, 'auto', '', minikube('docker', 1), 'docker-env'],
    [true, 'auto', '', minikube('docker', 2), 'image-load'],
    [true, 'auto', '', minikube('containerd'), 'image-load']
  ] as const)(
    'build %s, load %s, registry "%s", %o → %s',
    (build, load, registry, cluster, want) => {
      const c = chooseDelivery({ build, load, registry }, cluster)
      const got = c.ok ? c.strategy : `refused: ${c.input}${c.cluster ? ' by cluster' : ''}`
      expect(got).toBe(want)
    }
  )
})

describe('how each strategy is named in the summary', () => {
  test.each([
    ['none', false, '', 'none: prebuilt, pulled by the nodes'],
    ['docker-env', true, '', "docker-env: built in minikube's Docker engine"],
    ['docker-env', false, '', 'docker-env: built in the local Docker engine'],
    ['image-load', true, '', 'image-load: built on the runner, `minikube image load`'],
    ['registry', false, 'localhost:5000', 'registry: pushed to localhost:5000, pulled by the nodes']
  ] as const)('%s (in cluster: %s) → %s', (strategy, inCluster, registry, label) => {
    expect(deliveryLabel(strategy, { inCluster, registry })).toBe(label)
  })
})
