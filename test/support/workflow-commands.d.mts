// Types for workflow-commands.mjs.

export interface WorkflowCommand {
  name: string
  properties: Record<string, string>
  data: string
}

export interface RunnerReading {
  commands: WorkflowCommand[]
  annotations: Array<{ level: string; message: string; properties: Record<string, string> }>
  masks: string[]
  shown: string[]
  /** Output ended inside a stop-commands block. */
  stillStopped: boolean
}

export function readAsRunner(output: string): RunnerReading
