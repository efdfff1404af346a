// The image phase with a fake docker: build argv and environment (BuildKit, secrets), parallel or
// one at a time, each delivery (docker-env, image load, push), state recorded before building,
// and teardown of the tags.

import { describe, expect, test } from '@jest/globals'
import type { ClusterSession } from '../../src/cluster/types.js'
import { parseInputs, type RunFacts } from '../../src/inputs.js'
import {
  deliverImages,
  removeImageTags,
  type ImageSource,
  type ImagesState
} from '../../src/images/index.js'
import { dockerBuildArgs, loggedBuildCommand, probeEngine } from '../../src/images/docker.js'
import type { CommandResult } from '../../src/effects.js'
import { StateRecorder, loadRunState } from '../../src/state.js'
import { planTeardown } from '../../src/teardown.js'
import { FakeRunner, MemoryLogger, type Call } from './fakes/runner.js'

const run: RunFacts = {
  workspace: '/w',
  repository: 'octo/app',
  sha: 'abcdef1234567890',
  runId: '9',
  runAttempt: '1',
  job: 'smoke',
  key: 'k3y0a'
}
const TAG = 'abcdef1-9-1-k3y0a'
const TWO =
  '- name: front\n  context: front\n- name: api\n  context: api\n  build-args: {API_KEY_NAME: x-key}'
const sources: ImageSource[] = [
  { contextDir: '/w/front', dockerfile: '/w/front/Dockerfile' },
  { contextDir: '/w/api', dockerfile: '/w/api/Dockerfile' }
]

/** docker as a given client/engine answers; builds answer from `onBuild`. */
function docker(
  opts: {
    client?: string
    buildx?: boolean
    onBuild?: (call: Call) => Partial<CommandResult> | undefined
    onPush?: (call: Call) => Partial<CommandResult> | undefined
  } = {}
) {
  return new FakeRunner(call => {
    const [sub, next] = call.args
    if (sub === 'version') return { stdout: `${opts.client ?? '20.10.24'}|20.10.24+dfsg1|linux\n` }
    if (sub === 'buildx')
      return opts.buildx ? { stdout: 'github.com/docker/buildx v0.17.1' } : { exitCode: 1 }
    if (sub === 'build') return opts.onBuild?.(call)
    if (sub === 'push')
      return (
        opts.onPush?.(call) ?? {
          stdout: `${next.split(':').pop()}: digest: sha256:${'e'.repeat(64)} size: 528\n`
        }
      )
    return undefined
  })
}

function session(over: Partial<ClusterSession> = {}): ClusterSession & { loaded: string[] } {
  const loaded: string[] = []
  return {
    kind: 'minikube',
    kubeContext: 'minikube',
    runtime: 'docker',
    nodes: 1,
    dockerEnv: async () => ({ DOCKER_HOST: 'tcp://192.168.49.2:2376' }),
    loadImage: async ref => {
      loaded.push(ref)
    },
    urlHost: async () => '192.168.49.2',
    loaded,
    ...over
  }
}

function phase(values: Record<string, string>, runner: FakeRunner, cluster = session()) {
  const config = parseInputs(name => values[name] ?? '', run)
  const saved = new Map<string, string>()
  const state = new StateRecorder({ save: (k, v) => saved.set(k, v), get: () => '' }, 'always')
  const log = new MemoryLogger()
  let t = 0
  const clock = { now: () => (t += 1000), sleep: async () => {} }
  const promise = deliverImages(
    config.images,
    config.images.images.length === 1 ? [sources[0]] : sources,
    cluster,
    {
      runner,
      log,
      state,
      clock,
      docker: 'docker',
      labels: { 'org.opencontainers.image.revision': 'abc' }
    }
  )
  const stateNow = () => loadRunState({ save: () => {}, get: k => saved.get(k) ?? '' })
  return { promise, log, state, stateNow, config }
}

describe('docker build', () => {
  const job = {
    ref: 'api:t1',
    contextDir: '/w/api',
    dockerfile: '/w/api/Dockerfile',
    buildArgs: [
      ['TOKEN_URL', 'https://example.test/x'],
      ['NOTE', 'has spaces; and $(no shell)']
    ] as Array<[string, string]>,
    target: 'runtime',
    labels: { 'org.opencontainers.image.revision': 'abc' }
  }

  test('argv: every value its own word, secrets by environment variable, context last', () => {
    expect(dockerBuildArgs(job, { buildkit: true }, [{ id: 'npm', value: 's3cr3t' }])).toEqual([
      'build',
      '--tag',
      'api:t1',
      '--file',
      '/w/api/Dockerfile',
      '--progress=plain',
      '--target',
      'runtime',
      '--build-arg',
      'TOKEN_URL=https://example.test/x',
      '--build-arg',
      'NOTE=has spaces; and $(no shell)',
      '--secret',
      'id=npm,env=MINIKUBE_SMOKE_BUILD_SECRET_0',
      '--label',
      'org.opencontainers.image.revision=abc',
      '/w/api'
    ])
  })

  test('the logged command names build args without their values', () => {
    const line = loggedBuildCommand(dockerBuildArgs(job, { buildkit: false }, []))
    expect(line).toContain('--build-arg TOKEN_URL=… --build-arg NOTE=…')
    expect(line).not.toContain('example.test')
    expect(line).not.toContain('no shell')
  })

  test.each([
    ['20.10.24', false, true, 'BuildKit'],
    [
      '28.2.2',
      false,
      false,
      'classic builder (this docker client has BuildKit only with the buildx plugin'
    ],
    ['28.2.2', true, true, 'with buildx, engine 20.10.24+dfsg1: BuildKit'],
    ['18.06.3', false, false, 'classic builder']
  ] as const)('client %s, buildx %s → BuildKit %s', async (client, buildx, buildkit, said) => {
    const engine = await probeEngine(docker({ client, buildx }), 'docker', {})
    expect(engine.buildkit).toBe(buildkit)
    expect(engine.description).toContain(said)
  })

  test('an engine that does not answer fails with where it is', async () => {
    const runner = new FakeRunner(c =>
      c.args[0] === 'version'
        ? {
            exitCode: 1,
            stderr:
              'Cannot connect to the Docker daemon at tcp://192.168.49.2:2376. Is the docker daemon running?'
          }
        : {}
    )
    await expect(
      probeEngine(runner, 'docker', { DOCKER_HOST: 'tcp://192.168.49.2:2376' })
    ).rejects.toThrow(
      'the Docker engine at tcp://192.168.49.2:2376 does not answer (docker version, exit code 1): Cannot connect'
    )
  })
})

describe('deliverImages', () => {
  test('docker-env: built in minikube’s engine, tags in state before the build, Never', async () => {
    let recordedAtBuild: ImagesState | undefined
    const { promise, stateNow } = phase(
      {},
      docker({
        onBuild: () => {
          recordedAtBuild = stateNow()?.images
          return {}
        }
      })
    )
    const r = await promise
    expect(r.strategy).toBe('docker-env')
    expect(recordedAtBuild).toEqual({
      docker: 'docker',
      dockerEnv: { DOCKER_HOST: 'tcp://192.168.49.2:2376' },
      inCluster: true,
      tags: [`weather-service:${TAG}`],
      pushed: []
    })
    expect(r.substitutions).toEqual([
      { repository: 'weather-service', ref: `weather-service:${TAG}`, pullPolicy: 'Never' }
    ])
    expect(r.images[0]).toMatchObject({
      ref: `weather-service:${TAG}`,
      delivery: "docker-env: built in minikube's Docker engine",
      buildMs: 1000
    })
  })

  test('two images with BuildKit build in parallel, each output shown when done', async () => {
    let running = 0
    let most = 0
    const gates: Array<() => void> = []
    const runner = docker()
    const base = runner.run.bind(runner)
    runner.run = async (command, args, options) => {
      if (args[0] !== 'build') return base(command, args, options)
      running++
      most = Math.max(most, running)
      await new Promise<void>(resolve => gates.push(resolve))
      running--
      return { exitCode: 0, stdout: `#1 building ${args[2]}`, stderr: '', timedOut: false }
    }
    const { promise, log } = phase({ images: TWO }, runner)
    while (gates.length < 2) await new Promise(r => setTimeout(r, 1))
    gates.forEach(open => open())
    const r = await promise
    expect(most).toBe(2)
    expect(r.images.map(i => i.ref)).toEqual([`front:${TAG}`, `api:${TAG}`])
    expect(log.lines).toContain('building 2 images in parallel (BuildKit)')
    expect(log.lines).toContain(`── docker build output for api:${TAG} ──\n#1 building api:${TAG}`)
    // Build output is fenced off so the runner never obeys a workflow command in it.
    const stop = log.lines.find(l => l.startsWith('::stop-commands::'))!
    expect(log.lines).toContain(`::${stop.slice('::stop-commands::'.length)}::`)
  })

  test('the classic builder builds one at a time and stops at the first failure', async () => {
    const runner = docker({
      client: '28.2.2',
      onBuild: () => ({
        exitCode: 1,
        stdout: 'Step 2/3 : COPY app /app\nCOPY failed: no source files were specified'
      })
    })
    const { promise, log } = phase({ images: TWO }, runner)
    await expect(promise).rejects.toThrow(
      `docker build of front:${TAG} failed (exit code 1): COPY failed: no source files were specified`
    )
    expect(runner.lines().filter(l => l.startsWith('docker build '))).toHaveLength(1)
    expect(log.lines).toContain('building 2 images one at a time (the classic builder)')
    const build = runner.calls.find(c => c.args[0] === 'build')!
    expect(build.options).toMatchObject({ stream: true, env: { DOCKER_BUILDKIT: '0' } })
  })

  test('build secrets: only in the docker process’s environment, never on a line or in the log', async () => {
    const runner = docker()
    const { promise, log } = phase({ 'build-secrets': 'npm=s3cr3t-npm\ngh=s3cr3t-gh' }, runner)
    await promise
    const build = runner.calls.find(c => c.args[0] === 'build')!
    expect(build.options.env).toMatchObject({
      DOCKER_BUILDKIT: '1',
      MINIKUBE_SMOKE_BUILD_SECRET_0: 's3cr3t-npm',
      MINIKUBE_SMOKE_BUILD_SECRET_1: 's3cr3t-gh'
    })
    expect(build.args.join(' ')).toContain(
      '--secret id=npm,env=MINIKUBE_SMOKE_BUILD_SECRET_0 --secret id=gh,env=MINIKUBE_SMOKE_BUILD_SECRET_1'
    )
    for (const c of runner.calls) expect(c.args.join(' ')).not.toContain('s3cr3t')
    expect(log.lines.join('\n')).not.toContain('s3cr3t')
  })

  test('build secrets without BuildKit: a clear error, nothing built', async () => {
    const runner = docker({ client: '28.2.2' })
    const { promise } = phase({ 'build-secrets': 'npm=s3cr3t' }, runner)
    await expect(promise).rejects.toThrow(
      "input 'build-secrets' needs BuildKit, which this Docker does not have (docker client 28.2.2, engine 20.10.24+dfsg1: classic builder"
    )
    expect(runner.calls.some(c => c.args[0] === 'build')).toBe(false)
  })

  test('containerd: built on the runner, then minikube image load, one at a time', async () => {
    const runner = docker()
    const cluster = session({ runtime: 'containerd' })
    const { promise } = phase({ images: TWO }, runner, cluster)
    const r = await promise
    expect(r.strategy).toBe('image-load')
    expect(cluster.loaded).toEqual([`front:${TAG}`, `api:${TAG}`])
    const build = runner.calls.find(c => c.args[0] === 'build')!
    expect(build.options.env).not.toHaveProperty('DOCKER_HOST') // the runner's engine
    expect(r.images[1]).toMatchObject({
      delivery: 'image-load: built on the runner, `minikube image load`'
    })
    expect(r.images[1].deliveryMs).toBeGreaterThan(0)
    expect(r.substitutions.every(s => s.pullPolicy === 'Never')).toBe(true)
  })

  test('registry: tag, push, untag; the pushed reference deployed; recorded as pushed', async () => {
    const runner = docker({ client: '28.2.2' })
    const { promise, stateNow, log } = phase(
      { cluster: 'existing', registry: 'localhost:5000', images: TWO },
      runner,
      session({ kind: 'existing', runtime: undefined, nodes: undefined, loadImage: undefined })
    )
    const r = await promise
    expect(runner.lines().filter(l => !/^docker (version|buildx|build )/.test(l))).toEqual([
      `docker tag front:${TAG} localhost:5000/front:${TAG}`,
      `docker push localhost:5000/front:${TAG}`,
      `docker image rm localhost:5000/front:${TAG}`,
      `docker tag api:${TAG} localhost:5000/api:${TAG}`,
      `docker push localhost:5000/api:${TAG}`,
      `docker image rm localhost:5000/api:${TAG}`
    ])
    expect(r.substitutions[0]).toEqual({
      repository: 'front',
      ref: `localhost:5000/front:${TAG}`,
      pullPolicy: 'pull'
    })
    expect(r.images[0]).toMatchObject({
      delivery: 'registry: pushed to localhost:5000, pulled by the nodes',
      digest: `sha256:${'e'.repeat(64)}`
    })
    expect(stateNow()?.images).toMatchObject({
      inCluster: false,
      tags: [
        `front:${TAG}`,
        `localhost:5000/front:${TAG}`,
        `api:${TAG}`,
        `localhost:5000/api:${TAG}`
      ],
      pushed: [`localhost:5000/front:${TAG}`, `localhost:5000/api:${TAG}`]
    })
    expect(log.lines).toContain(`pushed localhost:5000/api:${TAG} (sha256:${'e'.repeat(64)})`)
  })

  test('a push to a registry that is down: one line naming the registry', async () => {
    const runner = docker({
      onPush: () => ({
        exitCode: 1,
        stdout: 'The push refers to repository [localhost:5001/weather-service]\n',
        stderr:
          'Get "http://localhost:5001/v2/": dial tcp 127.0.0.1:5001: connect: connection refused\n'
      })
    })
    const { promise, stateNow } = phase(
      { cluster: 'existing', registry: 'localhost:5001' },
      runner,
      session({ kind: 'existing' })
    )
    const err = (await promise.catch(e => e)) as Error
    expect(err.message).toBe(
      `push of localhost:5001/weather-service:${TAG} to registry localhost:5001 failed: Get "http://localhost:5001/v2/": dial tcp 127.0.0.1:5001: connect: connection refused`
    )
    expect(stateNow()?.images?.pushed).toEqual([])
  })

  test('prebuilt: nothing built, no docker at all, the manifest’s pull policy', async () => {
    const runner = docker()
    const { promise } = phase({ build: 'false', image: 'localhost:5000/e2e/app:1.0' }, runner)
    const r = await promise
    expect(runner.calls).toEqual([])
    expect(r).toEqual({
      strategy: 'none',
      substitutions: [
        {
          repository: 'localhost:5000/e2e/app',
          ref: 'localhost:5000/e2e/app:1.0',
          pullPolicy: undefined
        }
      ],
      images: [
        {
          name: 'localhost:5000/e2e/app',
          ref: 'localhost:5000/e2e/app:1.0',
          delivery: 'none: prebuilt, pulled by the nodes'
        }
      ]
    })
  })

  test('docker-env asked on a 2-node cluster fails once the node count is known', async () => {
    const { promise } = phase({ load: 'docker-env' }, docker(), session({ nodes: 2 }))
    await expect(promise).rejects.toThrow(
      `input 'load' is "docker-env", which does not work with several nodes (this cluster has 2)`
    )
  })
})

describe('teardown of image tags', () => {
  const images: ImagesState = {
    docker: 'docker',
    dockerEnv: { DOCKER_HOST: 'tcp://192.168.49.2:2376' },
    inCluster: true,
    tags: ['front:t1', 'api:t1'],
    pushed: []
  }
  const base = {
    teardown: 'always' as const,
    cluster: {
      kind: 'minikube' as const,
      minikube: 'minikube',
      profile: 'minikube',
      deleteCluster: true
    },
    images
  }

  test('minikube’s engine is deleted with the cluster: nothing to remove', () => {
    expect(
      planTeardown({ ...base, cluster: { ...base.cluster, prior: 'absent' } }).images
    ).toBeUndefined()
  })

  test.each([
    ['reused minikube', { ...base.cluster, prior: 'running' as const }],
    ['delete-cluster: false', { ...base.cluster, prior: 'absent' as const, deleteCluster: false }],
    ['a stopped cluster stopped again', { ...base.cluster, prior: 'stopped' as const }]
  ])('%s: the tags are removed from minikube’s engine', (_, cluster) => {
    expect(planTeardown({ ...base, cluster }).images).toEqual(images)
  })

  test('built on the runner (image-load, registry, existing): removed even when minikube is deleted', () => {
    const local = { ...images, dockerEnv: {}, inCluster: false }
    expect(
      planTeardown({ ...base, images: local, cluster: { ...base.cluster, prior: 'absent' } }).images
    ).toEqual(local)
  })

  test('teardown: never keeps them and says how to remove them', () => {
    const plan = planTeardown({
      ...base,
      teardown: 'never',
      cluster: { ...base.cluster, prior: 'running' }
    })
    expect(plan.images).toBeUndefined()
    expect(plan.kept[0]).toContain('docker image rm front:t1 api:t1')
  })

  test('removeImageTags: each tag untagged in its engine; already gone is fine; pushed stay', async () => {
    const runner = new FakeRunner(c =>
      c.args.at(-1) === 'api:t1' ? { exitCode: 1, stderr: 'Error: No such image: api:t1' } : {}
    )
    const log = new MemoryLogger()
    const r = await removeImageTags(runner, log, { ...images, pushed: ['localhost:5000/front:t1'] })
    expect(runner.lines()).toEqual([
      'docker image rm --force front:t1',
      'docker image rm --force api:t1'
    ])
    expect(runner.calls[0].options.env).toEqual({ DOCKER_HOST: 'tcp://192.168.49.2:2376' })
    expect(r).toEqual({ removed: ['image front:t1'], problems: [] })
    expect(log.lines).toEqual([
      'image api:t1 was already gone',
      'pushed images stay in the registry (the action never deletes there): localhost:5000/front:t1'
    ])
  })

  test('removeImageTags: another failure is a problem (a warning), not a crash', async () => {
    const runner = new FakeRunner(() => ({
      exitCode: 1,
      stderr: 'Cannot connect to the Docker daemon'
    }))
    const r = await removeImageTags(runner, new MemoryLogger(), { ...images, tags: ['front:t1'] })
    expect(r.problems).toEqual([
      'docker image rm front:t1 failed (exit code 1): Cannot connect to the Docker daemon'
    ])
  })
})
