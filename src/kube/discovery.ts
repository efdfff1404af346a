// API discovery: which group versions the server serves and, for each, its resources (plural,
// scope). Read lazily, one request per group version, cached for the run; refreshed after the
// run's CRDs are established so their custom resources resolve.

import type { KubePort, ResourceType } from './api.js'

interface APIResourceList {
  groupVersion: string
  resources: Array<{ name: string; namespaced: boolean; kind: string; verbs?: string[] }>
}

interface APIGroupList {
  groups: Array<{ name: string; versions: Array<{ groupVersion: string; version: string }> }>
}

export class Discovery {
  private groups?: Promise<Map<string, string[]>>
  private readonly resources = new Map<string, Promise<ResourceType[] | undefined>>()

  constructor(private readonly kube: KubePort) {}

  /** Versions served for a group (`''` is the core group), e.g. `policy` → `['v1beta1']`. */
  async versionsOf(group: string): Promise<string[]> {
    return (await this.groupMap()).get(group) ?? []
  }

  /** Every served group version, `v1` and `apps/v1` style. */
  async groupVersions(): Promise<string[]> {
    return [...(await this.groupMap())].flatMap(([group, versions]) =>
      versions.map(v => (group ? `${group}/${v}` : v))
    )
  }

  /** The served resource for an apiVersion and kind; undefined when the server does not serve it. */
  async resolve(apiVersion: string, kind: string): Promise<ResourceType | undefined> {
    const list = await this.resourcesOf(apiVersion)
    return list?.find(r => r.kind === kind)
  }

  /** Kinds a group version serves (for the message when a kind is not among them). */
  async kindsOf(apiVersion: string): Promise<string[]> {
    return [...new Set((await this.resourcesOf(apiVersion))?.map(r => r.kind) ?? [])].sort()
  }

  /** Forget what was read: new CRDs were established. */
  refresh(): void {
    this.groups = undefined
    this.resources.clear()
  }

  private groupMap(): Promise<Map<string, string[]>> {
    this.groups ??= Promise.all([
      this.kube.getJson<{ versions: string[] }>('/api'),
      this.kube.getJson<APIGroupList>('/apis')
    ]).then(([core, apis]) => {
      const map = new Map<string, string[]>([['', core.versions ?? []]])
      for (const g of apis.groups ?? [])
        map.set(
          g.name,
          g.versions.map(v => v.version)
        )
      return map
    })
    return this.groups
  }

  private resourcesOf(apiVersion: string): Promise<ResourceType[] | undefined> {
    let found = this.resources.get(apiVersion)
    if (!found) {
      found = this.readResources(apiVersion)
      this.resources.set(apiVersion, found)
    }
    return found
  }

  private async readResources(apiVersion: string): Promise<ResourceType[] | undefined> {
    const slash = apiVersion.indexOf('/')
    const group = slash < 0 ? '' : apiVersion.slice(0, slash)
    const version = apiVersion.slice(slash + 1)
    if (!(await this.versionsOf(group)).includes(version)) return undefined
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`
    const list = await this.kube.getJson<APIResourceList>(path)
    return (list.resources ?? [])
      .filter(r => !r.name.includes('/')) // subresources such as deployments/scale
      .map(r => ({ group, version, kind: r.kind, plural: r.name, namespaced: r.namespaced }))
  }
}
