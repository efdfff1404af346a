// Files the test harness reads while another process may be writing them: the cluster's pid files,
// the minikube stand-in's invocation log, the runner's file commands. Only complete records may
// count, and writers must never leave a half-written one to be read. The real scripts run here.

import { describe, expect, test } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(import.meta.dirname, '../..')
const LIB = join(root, 'test/cluster/lib.sh')
const STANDIN = join(root, 'test/cluster/bin/minikube')
const RUNNER = join(root, 'test/e2e/github-runner.mjs')

const tempDir = () => mkdtempSync(join(tmpdir(), 'harness-files-'))

/** Runs `script` in bash with lib.sh sourced and $STATE in `state`; extra args are $1... */
function withLib(state: string, script: string, ...args: string[]) {
  const r = spawnSync('bash', ['-c', `. "$0"; ${script}`, LIB, ...args], {
    env: { ...process.env, MINIKUBE_SMOKE_STATE: state },
    encoding: 'utf8'
  })
  return { code: r.status, out: r.stdout.trim(), err: r.stderr }
}

describe('cluster pid files (lib.sh)', () => {
  test('record_pid writes one complete line and leaves no temporary file', () => {
    const state = tempDir()
    const r = withLib(state, 'record_pid me $$; recorded_pid me; echo " $$"')
    expect(r.code).toBe(0)
    const [recorded, own] = r.out.split(/\s+/)
    expect(recorded).toBe(own)
    expect(readdirSync(join(state, 'pids'))).toEqual(['me.pid'])
    expect(readFileSync(join(state, 'pids/me.pid'), 'utf8')).toMatch(/^\d+ \d+\n$/)
  })

  test('recorded_pid takes a pid file only when its line is complete', () => {
    const state = tempDir()
    // A live process of ours (the bash itself) and its real start time, then the file cut short.
    const script = `record_pid me $$; line=$(cat "$PIDS/me.pid")
      printf '%s' "$line" >"$PIDS/me.pid"; recorded_pid me && echo partial-taken
      : >"$PIDS/me.pid"; recorded_pid me && echo empty-taken
      printf '%s\\n' "$line" >"$PIDS/me.pid"; recorded_pid me >/dev/null && echo complete-taken`
    const r = withLib(state, script)
    expect(r.out.split('\n')).toEqual(['complete-taken'])
  })
})

describe('minikube stand-in invocation log', () => {
  test('concurrent invocations append whole lines that never interleave', () => {
    // 100 started at once from one shell: the old three-write logging interleaved in most runs.
    const RUNS = 100
    const log = join(tempDir(), 'standin.log')
    const env = { ...process.env, MINIKUBE_SMOKE_STATE: tempDir(), MINIKUBE_STANDIN_LOG: log }
    const loop =
      'for i in $(seq 0 $(($2 - 1))); do "$0" version --short --tag=$i "$1" >/dev/null & done; wait'
    const all = spawnSync('bash', ['-c', loop, STANDIN, 'x'.repeat(2000), String(RUNS)], {
      env,
      encoding: 'utf8'
    })
    expect(all.status).toBe(0)
    const text = readFileSync(log, 'utf8')
    expect(text.endsWith('\n')).toBe(true)
    const lines = text.slice(0, -1).split('\n')
    const line = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ version --short --tag=(\d+) x{2000}$/
    expect(lines.filter(l => !line.test(l))).toEqual([])
    expect(lines.map(l => Number(line.exec(l)?.[1])).sort((a, b) => a - b)).toEqual(
      Array.from({ length: RUNS }, (_, i) => i)
    )
  })
})

describe('runner file commands (test/e2e/github-runner.mjs)', () => {
  function parse(content: string): Record<string, string> {
    const file = join(tempDir(), 'state')
    writeFileSync(file, content)
    const code =
      'const { parseFileCommands } = await import(process.argv[1]);' +
      'console.log(JSON.stringify(parseFileCommands(process.argv[2])))'
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code, RUNNER, file], {
      encoding: 'utf8'
    })
    return JSON.parse(out) as Record<string, string>
  }

  test('complete records are read, heredocs included', () => {
    expect(parse('isPost=true\nrun<<ghadelimiter_1\n{"a":1}\nline 2\nghadelimiter_1\n')).toEqual({
      isPost: 'true',
      run: '{"a":1}\nline 2'
    })
  })

  test('a record cut short by a killed step is dropped; the complete one before it stays', () => {
    const first = 'run<<ghadelimiter_1\n{"teardown":"always"}\nghadelimiter_1\n'
    expect(parse(first + 'run<<ghadelimiter_2\n{"teardown":"always","names')).toEqual({
      run: '{"teardown":"always"}'
    })
    expect(parse(first + 'run<<ghadelimiter_2\n{"teardown":"always"}\n')).toEqual({
      run: '{"teardown":"always"}'
    })
    expect(parse('result=passed\nurl=http://127.0.0.1:30')).toEqual({ result: 'passed' })
  })
})
