import type { ChildProcessHandle, ProcessPort } from '../../../src/effects.js'

interface FakeChild {
  command: string
  args: string[]
  pid: number
  signals: string[]
}

/**
 * A ProcessPort whose children print what `script` says (lines on stdout/stderr, then maybe exit)
 * and exit when signalled; start times are "t<pid>" while alive.
 */
export class FakeProcesses implements ProcessPort {
  children: FakeChild[] = []
  /** pid → start time of every live process (children, and others a test adds). */
  alive = new Map<number, string>()
  signals: Array<[number, string]> = []
  private nextPid = 4242

  constructor(
    private readonly script: (child: FakeChild) => {
      lines?: Array<[string, 'stdout' | 'stderr']>
      exitCode?: number
    } = () => ({
      lines: [['Forwarding from 127.0.0.1:41234 -> 5000', 'stdout']]
    })
  ) {}

  spawn(command: string, args: readonly string[]): ChildProcessHandle {
    const pid = this.nextPid++
    const child: FakeChild = { command, args: [...args], pid, signals: [] }
    this.children.push(child)
    this.alive.set(pid, `t${pid}`)
    const listeners: Array<(line: string, stream: 'stdout' | 'stderr') => void> = []
    let exit!: (e: { code: number | null; signal: string | null }) => void
    const exited = new Promise<{ code: number | null; signal: string | null }>(r => (exit = r))
    const end = (e: { code: number | null; signal: string | null }) => {
      this.alive.delete(pid)
      exit(e)
    }
    const plan = this.script(child)
    setTimeout(() => {
      for (const [line, stream] of plan.lines ?? []) for (const l of listeners) l(line, stream)
      if (plan.exitCode !== undefined) end({ code: plan.exitCode, signal: null })
    }, 5)
    return {
      pid,
      onLine: l => listeners.push(l),
      exited,
      kill: signal => {
        child.signals.push(signal)
        if (this.alive.has(pid)) end({ code: null, signal })
      }
    }
  }

  async startTime(pid: number): Promise<string | undefined> {
    return this.alive.get(pid)
  }

  signal(pid: number, signal: 'SIGTERM' | 'SIGKILL'): boolean {
    this.signals.push([pid, signal])
    return this.alive.delete(pid)
  }
}
