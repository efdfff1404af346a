import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { InputError } from '../../src/errors.js'
import { resolveManifestPaths } from '../../src/kube/paths.js'

describe('resolveManifestPaths', () => {
  let base: string
  let ws: string
  let outside: string

  beforeAll(() => {
    base = mkdtempSync(path.join(tmpdir(), 'kube-paths-'))
    ws = path.join(base, 'workspace')
    outside = path.join(base, 'outside')
    mkdirSync(path.join(ws, 'k8s', 'nested'), { recursive: true })
    mkdirSync(path.join(ws, 'empty'))
    mkdirSync(path.join(ws, 'leaky'))
    mkdirSync(outside)
    writeFileSync(path.join(ws, 'k8s', 'b-service.yaml'), '')
    writeFileSync(path.join(ws, 'k8s', 'a-deployment.yml'), '')
    writeFileSync(path.join(ws, 'k8s', 'c.json'), '')
    writeFileSync(path.join(ws, 'k8s', 'README.md'), '')
    writeFileSync(path.join(ws, 'k8s', 'nested', 'ignored.yaml'), '')
    writeFileSync(path.join(ws, 'app.yaml'), '')
    writeFileSync(path.join(ws, '..weird.yaml'), '')
    writeFileSync(path.join(outside, 'secret.yaml'), '')
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(ws, 'link.yaml'))
    symlinkSync(outside, path.join(ws, 'linkdir'))
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(ws, 'leaky', 'x.yaml'))
    symlinkSync(path.join(ws, 'app.yaml'), path.join(ws, 'inside-link.yaml'))
  })
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  const files = (inputs: string[]) =>
    resolveManifestPaths(ws, inputs).map(s => (s.kind === 'file' ? s.path : `kustomize:${s.dir}`))

  function refused(inputs: string[]): string {
    try {
      resolveManifestPaths(ws, inputs)
    } catch (err) {
      expect(err).toBeInstanceOf(InputError)
      expect((err as InputError).input).toBe('manifests')
      return (err as Error).message
    }
    throw new Error('expected the input to be refused')
  }

  it('expands directories (sorted, .yaml/.yml/.json, not recursive) and keeps files in order', () => {
    expect(files(['app.yaml', 'k8s/', ' ', 'app.yaml'])).toEqual([
      path.join(ws, 'app.yaml'),
      path.join(ws, 'k8s', 'a-deployment.yml'),
      path.join(ws, 'k8s', 'b-service.yaml'),
      path.join(ws, 'k8s', 'c.json')
    ])
  })

  it('accepts absolute paths and symlinks that stay inside, and names starting with ".."', () => {
    expect(files([path.join(ws, 'app.yaml'), 'inside-link.yaml', '..weird.yaml'])).toEqual([
      path.join(ws, 'app.yaml'),
      path.join(ws, '..weird.yaml')
    ])
  })

  it('a directory with a kustomization is one kustomize source, whatever else it holds', () => {
    mkdirSync(path.join(ws, 'overlay'))
    writeFileSync(path.join(ws, 'overlay', 'kustomization.yaml'), 'resources: []\n')
    writeFileSync(path.join(ws, 'overlay', 'patch.yaml'), '')
    expect(resolveManifestPaths(ws, ['overlay', 'app.yaml'])).toEqual([
      { kind: 'kustomize', dir: path.join(ws, 'overlay'), entry: 'overlay' },
      { kind: 'file', path: path.join(ws, 'app.yaml') }
    ])
  })

  it('refuses paths that leave the workspace', () => {
    expect(refused(['../outside/secret.yaml'])).toBe(
      `input 'manifests' must name paths inside the workspace (${ws}), got "../outside/secret.yaml"`
    )
    expect(refused(['k8s/../../outside'])).toContain('must name paths inside the workspace')
    expect(refused([path.join(outside, 'secret.yaml')])).toContain(
      'must name paths inside the workspace'
    )
    expect(refused(['/etc/passwd'])).toContain('got "/etc/passwd"')
  })

  it('refuses symlinks that escape, for files, directories and entries of a directory', () => {
    expect(refused(['link.yaml'])).toBe(
      `input 'manifests' must name paths inside the workspace (${ws}); it is a symlink that leaves it, got "link.yaml"`
    )
    expect(refused(['linkdir'])).toContain('it is a symlink that leaves it, got "linkdir"')
    expect(refused(['linkdir/secret.yaml'])).toContain('symlink that leaves it')
    expect(refused(['leaky'])).toBe(
      `input 'manifests' must name paths inside the workspace (${ws}); x.yaml is a symlink that leaves it, got "leaky"`
    )
  })

  it('refuses missing paths and directories without manifests', () => {
    expect(refused(['nope.yaml'])).toBe(
      `input 'manifests' names a path that does not exist, got "nope.yaml"`
    )
    expect(refused(['empty'])).toBe(
      `input 'manifests' names a directory with no .yaml, .yml or .json file and no kustomization, got "empty"`
    )
  })

  it('returns nothing for an empty input (the manifests are then generated)', () => {
    expect(resolveManifestPaths(ws, [])).toEqual([])
    expect(resolveManifestPaths(ws, [''])).toEqual([])
  })
})
