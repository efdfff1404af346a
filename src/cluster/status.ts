// Interprets `minikube status -o json` and its exit code, as minikube 1.33–1.38 print them
// (cmd/minikube/cmd/status.go, pkg/minikube/cluster/status.go):
//   - one node: an object; several nodes: an array (workers have APIServer/Kubeconfig "Irrelevant");
//   - no such profile: exit code 85 (mustload.Partial), messages as CloudEvents lines with -o json;
//   - a profile whose status cannot be read (a node host missing, or the driver not answering):
//     `null`, exit 0 on 1.35–1.37 and exit 7 on 1.38; older versions print Host "Nonexistent".
// Only exit code 85 means "absent": anything else that is not plainly running or stopped is an
// error that leaves the profile alone, so a broken cluster of the user's is never started over or
// deleted at teardown.

import { PhaseError } from '../errors.js'
import type { PriorState } from './types.js'

export const EX_GUEST_NOT_FOUND = 85

export interface MinikubeStatus {
  state: PriorState
  nodes: number
}

interface NodeStatus {
  Name?: string
  Host?: string
  Kubelet?: string
  APIServer?: string
  Kubeconfig?: string
  Worker?: boolean
}

export function interpretMinikubeStatus(
  result: { exitCode: number; stdout: string; stderr?: string },
  profile: string
): MinikubeStatus {
  if (result.exitCode === EX_GUEST_NOT_FOUND) return { state: 'absent', nodes: 0 }
  const leave = (what: string): PhaseError =>
    new PhaseError(
      `minikube status -p ${profile} ${what} (exit code ${result.exitCode}); the action leaves ` +
        `this profile alone: check it with "minikube status -p ${profile}" and "minikube logs -p ${profile}", ` +
        `then start it, delete it, or set the 'profile' input to another name`
    )

  const values = statusValues(result.stdout)
  if (values.length !== 1) {
    const text = (result.stdout.trim() || result.stderr?.trim() || '').slice(0, 300)
    throw leave(text ? `printed no status: ${JSON.stringify(text)}` : 'printed nothing')
  }
  const value = values[0]
  if (value === null) throw leave('printed null: minikube could not read the status of its nodes')
  const nodes = (Array.isArray(value) ? value : [value]) as unknown[]
  if (nodes.length === 0 || !nodes.every(isNodeStatus))
    throw leave(`printed an unexpected status: ${JSON.stringify(value).slice(0, 300)}`)

  if (nodes.every(isRunning)) {
    const misconfigured = nodes.find(n => !n.Worker && n.Kubeconfig === 'Misconfigured')
    if (misconfigured)
      throw leave(
        `says the kubeconfig entry is stale (Kubeconfig Misconfigured); "minikube update-context -p ${profile}" fixes it`
      )
    return { state: 'running', nodes: nodes.length }
  }
  if (nodes.every(n => n.Host === 'Stopped')) return { state: 'stopped', nodes: nodes.length }
  throw leave(`says the profile is neither running nor stopped (${nodes.map(describe).join('; ')})`)
}

/** Every JSON value on stdout that is not a CloudEvent (minikube's messages under -o json). */
function statusValues(stdout: string): unknown[] {
  const values: unknown[] = []
  for (const line of stdout.split('\n')) {
    const text = line.trim()
    if (text === '') continue
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return [] // text that is not JSON: not a status we can trust
    }
    if (parsed !== null && typeof parsed === 'object' && 'specversion' in parsed) continue
    values.push(parsed)
  }
  return values
}

function isNodeStatus(n: unknown): n is NodeStatus {
  return n !== null && typeof n === 'object' && typeof (n as NodeStatus).Host === 'string'
}

function isRunning(n: NodeStatus): boolean {
  const apiServerOk =
    n.APIServer === 'Running' || (n.Worker === true && n.APIServer === 'Irrelevant')
  return n.Host === 'Running' && n.Kubelet === 'Running' && apiServerOk
}

function describe(n: NodeStatus): string {
  return `${n.Name ?? 'node'}: host ${n.Host}, kubelet ${n.Kubelet ?? '?'}, apiserver ${n.APIServer ?? '?'}`
}
