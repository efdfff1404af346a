import { describe, expect, test } from '@jest/globals'
import { buildError, buildImage, dockerBuildArgs, imageLabels } from '../../src/image.js'
import { FakeRunner, MemoryLogger } from './fakes/runner.js'

const opts = {
  docker: 'docker',
  contextDir: '/w/weather-service',
  dockerfile: '/w/weather-service/Dockerfile',
  ref: 'weather-service:abc1234-1-1',
  buildArgs: [
    ['BASE_IMAGE', 'local/base:1'],
    ['NOTE', 'has spaces; and $(no shell)']
  ] as Array<[string, string]>,
  labels: imageLabels({
    serverUrl: 'https://github.com',
    repository: 'octo/weather',
    sha: 'abc1234def',
    runId: '9'
  }),
  timeoutMs: 5000
}

describe('docker build', () => {
  test('argv: tag, file, build args and OCI labels as separate words, context last', () => {
    expect(dockerBuildArgs(opts)).toEqual([
      'build',
      '--tag',
      'weather-service:abc1234-1-1',
      '--file',
      '/w/weather-service/Dockerfile',
      '--build-arg',
      'BASE_IMAGE=local/base:1',
      '--build-arg',
      'NOTE=has spaces; and $(no shell)',
      '--label',
      'org.opencontainers.image.source=https://github.com/octo/weather',
      '--label',
      'org.opencontainers.image.revision=abc1234def',
      '--label',
      'io.github.minikube-smoke.run-id=9',
      '/w/weather-service'
    ])
  })

  test('runs with the cluster docker env and checks the image exists', async () => {
    const runner = new FakeRunner(call =>
      call.args[0] === 'image' ? { stdout: 'sha256:123\n' } : {}
    )
    const env = { DOCKER_HOST: 'tcp://192.168.49.2:2376' }
    const r = await buildImage(runner, new MemoryLogger(), opts, env)
    expect(r).toEqual({ ref: 'weather-service:abc1234-1-1', id: 'sha256:123' })
    expect(runner.calls.map(c => c.options.env)).toEqual([env, env])
    expect(runner.calls[0].options.stream).toBe(true)
  })

  test('a failed build names the error lines, not the progress', async () => {
    const out = [
      'Step 1/6 : FROM local/base:1',
      ' ---> 1234',
      'Step 4/6 : RUN false',
      ' ---> Running in 99',
      "The command '/bin/sh -c false' returned a non-zero code: 1"
    ].join('\n')
    const runner = new FakeRunner(() => ({ exitCode: 1, stdout: out }))
    await expect(buildImage(runner, new MemoryLogger(), opts, {})).rejects.toThrow(
      "docker build failed (exit code 1): The command '/bin/sh -c false' returned a non-zero code: 1"
    )
  })

  test('buildError falls back to the last lines', () => {
    expect(buildError('a\nb\nc\nd\n')).toBe('b | c | d')
  })
})
