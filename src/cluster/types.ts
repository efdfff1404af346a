/** What the rest of the pipeline needs from a cluster, whichever kind it is. */
export interface ClusterSession {
  kind: 'minikube' | 'existing'
  /** kubeconfig context to use; undefined means the current context. */
  kubeContext?: string
  /** Environment for `docker build` so the image lands where the cluster's kubelet sees it. */
  dockerEnv: Record<string, string>
  /** Host for NodePort URLs (`minikube ip`); undefined: ask the Kubernetes API for a node address. */
  urlHost(): Promise<string | undefined>
}

/** How the profile was before this run, which decides what teardown may do to it. */
export type PriorState = 'running' | 'stopped' | 'absent'
