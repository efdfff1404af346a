// The bundle's files of the cluster, rendered from the diagnostics model (model.ts): each object of
// the run as the server has it, each pod described and as YAML, the events, the container logs.
// Reads nothing.

import { dump } from 'js-yaml'
import type { SecretRegistry } from '../secrets.js'
import { logsInOrder } from './collect.js'
import type { DiagnosticsModel, LiveObject } from './model.js'
import { describePodText, eventsTable, objectYaml } from './render.js'
import { safePath, type BoundedDirectory } from './writer.js'

/** What the bundle shows of a namespace: its model and the run's objects wherever they live. */
export interface BundleCluster {
  model: DiagnosticsModel
  objects: readonly LiveObject[]
}

export async function writeClusterFiles(
  out: BoundedDirectory,
  c: BundleCluster,
  errors: string[],
  secrets: SecretRegistry
): Promise<void> {
  const redactObject = <T>(o: T) => secrets.redactDeep(o)
  errors.push(...c.model.errors)
  for (const live of c.objects) {
    const name = `objects/${live.ref.kind.toLowerCase()}-${live.ref.name}.yaml`
    if (live.object) await out.write(name, objectYaml(redactObject(live.object)))
    else
      errors.push(
        `${live.ref.kind.toLowerCase()}/${live.ref.name}: ${live.error ?? 'not found (deleted, or never created)'}`
      )
  }
  const events = bundleEvents(c)
  for (const pod of c.model.pods) {
    const name = safePath(pod.metadata.name ?? 'pod')
    await out.write(`pods/${name}.txt`, describePodText(pod, events))
    await out.write(`pods/${name}.yaml`, objectYaml(redactObject(pod)))
  }
  await out.write('events.txt', eventsTable(events))
  await out.write(
    'events.yaml',
    dump(JSON.parse(JSON.stringify(redactObject(events))), { lineWidth: -1, noRefs: true })
  )
  await writeLogFiles(out, c.model, errors)
}

/** A namespace the run shares (pods picked by a selector): only events about its objects and pods. */
function bundleEvents(c: BundleCluster) {
  if (!c.model.podSelector) return c.model.events
  const names = [...c.objects.map(o => o.ref.name), ...c.model.pods.map(p => p.metadata.name ?? '')]
  return c.model.events.filter(e => {
    const n = e.involvedObject?.name ?? ''
    return names.some(x => n === x || n.startsWith(`${x}-`))
  })
}

/** The logs that explain each container first (they matter most under the bound), then the rest. */
async function writeLogFiles(
  out: BoundedDirectory,
  model: DiagnosticsModel,
  errors: string[]
): Promise<void> {
  const max = 'wholeUpTo' in model.logMode ? model.logMode.wholeUpTo : 0
  for (const { record, run, log } of logsInOrder(model.logs)) {
    const path = `logs/${record.pod}/${record.container}${run === 'previous' ? '.previous' : ''}.log`
    if (log.error !== undefined) errors.push(`${path}: ${log.error}`)
    else if (log.skipped) out.cuts.push(`${path}: left out, the logs before it fill the bound`)
    else if (log.text !== undefined) {
      await out.write(path, log.text, { keep: 'tail' })
      if (log.cut) out.cuts.push(`${path}: longer than ${max} bytes; its middle left out`)
    }
  }
}
