// The server's capabilities as `helm install` reads them from discovery: every served group
// version and `group/version/Kind`, and the server's version.

import type { Discovery } from '../kube/discovery.js'
import type { ServerVersion } from '../kube/versions.js'
import type { PreparedChart } from './chart.js'
import type { ChartObjects } from './hooks.js'
import type { Capabilities } from './render.js'

export async function serverCapabilities(
  discovery: Discovery,
  version: ServerVersion
): Promise<Capabilities> {
  const groupVersions = await discovery.groupVersions()
  const kinds = await Promise.all(
    groupVersions.map(async gv => (await discovery.kindsOf(gv)).map(k => `${gv}/${k}`))
  )
  return { kubeVersion: version.gitVersion, apiVersions: [...groupVersions, ...kinds.flat()] }
}

/**
 * The chart rendered for this server, with one log line naming it and one for the hooks an
 * install does not run.
 */
export async function renderForServer(
  chart: PreparedChart,
  discovery: Discovery,
  version: ServerVersion,
  log: (line: string) => void
): Promise<ChartObjects> {
  const rendered = await chart.render(await serverCapabilities(discovery, version))
  const { name, version: v, release, helm } = chart.info
  log(
    `chart ${name} ${v} rendered as release "${release}" (helm ${helm}, Kubernetes ${version.gitVersion})`
  )
  if (rendered.skipped.length) {
    const list = rendered.skipped.map(
      s => `${s.item.kind} "${s.item.metadata.name}" (${s.events.join(', ')})`
    )
    log(
      `hooks not run (an install runs pre-install, post-install and test hooks only): ${list.join('; ')}`
    )
  }
  return rendered
}
