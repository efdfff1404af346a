// Reads and validates the image inputs: the one-image shorthand (`context`, `dockerfile`, `image`,
// `build-args`), the `images` list, `load`, `registry` and `build-secrets`, given `build` and
// `tag` as inputs.ts parsed them. Pure
// (strings in, one-line InputErrors out), so every mistake is reported before anything starts.
// The file system (does a context exist, do symlinks leave the workspace) is sources.ts.

import { isAbsolute, normalize } from 'node:path'
import { load as loadYaml } from 'js-yaml'
import { InputError } from '../errors.js'
import { imageRepository, normalizeRepository } from '../kube/image-ref.js'
import { hasRegistryHost, isImageRepository, isPinnedReference, isRegistry } from './reference.js'

export type LoadStrategy = 'docker-env' | 'image-load' | 'registry' | 'none'
const LOAD_STRATEGIES: readonly LoadStrategy[] = ['docker-env', 'image-load', 'registry', 'none']

export interface ImageSpec {
  /** The repository containers are matched on, e.g. `api`; prebuilt: the repository of `ref`. */
  name: string
  /** Prebuilt (`build: false`): the full reference as given. Built: '' (the run's tag is added). */
  ref: string
  /** Relative to the workspace; '' when prebuilt. */
  context: string
  /** Relative to the workspace; '' means `<context>/Dockerfile`. */
  dockerfile: string
  buildArgs: Array<[string, string]>
  /** `--target` stage; '' for the last stage. */
  target: string
  /** How messages name where it came from: `images item 2` or `image`. */
  origin: string
}

export interface BuildSecret {
  id: string
  value: string
}

export interface ImagesConfig {
  /** False: prebuilt images, nothing is built or moved. */
  build: boolean
  /** At least one; the first is the image under test (the shorthand's only one). */
  images: ImageSpec[]
  tag: string
  /** `auto`: chosen from the cluster (strategy.ts). */
  load: LoadStrategy | 'auto'
  /** `host[:port][/path]` to push to; '' when not pushing. */
  registry: string
  secrets: BuildSecret[]
  timeoutMs: number
}

export type InputReader = (name: string) => string

const ITEM_KEYS = ['name', 'context', 'dockerfile', 'build-args', 'target']
const LIST_SHAPE = 'a YAML list of images ({name, context, dockerfile, build-args, target})'
const SHORTHAND = ['context', 'dockerfile', 'image', 'build-args'] as const

/** `build`, `tag` and `timeoutMs` are parsed by inputs.ts with its generic rules. */
export function parseImageInputs(
  input: InputReader,
  given: { build: boolean; tag: string; tagGiven: boolean; timeoutMs: number }
): ImagesConfig {
  const text = (name: string): string => input(name).trim()
  const build = given.build
  const list = text('images')

  let images: ImageSpec[]
  if (list !== '') {
    const clash = SHORTHAND.filter(name => text(name) !== '')
    if (clash.length > 0) {
      throw new InputError(
        'images',
        `cannot be combined with ${clash.map(n => `'${n}'`).join(', ')}: describe every image in the list`
      )
    }
    images = parseImageList(list, build)
  } else {
    images = [shorthandImage(text, build)]
  }
  uniqueNames(images)

  if (!build && given.tagGiven) {
    throw new InputError(
      'tag',
      'is not used with build: false: give each image as a full reference with its tag'
    )
  }

  const loadValue = text('load')
  if (loadValue !== '' && !(LOAD_STRATEGIES as readonly string[]).includes(loadValue)) {
    throw new InputError(
      'load',
      `must be one of ${LOAD_STRATEGIES.map(s => `"${s}"`).join(', ')}, or empty to choose from the cluster`,
      loadValue
    )
  }
  const load = (loadValue || 'auto') as LoadStrategy | 'auto'

  const registry = text('registry').replace(/\/+$/, '')
  if (registry !== '' && !isRegistry(registry)) {
    throw new InputError(
      'registry',
      'must be a registry host with an optional path, e.g. "localhost:5000" or "ghcr.io/org"',
      registry
    )
  }
  if (registry !== '') {
    const named = images.find(i => hasRegistryHost(i.name))
    if (named) {
      throw new InputError(
        'registry',
        `cannot be used with ${named.origin} "${named.name}", which names a registry already: give names without a registry host`
      )
    }
  }

  const secrets = parseBuildSecrets(input('build-secrets'))
  if (!build && secrets.length > 0) {
    throw new InputError('build-secrets', 'is not used with build: false: nothing is built')
  }
  return { build, images, tag: given.tag, load, registry, secrets, timeoutMs: given.timeoutMs }
}

function shorthandImage(text: (n: string) => string, build: boolean): ImageSpec {
  const image = text('image') || 'weather-service'
  if (!build) {
    for (const name of ['context', 'dockerfile', 'build-args'] as const) {
      if (text(name) !== '') {
        throw new InputError(name, 'is not used with build: false: nothing is built')
      }
    }
    return prebuilt(image, 'image', '', 'image')
  }
  if (!isImageRepository(image)) {
    throw new InputError(
      'image',
      'must be an image repository name without a tag (lowercase, e.g. "weather-service" or "ghcr.io/org/app")',
      image
    )
  }
  const context = text('context') || 'weather-service'
  insideWorkspace(context, 'context')
  const dockerfile = text('dockerfile')
  if (dockerfile !== '') insideWorkspace(dockerfile, 'dockerfile')
  return {
    name: image,
    ref: '',
    context,
    dockerfile,
    buildArgs: parseBuildArgs(text('build-args'), 'build-args'),
    target: '',
    origin: 'image'
  }
}

/** `where` is '' for the `image` input, `item N ` in the list. */
function prebuilt(ref: string, input: string, where: string, origin: string): ImageSpec {
  if (!isPinnedReference(ref)) {
    throw new InputError(
      input,
      `${where}must be a full image reference with a tag or digest when build is false (e.g. "ghcr.io/org/app:1.2.3")`,
      ref
    )
  }
  return {
    name: imageRepository(ref),
    ref,
    context: '',
    dockerfile: '',
    buildArgs: [],
    target: '',
    origin
  }
}

function parseImageList(text: string, build: boolean): ImageSpec[] {
  let parsed: unknown
  try {
    parsed = loadYaml(text)
  } catch (err) {
    throw new InputError(
      'images',
      `must be ${LIST_SHAPE}: ${(err as Error).message.split('\n')[0]}`
    )
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new InputError('images', `must be ${LIST_SHAPE}`)
  }
  return parsed.map((item: unknown, index) => {
    const where = `item ${index + 1} `
    const origin = `images ${where.trim()}`
    const fail = (expected: string, got?: string): never => {
      throw new InputError('images', `${where}${expected}`, got)
    }
    if (!build && typeof item === 'string') return prebuilt(item, 'images', where, origin)
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return fail(
        build
          ? 'must be a mapping with at least name and context'
          : 'must be an image reference, or a mapping with its name'
      )
    }
    const entry = item as Record<string, unknown>
    const unknown = Object.keys(entry).find(k => !ITEM_KEYS.includes(k))
    if (unknown !== undefined) {
      fail(`has an unknown key ${JSON.stringify(unknown)} (known: ${ITEM_KEYS.join(', ')})`)
    }
    const str = (key: string): string => {
      const v = entry[key]
      if (v === undefined || v === null) return ''
      if (typeof v !== 'string') fail(`${key} must be a string`)
      return (v as string).trim()
    }
    const name = str('name')
    if (name === '') fail('needs a name (the image repository, e.g. "api")')
    if (!build) {
      const extra = ITEM_KEYS.find(k => k !== 'name' && entry[k] !== undefined)
      if (extra) fail(`${extra} is not used with build: false: nothing is built`)
      return prebuilt(name, 'images', where, origin)
    }
    if (!isImageRepository(name)) {
      fail(
        'name must be an image repository without a tag (lowercase, e.g. "api" or "ghcr.io/org/api")',
        name
      )
    }
    const context = str('context')
    if (context === '') fail(`(${name}) needs a context: its build directory in the workspace`)
    insideWorkspace(context, 'images', `${where}context `)
    const dockerfile = str('dockerfile')
    if (dockerfile !== '') insideWorkspace(dockerfile, 'images', `${where}dockerfile `)
    const target = str('target')
    if (target !== '' && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(target)) {
      fail('target must be a build stage name', target)
    }
    return {
      name,
      ref: '',
      context,
      dockerfile,
      buildArgs: listBuildArgs(entry['build-args'], `${where}build-args `),
      target,
      origin
    }
  })
}

/**
 * build-args in a list item: a map, or `KEY=VALUE` lines like the single-image input. `where`
 * ends with a space: `item 2 build-args `.
 */
function listBuildArgs(value: unknown, where: string): Array<[string, string]> {
  if (value === undefined || value === null) return []
  if (typeof value === 'string') return parseBuildArgs(value, 'images', where)
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError('images', `${where}must be a map of KEY: value, or KEY=VALUE lines`)
  }
  return Object.entries(value as Record<string, unknown>).map(([key, v]) => {
    if (!BUILD_ARG_KEY.test(key)) {
      throw new InputError(
        'images',
        `${where}key must be letters, digits and "_", not starting with a digit`,
        key
      )
    }
    if (!['string', 'number', 'boolean'].includes(typeof v)) {
      throw new InputError('images', `${where}${key} must be a string, number or boolean`)
    }
    return [key, String(v)]
  })
}

const BUILD_ARG_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `KEY=VALUE` lines; blank lines and `#` comments ignored. */
function parseBuildArgs(value: string, input: string, what = ''): Array<[string, string]> {
  const args: Array<[string, string]> = []
  for (const [index, raw] of value.split('\n').entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    const key = eq < 0 ? line : line.slice(0, eq)
    if (eq < 0 || !BUILD_ARG_KEY.test(key)) {
      throw new InputError(
        input,
        `${what}line ${index + 1} must be KEY=VALUE with KEY made of letters, digits and "_"`,
        line
      )
    }
    args.push([key, line.slice(eq + 1)])
  }
  return args
}

/**
 * `id=VALUE` lines. No message ever quotes a line: it may hold a secret. The value is everything
 * after the first `=`, kept exactly (no trimming: a secret may end in spaces).
 */
export function parseBuildSecrets(value: string): BuildSecret[] {
  const secrets: BuildSecret[] = []
  for (const [index, raw] of value.split('\n').entries()) {
    const line = raw.replace(/\r$/, '')
    if (line.trim() === '' || line.trim().startsWith('#')) continue
    const eq = line.indexOf('=')
    const id = eq < 0 ? '' : line.slice(0, eq).trim()
    if (eq < 0 || !/^[A-Za-z0-9_.-]+$/.test(id) || eq === line.length - 1) {
      throw new InputError(
        'build-secrets',
        `line ${index + 1} must be id=VALUE (id: letters, digits, "_", "." or "-"; VALUE not empty); the line is not shown because it may hold a secret`
      )
    }
    if (secrets.some(s => s.id === id)) {
      throw new InputError('build-secrets', `line ${index + 1} repeats the id "${id}"`)
    }
    secrets.push({ id, value: line.slice(eq + 1) })
  }
  return secrets
}

/** Lexically inside the workspace: relative, and no `..` out of it (symlinks: sources.ts). */
function insideWorkspace(path: string, input: string, what = ''): void {
  const n = normalize(path)
  if (isAbsolute(path) || n === '..' || n.startsWith('../')) {
    throw new InputError(input, `${what}must be a path inside the workspace`, path)
  }
}

function uniqueNames(images: ImageSpec[]): void {
  const seen = new Map<string, ImageSpec>()
  for (const image of images) {
    const key = normalizeRepository(image.name)
    const first = seen.get(key)
    if (first) {
      throw new InputError(
        'images',
        `lists "${image.name}" twice (${first.origin} and ${image.origin}): each image needs its own name`
      )
    }
    seen.set(key, image)
  }
}
