import type { CommandResult, CommandRunner, Logger, RunOptions } from '../../../src/effects.js'

export interface Call {
  command: string
  args: string[]
  options: RunOptions
}

type Script = (call: Call) => Partial<CommandResult> | undefined

/** A CommandRunner that records every call and answers from a script (default: exit 0, no output). */
export class FakeRunner implements CommandRunner {
  calls: Call[] = []
  constructor(private readonly script: Script = () => undefined) {}

  async run(
    command: string,
    args: readonly string[],
    options: RunOptions = {}
  ): Promise<CommandResult> {
    const call = { command, args: [...args], options }
    this.calls.push(call)
    return { exitCode: 0, stdout: '', stderr: '', timedOut: false, ...this.script(call) }
  }

  /** Each call as one readable line: `minikube status -p minikube -o json`. */
  lines(): string[] {
    return this.calls.map(c => [c.command.split('/').pop(), ...c.args].join(' '))
  }
}

export class MemoryLogger implements Logger {
  lines: string[] = []
  info(m: string): void {
    this.lines.push(m)
  }
  warning(m: string): void {
    this.lines.push(`warning: ${m}`)
  }
  error(m: string): void {
    this.lines.push(`error: ${m}`)
  }
  debug(): void {}
  untrusted(text: string): void {
    this.lines.push(text)
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.lines.push(`::group::${name}`)
    try {
      return await fn()
    } finally {
      this.lines.push('::endgroup::')
    }
  }
}
