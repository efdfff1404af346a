// Interprets `minikube status -o json`. One node prints an object, several nodes print an array;
// a missing profile prints Host "Nonexistent" (or nothing) with a non-zero exit code.

import type { PriorState } from './types.js'

export interface MinikubeStatus {
  state: PriorState
  nodes: number
}

interface NodeStatus {
  Host?: string
  Kubelet?: string
  APIServer?: string
}

export function parseMinikubeStatus(stdout: string): MinikubeStatus {
  let parsed: unknown
  try {
    parsed = JSON.parse(stdout.trim())
  } catch {
    return { state: 'absent', nodes: 0 }
  }
  const nodes = (Array.isArray(parsed) ? parsed : [parsed]).filter(
    (n): n is NodeStatus => n !== null && typeof n === 'object'
  )
  if (nodes.length === 0) return { state: 'absent', nodes: 0 }
  const primary = nodes[0]
  if (!primary.Host || primary.Host === 'Nonexistent') return { state: 'absent', nodes: 0 }
  const running =
    primary.Host === 'Running' && primary.APIServer === 'Running' && primary.Kubelet === 'Running'
  return { state: running ? 'running' : 'stopped', nodes: nodes.length }
}
