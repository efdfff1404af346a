// What an existing minikube profile really is, from `minikube profile list -o json --light`
// (cmd/minikube/cmd/config/profile_list.go): {"invalid":[...],"valid":[{"Name","Status","Config":
// {"Driver","KubernetesConfig":{"ContainerRuntime","KubernetesVersion"},"Nodes":[...]}}]}.
// A reused profile keeps the driver and runtime it was created with whatever the inputs say, so
// the action compares them before building an image into an engine the cluster does not use.

import { PhaseError } from '../errors.js'
import { DEFAULT_RUNTIME } from './runtime.js'

export interface ProfileFacts {
  driver: string
  containerRuntime: string
  nodes: number
  kubernetesVersion: string
}

interface ProfileEntry {
  Name?: string
  Config?: {
    Driver?: string
    KubernetesConfig?: { ContainerRuntime?: string; KubernetesVersion?: string }
    Nodes?: unknown[]
  }
}

/** The profile's facts, or undefined when the output does not list it as a valid profile. */
export function parseProfileList(stdout: string, profile: string): ProfileFacts | undefined {
  for (const line of stdout.split('\n')) {
    let parsed: { valid?: ProfileEntry[] }
    try {
      parsed = JSON.parse(line.trim()) as { valid?: ProfileEntry[] }
    } catch {
      continue
    }
    if (!parsed || !Array.isArray(parsed.valid)) continue // a CloudEvent message, or an error
    const entry = parsed.valid.find(p => p?.Name === profile)
    const config = entry?.Config
    if (!config?.Driver) return undefined
    return {
      driver: config.Driver,
      // old profiles may not record it: they run minikube's default
      containerRuntime: config.KubernetesConfig?.ContainerRuntime || DEFAULT_RUNTIME,
      nodes: Array.isArray(config.Nodes) ? config.Nodes.length : 1,
      kubernetesVersion: config.KubernetesConfig?.KubernetesVersion ?? ''
    }
  }
  return undefined
}

/**
 * Refuses a profile whose driver or container runtime is not what the inputs ask for: the image
 * would be built for one engine while the cluster runs another. `wanted.containerRuntime`
 * undefined: not checked.
 */
export function checkProfileMatches(
  profile: string,
  actual: ProfileFacts,
  wanted: { driver: string; containerRuntime?: string }
): void {
  const differences: string[] = []
  if (actual.driver !== wanted.driver)
    differences.push(`the "${actual.driver}" driver, but input 'driver' is "${wanted.driver}"`)
  if (wanted.containerRuntime !== undefined && actual.containerRuntime !== wanted.containerRuntime)
    differences.push(
      `the "${actual.containerRuntime}" container runtime, but the run expects "${wanted.containerRuntime}"`
    )
  if (differences.length === 0) return
  throw new PhaseError(
    `minikube profile "${profile}" already exists with ${differences.join(', and ')}: ` +
      `building for one engine while the cluster runs another would not work, so nothing was started. ` +
      `Set the inputs to match the profile, or use another 'profile' (or delete this one with "minikube delete -p ${profile}")`
  )
}
