import { describe, expect, test } from '@jest/globals'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { renderJUnit, writeJUnitFile, type RunReport } from '../../src/report/index.js'
import { failingCheck, loadCheck, passingCheck, report, sampledCheck } from './report-fixtures.js'

type Node = Record<string, unknown>
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: name => ['testsuite', 'testcase'].includes(name),
  textNodeName: '#text',
  trimValues: false,
  parseAttributeValue: false,
  parseTagValue: false
})

function parse(xml: string): { root: Node; suites: Node[] } {
  expect(XMLValidator.validate(xml)).toBe(true)
  const doc = parser.parse(xml) as { testsuites: Node }
  return { root: doc.testsuites, suites: (doc.testsuites.testsuite as Node[]) ?? [] }
}
const cases = (suite: Node) => suite.testcase as Node[]

const workloads: RunReport['workloads'] = [
  {
    kind: 'Deployment',
    name: 'web',
    passed: true,
    durationMs: 1650,
    message: 'successfully rolled out'
  },
  {
    kind: 'StatefulSet',
    name: 'kv',
    passed: false,
    durationMs: 3200,
    message: 'statefulset "kv" failed: container "kv" is in CrashLoopBackOff'
  }
]

describe('renderJUnit', () => {
  test('a rollout suite (one case per workload) and a smoke suite (one case per check)', () => {
    const r = report({
      result: 'failed',
      workloads,
      smoke: [passingCheck(), failingCheck(), sampledCheck(), loadCheck()]
    })
    const { root, suites } = parse(renderJUnit(r))
    expect(root).toMatchObject({ name: 'minikube-smoke', tests: '6', failures: '3', skipped: '0' })
    expect(suites.map(s => [s.name, s.tests, s.failures])).toEqual([
      ['rollout', '2', '1'],
      ['smoke', '4', '2']
    ])
    const [web, kv] = cases(suites[0])
    expect(web).toMatchObject({
      name: 'Deployment/web',
      classname: 'minikube-smoke.rollout',
      time: '1.650',
      'system-out': 'successfully rolled out'
    })
    expect(kv).toMatchObject({
      name: 'StatefulSet/kv',
      failure: {
        message: 'statefulset "kv" failed: container "kv" is in CrashLoopBackOff',
        type: 'RolloutFailed'
      }
    })
    const [ok, bad, sampled, load] = cases(suites[1])
    expect(ok).toMatchObject({ name: 'GET /', classname: 'minikube-smoke.smoke', time: '0.265' })
    expect(ok.failure).toBeUndefined()
    expect(bad.failure).toMatchObject({
      message: 'expected status 200, got 500',
      type: 'SmokeCheckFailed'
    })
    const badText = (bad.failure as Node)['#text'] as string
    expect(badText).toContain(
      'attempt 7 at +24000 ms: status 500 in 8 ms: expected status 200, got 500'
    )
    expect(badText).toContain(
      'last response: 500 from http://127.0.0.1:30080/?msg=Chicago\nInternal Server Error'
    )
    expect(sampled['system-out']).toContain(
      'samples: 20 of 20 passed; p50 5 ms, p95 12 ms, max 40 ms'
    )
    expect((load.failure as Node)['#text']).toContain(
      'load: 400 requests at concurrency 4 in 2.000 s, 200 req/s, 95 % passed; p50 3.5 ms, p95 9.8 ms, p99 14.2 ms\nerrors: status 500 × 20'
    )
  })

  test('checks that never ran are skipped', () => {
    const notRun = passingCheck({
      check: 'GET /later',
      passed: false,
      notRun: true,
      reason: 'not run: pod web-1 restarted',
      attempts: []
    })
    const { root, suites } = parse(
      renderJUnit(report({ result: 'failed', smoke: [failingCheck(), notRun] }))
    )
    expect(root).toMatchObject({ tests: '2', failures: '1', skipped: '1' })
    expect(cases(suites[0])[1]).toMatchObject({
      name: 'GET /later',
      skipped: { message: 'not run: pod web-1 restarted' }
    })
  })

  test('a run that failed before any check still fails the file', () => {
    const phases = report().phases.map(p =>
      p.name === 'deploy' ? { ...p, status: 'failed' as const, error: 'apply refused' } : p
    )
    const { root, suites } = parse(
      renderJUnit(report({ result: 'failed', smoke: [], phases, error: 'deploy: apply refused' }))
    )
    expect(root).toMatchObject({ tests: '1', failures: '1' })
    expect(cases(suites[0])[0]).toMatchObject({
      name: 'phase deploy',
      failure: { message: 'deploy: apply refused', type: 'RunFailed' }
    })
  })

  test('a failed rollout: the failed object, and one still starting as not ready', () => {
    const r = report({
      result: 'failed',
      smoke: [],
      workloads: [
        {
          kind: 'Deployment',
          name: 'api',
          passed: false,
          durationMs: 9000,
          state: 'failed',
          message: 'deployment.apps "api" failed: CrashLoopBackOff'
        },
        {
          kind: 'StatefulSet',
          name: 'kv',
          passed: false,
          durationMs: 9000,
          state: 'waiting',
          message: 'Waiting for 1 pods to be ready...'
        }
      ]
    })
    const { suites } = parse(renderJUnit(r))
    expect(suites.map(s => s.name)).toEqual(['rollout'])
    const [api, kv] = cases(suites[0])
    expect(api.failure).toMatchObject({
      type: 'RolloutFailed',
      message: 'deployment.apps "api" failed: CrashLoopBackOff'
    })
    expect(kv.failure).toMatchObject({
      type: 'NotReady',
      message: 'not ready when the rollout ended: Waiting for 1 pods to be ready...'
    })
  })

  test('untrusted text is escaped and cannot break the XML or inject elements', () => {
    const hostile =
      'x"/><testcase name="pwned"/><![CDATA[ ]]> & \'q\' <script>\u0000\u001b[31m\u0007\uD800 end'
    const r = report({
      result: 'failed',
      workloads: [
        { kind: 'Deployment', name: 'web', passed: false, durationMs: 1, message: hostile }
      ],
      smoke: [
        failingCheck({
          check: `GET /?q=${hostile}`,
          reason: hostile,
          lastResponse: {
            status: 500,
            url: 'http://127.0.0.1:30080/',
            body: `${hostile}\n::error::x`,
            bodyBytes: 10,
            truncated: false
          }
        })
      ]
    })
    const xml = renderJUnit(r)
    const { root, suites } = parse(xml)
    expect(root.tests).toBe('2')
    expect(xml).not.toContain('<testcase name="pwned"')
    const controls = [...xml].filter(ch => ch < ' ' && !'\t\n\r'.includes(ch))
    expect(controls).toEqual([])
    const replaced = ['\u0000', '\u001b', '\u0007', '\uD800'].reduce(
      (text, ch) => text.replaceAll(ch, '\uFFFD'),
      hostile
    )
    expect((cases(suites[0])[0].failure as Node).message).toBe(replaced)
    const check = cases(suites[1])[0]
    expect(check.name).toBe(`GET /?q=${replaced}`)
    expect((check.failure as Node).message).toBe(replaced)
    expect((check.failure as Node)['#text']).toContain(`${replaced}\n::error::x`)
  })

  test('huge texts are bounded', () => {
    const huge = 'y'.repeat(200_000)
    const xml = renderJUnit(
      report({
        result: 'failed',
        smoke: [
          failingCheck({
            reason: huge,
            lastResponse: { status: 500, url: 'u', body: huge, bodyBytes: 1, truncated: false }
          })
        ]
      })
    )
    expect(xml.length).toBeLessThan(20_000)
    parse(xml)
  })
})

test('writeJUnitFile writes the file atomically, creating the directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'junit-test-'))
  try {
    const path = join(dir, 'out', 'minikube-smoke-junit-1-1-abcde.xml')
    await writeJUnitFile(path, report())
    const xml = await readFile(path, 'utf8')
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true)
    expect(parse(xml).root.failures).toBe('0')
    expect(await readdir(join(dir, 'out'))).toEqual(['minikube-smoke-junit-1-1-abcde.xml'])
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

describe('chart tests in the JUnit file', () => {
  test('one case per test pod, its logs as output, a failure with its logs', () => {
    const { suites } = parse(
      renderJUnit(
        report({
          result: 'failed',
          chartTests: [
            {
              name: 'web-test',
              passed: true,
              durationMs: 1200,
              message: 'succeeded',
              logs: 'answered 200'
            },
            {
              name: 'db-test',
              passed: false,
              durationMs: 800,
              message: 'pod "db-test" failed',
              logs: 'refused <db>'
            }
          ]
        })
      )
    )
    const suite = suites.find(s => s.name === 'chart-tests')!
    expect(suite).toMatchObject({ tests: '2', failures: '1' })
    const [web, db] = cases(suite)
    expect(web).toMatchObject({ name: 'Pod/web-test', 'system-out': 'answered 200' })
    expect(db.failure).toMatchObject({
      message: 'pod "db-test" failed',
      type: 'ChartTestFailed',
      '#text': 'refused <db>'
    })
  })
})
