// Writes the gate's kubeconfig secret to a file only this job's user can read, in a directory of
// its own under RUNNER_TEMP, and masks the credentials in it. GitHub masks each line of a
// multi-line secret as a whole (`    token: abc`, with its key and indentation); a credential
// printed on its own (a tool echoing the token or a decoded key) is only hidden once the value
// alone is masked. Plain Node, no dependencies: it runs from the checkout the gate makes, with no
// build.

import { appendFileSync, chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Keys whose values are credentials: users' tokens, passwords, client keys, auth-provider tokens. */
const CREDENTIAL_KEYS = [
  'token',
  'password',
  'client-key-data',
  'client-certificate-data',
  'id-token',
  'refresh-token',
  'access-token',
  'client-secret'
]

/** Every credential value in a kubeconfig, YAML or JSON (`key: value`, `"key": "value"`). */
function credentialValues(text) {
  const keys = CREDENTIAL_KEYS.join('|')
  const pattern = new RegExp(`(?:^|[\\s{,"'])(?:${keys})["']?\\s*:\\s*["']?([^"'\\s,}\\]]+)`, 'gm')
  return [...new Set([...text.matchAll(pattern)].map(m => m[1]))]
}

function fail(message) {
  process.stdout.write(`::error::${message}\n`)
  process.exit(1)
}

const input = name => process.env[`INPUT_${name.toUpperCase()}`] ?? ''
const kubeconfig = input('kubeconfig')
const cluster = input('cluster').trim() || 'minikube'

if (kubeconfig.trim() === '') {
  if (cluster === 'existing') {
    fail(
      "deploy-gate: cluster: existing needs the kubeconfig secret (the gate's runner has no cluster of its own): pass `secrets: kubeconfig: ${{ secrets.NAME }}`"
    )
  }
  appendFileSync(process.env.GITHUB_OUTPUT, 'path=\n')
  console.log(`no kubeconfig secret: cluster: ${cluster} needs none`)
} else {
  if (cluster !== 'existing') {
    fail(
      `deploy-gate: the kubeconfig secret is for cluster: existing, but cluster is "${cluster}" (minikube would write its own context into it): drop the secret or set cluster: existing`
    )
  }
  const masked = credentialValues(kubeconfig)
  for (const value of masked) process.stdout.write(`::add-mask::${value}\n`)
  const temp = process.env.RUNNER_TEMP
  if (!temp) fail('deploy-gate: RUNNER_TEMP is not set: nowhere to write the kubeconfig')
  const dir = mkdtempSync(join(temp, 'deploy-gate-kubeconfig-')) // mode 0700
  const file = join(dir, 'config')
  writeFileSync(file, kubeconfig, { mode: 0o600, flag: 'wx' })
  chmodSync(file, 0o600) // whatever the umask
  appendFileSync(process.env.GITHUB_STATE, `dir=${dir}\n`)
  appendFileSync(process.env.GITHUB_OUTPUT, `path=${file}\n`)
  console.log(
    `kubeconfig written to ${file} (mode 0600, for the deploy step only); ${masked.length} credential value(s) masked`
  )
}
