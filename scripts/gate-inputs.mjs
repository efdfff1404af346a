// Prints what deploy-gate.yml lacks of action.yml: for every action input the gate neither
// declares nor takes as a secret, its workflow_call declaration (the action's description, an
// empty default so the action's own decides) and its line for the deploy step's `with:`. Paste
// them into .github/workflows/deploy-gate.yml; test/unit/deploy-gate.test.ts checks the result.
//
//   node scripts/gate-inputs.mjs

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { dump, load } from 'js-yaml'

const root = join(import.meta.dirname, '..')
const action = load(readFileSync(join(root, 'action.yml'), 'utf8'))
const gate = load(readFileSync(join(root, '.github/workflows/deploy-gate.yml'), 'utf8'))
const declared = gate.on.workflow_call.inputs
const smoke = gate.jobs.gate.steps.find(s => s.uses === './.minikube-smoke')
const fromSecrets = Object.entries(smoke.with ?? {})
  .filter(([, value]) => String(value).includes('secrets.'))
  .map(([name]) => name)

const missing = Object.keys(action.inputs).filter(
  name => !(name in declared) && !fromSecrets.includes(name)
)
if (missing.length === 0) {
  console.log('deploy-gate.yml declares every action input.')
} else {
  const indent = (text, n) => text.replace(/^(?=.)/gm, ' '.repeat(n))
  const declarations = Object.fromEntries(
    missing.map(name => [
      name,
      { description: action.inputs[name].description, type: 'string', default: '' }
    ])
  )
  console.log('# under on.workflow_call.inputs:')
  console.log(indent(dump(declarations, { lineWidth: -1, quotingType: "'" }), 6))
  console.log("# under the deploy step's with:")
  for (const name of missing) console.log(`          ${name}: \${{ inputs.${name} }}`)
}
