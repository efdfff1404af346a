// The gate's kubeconfig step (.github/actions/kubeconfig-file), run as the runner runs it: INPUT_*
// variables, GITHUB_OUTPUT / GITHUB_STATE files, then the post step with the saved state.

import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

const DIR = join(import.meta.dirname, '../../.github/actions/kubeconfig-file')

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: staging
    cluster: { server: 'https://127.0.0.1:6443', certificate-authority-data: Q0EtZGF0YQ== }
users:
  - name: deployer
    user:
      token: "s3cr3t-t0ken-0123456789"
  - name: other
    user:
      client-key-data: a2V5LWRhdGEtc2VjcmV0
      password: 'hunter2-but-longer'
contexts:
  - name: staging
    context: { cluster: staging, user: deployer }
current-context: staging
`

/** `name=value` lines, the only form the step writes. */
const fileCommands = (path: string): Record<string, string> =>
  Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter(l => l.includes('='))
      .map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])
  )

function run(stage: 'main' | 'post', inputs: Record<string, string>, temp: string, state = {}) {
  const files = mkdtempSync(join(tmpdir(), 'kubeconfig-file-'))
  const output = join(files, 'output')
  const stateFile = join(files, 'state')
  writeFileSync(output, '')
  writeFileSync(stateFile, '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    RUNNER_TEMP: temp,
    GITHUB_OUTPUT: output,
    GITHUB_STATE: stateFile
  }
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  for (const [k, v] of Object.entries(state)) env[`STATE_${k}`] = String(v)
  const r = spawnSync(process.execPath, [join(DIR, `${stage}.mjs`)], { env, encoding: 'utf8' })
  return {
    code: r.status,
    out: `${r.stdout}${r.stderr}`,
    outputs: fileCommands(output),
    state: fileCommands(stateFile)
  }
}

describe('kubeconfig-file', () => {
  test('writes a 0600 file in a 0700 directory of its own, masks credentials; post removes it', () => {
    const temp = mkdtempSync(join(tmpdir(), 'runner-temp-'))
    const main = run('main', { kubeconfig: KUBECONFIG, cluster: 'existing' }, temp)
    expect(main.code).toBe(0)
    const file = main.outputs.path
    expect(dirname(dirname(file))).toBe(temp)
    expect(readFileSync(file, 'utf8')).toBe(KUBECONFIG)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700)
    const masks = main.out.split('\n').filter(l => l.startsWith('::add-mask::'))
    expect(masks.sort()).toEqual(
      [
        '::add-mask::s3cr3t-t0ken-0123456789',
        '::add-mask::a2V5LWRhdGEtc2VjcmV0',
        '::add-mask::hunter2-but-longer'
      ].sort()
    )
    // Masks come first; no line shows a credential except the one that masks it.
    const firstOther = main.out.split('\n').findIndex(l => !l.startsWith('::add-mask::'))
    expect(firstOther).toBe(masks.length)
    expect(main.out.split('\n').slice(firstOther).join('\n')).not.toMatch(/s3cr3t|hunter2|a2V5/)

    const post = run('post', {}, temp, main.state)
    expect(post.code).toBe(0)
    expect(existsSync(dirname(file))).toBe(false)
    expect(post.out).toContain('removed the kubeconfig')
  })

  test('a JSON kubeconfig has its credentials masked too', () => {
    const temp = mkdtempSync(join(tmpdir(), 'runner-temp-'))
    const json = JSON.stringify({ users: [{ name: 'u', user: { token: 'json-t0ken-abc' } }] })
    const main = run('main', { kubeconfig: json, cluster: 'existing' }, temp)
    expect(main.out).toContain('::add-mask::json-t0ken-abc\n')
  })

  test('cluster: existing without the secret: one line, nothing written', () => {
    const temp = mkdtempSync(join(tmpdir(), 'runner-temp-'))
    const main = run('main', { kubeconfig: '', cluster: 'existing' }, temp)
    expect(main.code).toBe(1)
    expect(main.out.trim()).toBe(
      "::error::deploy-gate: cluster: existing needs the kubeconfig secret (the gate's runner has no cluster of its own): pass `secrets: kubeconfig: ${{ secrets.NAME }}`"
    )
    expect(existsSync(temp) && spawnSync('ls', ['-A', temp]).stdout.toString()).toBe('')
  })

  test('the secret with another cluster: refused (minikube would write into it)', () => {
    const temp = mkdtempSync(join(tmpdir(), 'runner-temp-'))
    for (const cluster of ['', 'minikube']) {
      const main = run('main', { kubeconfig: KUBECONFIG, cluster }, temp)
      expect(main.code).toBe(1)
      expect(main.out).toContain(
        '::error::deploy-gate: the kubeconfig secret is for cluster: existing, but cluster is "minikube"'
      )
      expect(main.out).not.toContain('s3cr3t')
    }
  })

  test('no secret, no existing cluster: an empty path, and post has nothing to remove', () => {
    const temp = mkdtempSync(join(tmpdir(), 'runner-temp-'))
    const main = run('main', { kubeconfig: '', cluster: '' }, temp)
    expect(main.code).toBe(0)
    expect(main.outputs).toEqual({ path: '' })
    const post = run('post', {}, temp, main.state)
    expect(post.out).toContain('nothing to remove')
  })

  test('post removes only a kubeconfig directory directly under RUNNER_TEMP', () => {
    const temp = mkdtempSync(join(tmpdir(), 'runner-temp-'))
    const elsewhere = mkdtempSync(join(tmpdir(), 'deploy-gate-kubeconfig-'))
    const wrongName = join(temp, 'keep-me')
    mkdirSync(wrongName)
    for (const dir of [elsewhere, wrongName]) {
      const post = run('post', {}, temp, { dir })
      expect(post.out).toContain(`::warning::not removing ${dir}`)
      expect(existsSync(dir)).toBe(true)
    }
  })
})
