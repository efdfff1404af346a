// Helm charts: rendered with the real helm (`helm template`, argv only), then the same road as
// manifests; hooks run as `helm install` runs them; test pods like `helm test --logs`.
//
//   inputs:     parseChartInputs(input)                      → ChartConfig | undefined
//   preflight:  prepareChart(chart, {runner, workspace, namespace})   offline render, checks
//   validate:   chart.render(await serverCapabilities(discovery, version))   → ChartObjects

export { parseChartInputs, parseSetLines, type ChartConfig } from './inputs.js'
export {
  missingDependencies,
  parseRendered,
  prepareChart,
  type ChartInfo,
  type PreparedChart
} from './chart.js'
export { helmMessage, sourceArgs, templateArgs, type Capabilities } from './render.js'
export { renderForServer, serverCapabilities } from './capabilities.js'
export { checkChartClash } from './clash.js'
export {
  deletePolicies,
  hookEvents,
  sortHooks,
  splitBy,
  splitHooks,
  weight,
  type ChartObjects
} from './hooks.js'
export {
  deleteFailedHook,
  runChartTests,
  runHooks,
  type ChartTestResult,
  type HookDeps
} from './install.js'
