// The run report: a JSON file, the job summary, the action outputs and the failure message.
//
// Public API
//
//   types Phase {name, startedAt, endedAt, durationMs, status: 'ok'|'failed'|'skipped', error?}
//         RunReport {result, startedAt, durationMs, image?, namespace?, url?, nodePort?, phases,
//                    smoke: SmokeResult[], workloads?: WorkloadResult[], stability?, rollout?, error?,
//                    diagnosticsMarkdown?}
//         WorkloadResult {kind, name, passed, durationMs, message, state?, startedAt?, endedAt?,
//                         tolerated?: [{at, message}]}  (one per waited object; apply → ready/failed)
//         TimedEntry {section, name, startedAt, durationMs, status, note?}  (report.timeline: hooks,
//                    chart tests, … — drawn in the timeline under their section, and tabled)
//
//   new PhaseRecorder(clock)            .run(name, fn) → fn's value (records ok/failed, rethrows)
//                                       .skip(name, reason?)   .phases: Phase[]
//   writeReportFile(path, report): Promise<void>     pretty JSON, directory created, atomic
//   renderSummaryMarkdown(report, {maxBytes?}): string
//       title (+ failure message), facts (URL, image, namespace, NodePort, duration, the
//       stable-for window and whether it held), phase
//       table, smoke table (check, status, latency or samples' p50/p95/max, attempts, result),
//       load table (requests, req/s, success %, p50/p95/p99, errors by kind) with a latency chart
//       per load check (xychart: p50…p99.9, max, a line per threshold), a steps table
//       (report.timeline), rollout extras; right under the verdict a Mermaid gantt of the run
//       (timeline.ts: bounded rows, aggregates said in a note); and on
//       failure diagnosticsMarkdown — all within maxBytes (default 1 MiB − 64 KiB; GitHub
//       refuses a step summary over 1 MiB): cells are bounded, the smoke table shows at most
//       200 rows, diagnostics are cut at a line with fences/<details> closed and a note.
//   writeSummary(report, summaryPort, {maxBytes?}): Promise<void>
//       summaryPort is core.summary (addRaw + write); it throws when GITHUB_STEP_SUMMARY is
//       unset, so callers should catch and warn.
//   renderJUnit(report): string / writeJUnitFile(path, report)
//       JUnit XML: a `rollout` suite (one case per report.workloads entry), a `smoke` suite (one
//       case per check; not-run checks skipped), and for a run that failed outside them a `run`
//       case; all text escaped.
//   outputsFor(report, reportPath, junitPath?): Record<string, string>
//       result, url, report, junit, image, namespace, node-port, duration-ms ('' when unknown).
//   failureMessage(report): string      '' when passed; else e.g.
//       `GET /?msg=Chicago: expected status 200, got 500 after 7 attempts in 30.2 s`
//       (first failing check), else report.error, else `<phase>: <error>`.
//   formatDuration(ms): string          850 ms | 30.2 s | 2 min 5 s

export type { Phase, PhaseStatus, RunReport, TimedEntry, WorkloadResult } from './types.js'
export { ganttTimeline, type Diagram } from './timeline.js'
export { latencyChart, type LatencyChart } from './latency-chart.js'
export { renderJUnit, writeJUnitFile } from './junit.js'
export { PhaseRecorder } from './phases.js'
export { writeReportFile } from './file.js'
export {
  renderSummaryMarkdown,
  writeSummary,
  formatDuration,
  DEFAULT_SUMMARY_BYTES,
  SUMMARY_LIMIT_BYTES,
  MAX_SMOKE_ROWS,
  type SummaryPort,
  type SummaryOptions
} from './summary.js'
export { outputsFor, failureMessage } from './outcome.js'
