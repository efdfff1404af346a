// A chart given with `manifests`: an object both define is one line naming both inputs, before
// anything starts (which of the two is meant is the user's call, not the action's).

import { InputError } from '../errors.js'
import type { KubeObject } from '../kube/types.js'

const key = (o: KubeObject) => {
  const ns = o.metadata.namespace
  return `${o.kind} "${o.metadata.name}"${ns ? ` in namespace "${ns}"` : ''}`
}

/** Throws for the objects the chart renders that `manifests` (or kustomize) also define. */
export function checkChartClash(
  manifests: readonly KubeObject[],
  chart: readonly KubeObject[]
): void {
  const theirs = new Set(manifests.map(key))
  const both = [...new Set(chart.map(key))].filter(k => theirs.has(k))
  if (both.length === 0) return
  throw new InputError(
    'chart',
    `defines ${both.join(', ')}, which input 'manifests' also defines: keep one of the two`
  )
}
