// What minikube 1.33–1.38.1 print, read from its source (tags v1.33.1 … v1.38.1):
// cmd/minikube/cmd/status.go + pkg/minikube/cluster/status.go (status), mustload.go (profile not
// found), docker-env.go (refusals), config/profile_list.go (profile list), out/register (CloudEvents).

/** `status -o json`: cluster.Status's fields in order, no trailing newline; one node: an object. */
export const RUNNING = `{"Name":"minikube","Host":"Running","Kubelet":"Running","APIServer":"Running","Kubeconfig":"Configured","Worker":false}`
/** A stopped host: NodeStatus copies the host state into every field (exit 7). */
export const STOPPED = `{"Name":"minikube","Host":"Stopped","Kubelet":"Stopped","APIServer":"Stopped","Kubeconfig":"Stopped","Worker":false}`
/** 1.33/1.34: a profile whose machine is gone, exit 7 (1.35+ print null instead). */
export const NONEXISTENT = `{"Name":"minikube","Host":"Nonexistent","Kubelet":"Nonexistent","APIServer":"Nonexistent","Kubeconfig":"Nonexistent","Worker":false}`
/** Workers: APIServer and Kubeconfig "Irrelevant". Several nodes print an array. */
export const WORKER = `{"Name":"minikube-m02","Host":"Running","Kubelet":"Running","APIServer":"Irrelevant","Kubeconfig":"Irrelevant","Worker":true}`
export const WORKER_STOPPED = `{"Name":"minikube-m02","Host":"Stopped","Kubelet":"Stopped","APIServer":"Stopped","Kubeconfig":"Stopped","Worker":true}`
export const MULTI = `[${RUNNING},${WORKER},${WORKER.replace('m02', 'm03')}]`
export const MULTI_STOPPED = `[${STOPPED},${WORKER_STOPPED}]`
/** Control plane up, a worker stopped: exit 7. */
export const MULTI_PARTLY = `[${RUNNING},${WORKER_STOPPED}]`
/** `minikube pause`: API server Paused, kubelet Stopped (exit 2). */
export const PAUSED = `{"Name":"minikube","Host":"Running","Kubelet":"Stopped","APIServer":"Paused","Kubeconfig":"Configured","Worker":false}`
export const MISCONFIGURED = `{"Name":"minikube","Host":"Running","Kubelet":"Running","APIServer":"Running","Kubeconfig":"Misconfigured","Worker":false}`
/**
 * A node whose status cannot be read (GetStatus returns no statuses): json.Marshal of a nil slice.
 * Exit 0 on 1.35–1.37; 1.38 added exitCode()'s "no statuses" case: 7.
 */
export const NULL_STATUS = 'null'

function event(id: string, message: string): string {
  return JSON.stringify({
    specversion: '1.0',
    id,
    source: 'https://minikube.sigs.k8s.io/',
    type: 'io.k8s.sigs.minikube.info',
    datacontenttype: 'application/json',
    data: { message }
  })
}
/** No such profile under -o json: mustload.Partial's two messages as CloudEvents, then exit 85. */
export const NOT_FOUND_EVENTS =
  [
    event(
      '3b4e1a52-0f5e-4c1e-9d0b-6f1f0c3a9e11',
      'Profile "minikube" not found. Run "minikube profile list" to view all profiles.'
    ),
    event('0c6a9a3e-8a3f-4a52-b1d2-2f4d8e3c7b90', 'To start a cluster, run: "minikube start"')
  ].join('\n') + '\n'
/** The update notice, a CloudEvent on stdout beside the status under -o json. */
export const UPDATE_EVENT = event(
  '9d2c7f0e-1b3a-4c5d-8e6f-7a8b9c0d1e2f',
  'minikube 1.39.0 is available! Download it: https://github.com/kubernetes/minikube/releases/tag/v1.39.0'
)
/** The same in text mode (status without -o json), exit 85. */
export const NOT_FOUND_TEXT = `* Profile "minikube" not found. Run "minikube profile list" to view all profiles.
  To start a cluster, run: "minikube start"
`

/**
 * `docker-env --shell none` refusals, stdout not a terminal: the reason on stderr (exit.Message),
 * "false exit code N" on stdout (exit.SetShell). [exit code, stderr line]
 */
export const DOCKER_ENV_REFUSALS = [
  [
    51,
    "X Exiting due to ENV_DRIVER_CONFLICT: 'none' driver does not support 'minikube docker-env' command"
  ],
  [
    81,
    "X Exiting due to ENV_MULTINODE_CONFLICT: The docker-env command is incompatible with multi-node clusters. Use the 'registry' add-on: https://minikube.sigs.k8s.io/docs/handbook/registry/"
  ],
  [
    14,
    'X Exiting due to MK_USAGE: the docker-env command only supports the docker and containerd runtimes'
  ]
] as const

/**
 * `profile list -o json --light`: config.Profile and ClusterConfig with Go field names (no JSON
 * tags), written without a newline; ClusterConfig trimmed to a representative part of its fields.
 */
export const PROFILE_LIST = JSON.stringify({
  invalid: [],
  valid: [
    {
      Name: 'other',
      Status: 'Skipped',
      Config: {
        Name: 'other',
        Driver: 'podman',
        KubernetesConfig: { KubernetesVersion: 'v1.35.1', ContainerRuntime: 'cri-o' },
        Nodes: [{ Name: '', ControlPlane: true, Worker: true }]
      },
      Active: false,
      ActiveKubeContext: false
    },
    {
      Name: 'minikube',
      Status: 'Skipped',
      Config: {
        Name: 'minikube',
        KeepContext: false,
        EmbedCerts: false,
        KicBaseImage: 'gcr.io/k8s-minikube/kicbase:v0.0.50',
        Memory: 3072,
        CPUs: 2,
        DiskSize: 20000,
        Driver: 'docker',
        APIServerPort: 8443,
        KubernetesConfig: {
          KubernetesVersion: 'v1.35.1',
          ClusterName: 'minikube',
          Namespace: 'default',
          APIServerName: 'minikubeCA',
          DNSDomain: 'cluster.local',
          ContainerRuntime: 'containerd',
          NetworkPlugin: 'cni',
          ServiceCIDR: '10.96.0.0/12'
        },
        Nodes: [
          {
            Name: '',
            IP: '192.168.49.2',
            Port: 8443,
            KubernetesVersion: 'v1.35.1',
            ContainerRuntime: 'containerd',
            ControlPlane: true,
            Worker: true
          },
          {
            Name: 'm02',
            IP: '192.168.49.3',
            Port: 0,
            KubernetesVersion: 'v1.35.1',
            ContainerRuntime: 'containerd',
            ControlPlane: false,
            Worker: true
          }
        ],
        Addons: { 'default-storageclass': true, 'storage-provisioner': true },
        VerifyComponents: { apiserver: true, default_sa: true }
      },
      Active: true,
      ActiveKubeContext: true
    }
  ]
})
/** A single-node docker profile, as the stand-in prints it. */
export const PROFILE_LIST_DOCKER = `{"invalid":[],"valid":[{"Name":"minikube","Status":"Skipped","Config":{"Name":"minikube","Driver":"docker","KubernetesConfig":{"KubernetesVersion":"v1.20.2","ClusterName":"minikube","ContainerRuntime":"docker"},"Nodes":[{"Name":"","IP":"127.0.0.1","Port":6443,"KubernetesVersion":"v1.20.2","ContainerRuntime":"docker","ControlPlane":true,"Worker":true}]},"Active":true,"ActiveKubeContext":true}]}`
