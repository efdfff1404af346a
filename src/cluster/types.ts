import type { ClusterKind } from '../inputs.js'
import type { ContainerRuntime } from './runtime.js'

/** What the rest of the pipeline needs from a cluster, whichever kind it is. */
export interface ClusterSession {
  kind: ClusterKind
  /** kubeconfig context to use; undefined means the current context. */
  kubeContext?: string
  /** minikube's container runtime; undefined for `existing` (not known). */
  runtime?: ContainerRuntime
  /** Node count (minikube status); undefined for `existing`. */
  nodes?: number
  /**
   * Environment for docker so an image lands where the cluster's kubelet sees it (`minikube
   * docker-env`, asked only when needed); {} for the local engine.
   */
  dockerEnv(): Promise<Record<string, string>>
  /** `minikube image load` from the runner's Docker engine; absent for `existing`. */
  loadImage?(ref: string, timeoutMs: number): Promise<void>
  /** Host for NodePort URLs (`minikube ip`); undefined: ask the Kubernetes API for a node address. */
  urlHost(): Promise<string | undefined>
}

/** How the profile was before this run, which decides what teardown may do to it. */
export type PriorState = 'running' | 'stopped' | 'absent'
