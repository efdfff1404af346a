// Every workflow and action.yml, parsed by GitHub's own parser (@actions/workflow-parser), plus
// the repository's own rules for workflows people copy.

import { describe, expect, test } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { load } from 'js-yaml'
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser'
import { parseAction } from '@actions/workflow-parser/actions/action-parser'

const root = join(import.meta.dirname, '../..')
const workflowDir = join(root, '.github/workflows')
const workflows = readdirSync(workflowDir).filter(f => /\.ya?ml$/.test(f))

// Current releases, read from their repositories; both run on node24 (node20 actions are
// deprecated on GitHub's runners). Every use of them — workflows and README examples — is pinned
// to exactly these commits, with the version in a comment.
const PINS: Record<string, { sha: string; version: string }> = {
  'actions/checkout': { sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  'actions/setup-node': { sha: '820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' }
}

/** Every `uses: owner/name@ref # comment` line of a text. */
function usesLines(text: string): Array<{ action: string; ref: string; comment: string }> {
  return [...text.matchAll(/uses: ([\w.-]+\/[\w.-]+)@(\S+)(?: # (\S+))?/g)].map(m => ({
    action: m[1],
    ref: m[2],
    comment: m[3] ?? ''
  }))
}

interface Step {
  uses?: string
}
interface Workflow {
  on: Record<string, unknown>
  permissions?: Record<string, string>
  jobs: Record<string, { steps?: Step[] }>
}

describe('workflows', () => {
  test('there are ci, e2e and deploy-gate workflows', () => {
    expect(workflows.sort()).toEqual(['ci.yml', 'deploy-gate.yml', 'e2e.yml'])
  })

  test.each(workflows)('%s parses without errors', file => {
    const result = parseWorkflow(
      { name: file, content: readFileSync(join(workflowDir, file), 'utf8') },
      new NoOperationTraceWriter()
    )
    expect(result.context.errors.getErrors().map(e => e.message)).toEqual([])
    expect(result.value).toBeDefined()
  })

  test('a broken workflow is reported (the parser is really checking)', () => {
    const result = parseWorkflow(
      {
        name: 'bad.yml',
        content: 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    stepz: []\n'
      },
      new NoOperationTraceWriter()
    )
    expect(result.context.errors.getErrors().length).toBeGreaterThan(0)
  })

  test.each(workflows)(
    '%s: read-only token, no pull_request_target, third-party actions pinned by SHA',
    file => {
      const wf = load(readFileSync(join(workflowDir, file), 'utf8')) as Workflow
      expect(wf.permissions).toEqual({ contents: 'read' })
      expect(Object.keys(wf.on)).not.toContain('pull_request_target')
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps ?? []) {
          if (!step.uses || step.uses.startsWith('./')) continue
          expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/)
        }
      }
      const text = readFileSync(join(workflowDir, file), 'utf8')
      for (const line of text
        .split('\n')
        .filter(l => /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40}/.test(l))) {
        expect(line).toMatch(/# v\d+\.\d+\.\d+$/)
      }
    }
  )

  test.each([...workflows, '../../README.md'])(
    '%s: actions/checkout and actions/setup-node at the pinned node24 releases',
    file => {
      const text = readFileSync(join(workflowDir, file), 'utf8')
      const uses = usesLines(text).filter(u => u.action in PINS)
      expect(uses.length).toBeGreaterThan(0)
      for (const u of uses)
        expect(`${u.action}@${u.ref} # ${u.comment}`).toBe(
          `${u.action}@${PINS[u.action].sha} # ${PINS[u.action].version}`
        )
    }
  )

  test('the pin check really checks (an old pin fails it)', () => {
    const old = usesLines(
      '      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0'
    )[0]
    expect(old.ref).not.toBe(PINS[old.action].sha)
  })

  test('e2e.yml: minikube’s default Kubernetes and v1.28, docker driver, and containerd', () => {
    const wf = load(readFileSync(join(workflowDir, 'e2e.yml'), 'utf8')) as {
      jobs: {
        smoke: {
          strategy: { matrix: { include: Array<{ kubernetes: string; 'start-args'?: string }> } }
          steps: Array<Step & { with?: Record<string, string> }>
        }
      }
    }
    expect(
      wf.jobs.smoke.strategy.matrix.include.map(m => [m.kubernetes, m['start-args'] ?? ''])
    ).toEqual([
      ['', ''],
      ['v1.28.0', ''],
      ['', '--container-runtime=containerd']
    ])
    expect(wf.jobs.smoke.steps.find(s => s.uses === './')?.with).toMatchObject({
      driver: 'docker',
      'kubernetes-version': '${{ matrix.kubernetes }}',
      'start-args': '${{ matrix.start-args }}'
    })
  })

  test('deploy-gate.yml runs the action at the commit the caller pinned, never a branch', () => {
    const wf = load(readFileSync(join(workflowDir, 'deploy-gate.yml'), 'utf8')) as {
      on: { workflow_call: { inputs: Record<string, { default?: string }> } }
      jobs: { gate: { steps: Array<Step & { env?: Record<string, string> }> } }
    }
    expect(wf.on.workflow_call.inputs['action-ref'].default).toBe('')
    const which = wf.jobs.gate.steps.find(s => s.env?.REF)
    expect(which?.env).toEqual({
      REPOSITORY: '${{ inputs.action-repository || job.workflow_repository }}',
      REF: '${{ inputs.action-ref || job.workflow_sha }}'
    })
  })

  test('e2e.yml runs this action (uses: ./) on pull requests against the weather service', () => {
    const wf = load(readFileSync(join(workflowDir, 'e2e.yml'), 'utf8')) as Workflow & {
      jobs: { smoke: { steps: Array<Step & { with?: Record<string, string> }> } }
    }
    expect(Object.keys(wf.on)).toContain('pull_request')
    const step = wf.jobs.smoke.steps.find(s => s.uses === './')
    expect(step?.with).toMatchObject({
      context: 'weather-service',
      manifests: 'weather-service/k8s'
    })
  })
})

describe('action.yml', () => {
  const text = readFileSync(join(root, 'action.yml'), 'utf8')

  test('parses as an action with GitHub’s parser', () => {
    const result = parseAction({ name: 'action.yml', content: text }, new NoOperationTraceWriter())
    expect(result.context.errors.getErrors().map(e => e.message)).toEqual([])
  })

  test('runs on node24, main and post from the one bundle, post always', () => {
    const action = load(text) as { runs: Record<string, string> }
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/main/index.js',
      post: 'dist/main/index.js',
      'post-if': 'always()'
    })
  })

  test('every input has a description and a default, and the README documents it', () => {
    const action = load(text) as {
      inputs: Record<string, { description?: string; default?: string }>
      outputs: Record<string, unknown>
    }
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    for (const [name, spec] of Object.entries(action.inputs)) {
      expect(spec.description).toBeTruthy()
      expect(spec.default).toBeDefined()
      expect(readme).toContain(`| \`${name}\` |`)
    }
    for (const name of Object.keys(action.outputs)) expect(readme).toContain(`| \`${name}\` |`)
  })
})
