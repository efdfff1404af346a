// Production implementations of the ports: child processes, the Actions log, saved state, the
// tool cache and the cache service. Nothing here decides anything; it only does.

import { spawn } from 'node:child_process'
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
} from './ports.js'
import type { ToolCachePort } from './cluster/install.js'
import { PhaseError } from './errors.js'
import type { Connection, ConnectOptions } from './kube/index.js'

const KILL_GRACE_MS = 5000
const MAX_CAPTURE = 4 * 1024 * 1024

export const processRunner: CommandRunner = {
  run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    return new Promise(resolve => {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe']
      })
      let stdout = ''
      let stderr = ''
      let timedOut = false
      const capture = (chunk: Buffer, toErr: boolean): void => {
        const text = chunk.toString('utf8')
        if (toErr) stderr = (stderr + text).slice(-MAX_CAPTURE)
        else stdout = (stdout + text).slice(-MAX_CAPTURE)
        if (options.stream) process.stdout.write(text)
      }
      child.stdout.on('data', (c: Buffer) => capture(c, false))
      child.stderr.on('data', (c: Buffer) => capture(c, true))
      let killTimer: NodeJS.Timeout | undefined
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true
              child.kill('SIGTERM')
              killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS)
            }, options.timeoutMs)
      const finish = (exitCode: number): void => {
        if (timer) clearTimeout(timer)
        if (killTimer) clearTimeout(killTimer)
        resolve({ exitCode, stdout, stderr, timedOut })
      }
      child.on('error', err => {
        stderr += `${command}: ${err.message}`
        finish(127)
      })
      child.on('close', code => finish(code ?? 1))
    })
  }
}

export const actionsLogger: Logger = {
  info: m => core.info(m),
  warning: m => core.warning(m),
  error: m => core.error(m),
  debug: m => core.debug(m),
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
export const toolCache: ToolCachePort = {
  find: () => '', // replaced below once loaded; find needs the module synchronously
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
      'deploy',
      `minikube-smoke needs Node.js 22.19 or later for the Kubernetes client (action.yml runs it on node24); this is Node.js ${process.versions.node}`
    )
  }
  const { connectKube } = await import('./kube/client.js')
  return connectKube(options)
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
