// The `minikube start` flags the action sets itself, in every spelling minikube accepts (cobra/
// pflag: `--flag`, `--flag=v`, `--flag v`, shorthand `-f`, `-fv`, `-f=v`; none of start's shorthands
// is a boolean, so the letter after a single dash names the flag), and the `--wait` set.

/** Flags whose value the action owns: a second value in start-args would be ambiguous. */
const OWNED: Array<{ long: string[]; short?: string; why: string }> = [
  { long: ['--driver', '--vm-driver'], short: '-d', why: "use the 'driver' input instead" },
  { long: ['--kubernetes-version'], why: "use the 'kubernetes-version' input instead" },
  { long: ['--profile'], short: '-p', why: "use the 'profile' input instead" }
]
// --container-runtime / -c is the user's to set: src/cluster/runtime.ts reads it (and
// MINIKUBE_CONTAINER_RUNTIME), and the image delivery follows it.

/** The owned flag an argument sets (as the user spelled it) and why it is refused, if any. */
export function ownedStartFlag(arg: string): { flag: string; why: string } | undefined {
  for (const o of OWNED) {
    const long = o.long.find(name => arg === name || arg.startsWith(`${name}=`))
    if (long) return { flag: long, why: o.why }
    if (o.short && /^-[A-Za-z]/.test(arg) && arg.slice(0, 2) === o.short)
      return { flag: o.short, why: o.why }
  }
  return undefined
}

/**
 * What `minikube start` waits for. Its default, `apiserver,system_pods`, also waits for every
 * kube-system pod (CoreDNS last, typically) to run; the action only needs the API server to
 * accept objects and the default service account to exist (the service account controller runs,
 * so pods of a new namespace can be created); it then waits for its own workloads anyway.
 * Components: pkg/minikube/bootstrapper/bsutil/kverify/kverify.go.
 */
export const START_WAIT = 'apiserver,default_sa'

/** True when the user chose the wait set: `--wait` in start-args or MINIKUBE_WAIT (viper env). */
export function userChoosesWait(
  startArgs: readonly string[],
  env: Readonly<Record<string, string | undefined>>
): boolean {
  return startArgs.some(a => a === '--wait' || a.startsWith('--wait=')) || !!env.MINIKUBE_WAIT
}
