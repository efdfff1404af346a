import { describe, expect, test } from '@jest/globals'
import {
  defaultNamespace,
  defaultTag,
  parseDurationSeconds,
  parseInputs,
  type RunFacts
} from '../../src/inputs.js'
import { InputError } from '../../src/errors.js'
import { isImageRepository } from '../../src/images/reference.js'

const run: RunFacts = {
  workspace: '/w',
  repository: 'octo/weather',
  sha: 'abcdef1234567890',
  runId: '4242',
  runAttempt: '2',
  job: 'smoke',
  key: 'k3y0a'
}

function parse(values: Record<string, string>) {
  return parseInputs(name => values[name] ?? '', run)
}

function errorOf(values: Record<string, string>): string {
  try {
    parse(values)
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    return (err as Error).message
  }
  throw new Error('expected an InputError')
}

describe('parseInputs defaults', () => {
  test('every input empty gives the documented defaults', () => {
    const c = parse({})
    expect(c.cluster).toMatchObject({
      kind: 'minikube',
      minikubeVersion: '',
      driver: 'docker',
      profile: 'minikube',
      startArgs: [],
      cache: true,
      startTimeoutMs: 900_000
    })
    expect(c.cluster.containerRuntime).toBe('docker')
    expect(c.images).toEqual({
      build: true,
      images: [
        {
          name: 'weather-service',
          ref: '',
          context: 'weather-service',
          dockerfile: '',
          buildArgs: [],
          target: '',
          origin: 'image'
        }
      ],
      tag: 'abcdef1-4242-2-k3y0a',
      load: 'auto',
      registry: '',
      secrets: [],
      timeoutMs: 1_800_000
    })
    expect(c.deploy).toMatchObject({
      manifests: [],
      namespace: '',
      replicas: undefined,
      containerPort: undefined,
      service: '',
      maxRestarts: 3,
      forceConflicts: false,
      rolloutTimeoutMs: 180_000,
      rolloutCheck: 'none',
      urlMode: 'nodeport'
    })
    expect(c.smoke.timeoutMs).toBe(60_000)
    expect(c.smoke.checks).toHaveLength(1)
    expect(c.teardown).toEqual({ mode: 'always', deleteCluster: true })
  })

  test('values are parsed and typed', () => {
    const c = parse({
      cluster: 'existing',
      'minikube-version': 'v1.34.0',
      'kubernetes-version': 'v1.31.2',
      'start-args': `--memory=4g --extra-config='kubelet.max-pods=50' "--addons=ingress"`,
      cache: 'false',
      replicas: '3',
      'container-port': '8080',
      'rollout-timeout': '2m30s',
      'smoke-timeout': '45',
      'build-args': 'A=1\n# comment\n\nB=x=y',
      manifests: 'k8s/deploy.yaml\nk8s/svc.yaml, extra',
      teardown: 'on-success',
      'delete-cluster': 'False',
      'rollout-check': 'update',
      namespace: 'smoke-pr-7',
      'url-host': '127.0.0.1'
    })
    expect(c.cluster.kind).toBe('existing')
    expect(c.cluster.minikubeVersion).toBe('1.34.0')
    expect(c.cluster.startArgs).toEqual([
      '--memory=4g',
      '--extra-config=kubelet.max-pods=50',
      '--addons=ingress'
    ])
    expect(c.cluster.cache).toBe(false)
    expect(c.deploy.replicas).toBe(3)
    expect(c.deploy.containerPort).toBe(8080)
    expect(c.deploy.rolloutTimeoutMs).toBe(150_000)
    expect(c.smoke.timeoutMs).toBe(45_000)
    expect(c.images.images[0].buildArgs).toEqual([
      ['A', '1'],
      ['B', 'x=y']
    ])
    expect(c.deploy.manifests).toEqual(['k8s/deploy.yaml', 'k8s/svc.yaml', 'extra'])
    expect(c.teardown).toEqual({ mode: 'on-success', deleteCluster: false })
    expect(c.deploy.rolloutCheck).toBe('update')
    expect(c.deploy.urlHost).toBe('127.0.0.1')
  })

  test.each([
    ['', 10_000], // the default
    ['0', 0], // off
    ['0s', 0],
    ['30', 30_000],
    ['45s', 45_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000]
  ])('stable-for %j → %d ms', (value, ms) => {
    expect(parse({ 'stable-for': value }).deploy.stableForMs).toBe(ms)
  })

  test('start-args as a YAML list', () => {
    expect(parse({ 'start-args': '- --cpus=2\n- --addons=ingress' }).cluster.startArgs).toEqual([
      '--cpus=2',
      '--addons=ingress'
    ])
  })
})

describe('parseInputs rejects bad input with one line naming it', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ replicas: 'abc' }, `input 'replicas' must be an integer from 1 to 50, got "abc"`],
    [{ replicas: '0' }, `input 'replicas' must be an integer from 1 to 50, got "0"`],
    [{ replicas: '51' }, `input 'replicas' must be an integer from 1 to 50, got "51"`],
    [{ replicas: '2.5' }, `input 'replicas' must be an integer from 1 to 50, got "2.5"`],
    [
      { 'container-port': '70000' },
      `input 'container-port' must be an integer from 1 to 65535, got "70000"`
    ],
    [
      { 'container-port': '-1' },
      `input 'container-port' must be an integer from 1 to 65535, got "-1"`
    ],
    [{ cluster: 'kind' }, `input 'cluster' must be one of "minikube", "existing", got "kind"`],
    [{ driver: 'dockr' }, `input 'driver' must be one of`],
    [
      { teardown: 'sometimes' },
      `input 'teardown' must be one of "always", "on-success", "never", got "sometimes"`
    ],
    [
      { 'rollout-check': 'canary' },
      `input 'rollout-check' must be one of "none", "update", got "canary"`
    ],
    [{ cache: 'yes' }, `input 'cache' must be true or false, got "yes"`],
    [{ 'delete-cluster': '1' }, `input 'delete-cluster' must be true or false, got "1"`],
    [
      { 'minikube-version': 'latest' },
      `input 'minikube-version' must be a version like 1.38.1, or empty, got "latest"`
    ],
    [
      { 'minikube-sha256': 'abc', 'minikube-version': '1.37.0' },
      `input 'minikube-sha256' must be 64 hexadecimal characters, got "abc"`
    ],
    [{ 'minikube-sha256': 'a'.repeat(64) }, `input 'minikube-sha256' needs minikube-version`],
    [{ 'kubernetes-version': '1.31' }, `input 'kubernetes-version' must be a version like v1.31.0`],
    [
      { 'start-args': `--foo='unterminated` },
      `input 'start-args' has an unterminated single quote`
    ],
    [{ 'start-args': '--foo "bar' }, `input 'start-args' has an unterminated double quote`],
    [{ 'start-args': '--cpus=2; rm -rf /' }, `input 'start-args' has the shell character ";"`],
    [{ 'start-args': '--name=$(whoami)' }, `input 'start-args' has the shell character "$"`],
    [
      { 'start-args': '--driver=kvm2' },
      `input 'start-args' must not set --driver: use the 'driver' input instead`
    ],
    [
      { 'start-args': '-p other' },
      `input 'start-args' must not set -p: use the 'profile' input instead`
    ],
    [
      { 'start-args': '--memory=4g -d kvm2' },
      `input 'start-args' must not set -d: use the 'driver' input instead`
    ],
    [{ 'start-args': '-dkvm2' }, `input 'start-args' must not set -d: use the 'driver' input`],
    [
      { 'start-args': '--vm-driver=kvm2' },
      `input 'start-args' must not set --vm-driver: use the 'driver' input`
    ],
    [
      { 'url-mode': 'ingress' },
      `input 'url-mode' must be one of "nodeport", "port-forward", got "ingress"`
    ],
    [
      { 'url-mode': 'port-forward', 'url-host': '10.0.0.5' },
      `input 'url-host' applies to url-mode: nodeport only (a port-forward listens on 127.0.0.1), got "10.0.0.5"`
    ],
    [
      { 'url-mode': 'port-forward', 'rollout-check': 'update' },
      `input 'rollout-check' update needs url-mode: nodeport`
    ],
    [{ 'start-args': '[1, [2]]' }, `input 'start-args' must be a YAML list of strings`],
    [{ image: 'Weather' }, `input 'image' must be an image repository name`],
    [{ image: 'weather:1.0' }, `input 'image' must be an image repository name`],
    [{ tag: '-bad' }, `input 'tag' must be a Docker tag`],
    [{ tag: 'a b' }, `input 'tag' must be a Docker tag`],
    [{ 'build-args': 'NOEQUALS' }, `input 'build-args' line 1 must be KEY=VALUE`],
    [{ 'build-args': 'A=1\n1BAD=2' }, `input 'build-args' line 2 must be KEY=VALUE`],
    [{ namespace: 'Smoke_NS' }, `input 'namespace' must be a valid namespace name`],
    [{ namespace: 'a'.repeat(64) }, `input 'namespace' must be a valid namespace name`],
    [{ 'rollout-timeout': 'soon' }, `input 'rollout-timeout' must be a duration from 1s to 6h`],
    [{ 'rollout-timeout': '0' }, `input 'rollout-timeout' must be a duration from 1s to 6h`],
    [{ 'smoke-timeout': '7h' }, `input 'smoke-timeout' must be a duration from 1s to 6h`],
    [{ 'url-host': 'http://127.0.0.1:80' }, `input 'url-host' must be a host name or IPv4 address`],
    [{ profile: 'My Profile' }, `input 'profile' must be lowercase letters`],
    [{ service: 'Web_Svc' }, `input 'service' must be a Service name`],
    [{ 'max-restarts': '-1' }, `input 'max-restarts' must be an integer from 0 to 100`],
    [{ 'force-conflicts': 'yes' }, `input 'force-conflicts' must be true or false`],
    [
      { 'stable-for': 'a while' },
      `input 'stable-for' must be a duration from 0 (off) to 1h, like 10s, 30s or 2m, got "a while"`
    ],
    [{ 'stable-for': '-5s' }, `input 'stable-for' must be a duration from 0 (off) to 1h`],
    [{ 'stable-for': '2h' }, `input 'stable-for' must be a duration from 0 (off) to 1h`],
    [{ 'stable-for': '10ms' }, `input 'stable-for' must be a duration from 0 (off) to 1h`]
  ]
  test.each(cases)('%j', (values, expected) => {
    const message = errorOf(values)
    expect(message).toContain(expected)
    expect(message).not.toContain('\n')
  })
})

describe('helpers', () => {
  test('defaultTag and defaultNamespace are unique per run and valid', () => {
    expect(defaultTag(run)).toBe('abcdef1-4242-2-k3y0a')
    expect(defaultNamespace(run)).toBe('smoke-4242-2-k3y0a')
    // Two uses of the action in one run (matrix jobs, two steps) get different names.
    const other = { ...run, key: 'zz9zz' }
    expect(defaultNamespace(other)).not.toBe(defaultNamespace(run))
    expect(defaultTag(other)).not.toBe(defaultTag(run))
    const local = { ...run, runId: '', sha: '' }
    expect(defaultTag(local)).toBe('local-k3y0a')
    expect(defaultNamespace(local)).toBe('smoke-local-k3y0a')
    const long = defaultNamespace({ ...run, runId: '9'.repeat(80) })
    expect(long.length).toBeLessThanOrEqual(63)
    expect(long).toMatch(/^smoke-9+-k3y0a$/)
  })

  test('durations', () => {
    expect(parseDurationSeconds('90')).toBe(90)
    expect(parseDurationSeconds('1m30s')).toBe(90)
    expect(parseDurationSeconds('1h')).toBe(3600)
    expect(parseDurationSeconds('')).toBeUndefined()
    expect(parseDurationSeconds('5 minutes')).toBeUndefined()
  })

  test('image repository names', () => {
    expect(isImageRepository('weather-service')).toBe(true)
    expect(isImageRepository('ghcr.io/octo/weather')).toBe(true)
    expect(isImageRepository('localhost:5000/app')).toBe(true)
    expect(isImageRepository('Upper')).toBe(false)
    expect(isImageRepository('a//b')).toBe(false)
    expect(isImageRepository('app:tag')).toBe(false)
  })
})

describe('the environment and the runner’s OS', () => {
  const withHost = (values: Record<string, string>, env: Record<string, string>, os = 'linux') =>
    parseInputs(name => values[name] ?? '', run, env, os)

  test('MINIKUBE_DRIVER is the driver when the input is empty, like minikube reads it', () => {
    expect(withHost({}, { MINIKUBE_DRIVER: 'podman' }).cluster.driver).toBe('podman')
    expect(withHost({}, { MINIKUBE_VM_DRIVER: 'kvm2' }).cluster.driver).toBe('kvm2')
    expect(withHost({ driver: 'none' }, { MINIKUBE_DRIVER: 'none' }).cluster.driver).toBe('none')
    expect(withHost({}, {}).cluster.driver).toBe('docker')
  })

  test('MINIKUBE_DRIVER that disagrees with the input, or is unknown, is one line', () => {
    expect(() => withHost({ driver: 'docker' }, { MINIKUBE_DRIVER: 'podman' })).toThrow(
      `input 'driver' is "docker" but MINIKUBE_DRIVER="podman" in the environment asks minikube for another driver: set one of them`
    )
    expect(() => withHost({}, { MINIKUBE_DRIVER: 'dockr' })).toThrow(
      `input 'driver' is taken from MINIKUBE_DRIVER in the environment, which must be one of`
    )
  })

  test('url-mode defaults to nodeport on Linux and to port-forward on macOS and Windows', () => {
    expect(withHost({}, {}, 'linux').deploy.urlMode).toBe('nodeport')
    expect(withHost({}, {}, 'darwin').deploy.urlMode).toBe('port-forward')
    expect(withHost({}, {}, 'win32').deploy.urlMode).toBe('port-forward')
    expect(withHost({ 'url-mode': 'nodeport' }, {}, 'darwin').deploy.urlMode).toBe('nodeport')
  })
})

describe('readiness-path', () => {
  test('default: the first GET check expecting only 2xx, else /', () => {
    expect(parse({}).deploy.readinessPath).toBe('/')
    expect(parse({ 'smoke-path': '/healthz?full=1' }).deploy.readinessPath).toBe('/healthz')
    expect(
      parse({
        'smoke-checks': '- {path: /login, expect-status: 401}\n- {path: /ready}'
      }).deploy.readinessPath
    ).toBe('/ready')
    expect(
      parse({ 'smoke-checks': '- {path: /gone, expect-status: 404}' }).deploy.readinessPath
    ).toBe('/')
  })

  test('given: used as is; a bad one is refused by name', () => {
    expect(parse({ 'readiness-path': '/livez' }).deploy.readinessPath).toBe('/livez')
    expect(errorOf({ 'readiness-path': 'livez' })).toBe(
      `input 'readiness-path' must start with '/' (e.g. /health), got "livez"`
    )
    expect(errorOf({ 'readiness-path': 'http://x/' })).toContain(
      "input 'readiness-path' must be a path"
    )
  })
})

describe('one duration syntax for every input', () => {
  test.each([
    ['rollout-timeout', '1.5m', 90_000],
    ['rollout-timeout', '1m30s', 90_000],
    ['smoke-timeout', '90.5', 90_500],
    ['smoke-timeout', '1500ms', 1500],
    ['build-timeout', '1h2m3s', 3_723_000],
    ['start-timeout', '10m', 600_000],
    ['queue-timeout', '2.5s', 2500],
    ['stable-for', '1.5s', 1500]
  ])('%s %j → %d ms', (name, value, ms) => {
    const c = parse({ [name]: value })
    const got = {
      'rollout-timeout': c.deploy.rolloutTimeoutMs,
      'smoke-timeout': c.smoke.timeoutMs,
      'build-timeout': c.images.timeoutMs,
      'start-timeout': c.cluster.startTimeoutMs,
      'queue-timeout': c.deploy.queueTimeoutMs,
      'stable-for': c.deploy.stableForMs
    }[name]
    expect(got).toBe(ms)
  })

  test('each input keeps its own range and one line naming it', () => {
    expect(errorOf({ 'rollout-timeout': '500ms' })).toBe(
      `input 'rollout-timeout' must be a duration from 1s to 6h, like 90, 90s, 2m or 1m30s, got "500ms"`
    )
    expect(errorOf({ 'smoke-timeout': '0.5' })).toContain(
      `input 'smoke-timeout' must be a duration from 1s to 6h`
    )
    expect(errorOf({ 'stable-for': '0.5' })).toContain(
      `input 'stable-for' must be a duration from 0 (off) to 1h`
    )
  })
})

describe('queue-timeout', () => {
  test('default 0 (refuse at once); durations up to 6h', () => {
    expect(parse({}).deploy.queueTimeoutMs).toBe(0)
    expect(parse({ 'queue-timeout': '0' }).deploy.queueTimeoutMs).toBe(0)
    expect(parse({ 'queue-timeout': '3m' }).deploy.queueTimeoutMs).toBe(180_000)
    expect(parse({ 'queue-timeout': '1m30s' }).deploy.queueTimeoutMs).toBe(90_000)
    expect(parse({ 'queue-timeout': '6h' }).deploy.queueTimeoutMs).toBe(6 * 3600_000)
  })
  test.each(['soon', '-1', '7h', '10ms', '3 m'])('%j is one line naming the input', value => {
    const message = errorOf({ 'queue-timeout': value })
    expect(message).toBe(
      `input 'queue-timeout' must be a duration from 0 to 6h, like 0, 90s, 10m or 1m30s, got ${JSON.stringify(value)}`
    )
  })
})
