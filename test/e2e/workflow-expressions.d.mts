// Types for workflow-expressions.mjs (plain JS so the e2e suite can use it too).

export type Value = string | boolean | number | null
export interface InputSpec {
  description?: string
  type?: string
  required?: boolean
  default?: Value
}
export interface Contexts {
  inputs?: Record<string, Value>
  secrets?: Record<string, string>
  steps?: Record<string, { outputs?: Record<string, string> }>
  status?: 'success' | 'failure' | 'cancelled'
  [context: string]: unknown
}

export function callInputs(
  declared: Record<string, InputSpec> | undefined,
  given: Record<string, unknown>
): Record<string, Value>
export function callSecrets(
  declared: Record<string, { required?: boolean } | null> | undefined,
  given: Record<string, unknown>
): Record<string, string>
export function evaluate(value: unknown, contexts: Contexts): unknown
export function evaluateMap(
  map: Record<string, unknown> | undefined,
  contexts: Contexts
): Record<string, string>
export function conditionHolds(condition: unknown, contexts: Contexts): boolean
export function asString(value: unknown): string
