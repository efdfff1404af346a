// The image inputs: the one-image shorthand, the `images` list, prebuilt images, load, registry
// and build secrets, with every bad input as one line naming it.

import { afterAll, describe, expect, test } from '@jest/globals'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InputError } from '../../src/errors.js'
import { parseInputs, type RunFacts } from '../../src/inputs.js'
import { parseBuildSecrets } from '../../src/images/config.js'
import { resolveImageSources } from '../../src/images/sources.js'
import { isImageRepository, isPinnedReference, isRegistry } from '../../src/images/reference.js'

const run: RunFacts = {
  workspace: '/w',
  repository: 'octo/app',
  sha: 'abcdef1234567890',
  runId: '9',
  runAttempt: '1',
  job: 'smoke',
  key: 'k3y0a'
}

const images = (values: Record<string, string>, env: Record<string, string> = {}) =>
  parseInputs(name => values[name] ?? '', run, env)

function errorOf(values: Record<string, string>, env: Record<string, string> = {}): string {
  try {
    images(values, env)
  } catch (err) {
    expect(err).toBeInstanceOf(InputError)
    return (err as Error).message
  }
  throw new Error('expected an InputError')
}

const TWO = `
- name: front
  context: front
  build-args:
    API_PATH: /api
    RETRIES: 3
- name: ghcr.io/octo/api
  context: api
  dockerfile: api/Dockerfile.prod
  target: runtime
  build-args: |
    A=1
    B=x=y
`

describe('the images list', () => {
  test('each image with its context, Dockerfile, build args (map or lines) and target', () => {
    const c = images({ images: TWO, tag: 'pr-7' }).images
    expect(c.tag).toBe('pr-7')
    expect(c.images).toEqual([
      {
        name: 'front',
        ref: '',
        context: 'front',
        dockerfile: '',
        buildArgs: [
          ['API_PATH', '/api'],
          ['RETRIES', '3']
        ],
        target: '',
        origin: 'images item 1'
      },
      {
        name: 'ghcr.io/octo/api',
        ref: '',
        context: 'api',
        dockerfile: 'api/Dockerfile.prod',
        buildArgs: [
          ['A', '1'],
          ['B', 'x=y']
        ],
        target: 'runtime',
        origin: 'images item 2'
      }
    ])
  })

  test('prebuilt: references, as strings or {name}, and no build', () => {
    const c = images({
      build: 'false',
      images: '- ghcr.io/octo/front:1.2.3\n- name: localhost:5000/api@sha256:' + 'a'.repeat(64)
    }).images
    expect(c.build).toBe(false)
    expect(c.images.map(i => [i.name, i.ref])).toEqual([
      ['ghcr.io/octo/front', 'ghcr.io/octo/front:1.2.3'],
      ['localhost:5000/api', `localhost:5000/api@sha256:${'a'.repeat(64)}`]
    ])
  })

  test('prebuilt shorthand: image is the full reference', () => {
    const c = images({ build: 'false', image: 'nginx:1.27' }).images
    expect(c.images).toEqual([
      {
        name: 'nginx',
        ref: 'nginx:1.27',
        context: '',
        dockerfile: '',
        buildArgs: [],
        target: '',
        origin: 'image'
      }
    ])
  })

  test('load, registry and build secrets', () => {
    const c = images({
      load: 'registry',
      registry: 'localhost:5000/',
      'build-secrets': 'npm_token=abc=def \n# comment\n\nPIP.INDEX-1=https://u:p@host/simple'
    }).images
    expect(c.load).toBe('registry')
    expect(c.registry).toBe('localhost:5000')
    expect(c.secrets).toEqual([
      { id: 'npm_token', value: 'abc=def ' },
      { id: 'PIP.INDEX-1', value: 'https://u:p@host/simple' }
    ])
  })
})

describe('container runtime (decides how images reach the cluster)', () => {
  test.each([
    [{}, {}, 'docker'],
    [{ 'start-args': '--container-runtime=containerd' }, {}, 'containerd'],
    [{ 'start-args': '--container-runtime cri-o' }, {}, 'cri-o'],
    [{ 'start-args': '-c crio' }, {}, 'cri-o'],
    [{ 'start-args': '-c=containerd' }, {}, 'containerd'],
    [{ 'start-args': '--memory=4g -ccontainerd' }, {}, 'containerd'],
    [{}, { MINIKUBE_CONTAINER_RUNTIME: 'containerd' }, 'containerd'],
    // A flag beats the environment, as in minikube (viper: flag over env).
    [{ 'start-args': '-c docker' }, { MINIKUBE_CONTAINER_RUNTIME: 'containerd' }, 'docker']
  ] as const)('%j %j → %s', (values, env, runtime) => {
    expect(images(values, env).cluster.containerRuntime).toBe(runtime)
  })
})

describe('bad image inputs: one line naming the input', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [
      { images: '{name: front' },
      `input 'images' must be a YAML list of images ({name, context, dockerfile, build-args, target}):`
    ],
    [{ images: 'name: front' }, `input 'images' must be a YAML list of images`],
    [{ images: '[]' }, `input 'images' must be a YAML list of images`],
    [
      { images: '- front' },
      `input 'images' item 1 must be a mapping with at least name and context`
    ],
    [
      { images: '- name: front\n  contex: front' },
      `input 'images' item 1 has an unknown key "contex" (known: name, context, dockerfile, build-args, target)`
    ],
    [{ images: '- context: front' }, `input 'images' item 1 needs a name (the image repository`],
    [
      { images: '- name: Front:1\n  context: front' },
      `input 'images' item 1 name must be an image repository without a tag`
    ],
    [
      { images: '- name: front\n  context: front\n- name: api' },
      `input 'images' item 2 (api) needs a context`
    ],
    [
      { images: '- name: front\n  context: ../elsewhere' },
      `input 'images' item 1 context must be a path inside the workspace, got "../elsewhere"`
    ],
    [
      { images: '- name: front\n  context: /etc' },
      `input 'images' item 1 context must be a path inside the workspace, got "/etc"`
    ],
    [
      { images: '- name: front\n  context: front\n  dockerfile: ../Dockerfile' },
      `input 'images' item 1 dockerfile must be a path inside the workspace`
    ],
    [{ images: '- name: front\n  context: [a]' }, `input 'images' item 1 context must be a string`],
    [
      { images: '- name: front\n  context: front\n  target: "bad stage"' },
      `input 'images' item 1 target must be a build stage name`
    ],
    [
      { images: '- name: front\n  context: front\n  build-args: [A=1]' },
      `input 'images' item 1 build-args must be a map of KEY: value, or KEY=VALUE lines`
    ],
    [
      { images: '- name: front\n  context: front\n  build-args: {1A: x}' },
      `input 'images' item 1 build-args key must be letters, digits and "_"`
    ],
    [
      { images: '- name: front\n  context: front\n  build-args: {A: {b: 1}}' },
      `input 'images' item 1 build-args A must be a string, number or boolean`
    ],
    [
      { images: '- name: front\n  context: front\n  build-args: NOEQUALS' },
      `input 'images' item 1 build-args line 1 must be KEY=VALUE`
    ],
    [
      { images: '- name: api\n  context: a\n- name: docker.io/library/api\n  context: b' },
      `input 'images' lists "docker.io/library/api" twice (images item 1 and images item 2): each image needs its own name`
    ],
    [
      { images: '- name: front\n  context: front', context: 'web' },
      `input 'images' cannot be combined with 'context': describe every image in the list`
    ],
    [
      { images: '- name: front\n  context: front', image: 'x', 'build-args': 'A=1' },
      `input 'images' cannot be combined with 'image', 'build-args'`
    ],
    [
      { context: '../../etc' },
      `input 'context' must be a path inside the workspace, got "../../etc"`
    ],
    [{ dockerfile: '/etc/Dockerfile' }, `input 'dockerfile' must be a path inside the workspace`],
    [{ build: 'no' }, `input 'build' must be true or false, got "no"`],
    [
      { build: 'false', image: 'app' },
      `input 'image' must be a full image reference with a tag or digest when build is false`
    ],
    [
      { build: 'false', images: '- app' },
      `input 'images' item 1 must be a full image reference with a tag or digest when build is false`
    ],
    [
      { build: 'false', images: '- name: app:1\n  context: app' },
      `input 'images' item 1 context is not used with build: false: nothing is built`
    ],
    [
      { build: 'false', image: 'app:1', context: 'app' },
      `input 'context' is not used with build: false: nothing is built`
    ],
    [
      { build: 'false', image: 'app:1', tag: 'v2' },
      `input 'tag' is not used with build: false: give each image as a full reference with its tag`
    ],
    [
      { build: 'false', image: 'app:1', 'build-secrets': 'a=b' },
      `input 'build-secrets' is not used with build: false: nothing is built`
    ],
    [
      { load: 'kind-load' },
      `input 'load' must be one of "docker-env", "image-load", "registry", "none", or empty to choose from the cluster, got "kind-load"`
    ],
    [
      { registry: 'https://ghcr.io/org' },
      `input 'registry' must be a registry host with an optional path, e.g. "localhost:5000" or "ghcr.io/org"`
    ],
    [{ registry: 'myregistry' }, `input 'registry' must be a registry host`],
    [
      { registry: 'localhost:5000', image: 'ghcr.io/org/app' },
      `input 'registry' cannot be used with image "ghcr.io/org/app", which names a registry already`
    ],
    // The strategy's rules that need no cluster are checked before anything starts too.
    [{ load: 'registry' }, `input 'registry' must be set for load: registry`],
    [
      { registry: 'localhost:5000', load: 'image-load' },
      `input 'registry' is only used with load: registry, not load: image-load`
    ],
    [{ load: 'none' }, `input 'load' is "none", which is for prebuilt images: set build: false`],
    [
      { build: 'false', image: 'app:1', load: 'image-load' },
      `input 'load' must be "none" (or empty) with build: false`
    ],
    [
      { build: 'false', image: 'app:1', registry: 'localhost:5000' },
      `input 'registry' is not used with build: false: nothing is pushed`
    ],
    [
      { cluster: 'existing', load: 'image-load' },
      `input 'load' is "image-load", which runs \`minikube image load\` and needs cluster: minikube`
    ],
    [
      { 'start-args': '--container-runtime=containerd', load: 'docker-env' },
      `input 'load' is "docker-env", which needs minikube's docker runtime; this cluster runs containerd: use image-load or registry`
    ],
    [
      { 'start-args': '--container-runtime=rkt' },
      `input 'start-args' --container-runtime must be one of docker, containerd, cri-o, got "rkt"`
    ]
  ]
  test.each(cases)('%j', (values, expected) => {
    const message = errorOf(values)
    expect(message).toContain(expected)
    expect(message).not.toContain('\n')
  })

  test('MINIKUBE_CONTAINER_RUNTIME is named as the environment variable it is', () => {
    expect(errorOf({}, { MINIKUBE_CONTAINER_RUNTIME: 'podman' })).toBe(
      'environment variable MINIKUBE_CONTAINER_RUNTIME must be one of docker, containerd, cri-o, got "podman"'
    )
  })
})

describe('build-secrets', () => {
  test.each([
    ['s3cr3t-no-equals', 'line 1 must be id=VALUE'],
    ['token=', 'line 1 must be id=VALUE'],
    ['=s3cr3t', 'line 1 must be id=VALUE'],
    ['bad id=s3cr3t', 'line 1 must be id=VALUE'],
    ['a=1\ntoken=s3cr3t\ntoken=s3cr3t-2', 'line 3 repeats the id "token"']
  ])('%j: %s, and the value is never in the message', (text, expected) => {
    let message = ''
    try {
      parseBuildSecrets(text)
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toContain(`input 'build-secrets' ${expected}`)
    expect(message).not.toContain('s3cr3t')
  })
})

describe('reference syntax', () => {
  test('repositories', () => {
    expect(isImageRepository('weather-service')).toBe(true)
    expect(isImageRepository('ghcr.io/octo/weather')).toBe(true)
    expect(isImageRepository('localhost:5000/app')).toBe(true)
    expect(isImageRepository('Upper')).toBe(false)
    expect(isImageRepository('a//b')).toBe(false)
    expect(isImageRepository('app:tag')).toBe(false)
  })
  test('pinned references need a tag or digest', () => {
    expect(isPinnedReference('app:1')).toBe(true)
    expect(isPinnedReference('localhost:5000/app:1')).toBe(true)
    expect(isPinnedReference(`app@sha256:${'0'.repeat(64)}`)).toBe(true)
    expect(isPinnedReference(`app:1@sha256:${'0'.repeat(64)}`)).toBe(true)
    expect(isPinnedReference('localhost:5000/app')).toBe(false)
    expect(isPinnedReference('app@sha256:xyz')).toBe(false)
    expect(isPinnedReference('app:-bad')).toBe(false)
  })
  test('registries', () => {
    expect(isRegistry('localhost:5000')).toBe(true)
    expect(isRegistry('ghcr.io/octo')).toBe(true)
    expect(isRegistry('registry.example.com:443/a/b')).toBe(true)
    expect(isRegistry('localhost')).toBe(true)
    expect(isRegistry('octo')).toBe(false)
    expect(isRegistry('ghcr.io/Octo')).toBe(false)
  })
})

describe('image sources on disk (preflight)', () => {
  const ws = mkdtempSync(join(tmpdir(), 'images-ws-'))
  const outside = mkdtempSync(join(tmpdir(), 'images-outside-'))
  mkdirSync(join(ws, 'front'))
  writeFileSync(join(ws, 'front/Dockerfile'), 'FROM scratch\n')
  mkdirSync(join(ws, 'api'))
  writeFileSync(join(ws, 'api/Dockerfile.prod'), 'FROM scratch\n')
  writeFileSync(join(ws, 'notes.txt'), 'not a directory\n')
  writeFileSync(join(outside, 'Dockerfile'), 'FROM scratch\n')
  symlinkSync(outside, join(ws, 'linked'))
  afterAll(() => {
    rmSync(ws, { recursive: true, force: true })
    rmSync(outside, { recursive: true, force: true })
  })

  const sourcesOf = (list: string) =>
    resolveImageSources(ws, parseInputs(n => (n === 'images' ? list : ''), run).images.images)
  const errorOfSources = (list: string) => {
    try {
      sourcesOf(list)
    } catch (err) {
      expect(err).toBeInstanceOf(InputError)
      return (err as Error).message
    }
    throw new Error('expected an InputError')
  }

  test('contexts and Dockerfiles resolved inside the workspace', () => {
    expect(
      sourcesOf(
        '- {name: front, context: front}\n- {name: api, context: api, dockerfile: api/Dockerfile.prod}'
      )
    ).toEqual([
      {
        contextDir: realpathSync(join(ws, 'front')),
        dockerfile: realpathSync(join(ws, 'front/Dockerfile'))
      },
      {
        contextDir: realpathSync(join(ws, 'api')),
        dockerfile: realpathSync(join(ws, 'api/Dockerfile.prod'))
      }
    ])
  })

  test.each([
    [
      '- {name: api, context: nope}',
      `input 'images' item 1 (api) context must be a path inside the workspace: nope does not exist`
    ],
    [
      '- {name: api, context: linked}',
      `input 'images' item 1 (api) context must be a path inside the workspace, got "linked"`
    ],
    [
      '- {name: api, context: notes.txt}',
      `input 'images' item 1 (api) context must be a directory, got "notes.txt"`
    ],
    [
      '- {name: front, context: front}\n- {name: api, context: api}',
      `input 'images' item 2 (api) context must point at a Dockerfile: api/Dockerfile does not exist`
    ],
    [
      '- {name: api, context: api, dockerfile: linked/Dockerfile}',
      `input 'images' item 1 (api) dockerfile must be a path inside the workspace, got "linked/Dockerfile"`
    ]
  ])('%s', (list, expected) => {
    expect(errorOfSources(list)).toBe(expected)
  })

  test('prebuilt images have no source', () => {
    const config = parseInputs(n => ({ build: 'false', image: 'nginx:1.27' })[n] ?? '', run)
    expect(resolveImageSources(ws, config.images.images)).toEqual([undefined])
  })
})
