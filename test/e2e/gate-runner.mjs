// Runs .github/workflows/deploy-gate.yml here the way GitHub would for a caller's `with:` and
// `secrets:`: the call checked against its workflow_call declarations (undeclared inputs refused,
// defaults applied; workflow-expressions.mjs), then the gate job's steps in order with their
// `if:`, `env:` and `with:` evaluated, then the post steps in reverse order, and the job's and the
// workflow's outputs evaluated from the steps'. What each kind of step becomes:
//   - actions/checkout: not run; the case prepares the workspace (the caller's code) and the
//     minikube-smoke checkout is this repository, whose built dist/ runs.
//   - `run:` steps: bash -e, as GitHub's default shell on Linux, with GITHUB_OUTPUT.
//   - `uses: ./.minikube-smoke`: the action through github-runner.mjs's runAction (main; the later
//     steps; post), so INPUT_* are exactly what the gate's `with:` gives.
//   - `uses: ./.minikube-smoke/<dir>`: that node action of this repository, main and post.
// Any other step is refused.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { REPO, parseFileCommands, runAction } from './github-runner.mjs'
import { callInputs, callSecrets, conditionHolds, evaluateMap } from './workflow-expressions.mjs'

export const GATE = join(REPO, '.github/workflows/deploy-gate.yml')
const ACTION_CHECKOUT = './.minikube-smoke'

/**
 * Calls the gate. `env` is the runner's environment for every step (PATH, HOME, ...);
 * `workspace` the caller's checkout. Returns every step's record, the job's status and the
 * workflow's outputs; `runAction`'s result for the action step as `action`.
 */
export async function runGate({ with: given = {}, secrets = {}, workspace = REPO, env = {} }) {
  const workflow = load(readFileSync(GATE, 'utf8'))
  const call = workflow.on.workflow_call
  const [jobId, job] = Object.entries(workflow.jobs)[0]
  const temp = mkdtempSync(join(tmpdir(), 'e2e-gate-'))
  const contexts = {
    inputs: callInputs(call.inputs, given),
    secrets: callSecrets(call.secrets, secrets),
    steps: {},
    job: {
      workflow_repository: 'octo/minikube-smoke',
      workflow_sha: '0123456789abcdef0123456789abcdef01234567'
    },
    runner: { temp, os: 'Linux' },
    status: 'success'
  }
  const runnerEnv = {
    ...process.env,
    ...env,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_JOB: jobId,
    RUNNER_TEMP: temp
  }
  const steps = []
  let action

  const record = (step, fields) => {
    const entry = { id: step.id, name: step.name, ...fields }
    steps.push(entry)
    if (step.id) contexts.steps[step.id] = { outputs: entry.outputs ?? {} }
    if (entry.code !== undefined && entry.code !== 0) contexts.status = 'failure'
    return entry
  }

  async function runFrom(i) {
    const step = job.steps[i]
    if (!step) return
    if (!conditionHolds(step.if, contexts)) {
      record(step, { skipped: `if: ${step.if ?? 'success()'}` })
      return runFrom(i + 1)
    }
    const stepEnv = { ...runnerEnv, ...evaluateMap(step.env, contexts) }
    if (step.uses?.startsWith('actions/checkout@')) {
      evaluateMap(step.with, contexts) // still evaluated: an expression it cannot read throws
      record(step, { skipped: 'checkout: the case prepares the workspace' })
      return runFrom(i + 1)
    }
    if (step.run !== undefined) {
      record(step, runScript(step.run, stepEnv))
      return runFrom(i + 1)
    }
    const inputs = evaluateMap(step.with, contexts)
    if (step.uses === ACTION_CHECKOUT) {
      // Main, then the later steps (runAction's afterMain hook), then post: post steps run
      // last, in reverse order, as on GitHub.
      action = await runAction({
        inputs,
        env: stepEnv,
        afterMain: async (outputs, main) => {
          record(step, { code: main.code, outputs, output: main.output })
          await runFrom(i + 1)
        }
      })
      steps.push({ id: step.id, name: `Post ${step.name}`, code: action.post.code })
      return
    }
    if (step.uses?.startsWith(`${ACTION_CHECKOUT}/`)) {
      const dir = join(REPO, step.uses.slice(ACTION_CHECKOUT.length + 1))
      const main = runNodeAction(dir, 'main', inputs, stepEnv, {})
      record(step, { code: main.code, outputs: main.outputs, output: main.output })
      await runFrom(i + 1)
      const post = runNodeAction(dir, 'post', inputs, stepEnv, main.state)
      steps.push({ id: step.id, name: `Post ${step.name}`, code: post.code, output: post.output })
      return
    }
    throw new Error(`gate-runner: step "${step.name}" (${step.uses}) is not one it can run`)
  }

  await runFrom(0)
  const jobOutputs = evaluateMap(job.outputs, contexts)
  const outputs = evaluateMap(
    Object.fromEntries(Object.entries(call.outputs ?? {}).map(([k, v]) => [k, v.value])),
    { jobs: { [jobId]: { outputs: jobOutputs } } }
  )
  return { status: contexts.status, steps, outputs, action, temp }
}

/** A `run:` script as GitHub runs it on Linux by default (`bash -e {0}`), with GITHUB_OUTPUT. */
function runScript(script, env) {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-gate-step-'))
  const file = join(dir, 'script.sh')
  const output = join(dir, 'output')
  writeFileSync(file, script)
  writeFileSync(output, '')
  const r = spawnSync('bash', ['-e', file], {
    env: { ...env, GITHUB_OUTPUT: output },
    encoding: 'utf8'
  })
  return { code: r.status, output: `${r.stdout}${r.stderr}`, outputs: parseFileCommands(output) }
}

/** A node action of this repository: INPUT_* (action.yml defaults filled in), file commands. */
function runNodeAction(dir, stage, inputs, env, state) {
  const spec = load(readFileSync(join(dir, 'action.yml'), 'utf8'))
  const files = mkdtempSync(join(tmpdir(), 'e2e-gate-action-'))
  const output = join(files, 'output')
  const stateFile = join(files, 'state')
  writeFileSync(output, '')
  writeFileSync(stateFile, '')
  const inputEnv = {}
  for (const [name, s] of Object.entries(spec.inputs ?? {}))
    inputEnv[`INPUT_${name.toUpperCase()}`] = name in inputs ? inputs[name] : (s.default ?? '')
  for (const name of Object.keys(inputs))
    if (!(name in (spec.inputs ?? {}))) throw new Error(`${dir}/action.yml has no input '${name}'`)
  const stateEnv = Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]))
  const r = spawnSync(process.execPath, [join(dir, spec.runs[stage])], {
    cwd: env.GITHUB_WORKSPACE,
    env: { ...env, ...inputEnv, ...stateEnv, GITHUB_OUTPUT: output, GITHUB_STATE: stateFile },
    encoding: 'utf8'
  })
  return {
    code: r.status,
    output: `${r.stdout}${r.stderr}`,
    outputs: parseFileCommands(output),
    state: parseFileCommands(stateFile)
  }
}

/** The step whose id is given, from runGate's records. */
export const stepOf = (result, id) =>
  result.steps.find(s => s.id === id && !s.name?.startsWith('Post '))
