import { describe, expect, it } from '@jest/globals'
import { codeBlock, escapeMarkdown, renderMarkdown } from '../../src/kube/diagnostics-render.js'
import {
  collectDiagnostics,
  matchesLabels,
  summarizeEvents,
  type Diagnostics
} from '../../src/kube/diagnostics.js'
import { FakeKube } from './kube-fake.js'
import { crashLooping, deployment, event, NS, pod, replicaSet, waitingFor } from './kube-objects.js'

function crashingCluster(): FakeKube {
  const kube = new FakeKube()
  kube.put(
    deployment({
      updated: 1,
      total: 1,
      revision: '1',
      conditions: [
        {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.'
        }
      ]
    })
  )
  kube.put(replicaSet('web', 'abc', '1'))
  kube.put(pod('web-abc-1', 'abc', [crashLooping(2)]))
  kube.put(
    pod('web-abc-2', 'abc', [
      waitingFor(
        'ErrImageNeverPull',
        'Container image "web:2" is not present with pull policy of Never'
      )
    ])
  )
  kube.logs.set('web-abc-1/app/previous', 'starting\nfatal: config file missing')
  kube.logs.set('web-abc-1/app', 'starting\nfatal: config file missing (again)')
  kube.put(
    event(
      'Pod/web-abc-1',
      'BackOff',
      'Back-off restarting failed container',
      '2026-01-01T00:00:09Z',
      { count: 2 }
    )
  )
  kube.put(event('Pod/web-abc-1', 'Started', 'Started container app', '2026-01-01T00:00:02Z'))
  kube.put(
    event(
      'Pod/web-abc-1',
      'BackOff',
      'Back-off restarting failed container',
      '2026-01-01T00:00:12Z',
      { count: 1 }
    )
  )
  kube.put(
    event(
      'Pod/web-abc-2',
      'ErrImageNeverPull',
      'Container image "web:2" is not present with pull policy of Never',
      '2026-01-01T00:00:05Z'
    )
  )
  return kube
}

describe('collectDiagnostics', () => {
  it('collects workloads, pods, sorted deduplicated events and logs (previous after a restart)', async () => {
    const kube = crashingCluster()
    const report = await collectDiagnostics(kube, NS)
    const d = report.data
    expect(d.workloads[0]).toEqual({
      kind: 'Deployment',
      name: 'web',
      summary: '1 desired | 1 updated | 1 total | 0 available | 0 unavailable',
      revision: '1',
      conditions: [expect.objectContaining({ type: 'Available', status: 'False' })]
    })
    expect(d.workloads.slice(1).map(r => `${r.kind}/${r.name}`)).toEqual(['ReplicaSet/web-abc'])
    expect(d.pods.map(p => [p.name, p.containers[0].state, p.containers[0].restartCount])).toEqual([
      [
        'web-abc-1',
        'Waiting (CrashLoopBackOff): back-off 10s restarting failed container=app pod=web-abc-1',
        2
      ],
      [
        'web-abc-2',
        'Waiting (ErrImageNeverPull): Container image "web:2" is not present with pull policy of Never',
        0
      ]
    ])
    expect(d.pods[0].containers[0].lastState).toBe(
      'Terminated: exit code 3 (Error): config file missing'
    )
    expect(d.pods[0].containers[0].previousLogs).toBe('starting\nfatal: config file missing')
    // Down after a crash: its "current" log is the run that just crashed.
    expect(d.pods[0].containers[0].logs).toBe('starting\nfatal: config file missing (again)')
    expect(d.pods[1].containers[0].previousLogs).toBeUndefined()
    expect(d.events.map(e => [e.object, e.reason, e.count, e.lastSeen])).toEqual([
      ['pod/web-abc-1', 'Started', 1, '2026-01-01T00:00:02Z'],
      ['pod/web-abc-2', 'ErrImageNeverPull', 1, '2026-01-01T00:00:05Z'],
      ['pod/web-abc-1', 'BackOff', 3, '2026-01-01T00:00:12Z']
    ])
    // Never-started containers get no log request at all (it would only fail).
    expect(kube.callsOf('podLogs').map(c => c.args[1])).toEqual(['web-abc-1', 'web-abc-1'])
    expect(d.errors).toEqual([])

    expect(report.groups.map(g => g.title)).toEqual([
      `Workloads in namespace ${NS}`,
      `Pods in namespace ${NS}`,
      `Events in namespace ${NS}`,
      'Logs: web-abc-1/app (previous run)',
      'Logs: web-abc-1/app'
    ])
    expect(report.text).toContain('Deployment web (revision 1): 1 desired | 1 updated')
    expect(report.text).toContain('Container app (web:1): ready false, 2 restarts')
    expect(report.text).toContain(
      'Last State: Terminated: exit code 3 (Error): config file missing'
    )
    expect(report.text).toMatch(/LAST SEEN +TYPE +REASON +OBJECT +MESSAGE/)
    expect(report.text).toContain(
      '== Logs: web-abc-1/app (previous run) ==\nstarting\nfatal: config file missing'
    )
    expect(report.markdown).toContain(
      '<details><summary>Logs: web-abc-1/app (previous run)</summary>'
    )
  })

  it('never throws: what cannot be read is listed', async () => {
    const kube = crashingCluster()
    kube.failNext('list', new Error('connection refused'))
    kube.logs.delete('web-abc-1/app/previous')
    kube.logs.delete('web-abc-1/app')
    const report = await collectDiagnostics(kube, NS)
    expect(report.data.errors).toEqual([
      'list deployments: connection refused',
      'logs of web-abc-1/app: container "app" in pod "web-abc-1" has no logs',
      'logs of web-abc-1/app (previous): container "app" in pod "web-abc-1" has no logs'
    ])
    expect(report.markdown).toContain('**Could not collect:**')
  })

  it('reads the current log of a running container, tail-limited', async () => {
    const kube = new FakeKube()
    kube.put(
      pod('p', 'h', [{ ready: true, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }])
    )
    kube.logs.set('p/app', Array.from({ length: 80 }, (_, i) => `line ${i}`).join('\n'))
    const report = await collectDiagnostics(kube, NS, { tailLines: 5 })
    expect(report.data.pods[0].containers[0].logs).toBe(
      'line 75\nline 76\nline 77\nline 78\nline 79'
    )
    expect(kube.callsOf('podLogs')[0].args[3]).toMatchObject({ tailLines: 5, previous: false })
  })
})

describe('summarizeEvents', () => {
  it('uses series and eventTime when lastTimestamp is empty, keeping the most recent', () => {
    const events = [
      event('Pod/a', 'X', 'm1', '2026-01-01T00:00:01Z'),
      {
        ...event('Pod/a', 'Y', 'm2', ''),
        lastTimestamp: null,
        firstTimestamp: null,
        eventTime: '2026-01-01T00:00:03.5Z',
        series: { count: 4, lastObservedTime: '2026-01-01T00:00:04Z' }
      },
      event('Pod/a', 'Z', 'm3', '2026-01-01T00:00:02Z')
    ]
    expect(summarizeEvents(events, 2).map(e => [e.reason, e.count])).toEqual([
      ['Z', 1],
      ['Y', 4]
    ])
  })
})

describe('Markdown rendering', () => {
  it('escapes HTML and Markdown in cells, and fences logs whatever they contain', () => {
    expect(escapeMarkdown('a | b <script>x</script> *c* `d`\nnext')).toBe(
      'a \\| b &lt;script&gt;x&lt;/script&gt; \\*c\\* \\`d\\` next'
    )
    expect(codeBlock('no fences')).toBe('```text\nno fences\n```')
    expect(codeBlock('has ``` and ````` inside')).toBe(
      '``````text\nhas ``` and ````` inside\n``````'
    )
  })

  const base: Diagnostics = {
    namespace: NS,
    collectedAt: '2026-01-01T00:00:00Z',
    workloads: [],
    pods: [],
    events: [],
    errors: []
  }

  it('renders a hostile log safely: no HTML escapes the details block, terminal codes removed', () => {
    const md = renderMarkdown({
      ...base,
      pods: [
        {
          name: 'p</summary><img src=x>',
          phase: 'Running',
          conditions: [],
          containers: [
            {
              name: 'app',
              init: false,
              ready: false,
              restartCount: 1,
              state: 'Running | since <now>',
              logs: '\u001b[31mred\u001b[0m\n```\n</details><script>alert(1)</script>'
            }
          ]
        }
      ]
    })
    expect(md).toContain('<summary>Logs: p&lt;/summary&gt;&lt;img src=x&gt;/app</summary>')
    expect(md).toContain('````text\nred\n```\n</details><script>alert(1)</script>\n````')
    expect(md).toContain('| Running \\| since &lt;now&gt; |')
    expect(md).not.toContain('\u001b')
  })

  it('stays within the size bound, keeping the newest events and log lines', () => {
    const bigLog = Array.from({ length: 50 }, (_, i) => `log line ${i} ${'x'.repeat(300)}`).join(
      '\n'
    )
    const pods = Array.from({ length: 10 }, (_, i) => ({
      name: `web-${i}`,
      phase: 'Running',
      conditions: [],
      containers: [
        {
          name: 'app',
          init: false,
          ready: false,
          restartCount: 1,
          state: 'Running',
          logs: bigLog,
          previousLogs: bigLog
        }
      ]
    }))
    const events = Array.from({ length: 300 }, (_, i) => ({
      type: 'Warning',
      reason: 'Unhealthy',
      object: `pod/web-${i % 10}`,
      message: `Readiness probe failed ${i} ${'y'.repeat(200)}`,
      count: 1,
      lastSeen: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()
    }))
    const md = renderMarkdown({ ...base, pods, events }, { maxBytes: 20_000 })
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(20_000)
    expect(md).toContain('Readiness probe failed 299')
    expect(md).not.toContain('Readiness probe failed 0 ')
    expect(md).toContain('log line 49')
    expect(md).toMatch(/_Cut to fit the summary: .*older events.*; see the job log\._/)
  })
})

describe('one collection for the log groups and the bundle', () => {
  it('serving the bundle: whole logs, every pod listed, the groups still show only the run’s pods and tails', async () => {
    const kube = crashingCluster()
    const stranger = pod('other-1', 'xyz', [
      { ready: true, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }
    ])
    stranger.metadata.labels = { app: 'other' }
    kube.put(stranger)
    kube.logs.set('other-1/app', 'not the run’s')
    kube.logs.set('web-abc-1/app', Array.from({ length: 80 }, (_, i) => `line ${i}`).join('\n'))
    const report = await collectDiagnostics(kube, NS, {
      labelSelector: 'app=web',
      tailLines: 5,
      bundle: { podSelector: undefined }
    })
    expect(report.model.pods.map(p => p.metadata.name)).toEqual([
      'other-1',
      'web-abc-1',
      'web-abc-2'
    ])
    expect(report.data.pods.map(p => p.name)).toEqual(['web-abc-1', 'web-abc-2'])
    // Read whole (no tailLines) once; the groups show its last lines.
    expect(
      kube.callsOf('podLogs').every(c => !(c.args[3] as object & { tailLines?: number }).tailLines)
    ).toBe(true)
    expect(report.data.pods[0].containers[0].logs).toBe(
      'line 75\nline 76\nline 77\nline 78\nline 79'
    )
    expect(report.model.logs.find(l => l.pod === 'web-abc-1')?.current?.text).toContain('line 0\n')
    expect(kube.callsOf('list').map(c => c.args[0])).toEqual([
      'Deployment',
      'Pod',
      'Event',
      'ReplicaSet'
    ])
  })
})

describe('matchesLabels', () => {
  const p = (labels: Record<string, string>) => {
    const o = pod('p', 'h')
    o.metadata.labels = labels
    return o
  }
  it.each([
    ['run=r1', { run: 'r1' }, true],
    ['run==r1', { run: 'r1' }, true],
    ['run=r1', { run: 'r2' }, false],
    ['run=r1,app=web', { run: 'r1', app: 'web' }, true],
    ['run=r1,app=web', { run: 'r1' }, false],
    ['app!=web', { app: 'api' }, true],
    ['app!=web', { app: 'web' }, false],
    ['app', { app: 'x' }, true],
    ['app', {}, false]
  ])('%s on %j: %s', (selector, labels, expected) => {
    expect(matchesLabels(p(labels), selector)).toBe(expected)
  })
})
