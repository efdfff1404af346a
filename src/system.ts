// Production implementations of the ports: child processes, the Actions log, saved state, the
// clock, the tool cache, the Kubernetes client, the artifact and cache services. Nothing here
// decides anything about the run; it only does.

import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmod, readFile } from 'node:fs/promises'
import { createReadStream } from 'node:fs'
import * as core from '@actions/core'
import type {
  Clock,
  CommandResult,
  CommandRunner,
  Logger,
  RunOptions,
  StateStore
} from './effects.js'
import type { ToolCachePort } from './cluster/install.js'
import { PhaseError } from './errors.js'
import type { Connection, ConnectOptions } from './kube/index.js'
import type { ArtifactPort } from './diagnostics/index.js'
import { processTree, signalGroup, signalProcesses, type ProcessRef } from './process-tree.js'
import { fenceUntrusted, UntrustedStream } from './untrusted.js'

const KILL_GRACE_MS = 2500
const MAX_CAPTURE = 4 * 1024 * 1024

export interface ProcessRunnerOptions {
  /** When it aborts, running children and all they started are stopped; new runs are refused. */
  signal?: AbortSignal
  /** SIGTERM, then SIGKILL after this long (on timeout and on cancel). */
  killGraceMs?: number
  /** Where streamed output goes (default: stdout), fenced as untrusted text. */
  write?: (text: string) => void
}

export interface ProcessRunner extends CommandRunner {
  /**
   * Resolves once every child has closed (or after ms), then SIGKILLs whatever a stopped child
   * left alive: after it, no process this runner started or stopped is still running.
   */
  settled(ms: number): Promise<void>
}

/**
 * Runs argv arrays (never a shell). Each child leads its own process group, so a timeout or a
 * cancel stops it with everything it started (docker's plugins, minikube's helpers).
 */
export function createProcessRunner(o: ProcessRunnerOptions = {}): ProcessRunner {
  const children: Children = {
    grace: o.killGraceMs ?? KILL_GRACE_MS,
    write: o.write ?? ((text: string) => void process.stdout.write(text)),
    live: new Set(),
    ended: []
  }
  o.signal?.addEventListener('abort', () => [...children.live].forEach(c => c.stop()), {
    once: true
  })
  return {
    run(command, args, options = {}) {
      if (o.signal?.aborted) {
        const stderr = `${command}: not started: the step is being cancelled`
        return Promise.resolve({ exitCode: 130, stdout: '', stderr, timedOut: false })
      }
      return runChild(children, command, args, options)
    },
    settled: ms => settled(children, ms)
  }
}

/** What one runner knows of the children it started. */
interface Children {
  grace: number
  write: (text: string) => void
  live: Set<LiveChild>
  /** Children that were stopped and have closed: what they left may still need a SIGKILL. */
  ended: LiveChild[]
}

function runChild(
  children: Children,
  command: string,
  args: readonly string[],
  options: RunOptions
): Promise<CommandResult> {
  return new Promise(resolve => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32'
    })
    const stream = options.stream ? new UntrustedStream(children.write) : undefined
    // End the fence when stopping: the step's own commands (groups, errors) follow at once.
    const entry = new LiveChild(child, children.grace, () => stream?.close())
    children.live.add(entry)
    const output = { stdout: '', stderr: '' }
    const capture = (chunk: Buffer, to: 'stdout' | 'stderr'): void => {
      const text = chunk.toString('utf8')
      output[to] = (output[to] + text).slice(-MAX_CAPTURE)
      stream?.chunk(text)
    }
    child.stdout.on('data', (c: Buffer) => capture(c, 'stdout'))
    child.stderr.on('data', (c: Buffer) => capture(c, 'stderr'))
    let timedOut = false
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true
            entry.stop()
          }, options.timeoutMs)
    let finished = false
    const finish = (exitCode: number): void => {
      if (finished) return
      finished = true
      if (timer) clearTimeout(timer)
      entry.cancelKill()
      stream?.close()
      children.live.delete(entry)
      if (entry.stopped.length) children.ended.push(entry)
      entry.markClosed()
      resolve({ exitCode, ...output, timedOut })
    }
    child.on('error', err => {
      output.stderr += `${command}: ${err.message}`
      finish(127)
    })
    child.on('close', code => finish(code ?? 1))
  })
}

/** A running child: stopped with its process tree, SIGTERM first, SIGKILL after the grace. */
class LiveChild {
  /** The processes signalled when it was stopped. */
  stopped: ProcessRef[] = []
  readonly closed: Promise<void>
  markClosed: () => void = () => {}
  private killTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly child: ChildProcess,
    private readonly grace: number,
    private readonly onStop: () => void
  ) {
    this.closed = new Promise<void>(r => (this.markClosed = r))
  }

  stop(): void {
    const pid = this.child.pid
    if (this.stopped.length || !pid) return
    this.onStop()
    this.stopped = processTree(pid)
    signalGroup(pid, 'SIGTERM')
    signalProcesses(this.stopped, 'SIGTERM')
    this.killTimer = setTimeout(() => {
      signalGroup(pid, 'SIGKILL')
      signalProcesses(this.stopped, 'SIGKILL')
    }, this.grace)
  }

  /** The child has closed: no SIGKILL for its group. */
  cancelKill(): void {
    if (this.killTimer) clearTimeout(this.killTimer)
  }
}

async function settled(children: Children, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    Promise.all([...children.live].map(c => c.closed)),
    new Promise<void>(r => (timer = setTimeout(r, ms)))
  ])
  clearTimeout(timer)
  for (const c of [...children.ended, ...children.live]) signalProcesses(c.stopped, 'SIGKILL')
}

/** For the post step and anything not cancelled: no signal. */
export const processRunner: CommandRunner = createProcessRunner()

export const actionsLogger: Logger = {
  info: m => core.info(m),
  warning: m => core.warning(m),
  error: m => core.error(m),
  debug: m => core.debug(m),
  untrusted: text => void process.stdout.write(fenceUntrusted(text)),
  group: (name, fn) => core.group(name, fn)
}

export const actionsState: StateStore = {
  save: (key, value) => core.saveState(key, value),
  get: key => core.getState(key)
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms))
}

/** Tool cache through @actions/tool-cache, loaded only when an install is needed. */
const toolCache: ToolCachePort = {
  find: () => '', // loadToolCache replaces it: find needs the module loaded (it is synchronous)
  async downloadTool(url) {
    return (await import('@actions/tool-cache')).downloadTool(url)
  },
  async cacheFile(source, target, tool, version, arch) {
    return (await import('@actions/tool-cache')).cacheFile(source, target, tool, version, arch)
  },
  async sha256(file) {
    const hash = createHash('sha256')
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
    return hash.digest('hex')
  },
  readText: file => readFile(file, 'utf8'),
  chmodExecutable: file => chmod(file, 0o755),
  async which(command) {
    return (await import('@actions/io')).which(command, false)
  }
}

export async function loadToolCache(): Promise<ToolCachePort> {
  const tc = await import('@actions/tool-cache')
  return { ...toolCache, find: (tool, version, arch) => tc.find(tool, version, arch) }
}

/**
 * The real Kubernetes client, loaded on first use: client-node is most of the bundle (kept out of
 * cold start and of input validation) and needs Node.js 22.19 or later (its undici).
 */
export async function connectKubeLazily(options: ConnectOptions = {}): Promise<Connection> {
  const [major, minor] = process.versions.node.split('.').map(Number)
  if (major < 22 || (major === 22 && minor < 19)) {
    throw new PhaseError(
      `minikube-smoke needs Node.js 22.19 or later for the Kubernetes client (action.yml runs it on node24); this is Node.js ${process.versions.node}`
    )
  }
  const { connectKube } = await import('./kube/client.js')
  return connectKube(options)
}

/**
 * The Actions artifact service through @actions/artifact, loaded only when uploading (it and the
 * Azure blob client it brings are kept out of cold start).
 */
export const artifactService: ArtifactPort = {
  unavailable() {
    const env = process.env
    if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
      return 'no artifact service here: ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set (not a GitHub Actions job)'
    }
    // @actions/artifact 2+ refuses GitHub Enterprise Server (its isGhes(): any host but
    // github.com, *.ghe.com and *.localhost); say so here rather than through its warning.
    const host = new URL(env.GITHUB_SERVER_URL || 'https://github.com').hostname.toLowerCase()
    if (host !== 'github.com' && !host.endsWith('.ghe.com') && !host.endsWith('.localhost')) {
      return `this GitHub Enterprise Server (${host}) has no artifact service for @actions/artifact 2+`
    }
    return undefined
  },
  async upload(name, files, rootDirectory) {
    const { DefaultArtifactClient } = await import('@actions/artifact')
    const r = await new DefaultArtifactClient().uploadArtifact(name, files, rootDirectory)
    return { id: r.id, size: r.size }
  }
}

export interface CachePort {
  available(): boolean
  restore(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined>
  save(paths: string[], key: string): Promise<void>
}

/** The Actions cache service; unavailable outside GitHub (no cache service URL). */
export async function loadCache(): Promise<CachePort> {
  const cache = await import('@actions/cache')
  return {
    available: () => cache.isFeatureAvailable(),
    restore: (paths, key, restoreKeys) => cache.restoreCache(paths, key, restoreKeys),
    save: async (paths, key) => {
      await cache.saveCache(paths, key)
    }
  }
}
