// Removes the directory main.mjs wrote the kubeconfig to, and nothing else: only a directory it
// recorded, directly under RUNNER_TEMP, with its name. Runs after minikube-smoke's post step.

import { existsSync, rmSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'

const dir = process.env.STATE_dir ?? ''
const temp = process.env.RUNNER_TEMP ?? ''
if (dir === '') {
  console.log('no kubeconfig was written: nothing to remove')
} else if (
  temp === '' ||
  dirname(resolve(dir)) !== resolve(temp) ||
  !basename(dir).startsWith('deploy-gate-kubeconfig-')
) {
  process.stdout.write(
    `::warning::not removing ${dir}: not a kubeconfig directory this job wrote\n`
  )
} else if (!existsSync(dir)) {
  console.log(`${dir} is already gone`)
} else {
  rmSync(dir, { recursive: true, force: true })
  console.log(`removed the kubeconfig (${dir})`)
}
