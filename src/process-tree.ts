// Stopping a child and everything it started. Children are spawned as process-group leaders, so
// one kill(-pgid) reaches the group; descendants that moved to a group of their own are found by
// parent pid in /proc (Linux; elsewhere the group alone is signalled). Each process is identified
// by pid and start time, so a pid the system reused meanwhile is never signalled.

import { readdirSync, readFileSync } from 'node:fs'

export interface ProcessRef {
  pid: number
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
  start: string
}

interface ProcStat {
  ppid: number
  /** `Z`: a zombie (exited, not yet reaped). */
  state: string
  /** Field 22: clock ticks since boot. */
  start: string
}

/** The text of /proc/<pid>/stat, read. */
export function parseProcStat(stat: string): ProcStat {
  // `pid (comm) state ppid …`; comm may hold spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { state: fields[0], ppid: Number(fields[1]), start: fields[19] }
}

function readStat(pid: number | string, proc: string): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`${proc}/${pid}/stat`, 'utf8'))
  } catch {
    return undefined // gone meanwhile, or no /proc
  }
}

/** Whether the process is still there and not a zombie (a zombie is dead, only not yet reaped). */
export function isAlive(ref: ProcessRef, proc = '/proc'): boolean {
  const s = readStat(ref.pid, proc)
  return s !== undefined && s.state !== 'Z' && s.start === ref.start
}

/** pid and every live descendant of it (children, their children, …), from /proc. */
export function processTree(pid: number, proc = '/proc'): ProcessRef[] {
  let entries: string[]
  try {
    entries = readdirSync(proc).filter(e => /^\d+$/.test(e))
  } catch {
    return []
  }
  const stats = new Map<number, ProcStat>()
  const children = new Map<number, number[]>()
  for (const entry of entries) {
    const s = readStat(entry, proc)
    if (!s || s.state === 'Z') continue
    stats.set(Number(entry), s)
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), Number(entry)])
  }
  const out: ProcessRef[] = []
  const seen = new Set<number>()
  const queue = stats.has(pid) ? [pid] : []
  while (queue.length) {
    const p = queue.shift()!
    if (seen.has(p)) continue
    seen.add(p)
    out.push({ pid: p, start: stats.get(p)!.start })
    queue.push(...(children.get(p) ?? []))
  }
  return out
}

/** Signals each process that is still the one recorded; never throws. */
export function signalProcesses(refs: readonly ProcessRef[], signal: NodeJS.Signals): void {
  for (const ref of refs) {
    if (!isAlive(ref)) continue
    try {
      process.kill(ref.pid, signal)
    } catch {
      // gone meanwhile
    }
  }
}

/** Signals a process group; never throws (the group may be gone). */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // no such group
  }
}
