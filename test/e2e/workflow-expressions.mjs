// What GitHub does with a caller's `with:` / `secrets:` and a reusable workflow's `${{ }}`
// expressions — the part test/e2e/gate-runner.mjs needs to run deploy-gate.yml here, and no more.
//
// The subset understood (anything else throws; nothing is passed through unevaluated):
//   - a value is literal text with zero or more `${{ expr }}`; a value that is exactly one
//     expression keeps its type, text around expressions makes a string (null → '', booleans
//     `true`/`false`, numbers as JavaScript prints them);
//   - expr is one or more operands joined by `||` (GitHub's: the first truthy operand, else the
//     last; '' null false 0 are falsy); no other operator, no parentheses;
//   - an operand is a '…' string literal ('' escapes a quote), one of always() success()
//     failure() cancelled(), or a property path of a context the caller provides:
//       inputs.NAME   declared workflow_call inputs only (a typo'd name throws; GitHub says null)
//       secrets.NAME  declared workflow_call secrets only (same)
//       steps.ID.outputs.NAME   ID must have run (else throws); an unset output is ''
//       any other context (job, runner, …) and key the caller passes in; anything else throws.
//     Names are matched case-insensitively, as GitHub does.
// The call: undeclared inputs and secrets are refused with the messages GitHub's workflow parser
// gives (@actions/workflow-parser), required ones must be given, declared defaults and the type
// defaults ('' / false / 0) fill the rest, and a value must have its declared type (GitHub
// converts some mismatches; refusing them is the safe side for a test).

const EXPRESSION = /\$\{\{(.*?)\}\}/gs

/** The workflow_call inputs a call gets: given values checked, defaults applied. */
export function callInputs(declared, given) {
  const byName = lowerKeys(declared ?? {})
  for (const name of Object.keys(given)) {
    if (!byName.has(name.toLowerCase()))
      throw new Error(`Invalid input, ${name} is not defined in the referenced workflow.`)
  }
  const givenByName = lowerKeys(given)
  const inputs = {}
  for (const [key, [name, spec]] of byName) {
    const type = spec.type ?? 'string'
    if (!['string', 'boolean', 'number'].includes(type))
      throw new Error(`input ${name}: type ${type} is not understood here`)
    if (givenByName.has(key)) {
      const value = givenByName.get(key)[1]
      if (typeof value === 'string' && value.includes('${{'))
        throw new Error(`input ${name}: a caller's expression (${value}) is not evaluated here`)
      if (typeof value !== type)
        throw new Error(`input ${name}: expected a ${type}, got ${JSON.stringify(value)}`)
      inputs[key] = value
    } else if (spec.required) {
      throw new Error(`Input ${name} is required, but not provided while calling.`)
    } else {
      inputs[key] = spec.default ?? { string: '', boolean: false, number: 0 }[type]
    }
  }
  return inputs
}

/** The workflow_call secrets a call gets: undeclared refused, required checked, others ''. */
export function callSecrets(declared, given) {
  const byName = lowerKeys(declared ?? {})
  for (const name of Object.keys(given)) {
    if (!byName.has(name.toLowerCase()))
      throw new Error(`Invalid secret, ${name} is not defined in the referenced workflow.`)
  }
  const givenByName = lowerKeys(given)
  const secrets = {}
  for (const [key, [name, spec]] of byName) {
    if (spec?.required && !givenByName.has(key))
      throw new Error(`Secret ${name} is required, but not provided while calling.`)
    const value = givenByName.get(key)?.[1] ?? ''
    if (typeof value !== 'string') throw new Error(`secret ${name}: expected a string`)
    secrets[key] = value
  }
  return secrets
}

/**
 * Evaluates a workflow value against contexts: `{inputs, secrets, steps: {id: {outputs}}, ...}`
 * and `status` ('success' | 'failure' | 'cancelled') for the status functions.
 */
export function evaluate(value, contexts) {
  if (typeof value !== 'string') return value
  const whole = /^\s*\$\{\{(.*?)\}\}\s*$/s.exec(value)
  if (whole && !whole[1].includes('}}')) return evaluateExpression(whole[1], contexts)
  return value.replace(EXPRESSION, (_, expr) => asString(evaluateExpression(expr, contexts)))
}

/** Every value of a map (a step's `with:` or `env:`), evaluated, as the strings a step gets. */
export function evaluateMap(map, contexts) {
  return Object.fromEntries(
    Object.entries(map ?? {}).map(([k, v]) => [k, asString(evaluate(v, contexts))])
  )
}

/** A step's `if:` (default `success()`); like GitHub, a bare condition needs no `${{ }}`. */
export function conditionHolds(condition, contexts) {
  const text = condition === undefined ? 'success()' : String(condition)
  const expr = /^\s*\$\{\{(.*)\}\}\s*$/s.exec(text)?.[1] ?? text
  // GitHub adds success() unless the condition calls a status function itself.
  const statusAware = /\b(always|success|failure|cancelled)\(\)/.test(expr)
  const holds = truthy(evaluateExpression(expr, contexts))
  return statusAware ? holds : holds && (contexts.status ?? 'success') === 'success'
}

export function asString(value) {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') throw new Error('objects are not in the understood subset')
  return String(value)
}

function truthy(value) {
  return !(value === null || value === undefined || value === '' || value === false || value === 0)
}

function evaluateExpression(expr, contexts) {
  const operands = splitOr(expr)
  let value
  for (const operand of operands) {
    value = evaluateOperand(operand.trim(), contexts, expr)
    if (truthy(value)) return value
  }
  return value
}

/** `a || b || 'c'` → operands, refusing every other operator outside string literals. */
function splitOr(expr) {
  const operands = []
  let current = ''
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]
    if (c === "'") {
      const end = closingQuote(expr, i)
      current += expr.slice(i, end + 1)
      i = end
    } else if (c === '|' && expr[i + 1] === '|') {
      operands.push(current)
      current = ''
      i++
    } else {
      current += c
    }
  }
  operands.push(current)
  return operands
}

function closingQuote(expr, start) {
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] !== "'") continue
    if (expr[i + 1] === "'") i++
    else return i
  }
  throw new Error(`unterminated string in \${{ ${expr.trim()} }}`)
}

const STATUS = {
  'always()': () => true,
  'success()': s => s === 'success',
  'failure()': s => s === 'failure',
  'cancelled()': s => s === 'cancelled'
}

function evaluateOperand(operand, contexts, expr) {
  const unsupported = () =>
    new Error(`\${{ ${expr.trim()} }}: "${operand}" is outside the understood subset`)
  if (/^'(?:[^']|'')*'$/s.test(operand)) return operand.slice(1, -1).replace(/''/g, "'")
  if (operand.toLowerCase() in STATUS)
    return STATUS[operand.toLowerCase()](contexts.status ?? 'success')
  if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+$/.test(operand)) throw unsupported()
  const [context, ...path] = operand.split('.')
  const root = lowerKeys(contexts).get(context.toLowerCase())
  if (!root || context === 'status') throw new Error(`${operand}: no context "${context}" here`)
  if (['inputs', 'secrets'].includes(context.toLowerCase())) {
    if (path.length !== 1) throw unsupported()
    const entry = lowerKeys(root[1]).get(path[0].toLowerCase())
    if (!entry) throw new Error(`${operand}: the workflow declares no ${context} "${path[0]}"`)
    return entry[1]
  }
  if (context.toLowerCase() === 'steps') {
    if (path.length !== 3 || path[1] !== 'outputs') throw unsupported()
    const step = lowerKeys(root[1]).get(path[0].toLowerCase())
    if (!step) throw new Error(`${operand}: no step "${path[0]}" has run`)
    return lowerKeys(step[1].outputs ?? {}).get(path[2].toLowerCase())?.[1] ?? ''
  }
  let node = root[1]
  for (const key of path) {
    const next =
      node !== null && typeof node === 'object' ? lowerKeys(node).get(key.toLowerCase()) : undefined
    if (!next) throw new Error(`${operand}: "${key}" is not provided here`)
    node = next[1]
  }
  return node
}

/** lower-cased key → [key as written, value]. */
function lowerKeys(object) {
  return new Map(Object.entries(object).map(([k, v]) => [k.toLowerCase(), [k, v]]))
}
