// The small interfaces behind which every side effect sits. Production implementations live in
// system.ts; unit tests pass fakes.

export interface CommandResult {
  exitCode: number
  stdout: string
  stderr: string
  /** True when the command was killed because it ran past timeoutMs. */
  timedOut: boolean
}

export interface RunOptions {
  /** Extra environment, merged over the process environment. */
  env?: Record<string, string>
  cwd?: string
  timeoutMs?: number
  /** Echo output to the log as it arrives (long commands such as docker build). */
  stream?: boolean
}

/** Runs a program with an argv array: never through a shell. */
export interface CommandRunner {
  run(command: string, args: readonly string[], options?: RunOptions): Promise<CommandResult>
}

export interface Logger {
  info(message: string): void
  warning(message: string): void
  error(message: string): void
  debug(message: string): void
  /**
   * Text the action did not write (pod logs, events, command output): shown, never obeyed as a
   * workflow command (see untrusted.ts).
   */
  untrusted(text: string): void
  /** A collapsible log group around fn. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
}

/** What main saves for the post step (core.saveState / core.getState). */
export interface StateStore {
  save(key: string, value: string): void
  get(key: string): string
}

export interface Clock {
  now(): number
  /** Monotonic milliseconds with sub-millisecond precision, for latencies; default now(). */
  monotonic?(): number
  sleep(ms: number): Promise<void>
}

/** A process by pid and start time, so a pid the system has since reused is never signalled. */
export interface ProcessRecord {
  pid: number
  /** Opaque start time as the OS reports it (Linux: clock ticks since boot, /proc/PID/stat). */
  startTime: string
}

/** A long-running child process (a port-forward): its output lines, its exit, and a signal. */
export interface ChildProcessHandle {
  pid: number
  onLine(listener: (line: string, stream: 'stdout' | 'stderr') => void): void
  /** Resolves once when the process has exited. */
  exited: Promise<{ code: number | null; signal: string | null }>
  kill(signal: 'SIGTERM' | 'SIGKILL'): void
}

export interface ProcessPort {
  /** Starts a program with an argv array (never a shell); stdin is closed. */
  spawn(command: string, args: readonly string[]): ChildProcessHandle
  /** The process's start time, or undefined when no such process is alive. */
  startTime(pid: number): Promise<string | undefined>
  /** Sends a signal; false when the process is gone. */
  signal(pid: number, signal: 'SIGTERM' | 'SIGKILL'): boolean
}
