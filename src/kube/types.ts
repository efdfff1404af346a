// The JSON shapes this layer reads, as the API server sends them (timestamps are RFC 3339 strings).
// Only the fields we use are typed; everything else passes through untouched.

export interface ObjectMeta {
  name?: string
  namespace?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  generation?: number
  resourceVersion?: string
  uid?: string
  creationTimestamp?: string
  deletionTimestamp?: string
  ownerReferences?: Array<{ kind: string; name: string; uid?: string; controller?: boolean }>
  [key: string]: unknown
}

export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  [key: string]: unknown
}

export interface Condition {
  type: string
  status: string
  reason?: string
  message?: string
  lastTransitionTime?: string
  lastUpdateTime?: string
}

export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>
}

export interface Probe {
  httpGet?: { path?: string; port: number | string; host?: string; scheme?: string }
  tcpSocket?: { port: number | string; host?: string }
  exec?: { command?: string[] }
  initialDelaySeconds?: number
  timeoutSeconds?: number
  periodSeconds?: number
  successThreshold?: number
  failureThreshold?: number
}

export interface Container {
  name: string
  image?: string
  imagePullPolicy?: string
  ports?: Array<{ containerPort: number; name?: string; protocol?: string }>
  readinessProbe?: Probe
  livenessProbe?: Probe
  /** `Always` on an init container: a native sidecar (Kubernetes 1.29+). */
  restartPolicy?: string
  [key: string]: unknown
}

export interface PodSpec {
  containers: Container[]
  initContainers?: Container[]
  [key: string]: unknown
}

export interface PodTemplate {
  metadata?: ObjectMeta
  spec: PodSpec
}

export interface Deployment extends KubeObject {
  spec: {
    replicas?: number
    selector: LabelSelector
    template: PodTemplate
    strategy?: {
      type?: string
      rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string }
    }
    progressDeadlineSeconds?: number
    [key: string]: unknown
  }
  status?: {
    observedGeneration?: number
    replicas?: number
    updatedReplicas?: number
    readyReplicas?: number
    availableReplicas?: number
    unavailableReplicas?: number
    conditions?: Condition[]
  }
}

export interface StatefulSet extends KubeObject {
  spec: {
    replicas?: number
    selector: LabelSelector
    serviceName?: string
    template: PodTemplate
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } }
    [key: string]: unknown
  }
  status?: {
    observedGeneration?: number
    replicas?: number
    readyReplicas?: number
    currentReplicas?: number
    updatedReplicas?: number
    availableReplicas?: number
    currentRevision?: string
    updateRevision?: string
    conditions?: Condition[]
  }
}

export interface DaemonSet extends KubeObject {
  spec: {
    selector: LabelSelector
    template: PodTemplate
    updateStrategy?: { type?: string }
    [key: string]: unknown
  }
  status?: {
    observedGeneration?: number
    desiredNumberScheduled?: number
    currentNumberScheduled?: number
    updatedNumberScheduled?: number
    numberAvailable?: number
    numberReady?: number
    conditions?: Condition[]
  }
}

export interface Job extends KubeObject {
  spec?: {
    completions?: number
    parallelism?: number
    backoffLimit?: number
    suspend?: boolean
    template?: PodTemplate
    [key: string]: unknown
  }
  status?: {
    active?: number
    succeeded?: number
    failed?: number
    startTime?: string
    completionTime?: string
    conditions?: Condition[]
  }
}

export interface ReplicaSet extends KubeObject {
  spec?: { replicas?: number; selector?: LabelSelector; template?: PodTemplate }
  status?: {
    replicas?: number
    readyReplicas?: number
    availableReplicas?: number
    observedGeneration?: number
    conditions?: Condition[]
  }
}

export interface ContainerStateDetail {
  waiting?: { reason?: string; message?: string }
  running?: { startedAt?: string }
  terminated?: {
    exitCode?: number
    signal?: number
    reason?: string
    message?: string
    startedAt?: string
    finishedAt?: string
  }
}

export interface ContainerStatus {
  name: string
  image?: string
  ready?: boolean
  started?: boolean
  restartCount?: number
  state?: ContainerStateDetail
  lastState?: ContainerStateDetail
}

export interface Pod extends KubeObject {
  spec?: PodSpec & { nodeName?: string; restartPolicy?: string }
  status?: {
    phase?: string
    reason?: string
    message?: string
    conditions?: Condition[]
    containerStatuses?: ContainerStatus[]
    initContainerStatuses?: ContainerStatus[]
  }
}

export interface ServicePort {
  name?: string
  port: number
  targetPort?: number | string
  nodePort?: number
  protocol?: string
}

export interface Service extends KubeObject {
  spec?: {
    type?: string
    selector?: Record<string, string>
    ports?: ServicePort[]
    [key: string]: unknown
  }
}

export interface KubeEvent extends KubeObject {
  type?: string
  reason?: string
  message?: string
  count?: number
  involvedObject?: {
    kind?: string
    name?: string
    namespace?: string
    uid?: string
    fieldPath?: string
  }
  firstTimestamp?: string | null
  lastTimestamp?: string | null
  eventTime?: string | null
  series?: { count?: number; lastObservedTime?: string }
  source?: { component?: string }
}

export interface Node extends KubeObject {
  status?: {
    addresses?: Array<{ type: string; address: string }>
    conditions?: Condition[]
  }
}

export interface PersistentVolumeClaim extends KubeObject {
  spec?: {
    /** Unset: the DefaultStorageClass admission plugin filled it if the cluster had a default. */
    storageClassName?: string | null
    volumeName?: string
    accessModes?: string[]
    resources?: { requests?: { storage?: string } }
  }
  status?: { phase?: string }
}

export interface StorageClass extends KubeObject {
  provisioner?: string
  reclaimPolicy?: string
  volumeBindingMode?: string
}
