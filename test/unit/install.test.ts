import { describe, expect, test } from '@jest/globals'
import {
  DEFAULT_MINIKUBE_VERSION,
  parseChecksumFile,
  releaseAsset,
  resolveMinikube,
  type ToolCachePort
} from '../../src/cluster/install.js'

const DIGEST = 'a'.repeat(64)

function fakeToolCache(
  over: Partial<ToolCachePort> = {}
): ToolCachePort & { downloads: string[]; cached: string[] } {
  const downloads: string[] = []
  const cached: string[] = []
  return {
    downloads,
    cached,
    find: () => '',
    downloadTool: async url => {
      downloads.push(url)
      return url.endsWith('.sha256') ? '/tmp/sum' : '/tmp/bin'
    },
    cacheFile: async (_s, target, tool, version, arch) => {
      cached.push(`${tool}/${version}/${arch}/${target}`)
      return `/opt/hostedtoolcache/${tool}/${version}/${arch}`
    },
    sha256: async () => DIGEST,
    readText: async () => `${DIGEST}\n`,
    chmodExecutable: async () => {},
    which: async () => '',
    ...over
  }
}

const linux = { os: 'linux', arch: 'x64' }

describe('releaseAsset', () => {
  test.each([
    [{ os: 'linux', arch: 'x64' }, 'minikube-linux-amd64'],
    [{ os: 'linux', arch: 'arm64' }, 'minikube-linux-arm64'],
    [{ os: 'darwin', arch: 'arm64' }, 'minikube-darwin-arm64'],
    [{ os: 'win32', arch: 'x64' }, 'minikube-windows-amd64.exe']
  ])('%j → %s', (platform, file) => {
    const a = releaseAsset('1.37.0', platform)
    expect(a.url).toBe(`https://github.com/kubernetes/minikube/releases/download/v1.37.0/${file}`)
    expect(a.checksumUrl).toBe(`${a.url}.sha256`)
  })
  test('unsupported platform', () => {
    expect(() => releaseAsset('1.37.0', { os: 'aix', arch: 'ppc' })).toThrow(
      'minikube has no release for aix/ppc'
    )
  })
  test('checksum file', () => {
    expect(parseChecksumFile(`${DIGEST.toUpperCase()}  minikube-linux-amd64\n`)).toBe(DIGEST)
    expect(() => parseChecksumFile('Not Found')).toThrow('holds no SHA-256')
  })
})

describe('resolveMinikube', () => {
  test('no version asked and one on PATH: use it, download nothing', async () => {
    const tc = fakeToolCache({ which: async () => '/usr/local/bin/minikube' })
    const r = await resolveMinikube(tc, { version: '', sha256: '' }, linux, () => {})
    expect(r).toEqual({ path: '/usr/local/bin/minikube', source: 'path' })
    expect(tc.downloads).toEqual([])
  })

  test('no version and none on PATH: install the pinned default, checked against the published checksum', async () => {
    const tc = fakeToolCache()
    const r = await resolveMinikube(tc, { version: '', sha256: '' }, linux, () => {})
    const base = `https://github.com/kubernetes/minikube/releases/download/v${DEFAULT_MINIKUBE_VERSION}/minikube-linux-amd64`
    expect(tc.downloads).toEqual([`${base}.sha256`, base])
    expect(tc.cached).toEqual([`minikube/${DEFAULT_MINIKUBE_VERSION}/amd64/minikube`])
    expect(r.source).toBe('download')
    expect(r.path).toBe(`/opt/hostedtoolcache/minikube/${DEFAULT_MINIKUBE_VERSION}/amd64/minikube`)
  })

  test('a version in the tool cache is used without download, even when one is on PATH', async () => {
    const tc = fakeToolCache({
      find: () => '/cache/minikube/1.34.0/amd64',
      which: async () => '/usr/bin/minikube'
    })
    const r = await resolveMinikube(tc, { version: '1.34.0', sha256: '' }, linux, () => {})
    expect(r).toEqual({
      path: '/cache/minikube/1.34.0/amd64/minikube',
      source: 'tool-cache',
      version: '1.34.0'
    })
    expect(tc.downloads).toEqual([])
  })

  test('a pinned checksum is used instead of the published one', async () => {
    const tc = fakeToolCache()
    await resolveMinikube(tc, { version: '1.34.0', sha256: DIGEST }, linux, () => {})
    expect(tc.downloads).toEqual([
      'https://github.com/kubernetes/minikube/releases/download/v1.34.0/minikube-linux-amd64'
    ])
  })

  test('a checksum mismatch fails and caches nothing', async () => {
    const tc = fakeToolCache({ sha256: async () => 'b'.repeat(64) })
    await expect(
      resolveMinikube(tc, { version: '1.34.0', sha256: '' }, linux, () => {})
    ).rejects.toThrow(
      `minikube 1.34.0 download failed its checksum: expected sha256 ${DIGEST}, got ${'b'.repeat(64)}`
    )
    expect(tc.cached).toEqual([])
  })
})
