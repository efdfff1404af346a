// deploy-gate.yml is action.yml re-declared: one source of truth. Every action input is a gate
// input with the same description and an empty default (the action's own default decides), or is
// listed below with the reason it is not; every gate input is passed to the action; every action
// output another job can use is a gate output. An input added to action.yml and forgotten in the
// gate fails here by name.

import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { load } from 'js-yaml'
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow
} from '@actions/workflow-parser'
import { ErrorPolicy } from '@actions/workflow-parser/model/convert'
import { parseInputs, type RunFacts } from '../../src/inputs.js'

const root = join(import.meta.dirname, '../..')
const GATE_FILE = join(root, '.github/workflows/deploy-gate.yml')

/** Action inputs that are not gate inputs, and why. */
const NOT_GATE_INPUTS: Record<string, string> = {
  'build-secrets': 'a credential: it comes as the `build-secrets` secret (inputs are logged)'
}
/** Gate inputs that are not action inputs, and why. */
const GATE_ONLY_INPUTS: Record<string, string> = {
  'action-repository': 'which minikube-smoke the gate checks out',
  'action-ref': 'the minikube-smoke commit the gate runs'
}
/** Action outputs that are not gate outputs, and why. */
const NOT_GATE_OUTPUTS: Record<string, string> = {
  report: "a path on the gate's runner (report.json is in the diagnostics artifact)",
  junit: "a path on the gate's runner (junit.xml is in the diagnostics artifact)",
  'diagnostics-dir': "a path on the gate's runner (see diagnostics-artifact)"
}
/** What the gate takes as secrets: name → the action input it feeds, or '' for none. */
const GATE_SECRETS: Record<string, string> = { kubeconfig: '', 'build-secrets': 'build-secrets' }

interface Spec {
  description?: string
  default?: string
  required?: boolean
  type?: string
  value?: string
}
interface Step {
  id?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, string>
  env?: Record<string, string>
}
const action = load(readFileSync(join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, Spec>
  outputs: Record<string, Spec>
}
const gateText = readFileSync(GATE_FILE, 'utf8')
const gate = load(gateText) as {
  env?: Record<string, string>
  on: {
    workflow_call: {
      inputs: Record<string, Spec>
      secrets: Record<string, Spec>
      outputs: Record<string, Spec>
    }
  }
  jobs: { gate: { env?: Record<string, string>; outputs: Record<string, string>; steps: Step[] } }
}
const call = gate.on.workflow_call
const steps = gate.jobs.gate.steps
const smoke = steps.find(s => s.uses === './.minikube-smoke')!
const kubeconfigStep = steps.find(s => s.id === 'kubeconfig')!

describe('deploy-gate.yml takes what action.yml takes', () => {
  test.each(Object.keys(action.inputs))(
    'action input %s: a gate input (same description, default empty, passed on) or listed',
    name => {
      if (name in NOT_GATE_INPUTS) {
        expect(call.inputs[name]).toBeUndefined()
        return
      }
      const spec = call.inputs[name]
      if (!spec)
        throw new Error(
          `action input '${name}' is missing from deploy-gate.yml: declare it under workflow_call inputs ` +
            `(the action's description, type: string, default: '') and pass it in the deploy step's with: ` +
            `(${name}: \${{ inputs.${name} }}) — \`node scripts/gate-inputs.mjs\` prints both — or list it in NOT_GATE_INPUTS with the reason`
        )
      expect(spec.description).toBe(action.inputs[name].description)
      expect(spec.type).toBe('string')
      expect(spec.required ?? false).toBe(false)
      expect(spec.default).toBe('')
      expect(smoke.with?.[name]).toBe(`\${{ inputs.${name} }}`)
    }
  )

  test('every gate input is an action input or listed as the gate’s own; all are used', () => {
    for (const name of Object.keys(call.inputs)) {
      if (name in GATE_ONLY_INPUTS) {
        expect(gateText).toContain(`inputs.${name} ||`)
        continue
      }
      expect({ name, inAction: name in action.inputs }).toEqual({ name, inAction: true })
    }
    for (const name of Object.keys(NOT_GATE_INPUTS)) expect(name in action.inputs).toBe(true)
    for (const name of Object.keys(GATE_ONLY_INPUTS)) expect(call.inputs[name]).toBeDefined()
  })

  test('the deploy step passes nothing but action inputs, each from its gate input or secret', () => {
    for (const [name, value] of Object.entries(smoke.with ?? {})) {
      expect({ name, inAction: name in action.inputs }).toEqual({ name, inAction: true })
      const secret = Object.entries(GATE_SECRETS).find(([, input]) => input === name)?.[0]
      expect(value).toBe(secret ? `\${{ secrets.${secret} }}` : `\${{ inputs.${name} }}`)
    }
  })

  test('the action reads an empty input as its own default, so an empty gate input defers', () => {
    const run: RunFacts = {
      workspace: '/w',
      repository: 'octo/app',
      sha: 'abcdef1234567890',
      runId: '1',
      runAttempt: '1',
      job: 'gate',
      key: 'k3y0a'
    }
    const defaults = parseInputs(name => String(action.inputs[name]?.default ?? ''), run)
    const empty = parseInputs(() => '', run)
    expect(empty).toEqual(defaults)
  })

  test('secrets: kubeconfig and build-secrets, optional, the action’s description for build-secrets', () => {
    expect(Object.keys(call.secrets).sort()).toEqual(Object.keys(GATE_SECRETS).sort())
    for (const spec of Object.values(call.secrets)) expect(spec.required).toBe(false)
    expect(call.secrets['build-secrets'].description).toBe(
      action.inputs['build-secrets'].description
    )
    expect(call.secrets.kubeconfig.description).toContain('cluster: existing')
  })

  test.each(Object.keys(action.outputs))(
    'action output %s: a gate output (same description, from the deploy step) or listed',
    name => {
      if (name in NOT_GATE_OUTPUTS) {
        expect(call.outputs[name]).toBeUndefined()
        return
      }
      const spec = call.outputs[name]
      if (!spec)
        throw new Error(
          `action output '${name}' is missing from deploy-gate.yml's workflow_call outputs ` +
            `(or list it in NOT_GATE_OUTPUTS with the reason)`
        )
      expect(spec.description).toBe(action.outputs[name].description)
      expect(spec.value).toBe(`\${{ jobs.gate.outputs.${name} }}`)
      expect(gate.jobs.gate.outputs[name]).toBe(`\${{ steps.smoke.outputs.${name} }}`)
    }
  )

  test('no gate output that is not the action’s', () => {
    for (const name of Object.keys(call.outputs)) expect(action.outputs[name]).toBeDefined()
  })
})

describe('deploy-gate.yml: the kubeconfig secret', () => {
  const helper = load(
    readFileSync(join(root, '.github/actions/kubeconfig-file/action.yml'), 'utf8')
  ) as { inputs: Record<string, Spec>; runs: Record<string, string> }

  test('written by the kubeconfig-file step before the deploy step, from the secret', () => {
    expect(kubeconfigStep.uses).toBe('./.minikube-smoke/.github/actions/kubeconfig-file')
    expect(kubeconfigStep.if).toBeUndefined()
    expect(kubeconfigStep.with).toEqual({
      kubeconfig: '${{ secrets.kubeconfig }}',
      cluster: '${{ inputs.cluster }}'
    })
    expect(Object.keys(helper.inputs).sort()).toEqual(['cluster', 'kubeconfig'])
    expect(steps.indexOf(kubeconfigStep)).toBeLessThan(steps.indexOf(smoke))
  })

  test('KUBECONFIG is the deploy step’s alone', () => {
    expect(smoke.env).toEqual({ KUBECONFIG: '${{ steps.kubeconfig.outputs.path }}' })
    expect(gate.env).toBeUndefined()
    expect(gate.jobs.gate.env).toBeUndefined()
    for (const step of steps.filter(s => s !== smoke))
      expect(JSON.stringify(step.env ?? {})).not.toContain('KUBECONFIG')
    expect(gateText.match(/secrets\.kubeconfig/g)).toHaveLength(1)
  })

  test('removed by the helper’s post step, which runs after the deploy step’s teardown', () => {
    // Post steps run after every step, in reverse order: a step before the deploy step has its
    // post after the deploy step's post, which still needs the file to tear down. An
    // `if: always()` step at the end of the job would remove it before that teardown.
    expect(helper.runs).toMatchObject({ using: 'node24', post: 'post.mjs', 'post-if': 'always()' })
    expect(steps.filter(s => s.run?.includes('kubeconfig'))).toEqual([])
  })
})

describe('README: the gate section', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Reusable deployment gate'))
  const gateSection = section.slice(0, section.indexOf('\n## ', 4))

  test('lists every gate input, secret and output', () => {
    const names = [
      ...Object.keys(call.inputs),
      ...Object.keys(call.secrets),
      ...Object.keys(call.outputs)
    ]
    const missing = names.filter(n => !gateSection.includes(`\`${n}\``))
    expect(missing).toEqual([])
  })

  test.each([0, 1])('caller example %i is a valid call for GitHub’s parser', async index => {
    const examples = [...gateSection.matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => m[1])
    expect(examples.length).toBeGreaterThan(index)
    const caller = `on: push\npermissions:\n  contents: read\n${examples[index]}`
    const errors = await callerErrors(caller)
    expect(errors).toEqual([])
  })

  test('the parser check really checks: an undeclared input is refused', async () => {
    const caller = [
      'on: push',
      'jobs:',
      '  gate:',
      '    uses: octo/minikube-smoke/.github/workflows/deploy-gate.yml@0123456789abcdef0123456789abcdef01234567',
      '    with:',
      '      contxt: .',
      '    secrets:',
      '      kubeconfg: x',
      ''
    ].join('\n')
    expect(await callerErrors(caller)).toEqual([
      expect.stringContaining('Invalid input, contxt is not defined in the referenced workflow'),
      expect.stringContaining('Invalid secret, kubeconfg is not defined in the referenced workflow')
    ])
  })
})

/** GitHub's workflow parser's errors for a caller workflow, with deploy-gate.yml as the callee. */
async function callerErrors(caller: string): Promise<string[]> {
  const parsed = parseWorkflow(
    { name: 'caller.yml', content: caller },
    new NoOperationTraceWriter()
  )
  expect(parsed.context.errors.getErrors().map(e => e.message)).toEqual([])
  await convertWorkflowTemplate(
    parsed.context,
    parsed.value!,
    { getFileContent: async () => ({ name: 'deploy-gate.yml', content: gateText }) },
    { fetchReusableWorkflowDepth: 1, errorPolicy: ErrorPolicy.TryConversion }
  )
  return parsed.context.errors.getErrors().map(e => e.message)
}
