// Types for artifact-server.mjs (plain JS so the e2e suite can use it too).

export interface ReceivedArtifact {
  name: string
  request: Record<string, unknown>
  finalize?: { name: string; size: string; hash?: string }
  id?: number
  zip?: Buffer
  files?: Map<string, Buffer>
}

export interface ArtifactServer {
  env: { ACTIONS_RUNTIME_TOKEN: string; ACTIONS_RESULTS_URL: string }
  artifacts: ReceivedArtifact[]
  problems: string[]
  close(): Promise<void>
}

export function runtimeToken(): string
export function startArtifactServer(): Promise<ArtifactServer>
export function readZip(zip: Buffer): Map<string, Buffer>
