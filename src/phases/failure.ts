// A failed run: what is recorded and shown before the finish — the error for the report, its
// details, and the diagnostics of each of the run's namespaces (log groups and summary Markdown).

import { PhaseError, errorMessage } from '../errors.js'
import { collectDiagnostics, type KubePort } from '../kube/index.js'
import type { Run, Trail } from './run.js'

export async function recordFailure(run: Run, trail: Trail, err: unknown): Promise<void> {
  const { deps, report } = run
  trail.stability?.stop()
  report.result = 'failed'
  const failedSmoke = report.smoke.some(r => !r.passed)
  if (!failedSmoke) report.error = errorMessage(err)
  if (err instanceof PhaseError && err.details) {
    const details = err.details
    trail.errorDetails = details
    await deps.log.group('Details', async () => deps.log.untrusted(details))
  }
  // Cancelled: exit promptly, the post step cleans up; no time for diagnostics.
  if (trail.kube && trail.namespaceReady && !deps.signal?.aborted) {
    await showDiagnostics(run, trail, trail.kube)
  }
}

/** Each namespace's diagnostics as log groups; the Markdown for the summary, the text for the bundle. */
async function showDiagnostics(run: Run, trail: Trail, kube: KubePort): Promise<void> {
  const { deps, state, namespace } = run
  const markdown: string[] = []
  const text: string[] = []
  for (const ns of [namespace, ...(state.value.otherNamespaces ?? [])]) {
    const diagnostics = await collectDiagnostics(kube, ns, {
      labelSelector: run.labelSelector,
      objects: trail.applied
        ?.filter(t => (t.type.namespaced ? t.object.metadata.namespace === ns : ns === namespace))
        .map(t => ({ kind: t.object.kind, name: t.object.metadata.name ?? '', type: t.type })),
      // Read once for the bundle too (it keeps the run's namespace; see saveBundle).
      bundle:
        ns === namespace
          ? { podSelector: state.value.namespace?.created ? undefined : run.labelSelector }
          : undefined
    })
    trail.collected.push(diagnostics.model)
    const where = ns === namespace ? '' : ` (namespace ${ns})`
    for (const g of diagnostics.groups)
      await deps.log.group(`Diagnostics: ${g.title}${where}`, async () =>
        deps.log.untrusted(g.text)
      )
    markdown.push(diagnostics.markdown)
    text.push(diagnostics.text)
  }
  run.report.diagnosticsMarkdown = markdown.join('\n\n')
  trail.diagnosticsText = text.join('\n\n')
}
