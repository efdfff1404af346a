// The e2e suite's small evaluator of a reusable workflow's call and `${{ }}` expressions
// (test/e2e/workflow-expressions.mjs): what it accepts must match GitHub, what it does not
// understand must throw, never pass through.

import { describe, expect, test } from '@jest/globals'
import {
  callInputs,
  callSecrets,
  conditionHolds,
  evaluate,
  evaluateMap
} from '../e2e/workflow-expressions.mjs'

const declared = {
  context: { type: 'string', required: true },
  'container-port': { type: 'string', default: '' },
  'rollout-check': { type: 'string', default: 'none' },
  manifests: { type: 'string' },
  debug: { type: 'boolean' },
  retries: { type: 'number', default: 3 }
}

describe('callInputs', () => {
  test('an undeclared input is refused with GitHub’s message', () => {
    expect(() => callInputs(declared, { context: '.', 'build-args': 'A=1' })).toThrow(
      'Invalid input, build-args is not defined in the referenced workflow.'
    )
  })

  test('a required input missing is refused', () => {
    expect(() => callInputs(declared, {})).toThrow(
      'Input context is required, but not provided while calling.'
    )
  })

  test('declared defaults and type defaults fill what the caller left out', () => {
    expect(callInputs(declared, { context: '.', 'container-port': '8080' })).toEqual({
      context: '.',
      'container-port': '8080',
      'rollout-check': 'none',
      manifests: '',
      debug: false,
      retries: 3
    })
  })

  test('names match case-insensitively, as GitHub’s parser matches them', () => {
    expect(callInputs(declared, { Context: '.' }).context).toBe('.')
  })

  test('a value of another type than declared is refused', () => {
    expect(() => callInputs(declared, { context: '.', 'container-port': 8080 })).toThrow(
      'input container-port: expected a string, got 8080'
    )
    expect(() => callInputs(declared, { context: '.', debug: 'yes' })).toThrow(
      'input debug: expected a boolean'
    )
  })

  test('a caller’s own expression is not evaluated here: refused', () => {
    expect(() => callInputs(declared, { context: '${{ github.workspace }}' })).toThrow(
      'is not evaluated here'
    )
  })
})

describe('callSecrets', () => {
  const secrets = { kubeconfig: { required: false }, token: { required: true } }

  test('an undeclared secret is refused with GitHub’s message', () => {
    expect(() => callSecrets(secrets, { token: 't', password: 'p' })).toThrow(
      'Invalid secret, password is not defined in the referenced workflow.'
    )
  })

  test('a required secret missing is refused; an optional one is empty', () => {
    expect(() => callSecrets(secrets, {})).toThrow(
      'Secret token is required, but not provided while calling.'
    )
    expect(callSecrets(secrets, { token: 't' })).toEqual({ kubeconfig: '', token: 't' })
  })
})

describe('evaluate', () => {
  const contexts = {
    inputs: callInputs(declared, { context: 'app' }),
    secrets: { kubeconfig: 'apiVersion: v1', 'build-secrets': '' },
    steps: { kubeconfig: { outputs: { path: '/tmp/k/config' } } },
    job: { workflow_repository: 'octo/minikube-smoke', workflow_sha: 'abc' },
    status: 'success' as const
  }

  test('an input, a default, a secret, a step output', () => {
    expect(evaluate('${{ inputs.context }}', contexts)).toBe('app')
    expect(evaluate('${{ inputs.rollout-check }}', contexts)).toBe('none')
    expect(evaluate('${{ inputs.container-port }}', contexts)).toBe('')
    expect(evaluate('${{ secrets.kubeconfig }}', contexts)).toBe('apiVersion: v1')
    expect(evaluate('${{ steps.kubeconfig.outputs.path }}', contexts)).toBe('/tmp/k/config')
    expect(evaluate('${{ steps.kubeconfig.outputs.unset }}', contexts)).toBe('')
  })

  test('types are kept for a whole expression, text around one makes a string', () => {
    expect(evaluate('${{ inputs.debug }}', contexts)).toBe(false)
    expect(evaluate('${{ inputs.retries }}', contexts)).toBe(3)
    expect(evaluate('port ${{ inputs.retries }} of ${{ inputs.context }}', contexts)).toBe(
      'port 3 of app'
    )
    expect(evaluateMap({ a: '${{ inputs.debug }}', b: 'x' }, contexts)).toEqual({
      a: 'false',
      b: 'x'
    })
  })

  test('|| gives the first truthy operand, else the last', () => {
    expect(evaluate('${{ inputs.manifests || job.workflow_repository }}', contexts)).toBe(
      'octo/minikube-smoke'
    )
    expect(evaluate("${{ inputs.context || 'other' }}", contexts)).toBe('app')
    expect(evaluate("${{ inputs.manifests || '' }}", contexts)).toBe('')
    expect(evaluate("${{ inputs.manifests || 'it''s || not an operator' }}", contexts)).toBe(
      "it's || not an operator"
    )
  })

  test('what it does not understand throws instead of passing through', () => {
    for (const expr of [
      "${{ inputs.context == 'app' }}",
      '${{ !inputs.debug }}',
      '${{ format("{0}", inputs.context) }}',
      '${{ fromJSON(inputs.context) }}',
      '${{ (inputs.context) }}',
      "${{ 'unterminated }}"
    ])
      expect(() => evaluate(expr, contexts)).toThrow()
  })

  test('a name the workflow does not declare, or a context not provided, throws', () => {
    expect(() => evaluate('${{ inputs.contxt }}', contexts)).toThrow(
      'the workflow declares no inputs "contxt"'
    )
    expect(() => evaluate('${{ secrets.GITHUB_TOKEN }}', contexts)).toThrow(
      'the workflow declares no secrets "GITHUB_TOKEN"'
    )
    expect(() => evaluate('${{ github.sha }}', contexts)).toThrow('no context "github"')
    expect(() => evaluate('${{ job.status }}', contexts)).toThrow('"status" is not provided')
    expect(() => evaluate('${{ steps.later.outputs.x }}', contexts)).toThrow(
      'no step "later" has run'
    )
  })
})

describe('conditionHolds', () => {
  const base = { inputs: { cluster: 'existing', empty: '' } }

  test('no if: is success(); after a failure only always()/failure() steps run', () => {
    expect(conditionHolds(undefined, { ...base, status: 'success' })).toBe(true)
    expect(conditionHolds(undefined, { ...base, status: 'failure' })).toBe(false)
    expect(conditionHolds('always()', { ...base, status: 'failure' })).toBe(true)
    expect(conditionHolds('${{ failure() }}', { ...base, status: 'failure' })).toBe(true)
    expect(conditionHolds('failure()', { ...base, status: 'success' })).toBe(false)
  })

  test('a bare condition is an expression; without a status function success() is implied', () => {
    expect(conditionHolds('inputs.cluster', { ...base, status: 'success' })).toBe(true)
    expect(conditionHolds('inputs.empty', { ...base, status: 'success' })).toBe(false)
    expect(conditionHolds('inputs.cluster', { ...base, status: 'failure' })).toBe(false)
  })
})
