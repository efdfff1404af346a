// The URL through a port-forward the action owns: `kubectl port-forward service/NAME :PORT`,
// bound to 127.0.0.1 on a port kubectl picks free, as an argv child. It reaches the Service where
// a NodePort cannot be reached (macOS and Windows runners, whose cluster runs inside Docker
// Desktop's VM) and serves ClusterIP-only Services. Main stops it when it ends; its pid and start
// time are in state first, so the post step stops it if main was killed.

import type { ToolCachePort } from '../cluster/install.js'
import { InputError, PhaseError } from '../errors.js'
import type { ChildProcessHandle, ProcessPort, ProcessRecord } from '../effects.js'

export interface PortForwardOptions {
  kubectl: string
  /** kubeconfig context; undefined: the current one. */
  context?: string
  /** The kubeconfig file the run used (the same cluster as its API calls). */
  kubeconfig?: string
  namespace: string
  service: string
  /** The Service port (not the container's). */
  port: number
  /** How long kubectl may take to say it listens. */
  readyTimeoutMs?: number
  log: (line: string) => void
  warn: (line: string) => void
  /** Called with the process's identity before anything waits on it: record it in state. */
  onStarted: (record: ProcessRecord) => void
}

export interface PortForward {
  url: string
  localPort: number
  pid: number
  /** Stops kubectl (TERM, then KILL) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>
}

const FORWARDING = /^Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/
const STOP_GRACE_MS = 3000

/** kubectl on PATH, checked before anything starts. */
export async function findKubectl(toolCache: () => Promise<ToolCachePort>): Promise<string> {
  const path = await (await toolCache()).which('kubectl')
  if (path === '')
    throw new InputError(
      'url-mode',
      "port-forward needs kubectl on PATH (GitHub's hosted runners have it): install it, or set url-mode: nodeport"
    )
  return path
}

export function portForwardArgs(
  o: Pick<PortForwardOptions, 'context' | 'kubeconfig' | 'namespace' | 'service' | 'port'>
): string[] {
  return [
    ...(o.kubeconfig ? ['--kubeconfig', o.kubeconfig] : []),
    ...(o.context ? ['--context', o.context] : []),
    'port-forward',
    '--namespace',
    o.namespace,
    '--address',
    '127.0.0.1',
    `service/${o.service}`,
    `:${o.port}`
  ]
}

export async function startPortForward(
  processes: ProcessPort,
  o: PortForwardOptions
): Promise<PortForward> {
  const args = portForwardArgs(o)
  o.log(`Running: kubectl ${args.join(' ')}`)
  const child = processes.spawn(o.kubectl, args)
  const stderr: string[] = []
  let ready: ((port: number) => void) | undefined
  const listening = new Promise<number>(resolve => (ready = resolve))
  child.onLine((line, stream) => {
    if (stream === 'stderr') {
      stderr.push(line)
      if (stderr.length > 20) stderr.shift()
      return
    }
    const m = FORWARDING.exec(line)
    if (m) ready?.(Number(m[1]))
  })
  const startTime = await processes.startTime(child.pid)
  if (startTime !== undefined) o.onStarted({ pid: child.pid, startTime })

  let stopping = false
  const stop = once(async () => {
    stopping = true
    await stopChild(child)
  })
  const timeoutMs = o.readyTimeoutMs ?? 30_000
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([
    listening.then(port => ({ port })),
    child.exited.then(e => ({ exited: e })),
    new Promise<{ timeout: true }>(resolve => {
      timer = setTimeout(() => resolve({ timeout: true }), timeoutMs)
    })
  ])
  clearTimeout(timer)
  if (!('port' in outcome)) {
    await stop()
    const why =
      'exited' in outcome
        ? `exited (${describeExit(outcome.exited)}) before forwarding`
        : `did not start forwarding within ${timeoutMs / 1000} s`
    throw new PhaseError(
      `kubectl port-forward to service "${o.service}" in namespace "${o.namespace}" ${why}` +
        (stderr.length ? `: ${stderr.slice(-3).join(' | ')}` : '')
    )
  }
  void child.exited.then(e => {
    if (!stopping)
      o.warn(
        `kubectl port-forward to service "${o.service}" stopped (${describeExit(e)}): ${stderr.slice(-3).join(' | ') || 'no message'}`
      )
  })
  o.log(
    `kubectl port-forward (pid ${child.pid}) forwards 127.0.0.1:${outcome.port} to service "${o.service}" port ${o.port}`
  )
  return { url: `http://127.0.0.1:${outcome.port}`, localPort: outcome.port, pid: child.pid, stop }
}

/**
 * The post step's part: stops a port-forward main recorded and did not stop (main was killed).
 * Never signals a process that is not the one recorded (same pid, same start time).
 */
export async function stopRecordedProcess(
  processes: ProcessPort,
  record: ProcessRecord,
  sleep: (ms: number) => Promise<void> = ms => new Promise(r => setTimeout(r, ms))
): Promise<'stopped' | 'gone'> {
  const same = async () => (await processes.startTime(record.pid)) === record.startTime
  if (!(await same())) return 'gone'
  processes.signal(record.pid, 'SIGTERM')
  for (let waited = 0; waited < STOP_GRACE_MS; waited += 100) {
    if (!(await same())) return 'stopped'
    await sleep(100)
  }
  if (await same()) processes.signal(record.pid, 'SIGKILL')
  for (let waited = 0; waited < 2000 && (await same()); waited += 100) await sleep(100)
  return 'stopped'
}

async function stopChild(child: ChildProcessHandle): Promise<void> {
  let exited = false
  void child.exited.then(() => (exited = true))
  child.kill('SIGTERM')
  const grace = new Promise(resolve => setTimeout(resolve, STOP_GRACE_MS).unref())
  await Promise.race([child.exited, grace])
  if (!exited) {
    child.kill('SIGKILL')
    await child.exited
  }
}

function describeExit(e: { code: number | null; signal: string | null }): string {
  return e.signal ? `signal ${e.signal}` : `exit code ${e.code}`
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined
  return () => (p ??= fn())
}
