// The production ProcessPort: long-running children, and processes told apart by pid + start time
// (a pid the system has since given to another process is never signalled).
//   Linux:   field 22 of /proc/PID/stat (clock ticks since boot), as test/cluster/lib.sh does;
//   macOS:   `ps -o lstart= -p PID`;
//   Windows: the process's StartTime through PowerShell.

import { execFile, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type { ChildProcessHandle, ProcessPort } from './effects.js'
import { parseProcStat } from './process-tree.js'

export const systemProcesses: ProcessPort = {
  spawn(command, args) {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const listeners: Array<(line: string, stream: 'stdout' | 'stderr') => void> = []
    const exited = new Promise<{ code: number | null; signal: string | null }>(resolve => {
      child.on('error', () => resolve({ code: 127, signal: null }))
      child.on('exit', (code, signal) => resolve({ code, signal }))
    })
    for (const stream of ['stdout', 'stderr'] as const) {
      let pending = ''
      child[stream].on('data', (chunk: Buffer) => {
        const parts = (pending + chunk.toString('utf8')).split('\n')
        pending = parts.pop() ?? ''
        for (const line of parts) for (const l of listeners) l(line.replace(/\r$/, ''), stream)
      })
    }
    const handle: ChildProcessHandle = {
      pid: child.pid ?? -1,
      onLine: l => listeners.push(l),
      exited,
      kill: signal => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      }
    }
    return handle
  },

  startTime: pid => startTimeOf(pid, process.platform),

  signal(pid, signal) {
    try {
      process.kill(pid, signal)
      return true
    } catch {
      return false
    }
  }
}

export async function startTimeOf(pid: number, platform: string): Promise<string | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined
  if (platform === 'linux') return linuxStartTime(pid)
  if (platform === 'win32')
    return output('powershell', [
      '-NoProfile',
      '-Command',
      `(Get-Process -Id ${pid} -ErrorAction Stop).StartTime.ToFileTimeUtc()`
    ])
  return output('ps', ['-o', 'lstart=', '-p', String(pid)])
}

async function linuxStartTime(pid: number): Promise<string | undefined> {
  let stat: string
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  const { state, start } = parseProcStat(stat)
  return state === 'Z' ? undefined : start
}

function output(command: string, args: string[]): Promise<string | undefined> {
  return new Promise(resolve => {
    execFile(command, args, { timeout: 10_000 }, (err, stdout) => {
      const text = stdout.trim()
      resolve(err || text === '' ? undefined : text)
    })
  })
}
