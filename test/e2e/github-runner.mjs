// Runs the committed action bundle the way the GitHub runner does: inputs as INPUT_* variables
// (action.yml defaults filled in), GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files, then
// the post entry point with the saved state as STATE_* variables. Nothing here imitates the
// action's own behaviour; it only plays the runner's part.

import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { load } from 'js-yaml'

export const REPO = resolve(import.meta.dirname, '../..')
const ACTION = load(readFileSync(join(REPO, 'action.yml'), 'utf8'))
const ENTRY = {
  main: join(REPO, ACTION.runs.main),
  post: join(REPO, ACTION.runs.post)
}

/**
 * Parses a GitHub file-command file (`name<<delimiter\nvalue\ndelimiter`, or `name=value`). Only
 * complete records count: a step killed while appending can leave a last line without its newline,
 * or a heredoc without its closing delimiter (the runner rejects that one too).
 */
export function parseFileCommands(path) {
  const values = {}
  if (!existsSync(path)) return values
  const lines = readFileSync(path, 'utf8').split('\n')
  lines.pop() // what follows the last newline: nothing, or a line still unterminated
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const end = lines.indexOf(delimiter, i + 1)
      if (end === -1) break // never closed: the rest of the file is one partial record
      values[name] = lines.slice(i + 1, end).join('\n')
      i = end
    } else if (line.includes('=')) {
      values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
    }
  }
  return values
}

function inputEnv(inputs) {
  const env = {}
  for (const [name, spec] of Object.entries(ACTION.inputs)) {
    const value = name in inputs ? inputs[name] : (spec.default ?? '')
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = String(value)
  }
  for (const name of Object.keys(inputs)) {
    if (!(name in ACTION.inputs)) throw new Error(`test bug: action.yml has no input '${name}'`)
  }
  return env
}

/** A process and its live descendants ({pid, start, cmd}), read from /proc like the runner does. */
export function processTree(pid) {
  const stat = p => {
    try {
      const s = readFileSync(`/proc/${p}/stat`, 'utf8')
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ')
      return { state: f[0], ppid: Number(f[1]), start: f[19] }
    } catch {
      return undefined
    }
  }
  const all = new Map()
  for (const e of readdirSync('/proc').filter(e => /^\d+$/.test(e))) {
    const s = stat(e)
    if (s && s.state !== 'Z') all.set(Number(e), s)
  }
  const out = []
  const queue = all.has(pid) ? [pid] : []
  while (queue.length) {
    const p = queue.shift()
    let cmd = ''
    try {
      cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ').trim()
    } catch {
      // gone
    }
    out.push({ pid: p, start: all.get(p).start, cmd })
    for (const [child, s] of all) if (s.ppid === p) queue.push(child)
  }
  return out
}

/** Still running: same pid, same start time, not a zombie. */
export function isAlive(ref) {
  try {
    const s = readFileSync(`/proc/${ref.pid}/stat`, 'utf8')
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ')
    return f[0] !== 'Z' && f[19] === ref.start
  } catch {
    return false
  }
}

function runNode(entry, env, { onLine, onSpawn, timeoutMs = 15 * 60_000 } = {}) {
  return new Promise(resolvePromise => {
    const started = Date.now()
    const child = spawn(process.execPath, [entry], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    onSpawn?.(child)
    let output = ''
    let pending = ''
    const take = chunk => {
      const text = chunk.toString()
      output += text
      if (process.env.E2E_VERBOSE) process.stdout.write(text)
      pending += text
      const parts = pending.split('\n')
      pending = parts.pop()
      for (const line of parts) onLine?.(line, child)
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolvePromise({ code, signal, output, ms: Date.now() - started, endedAt: Date.now() })
    })
  })
}

/**
 * Runs main then post. `killMainWhen(line)` returning true kills main with SIGKILL at that line,
 * as a cancelled or crashed job would; `signalMainWhen(line)` returning a signal name sends it to
 * main (only to main, as the runner's cancel does), recording main's descendants at that moment.
 * Post still runs, as GitHub runs it. `onMainSpawn(child)` sees main's process; `afterMain(outputs, main)`
 * runs between the steps (what main deployed is still there), as a later step of the job would.
 */
export async function runAction({
  inputs = {},
  env = {},
  killMainWhen,
  signalMainWhen,
  skipPost = false,
  onMainSpawn,
  afterMain
} = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-'))
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path')
  }
  for (const f of Object.values(files)) writeFileSync(f, '')
  const base = {
    ...process.env,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: REPO,
    GITHUB_REPOSITORY: 'octo/minikube-smoke',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: String(Date.now()),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'e2e',
    RUNNER_TEMP: dir,
    ...files,
    ...env
  }
  for (const key of Object.keys(base)) {
    if (key.startsWith('INPUT_') || key.startsWith('STATE_')) delete base[key]
  }
  let killedAt
  let signalled
  const main = await runNode(
    ENTRY.main,
    { ...base, ...inputEnv(inputs) },
    {
      onSpawn: onMainSpawn,
      onLine: (line, child) => {
        if (killMainWhen && killedAt === undefined && killMainWhen(line)) {
          killedAt = Date.now()
          child.kill('SIGKILL')
        }
        const sig = signalled === undefined && signalMainWhen?.(line)
        if (sig) {
          const descendants = processTree(child.pid).filter(p => p.pid !== child.pid)
          signalled = { signal: sig, at: Date.now(), line, descendants }
          child.kill(sig)
        }
      }
    }
  )
  // Checked the moment main is gone, before post runs: nothing it started may outlive it.
  if (signalled) signalled.descendantsAliveAtExit = signalled.descendants.filter(isAlive)
  const between = afterMain
    ? await afterMain(parseFileCommands(files.GITHUB_OUTPUT), main)
    : undefined
  const state = parseFileCommands(files.GITHUB_STATE)
  let post
  if (!skipPost) {
    const stateEnv = Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]))
    post = await runNode(ENTRY.post, { ...base, ...inputEnv(inputs), ...stateEnv })
  }
  return {
    main,
    post,
    killed: killedAt !== undefined,
    signalled,
    between,
    outputs: parseFileCommands(files.GITHUB_OUTPUT),
    state,
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    dir
  }
}
