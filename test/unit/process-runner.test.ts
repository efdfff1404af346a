// The real process runner with real processes: a cancel or a timeout stops the child and all it
// started (in its group, or in a session of its own), a child that ignores SIGTERM is killed,
// nothing starts after a cancel, and streamed output is fenced as untrusted.

import { describe, expect, test } from '@jest/globals'
import { createProcessRunner } from '../../src/system.js'
import { isAlive, processTree, type ProcessRef } from '../../src/process-tree.js'
import { readAsRunner } from '../support/workflow-commands.mjs'

/** Runs a bash script that prints its background pids, one per line, then waits. */
function start(
  script: string,
  o: { signal?: AbortSignal; killGraceMs?: number; timeoutMs?: number }
) {
  let out = ''
  const pids: number[] = []
  let onPids: () => void = () => {}
  const printed = (n: number) =>
    new Promise<void>(resolve => {
      onPids = () => pids.length >= n && resolve()
      onPids()
    })
  const runner = createProcessRunner({
    signal: o.signal,
    killGraceMs: o.killGraceMs,
    write: text => {
      out += text
      for (const m of text.matchAll(/^pid (\d+)$/gm)) pids.push(Number(m[1]))
      onPids()
    }
  })
  const result = runner.run('bash', ['-c', script], { stream: true, timeoutMs: o.timeoutMs })
  return { runner, result, pids, printed, output: () => out }
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
const refs = (pids: number[]): ProcessRef[] => pids.flatMap(p => processTree(p))

describe('createProcessRunner', () => {
  test('cancel: the child, its group and a descendant in its own session all stop', async () => {
    const cancel = new AbortController()
    const r = start(
      'sleep 301 & echo "pid $!"; setsid sleep 302 & echo "pid $!"; echo "::error::from the child"; wait',
      // A long grace: what stops them here is the SIGTERM reaching every one of them at once.
      { signal: cancel.signal, killGraceMs: 20_000 }
    )
    await r.printed(2)
    const tree = refs(r.pids)
    expect(tree.length).toBe(2)
    expect(tree.every(p => isAlive(p))).toBe(true)
    const started = Date.now()
    cancel.abort()
    const result = await r.result
    // Generous: the grace period (20 s) is what a missed process would take.
    expect(Date.now() - started).toBeLessThan(5000)
    while (tree.some(p => isAlive(p)) && Date.now() - started < 5000) await sleep(20)
    expect(tree.filter(p => isAlive(p))).toEqual([])
    expect(result.exitCode).not.toBe(0)
    await r.runner.settled(1000)
    // The child's output was fenced, and the fence closed when the cancel came.
    const reading = readAsRunner(`${r.output()}::error::cancelled\n`)
    expect(reading.annotations.map(a => a.message)).toEqual(['cancelled'])
  })

  test('a child that ignores SIGTERM is killed after the grace period', async () => {
    const cancel = new AbortController()
    const r = start('trap "" TERM; sleep 303 & echo "pid $!"; wait; wait', {
      signal: cancel.signal,
      killGraceMs: 300
    })
    await r.printed(1)
    const tree = refs(r.pids)
    cancel.abort()
    await r.result
    await r.runner.settled(3000)
    expect(tree.filter(p => isAlive(p))).toEqual([])
  })

  test('timeout stops the whole tree too', async () => {
    const r = start('setsid sleep 304 & echo "pid $!"; wait', {
      timeoutMs: 500,
      killGraceMs: 20_000
    })
    await r.printed(1)
    const tree = refs(r.pids)
    const started = Date.now()
    const result = await r.result
    expect(result.timedOut).toBe(true)
    expect(Date.now() - started).toBeLessThan(5000)
    while (tree.some(p => isAlive(p)) && Date.now() - started < 5000) await sleep(20)
    expect(tree.filter(p => isAlive(p))).toEqual([])
    await r.runner.settled(1000)
  })

  test('after a cancel nothing new starts', async () => {
    const cancel = new AbortController()
    cancel.abort()
    const runner = createProcessRunner({ signal: cancel.signal })
    const result = await runner.run('bash', ['-c', 'echo started > /dev/stderr'])
    expect(result).toEqual({
      exitCode: 130,
      stdout: '',
      stderr: 'bash: not started: the step is being cancelled',
      timedOut: false
    })
  })

  test('a command that finishes normally is untouched and its output captured', async () => {
    const runner = createProcessRunner()
    const result = await runner.run('bash', ['-c', 'echo out; echo err >&2; exit 3'])
    expect(result).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false })
    await runner.settled(100)
  })
})
