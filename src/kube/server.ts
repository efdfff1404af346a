// The API server's version, read once per run, and what it implies (versions.ts).

import type { KubePort } from './api.js'
import { parseServerVersion, quirks, type ServerQuirks, type ServerVersion } from './versions.js'

export interface Server {
  version: ServerVersion
  quirks: ServerQuirks
}

export async function readServer(kube: KubePort): Promise<Server> {
  const version = parseServerVersion(await kube.getJson('/version'))
  return { version, quirks: quirks(version) }
}
