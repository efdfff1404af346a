// Finds or installs the minikube binary. Downloads go through the tool cache and are checked
// against a SHA-256: the one pinned by the user, else the checksum file minikube publishes
// next to each release binary.

import { PhaseError } from '../errors.js'

/** The version installed when no minikube is on PATH and none is asked for. */
export const DEFAULT_MINIKUBE_VERSION = '1.38.1'

export interface ToolCachePort {
  find(tool: string, version: string, arch: string): string
  downloadTool(url: string): Promise<string>
  cacheFile(
    sourceFile: string,
    targetFile: string,
    tool: string,
    version: string,
    arch: string
  ): Promise<string>
  sha256(file: string): Promise<string>
  readText(file: string): Promise<string>
  chmodExecutable(file: string): Promise<void>
  /** The absolute path of a command on PATH, or '' when there is none. */
  which(command: string): Promise<string>
}

export interface Platform {
  os: string // process.platform
  arch: string // process.arch
}

export function releaseAsset(
  version: string,
  platform: Platform
): { url: string; checksumUrl: string; file: string; arch: string } {
  const os = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[platform.os]
  const arch = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' }[
    platform.arch
  ]
  if (!os || !arch) {
    throw new PhaseError(`minikube has no release for ${platform.os}/${platform.arch}`)
  }
  const file = `minikube-${os}-${arch}${os === 'windows' ? '.exe' : ''}`
  const url = `https://github.com/kubernetes/minikube/releases/download/v${version}/${file}`
  return { url, checksumUrl: `${url}.sha256`, file, arch }
}

/** The first 64-hex word of a `.sha256` file (minikube's hold just the digest). */
export function parseChecksumFile(text: string): string {
  const m = /\b([0-9a-fA-F]{64})\b/.exec(text)
  if (!m) throw new PhaseError(`the minikube checksum file holds no SHA-256: ${text.slice(0, 100)}`)
  return m[1].toLowerCase()
}

export interface ResolvedMinikube {
  path: string
  source: 'path' | 'tool-cache' | 'download'
  version?: string
}

/**
 * No version asked: the minikube on PATH (GitHub's Ubuntu images ship one), else the pinned
 * default. A version asked: that version, from the tool cache or downloaded and verified.
 */
export async function resolveMinikube(
  tc: ToolCachePort,
  wanted: { version: string; sha256: string },
  platform: Platform,
  log: (line: string) => void
): Promise<ResolvedMinikube> {
  if (wanted.version === '') {
    const onPath = await tc.which('minikube')
    if (onPath !== '') {
      log(`Using the minikube on PATH: ${onPath}`)
      return { path: onPath, source: 'path' }
    }
    log(`No minikube on PATH; installing the pinned version ${DEFAULT_MINIKUBE_VERSION}`)
  }
  const version = wanted.version || DEFAULT_MINIKUBE_VERSION
  const asset = releaseAsset(version, platform)
  const binary = platform.os === 'win32' ? 'minikube.exe' : 'minikube'
  const cachedDir = tc.find('minikube', version, asset.arch)
  if (cachedDir !== '') {
    log(`Using minikube ${version} from the tool cache`)
    return { path: `${cachedDir}/${binary}`, source: 'tool-cache', version }
  }
  const expected =
    wanted.sha256 || parseChecksumFile(await tc.readText(await tc.downloadTool(asset.checksumUrl)))
  log(`Downloading ${asset.url}`)
  const downloaded = await tc.downloadTool(asset.url)
  const actual = await tc.sha256(downloaded)
  if (actual !== expected) {
    throw new PhaseError(
      `minikube ${version} download failed its checksum: expected sha256 ${expected}, got ${actual}`
    )
  }
  await tc.chmodExecutable(downloaded)
  const dir = await tc.cacheFile(downloaded, binary, 'minikube', version, asset.arch)
  log(`Installed minikube ${version} (sha256 ${actual}) into the tool cache`)
  return { path: `${dir}/${binary}`, source: 'download', version }
}
