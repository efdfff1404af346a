// How the run's images reach the cluster, chosen from the cluster's facts unless `load` says:
//   docker-env  built straight into minikube's Docker engine (docker runtime, one node), or into
//               the local engine for `cluster: existing` (a cluster on this machine's Docker);
//   image-load  built on the runner's engine, then `minikube image load` (containerd, cri-o, or
//               several nodes: minikube's docs say docker-env works with the docker runtime only);
//   registry    built on the runner's engine, pushed to `registry`; pods pull it (shared clusters);
//   none        prebuilt (`build: false`): the cluster pulls the given references itself.
// Pure: the same rule is checked before anything starts (node count unknown yet) and again once
// the cluster is up. Each case is one function below, in the order they are tried.

import { DEFAULT_RUNTIME } from '../cluster/runtime.js'
import type { ClusterSession } from '../cluster/types.js'
import type { LoadStrategy } from './config.js'

/** What of the cluster the choice looks at (runtime and nodes: undefined when not known yet). */
export type ClusterFacts = Pick<ClusterSession, 'kind' | 'runtime' | 'nodes'>

export interface DeliveryWanted {
  build: boolean
  load: LoadStrategy | 'auto'
  registry: string
}

type Input = 'load' | 'registry'

export type DeliveryChoice =
  | { ok: true; strategy: LoadStrategy; why: string }
  /** `input` is the input to change; `cluster` when only the cluster's facts rule it out. */
  | { ok: false; input: Input; message: string; cluster: boolean }

export function chooseDelivery(wanted: DeliveryWanted, cluster: ClusterFacts): DeliveryChoice {
  if (!wanted.build) return choosePrebuilt(wanted)
  return (
    refuseMismatchedInputs(wanted) ??
    chooseRegistry(wanted) ??
    (cluster.kind === 'existing' ? chooseForExisting(wanted) : chooseForMinikube(wanted, cluster))
  )
}

/** How each strategy is named in the summary and the report. */
export function deliveryLabel(
  strategy: LoadStrategy,
  where: { inCluster: boolean; registry: string }
): string {
  switch (strategy) {
    case 'none':
      return 'none: prebuilt, pulled by the nodes'
    case 'docker-env':
      return where.inCluster
        ? "docker-env: built in minikube's Docker engine"
        : 'docker-env: built in the local Docker engine'
    case 'image-load':
      return 'image-load: built on the runner, `minikube image load`'
    case 'registry':
      return `registry: pushed to ${where.registry}, pulled by the nodes`
  }
}

function refuse(input: Input, message: string, byCluster = false): DeliveryChoice {
  return { ok: false, input, message, cluster: byCluster }
}

function choose(strategy: LoadStrategy, why: string): DeliveryChoice {
  return { ok: true, strategy, why }
}

/** build: false: nothing is built, so nothing is pushed or moved. */
function choosePrebuilt(wanted: DeliveryWanted): DeliveryChoice {
  if (wanted.registry !== '') {
    return refuse('registry', 'is not used with build: false: nothing is pushed')
  }
  if (wanted.load !== 'auto' && wanted.load !== 'none') {
    return refuse(
      'load',
      `must be "none" (or empty) with build: false: prebuilt images are neither built nor moved, got "${wanted.load}"`
    )
  }
  return choose('none', 'prebuilt images (build: false): the cluster pulls them itself')
}

/** load and registry that contradict each other (or build), whatever the cluster. */
function refuseMismatchedInputs(wanted: DeliveryWanted): DeliveryChoice | undefined {
  if (wanted.load === 'none') {
    return refuse(
      'load',
      'is "none", which is for prebuilt images: set build: false and give full references, or let the action choose'
    )
  }
  if (wanted.load === 'registry' && wanted.registry === '') {
    return refuse(
      'registry',
      'must be set for load: registry (e.g. "localhost:5000" or "ghcr.io/org")'
    )
  }
  if (wanted.registry !== '' && wanted.load !== 'auto' && wanted.load !== 'registry') {
    return refuse('registry', `is only used with load: registry, not load: ${wanted.load}`)
  }
  return undefined
}

/** A registry given is used on any cluster. */
function chooseRegistry(wanted: DeliveryWanted): DeliveryChoice | undefined {
  if (wanted.load !== 'registry' && wanted.registry === '') return undefined
  return choose(
    'registry',
    `registry ${wanted.registry} is set: push the images there and let the pods pull them`
  )
}

function chooseForExisting(wanted: DeliveryWanted): DeliveryChoice {
  if (wanted.load === 'image-load') {
    return refuse(
      'load',
      'is "image-load", which runs `minikube image load` and needs cluster: minikube; for an existing cluster set registry'
    )
  }
  return choose(
    'docker-env',
    'cluster: existing — built into the local Docker engine, which the cluster must run on (otherwise set registry)'
  )
}

/** docker-env needs the docker runtime and one node; image-load works everywhere. */
function chooseForMinikube(wanted: DeliveryWanted, cluster: ClusterFacts): DeliveryChoice {
  const runtime = cluster.runtime ?? DEFAULT_RUNTIME
  const nodes = cluster.nodes
  const severalNodes = nodes !== undefined && nodes > 1
  if (wanted.load === 'docker-env') {
    if (runtime !== 'docker') {
      return refuse(
        'load',
        `is "docker-env", which needs minikube's docker runtime; this cluster runs ${runtime}: use image-load or registry`
      )
    }
    if (severalNodes) {
      return refuse(
        'load',
        `is "docker-env", which does not work with several nodes (this cluster has ${nodes}): use image-load or registry`,
        true
      )
    }
    return choose('docker-env', "load: docker-env — built straight into minikube's Docker engine")
  }
  if (wanted.load === 'image-load') {
    return choose(
      'image-load',
      'load: image-load — built on the runner, then `minikube image load`'
    )
  }
  if (runtime !== 'docker') {
    return choose(
      'image-load',
      `container runtime ${runtime}: minikube docker-env works with the docker runtime only, so build on the runner and \`minikube image load\``
    )
  }
  if (severalNodes) {
    return choose(
      'image-load',
      `${nodes} nodes: docker-env reaches one node only, so build on the runner and \`minikube image load\` into every node`
    )
  }
  return choose(
    'docker-env',
    "docker runtime, one node: built straight into minikube's Docker engine"
  )
}
