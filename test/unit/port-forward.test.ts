// The port-forward module with a fake ProcessPort, and the real ProcessPort on real processes.

import { describe, expect, test } from '@jest/globals'
import { spawn } from 'node:child_process'
import {
  portForwardArgs,
  startPortForward,
  stopRecordedProcess
} from '../../src/expose/port-forward.js'
import { startTimeOf, systemProcesses } from '../../src/processes.js'
import type { ProcessRecord } from '../../src/effects.js'
import { FakeProcesses } from './fakes/processes.js'

function options(over: Partial<Parameters<typeof startPortForward>[1]> = {}) {
  const logs: string[] = []
  const warnings: string[] = []
  const records: ProcessRecord[] = []
  return {
    logs,
    warnings,
    records,
    o: {
      kubectl: '/usr/bin/kubectl',
      namespace: 'smoke-1',
      service: 'web',
      port: 8080,
      readyTimeoutMs: 500,
      log: (l: string) => logs.push(l),
      warn: (l: string) => warnings.push(l),
      onStarted: (r: ProcessRecord) => records.push(r),
      ...over
    }
  }
}

describe('startPortForward', () => {
  test('argv: bound to 127.0.0.1, a port kubectl picks, the context when there is one', () => {
    expect(portForwardArgs({ namespace: 'ns', service: 'web', port: 80 })).toEqual([
      'port-forward',
      '--namespace',
      'ns',
      '--address',
      '127.0.0.1',
      'service/web',
      ':80'
    ])
    expect(
      portForwardArgs({ context: 'minikube', namespace: 'ns', service: 'web', port: 80 })
    ).toEqual([
      '--context',
      'minikube',
      'port-forward',
      '--namespace',
      'ns',
      '--address',
      '127.0.0.1',
      'service/web',
      ':80'
    ])
  })

  test('the URL is the port kubectl reports; the process is recorded first, stopped once', async () => {
    const processes = new FakeProcesses(() => ({
      lines: [
        ['Forwarding from 127.0.0.1:39999 -> 8080', 'stdout'],
        ['Handling connection for 39999', 'stdout']
      ]
    }))
    const { o, records, logs } = options()
    const pf = await startPortForward(processes, o)
    expect(pf.url).toBe('http://127.0.0.1:39999')
    expect(records).toEqual([{ pid: pf.pid, startTime: `t${pf.pid}` }])
    expect(logs.at(-1)).toBe(
      `kubectl port-forward (pid ${pf.pid}) forwards 127.0.0.1:39999 to service "web" port 8080`
    )
    await pf.stop()
    await pf.stop()
    expect(processes.children[0].signals).toEqual(['SIGTERM'])
    expect(processes.alive.size).toBe(0)
  })

  test('kubectl exiting before it forwards: its own message, nothing left running', async () => {
    const processes = new FakeProcesses(() => ({
      lines: [['error: services "web" not found', 'stderr']],
      exitCode: 1
    }))
    const { o } = options()
    await expect(startPortForward(processes, o)).rejects.toThrow(
      'kubectl port-forward to service "web" in namespace "smoke-1" exited (exit code 1) before forwarding: error: services "web" not found'
    )
    expect(processes.alive.size).toBe(0)
  })

  test('kubectl that never says it listens is stopped after the timeout', async () => {
    const processes = new FakeProcesses(() => ({ lines: [] }))
    const { o } = options({ readyTimeoutMs: 50 })
    await expect(startPortForward(processes, o)).rejects.toThrow(
      'did not start forwarding within 0.05 s'
    )
    expect(processes.children[0].signals).toEqual(['SIGTERM'])
    expect(processes.alive.size).toBe(0)
  })
})

describe('stopRecordedProcess', () => {
  test('stops the recorded process; a different start time is left alone', async () => {
    const processes = new FakeProcesses()
    processes.alive.set(10, 'a')
    expect(await stopRecordedProcess(processes, { pid: 10, startTime: 'b' })).toBe('gone')
    expect(processes.signals).toEqual([])
    expect(await stopRecordedProcess(processes, { pid: 10, startTime: 'a' })).toBe('stopped')
    expect(processes.signals).toEqual([[10, 'SIGTERM']])
  })
})

describe('systemProcesses on real processes', () => {
  test('start time by /proc and by ps; gone once the process exits', async () => {
    const child = spawn('sleep', ['30'])
    const pid = child.pid!
    const proc = await startTimeOf(pid, 'linux')
    const ps = await startTimeOf(pid, 'darwin') // `ps -o lstart=`, what macOS uses
    expect(proc).toMatch(/^\d+$/)
    expect(ps).toMatch(/\d\d:\d\d:\d\d/)
    expect(await startTimeOf(pid, 'linux')).toBe(proc)
    const exited = new Promise(r => child.on('exit', r))
    expect(systemProcesses.signal(pid, 'SIGTERM')).toBe(true)
    await exited
    expect(await startTimeOf(pid, 'linux')).toBeUndefined()
    expect(await startTimeOf(pid, 'darwin')).toBeUndefined()
    expect(systemProcesses.signal(pid, 'SIGTERM')).toBe(false)
  })

  test('a real child: lines from both streams, its exit, and a kill', async () => {
    const script =
      'console.log("Forwarding from 127.0.0.1:45678 -> 80"); console.error("warn"); setInterval(() => {}, 1000)'
    const child = systemProcesses.spawn(process.execPath, ['-e', script])
    const lines: string[] = []
    child.onLine((line, stream) => lines.push(`${stream}: ${line}`))
    await new Promise(r => setTimeout(r, 500))
    expect(lines.sort()).toEqual(['stderr: warn', 'stdout: Forwarding from 127.0.0.1:45678 -> 80'])
    expect(await systemProcesses.startTime(child.pid)).toBeDefined()
    child.kill('SIGTERM')
    expect(await child.exited).toEqual({ code: null, signal: 'SIGTERM' })
    expect(await systemProcesses.startTime(child.pid)).toBeUndefined()
  })

  test('startPortForward over a real child that stops on its own warns, and stop still resolves', async () => {
    const script =
      'console.log("Forwarding from 127.0.0.1:45679 -> 80"); setTimeout(() => { console.error("error: lost connection to pod"); process.exit(1) }, 200)'
    const { o, warnings } = options({ kubectl: process.execPath })
    const real = {
      ...systemProcesses,
      spawn: () => systemProcesses.spawn(process.execPath, ['-e', script])
    }
    const pf = await startPortForward(real, o)
    expect(pf.url).toBe('http://127.0.0.1:45679')
    await new Promise(r => setTimeout(r, 600))
    expect(warnings).toEqual([
      'kubectl port-forward to service "web" stopped (exit code 1): error: lost connection to pod'
    ])
    await pf.stop()
  })

  test('a child that ignores SIGTERM is killed', async () => {
    const script =
      'process.on("SIGTERM", () => {}); console.log("Forwarding from 127.0.0.1:45680 -> 80"); setInterval(() => {}, 1000)'
    const { o } = options({ kubectl: process.execPath })
    const real = {
      ...systemProcesses,
      spawn: () => systemProcesses.spawn(process.execPath, ['-e', script])
    }
    const pf = await startPortForward(real, o)
    await pf.stop()
    expect(await systemProcesses.startTime(pf.pid)).toBeUndefined()
  })
})
