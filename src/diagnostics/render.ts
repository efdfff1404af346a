// The bundle's file formats: objects as YAML (without managedFields, Secret values left out), a
// pod the way `kubectl describe pod` shows it, and the events as a time-sorted table.

import { dump } from 'js-yaml'
import { cleanLog, describePod, textTable } from './describe.js'
import { kindOf } from '../kube/kinds.js'
import { eventTime } from '../kube/status/pods.js'
import { plural } from '../kube/status/verdict.js'
import type { KubeEvent, KubeObject, Pod } from '../kube/types.js'

/** Secret values never go into a file; the keys and sizes stay, for debugging. */
export function withoutSecretValues(object: KubeObject): KubeObject {
  if (!kindOf(object).holdsSecrets) return object
  const copy = jsonCopy(object) as KubeObject & {
    data?: Record<string, string>
    stringData?: Record<string, string>
  }
  const hide = (values: Record<string, string> | undefined, encoded: boolean) =>
    values &&
    Object.fromEntries(
      Object.entries(values).map(([k, v]) => {
        const bytes = encoded ? Buffer.from(v ?? '', 'base64').length : Buffer.byteLength(v ?? '')
        return [k, `<value left out: ${plural(bytes, 'byte')}>`]
      })
    )
  if (copy.data) copy.data = hide(copy.data, true)
  if (copy.stringData) copy.stringData = hide(copy.stringData, false)
  const annotations = copy.metadata.annotations
  // kubectl keeps the whole object, values included, in this annotation.
  if (annotations?.['kubectl.kubernetes.io/last-applied-configuration']) {
    annotations['kubectl.kubernetes.io/last-applied-configuration'] = '<left out: holds the values>'
  }
  return copy
}

/** As `kubectl get -o yaml` prints it (managedFields hidden, as kubectl does by default). */
export function objectYaml(object: KubeObject): string {
  const copy = jsonCopy(withoutSecretValues(object))
  delete copy.metadata.managedFields
  return dump(copy, { lineWidth: -1, noRefs: true, sortKeys: false })
}

/** Objects from the API are JSON; a JSON copy is also a plain object of this realm (js-yaml's test). */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

/** Several objects as one multi-document YAML file. */
export function objectsYaml(objects: readonly KubeObject[]): string {
  return objects.map(o => `---\n${objectYaml(o)}`).join('')
}

/** `kubectl describe pod`-like text, with the events about the pod at the end. */
export function describePodText(pod: Pod, events: readonly KubeEvent[]): string {
  const d = describePod(pod)
  const status = (pod.status ?? {}) as Record<string, unknown>
  const meta = pod.metadata
  const owner = meta.ownerReferences?.find(o => o.controller) ?? meta.ownerReferences?.[0]
  const lines = [
    `Name:          ${d.name}`,
    `Namespace:     ${meta.namespace ?? ''}`,
    `Node:          ${d.node ?? '<none>'}`,
    `Start Time:    ${status.startTime ?? '<unknown>'}`,
    `Labels:        ${labelsText(meta.labels)}`,
    `Status:        ${d.phase}`,
    `IP:            ${status.podIP ?? '<none>'}`,
    `Controlled By: ${owner ? `${owner.kind}/${owner.name}` : '<none>'}`
  ]
  if (d.message) lines.push(`Message:       ${d.message}`)
  for (const c of d.containers) {
    lines.push(`${c.init ? 'Init Container' : 'Container'} ${c.name}:`)
    lines.push(`  Image:         ${c.image ?? '?'}`)
    lines.push(`  State:         ${c.state}`)
    if (c.lastState) lines.push(`  Last State:    ${c.lastState}`)
    lines.push(`  Ready:         ${c.ready}`)
    lines.push(`  Restart Count: ${c.restartCount}`)
  }
  const conditions = (pod.status?.conditions ?? []).map(
    c => `  ${c.type.padEnd(18)} ${c.status}${c.reason ? ` (${c.reason})` : ''}`
  )
  lines.push('Conditions:', ...(conditions.length ? conditions : ['  <none>']))
  const mine = events.filter(
    e => e.involvedObject?.kind?.toLowerCase() === 'pod' && e.involvedObject.name === meta.name
  )
  lines.push('Events:', mine.length ? indent(eventsTable(mine).trimEnd()) : '  <none>')
  return `${lines.join('\n')}\n`
}

function labelsText(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {})
  if (entries.length === 0) return '<none>'
  return entries.map(([k, v]) => `${k}=${v}`).join('\n               ')
}

function indent(text: string): string {
  return text
    .split('\n')
    .map(l => `  ${l}`)
    .join('\n')
}

/** Every event, oldest first (by last occurrence), one line each, as `kubectl get events` lists. */
export function eventsTable(events: readonly KubeEvent[]): string {
  const rows = [...events]
    .sort((a, b) => eventTime(a) - eventTime(b))
    .map(e => {
      const at = eventTime(e)
      const count = e.series?.count ?? e.count ?? 1
      return [
        at ? new Date(at).toISOString() : '-',
        e.type ?? 'Normal',
        e.reason ?? '',
        `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? '?'}`,
        String(count),
        cleanLog(e.message ?? '')
          .trim()
          .replace(/\s*\n\s*/g, ' | ')
      ]
    })
  const header = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'COUNT', 'MESSAGE']
  if (rows.length === 0) return '(no events)\n'
  return `${textTable(header, rows)}\n`
}
