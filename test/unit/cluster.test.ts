import { describe, expect, test } from '@jest/globals'
import { parseDockerEnv } from '../../src/cluster/docker-env.js'
import { parseMinikubeStatus } from '../../src/cluster/status.js'
import { minikubeCacheKey, parseMinikubeVersion } from '../../src/cluster/cache.js'
import { clusterTeardownAction, Minikube } from '../../src/cluster/minikube.js'
import { FakeRunner, MemoryLogger } from './fakes/runner.js'

// Output formats as minikube prints them (cmd/minikube/cmd/docker-env.go, status.go).
const SHELL_NONE = `DOCKER_TLS_VERIFY=1
DOCKER_HOST=tcp://192.168.49.2:2376
DOCKER_CERT_PATH=/home/runner/.minikube/certs
MINIKUBE_ACTIVE_DOCKERD=minikube
`
const BASH = `export DOCKER_TLS_VERIFY="1"
export DOCKER_HOST="tcp://127.0.0.1:50833"
export DOCKER_CERT_PATH="/Users/me/.minikube/certs"
export MINIKUBE_ACTIVE_DOCKERD="minikube"

# To point your shell to minikube's docker-daemon, run:
# eval $(minikube -p minikube docker-env)
`
const JSON_OUT = `{"DOCKER_CERT_PATH":"/home/runner/.minikube/certs","DOCKER_HOST":"tcp://192.168.49.2:2376","DOCKER_TLS_VERIFY":"1","MINIKUBE_ACTIVE_DOCKERD":"minikube"}`

const RUNNING = `{"Name":"minikube","Host":"Running","Kubelet":"Running","APIServer":"Running","Kubeconfig":"Configured","Worker":false}`
const STOPPED = `{"Name":"minikube","Host":"Stopped","Kubelet":"Stopped","APIServer":"Stopped","Kubeconfig":"Stopped","Worker":false}`
const NONEXISTENT = `{"Name":"minikube","Host":"Nonexistent","Kubelet":"Nonexistent","APIServer":"Nonexistent","Kubeconfig":"Nonexistent","Worker":false}`
const MULTI = `[${RUNNING},{"Name":"minikube-m02","Host":"Running","Kubelet":"Running","Worker":true}]`

describe('parseDockerEnv', () => {
  const expected = {
    DOCKER_TLS_VERIFY: '1',
    DOCKER_HOST: 'tcp://192.168.49.2:2376',
    DOCKER_CERT_PATH: '/home/runner/.minikube/certs',
    MINIKUBE_ACTIVE_DOCKERD: 'minikube'
  }
  test('--shell none', () => expect(parseDockerEnv(SHELL_NONE)).toEqual(expected))
  test('-o json', () => expect(parseDockerEnv(JSON_OUT)).toEqual(expected))
  test('bash exports with quotes and comments', () =>
    expect(parseDockerEnv(BASH)).toEqual({
      DOCKER_TLS_VERIFY: '1',
      DOCKER_HOST: 'tcp://127.0.0.1:50833',
      DOCKER_CERT_PATH: '/Users/me/.minikube/certs',
      MINIKUBE_ACTIVE_DOCKERD: 'minikube'
    }))
  test('a value with = and spaces is kept whole, never evaluated', () =>
    expect(parseDockerEnv('DOCKER_HOST=unix:///var/run/docker.sock\nNO_PROXY=a=b $(x)')).toEqual({
      DOCKER_HOST: 'unix:///var/run/docker.sock',
      NO_PROXY: 'a=b $(x)'
    }))
  test('no DOCKER_HOST is an error', () =>
    expect(() => parseDockerEnv('X=1')).toThrow('no DOCKER_HOST'))
  test('bad JSON is an error', () => expect(() => parseDockerEnv('{nope')).toThrow('invalid JSON'))
})

describe('parseMinikubeStatus', () => {
  test.each([
    [RUNNING, 'running', 1],
    [STOPPED, 'stopped', 1],
    [NONEXISTENT, 'absent', 0],
    ['', 'absent', 0],
    ['🤷  Profile "minikube" not found.', 'absent', 0],
    [MULTI, 'running', 2],
    [`{"Name":"minikube","Host":"Running","Kubelet":"Stopped","APIServer":"Running"}`, 'stopped', 1]
  ])('%s', (out, state, nodes) => {
    expect(parseMinikubeStatus(out)).toEqual({ state, nodes })
  })
})

describe('cache key', () => {
  test('keyed by minikube version, Kubernetes version, runtime, driver and arch', () => {
    const k = minikubeCacheKey({
      os: 'linux',
      arch: 'x64',
      minikubeVersion: '1.37.0',
      kubernetesVersion: 'v1.31.0',
      runtime: 'docker',
      driver: 'docker'
    })
    expect(k.key).toBe('minikube-smoke-v1-linux-x64-minikube-1.37.0-k8s-v1.31.0-docker-docker')
    expect(k.restoreKeys).toEqual(['minikube-smoke-v1-linux-x64-minikube-1.37.0-'])
    expect(
      minikubeCacheKey({
        os: 'linux',
        arch: 'arm64',
        minikubeVersion: '1.37.0',
        kubernetesVersion: '',
        runtime: 'containerd',
        driver: 'docker'
      }).key
    ).toBe('minikube-smoke-v1-linux-arm64-minikube-1.37.0-k8s-default-containerd-docker')
  })
  test('version parsing', () => {
    expect(parseMinikubeVersion('v1.37.0\n')).toBe('1.37.0')
    expect(parseMinikubeVersion('minikube version: v1.33.1\ncommit: 5883c09')).toBe('1.33.1')
    expect(parseMinikubeVersion('garbage')).toBe('unknown')
  })
})

function minikube(
  runner: FakeRunner,
  overrides: Partial<ConstructorParameters<typeof Minikube>[2]> = {}
) {
  return new Minikube(runner, new MemoryLogger(), {
    minikube: '/usr/local/bin/minikube',
    profile: 'minikube',
    driver: 'docker',
    kubernetesVersion: '',
    startArgs: [],
    startTimeoutMs: 1000,
    ...overrides
  })
}

describe('Minikube: reuse or start', () => {
  test('a running profile is reused: no start, prior state "running"', async () => {
    const runner = new FakeRunner(() => ({ stdout: RUNNING }))
    let starting = false
    const r = await minikube(runner).up(() => {
      starting = true
    })
    expect(r).toEqual({ prior: 'running', nodes: 1 })
    expect(starting).toBe(false)
    expect(runner.lines()).toEqual(['minikube status -p minikube -o json'])
  })

  test('an absent profile is started with the flags, and teardown is told before start runs', async () => {
    let started = false
    const events: string[] = []
    const runner = new FakeRunner(call => {
      if (call.args[0] === 'start') {
        events.push('start')
        started = true
        return {}
      }
      return { stdout: started ? RUNNING : NONEXISTENT, exitCode: started ? 0 : 85 }
    })
    const r = await minikube(runner, {
      kubernetesVersion: 'v1.31.0',
      startArgs: ['--memory=4g', '--extra-config=kubelet.max-pods=50']
    }).up(prior => {
      events.push(`onStarting:${prior}`)
    })
    expect(r).toEqual({ prior: 'absent', nodes: 1 })
    expect(events).toEqual(['onStarting:absent', 'start'])
    expect(runner.calls[1].args).toEqual([
      'start',
      '-p',
      'minikube',
      '--driver=docker',
      '--kubernetes-version=v1.31.0',
      '--memory=4g',
      '--extra-config=kubelet.max-pods=50'
    ])
    expect(runner.calls[1].options.timeoutMs).toBe(1000)
  })

  test('a stopped profile is started and remembered as "stopped"', async () => {
    let started = false
    const runner = new FakeRunner(call => {
      if (call.args[0] === 'start') started = true
      return { stdout: started ? RUNNING : STOPPED, exitCode: started ? 0 : 7 }
    })
    expect((await minikube(runner).up(() => {})).prior).toBe('stopped')
  })

  test('a failed start reports minikube’s own error', async () => {
    const runner = new FakeRunner(call =>
      call.args[0] === 'start'
        ? { exitCode: 80, stderr: '❌  Exiting due to DRV_NOT_HEALTHY: docker is not running' }
        : { stdout: NONEXISTENT, exitCode: 85 }
    )
    await expect(minikube(runner).up(() => {})).rejects.toThrow(
      'minikube start failed (exit code 80): ❌  Exiting due to DRV_NOT_HEALTHY: docker is not running'
    )
  })

  test('a start that times out says so', async () => {
    const runner = new FakeRunner(call =>
      call.args[0] === 'start' ? { exitCode: 143, timedOut: true } : { stdout: NONEXISTENT }
    )
    await expect(minikube(runner).up(() => {})).rejects.toThrow(
      'minikube start did not finish within 1 s'
    )
  })
})

describe('Minikube: docker-env', () => {
  test('parsed from --shell none, never through a shell', async () => {
    const runner = new FakeRunner(() => ({ stdout: SHELL_NONE }))
    const env = await minikube(runner).dockerEnv(1)
    expect(env.DOCKER_HOST).toBe('tcp://192.168.49.2:2376')
    expect(runner.calls[0].command).toBe('/usr/local/bin/minikube')
    expect(runner.calls[0].args).toEqual(['docker-env', '-p', 'minikube', '--shell', 'none'])
  })

  test('multi-node clusters are refused with what to do instead', async () => {
    const runner = new FakeRunner()
    await expect(minikube(runner).dockerEnv(2)).rejects.toThrow(/multi-node.*load: image-load/)
    expect(runner.calls).toHaveLength(0)
  })

  test('the none driver builds on the host engine (no docker-env call)', async () => {
    const runner = new FakeRunner()
    expect(await minikube(runner, { driver: 'none' }).dockerEnv(1)).toEqual({})
    expect(runner.calls).toHaveLength(0)
  })

  test('a docker-env failure carries minikube’s message', async () => {
    const runner = new FakeRunner(() => ({
      exitCode: 14,
      stderr:
        'X Exiting due to MK_USAGE: The docker-env command is only compatible with the "docker" runtime'
    }))
    await expect(minikube(runner).dockerEnv(1)).rejects.toThrow(
      /exit code 14.*only compatible with the "docker" runtime/
    )
  })
})

describe('teardown decision for the cluster', () => {
  test.each([
    ['absent', true, 'delete'],
    ['absent', false, 'keep'],
    ['stopped', true, 'stop'],
    ['stopped', false, 'keep'],
    ['running', true, 'keep'],
    ['running', false, 'keep'],
    [undefined, true, 'keep']
  ] as const)('prior %s, delete-cluster %s → %s', (prior, del, action) => {
    expect(clusterTeardownAction(prior, del)).toBe(action)
  })
})
