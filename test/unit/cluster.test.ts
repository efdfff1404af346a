import { describe, expect, test } from '@jest/globals'
import { parseDockerEnv } from '../../src/cluster/docker-env.js'
import { clusterTeardownAction, Minikube } from '../../src/cluster/minikube.js'
import { FakeRunner, MemoryLogger } from './fakes/runner.js'
import {
  DOCKER_ENV_REFUSALS,
  NOT_FOUND_EVENTS,
  RUNNING,
  STOPPED
} from './fakes/minikube-outputs.js'

// Output formats as minikube prints them (cmd/minikube/cmd/docker-env.go).
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

const ABSENT = { state: 'absent', nodes: 0 } as const

describe('Minikube: reuse or start', () => {
  test('status: only exit code 85 means absent, read through minikube’s CloudEvents', async () => {
    const runner = new FakeRunner(() => ({ stdout: NOT_FOUND_EVENTS, exitCode: 85 }))
    expect(await minikube(runner).status()).toEqual(ABSENT)
    expect(runner.lines()).toEqual(['minikube status -p minikube -o json'])
  })

  test('a running profile is reused: no start, prior state "running"', async () => {
    const runner = new FakeRunner(() => ({ stdout: RUNNING }))
    let starting = false
    const m = minikube(runner)
    const r = await m.up(await m.status(), () => {
      starting = true
    })
    expect(r).toEqual({ prior: 'running', nodes: 1 })
    expect(starting).toBe(false)
    expect(runner.lines()).toEqual(['minikube status -p minikube -o json'])
  })

  test('an absent profile is started with the flags and the short --wait, teardown told first', async () => {
    let started = false
    const events: string[] = []
    const runner = new FakeRunner(call => {
      if (call.args[0] === 'start') {
        events.push('start')
        started = true
        return {}
      }
      return started ? { stdout: RUNNING } : { stdout: NOT_FOUND_EVENTS, exitCode: 85 }
    })
    const m = minikube(runner, {
      kubernetesVersion: 'v1.31.0',
      startArgs: ['--memory=4g', '--extra-config=kubelet.max-pods=50']
    })
    const r = await m.up(await m.status(), prior => {
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
      '--wait=apiserver,default_sa',
      '--memory=4g',
      '--extra-config=kubelet.max-pods=50'
    ])
    expect(runner.calls[1].options.timeoutMs).toBe(1000)
  })

  test.each([
    [['--wait=all'], {}],
    [['--wait', 'apiserver,system_pods,node_ready'], {}],
    [[], { MINIKUBE_WAIT: 'all' }]
  ])('the user’s wait set wins: start-args %j, env %j', (startArgs, env) => {
    const args = minikube(new FakeRunner(), { startArgs, env }).startArgs()
    expect(args).toEqual(['start', '-p', 'minikube', '--driver=docker', ...startArgs])
  })

  test('a stopped profile is started and remembered as "stopped"', async () => {
    let started = false
    const runner = new FakeRunner(call => {
      if (call.args[0] === 'start') started = true
      return { stdout: started ? RUNNING : STOPPED, exitCode: started ? 0 : 7 }
    })
    const m = minikube(runner)
    expect((await m.up(await m.status(), () => {})).prior).toBe('stopped')
  })

  test('a failed start reports minikube’s own error', async () => {
    const runner = new FakeRunner(call =>
      call.args[0] === 'start'
        ? { exitCode: 80, stderr: '❌  Exiting due to DRV_NOT_HEALTHY: docker is not running' }
        : { stdout: NOT_FOUND_EVENTS, exitCode: 85 }
    )
    await expect(minikube(runner).up(ABSENT, () => {})).rejects.toThrow(
      'minikube start failed (exit code 80): ❌  Exiting due to DRV_NOT_HEALTHY: docker is not running'
    )
  })

  test('a start that times out says so', async () => {
    const runner = new FakeRunner(call =>
      call.args[0] === 'start' ? { exitCode: 143, timedOut: true } : {}
    )
    await expect(minikube(runner).up(ABSENT, () => {})).rejects.toThrow(
      'minikube start did not finish within 1 s'
    )
  })

  test('a start that leaves the profile unreadable (null) says so', async () => {
    const runner = new FakeRunner(call =>
      call.args[0] === 'start' ? {} : { stdout: 'null', exitCode: 7 }
    )
    await expect(minikube(runner).up(ABSENT, () => {})).rejects.toThrow(
      'minikube start returned but "minikube status -p minikube" does not say it is running'
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

  test('the profile’s real driver decides, not the input', async () => {
    const runner = new FakeRunner()
    expect(await minikube(runner, { driver: 'docker' }).dockerEnv(1, 'none')).toEqual({})
    expect(runner.calls).toHaveLength(0)
  })

  test.each(DOCKER_ENV_REFUSALS)(
    'minikube’s refusal (exit %i) is the error, not its "false exit code" line',
    async (code, reason) => {
      const runner = new FakeRunner(() => ({
        exitCode: code,
        stdout: `false exit code ${code}\n`,
        stderr: `\n${reason}\n\n`
      }))
      const err = await minikube(runner)
        .dockerEnv(1)
        .catch((e: Error) => e)
      expect((err as Error).message).toBe(
        `minikube docker-env failed (exit code ${code}): ${reason}`
      )
    }
  )
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
