// The container runtime minikube runs the cluster with: `--container-runtime` / `-c` in start-args,
// else MINIKUBE_CONTAINER_RUNTIME (minikube reads MINIKUBE_* variables as flags), else docker,
// minikube's default. It decides how images reach the cluster (docker-env needs docker).

export type ContainerRuntime = 'docker' | 'containerd' | 'cri-o'

/** minikube's default, also what a profile that does not record its runtime runs. */
export const DEFAULT_RUNTIME: ContainerRuntime = 'docker'

/** minikube's valid names (cruntime.ValidRuntimes, plus its `crio` alias). */
const NAMES: Record<string, ContainerRuntime> = {
  docker: 'docker',
  containerd: 'containerd',
  'cri-o': 'cri-o',
  crio: 'cri-o'
}

export const RUNTIME_NAMES = 'docker, containerd, cri-o'

export interface RuntimeChoice {
  runtime: ContainerRuntime
  /** Where it came from, for the log: `start-args`, `MINIKUBE_CONTAINER_RUNTIME` or `default`. */
  from: 'start-args' | 'MINIKUBE_CONTAINER_RUNTIME' | 'default'
  /** A value that is not a runtime minikube knows, with where it was; undefined when valid. */
  invalid?: string
}

/** The last `--container-runtime`/`-c` in start-args wins (as with any repeated flag). */
export function containerRuntime(
  startArgs: readonly string[],
  env: string | undefined
): RuntimeChoice {
  let flag: string | undefined
  for (let i = 0; i < startArgs.length; i++) {
    const a = startArgs[i]
    const long = /^--container-runtime(?:=(.*))?$/.exec(a)
    const short = /^-c(?:=?(.+))?$/.exec(a)
    const m = long ?? short
    if (!m) continue
    flag = m[1] ?? startArgs[++i] ?? ''
  }
  if (flag !== undefined) return pick(flag, 'start-args')
  if (env !== undefined && env.trim() !== '') return pick(env.trim(), 'MINIKUBE_CONTAINER_RUNTIME')
  return { runtime: DEFAULT_RUNTIME, from: 'default' }
}

function pick(value: string, from: RuntimeChoice['from']): RuntimeChoice {
  if (value === '') return { runtime: DEFAULT_RUNTIME, from } // empty means minikube's default
  const runtime = NAMES[value.toLowerCase()]
  return runtime ? { runtime, from } : { runtime: DEFAULT_RUNTIME, from, invalid: value }
}
