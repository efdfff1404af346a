// What the run tells the workflow: the outputs map and the one-line failure message.

import type { RunReport } from './types.js'

/**
 * The action outputs, all strings ('' when unknown): result, url, report, junit, image, images
 * (JSON: repository → deployed reference), namespace, node-port, duration-ms.
 */
export function outputsFor(
  report: RunReport,
  reportPath: string,
  junitPath = ''
): Record<string, string> {
  return {
    result: report.result,
    url: report.url ?? '',
    report: reportPath,
    junit: junitPath,
    image: report.image ?? '',
    images: report.images
      ? JSON.stringify(Object.fromEntries(report.images.map(i => [i.name, i.ref])))
      : '',
    namespace: report.namespace ?? '',
    'node-port': report.nodePort === undefined ? '' : String(report.nodePort),
    'duration-ms': String(Math.max(0, Math.round(report.durationMs)))
  }
}

/**
 * The message for core.setFailed; '' when the run passed. The first failing smoke check wins:
 * `GET /?msg=Chicago: expected status 200, got 500 after 7 attempts in 30.2 s`; else the run's
 * error; else the first failed phase (`deploy: …`).
 */
export function failureMessage(report: RunReport): string {
  if (report.result === 'passed') return ''
  const failing = report.smoke.filter(r => !r.passed)
  if (failing.length > 0) {
    const f = failing[0]
    const n = f.attempts.length
    const took = `${(f.durationMs / 1000).toFixed(1)} s`
    let msg = `${f.check}: ${f.reason ?? 'failed'}`
    if (f.load) msg += ` (${f.load.requests} load requests; the check took ${took})`
    else if (f.samples) msg += ` (the check took ${took})`
    else if (n > 0) msg += ` after ${n} attempt${n === 1 ? '' : 's'} in ${took}`
    if (failing.length > 1) {
      const more = failing.length - 1
      msg += ` (and ${more} more failing check${more === 1 ? '' : 's'}: see the job summary)`
    }
    return msg
  }
  if (report.error) return report.error
  const phase = report.phases.find(p => p.status === 'failed')
  if (phase) return `${phase.name}: ${phase.error ?? 'failed'}`
  return 'failed (no reason recorded)'
}
