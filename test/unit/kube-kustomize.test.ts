// kustomize's error line as kubectl prints it, and the image renames read from the overlays of
// the shop fixture (rendered for real by kubectl in the e2e suite).

import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import { imageRenames, kustomizeMessage } from '../../src/kube/kustomize.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const shop = path.join(root, 'test/fixtures/apps/shop')

describe('kustomizeMessage', () => {
  it("takes kustomize's message out of kubectl 1.2x's klog line", () => {
    // As kubectl 1.32 printed it for test/fixtures/apps/shop/overlays/broken.
    const line =
      "E1202 07:25:21.026924   12491 run.go:72] \"command failed\" err=\"accumulating resources: accumulation err='accumulating resources from '../../no-such-base'': lstat /w/no-such-base: no such file or directory'\""
    expect(kustomizeMessage(line)).toBe(
      "accumulating resources: accumulation err='accumulating resources from '../../no-such-base'': lstat /w/no-such-base: no such file or directory'"
    )
  })

  it('unescapes quotes inside the err value', () => {
    const line =
      'E0101 00:00:00.000000       1 run.go:72] "command failed" err="field \\"x\\" unknown"'
    expect(kustomizeMessage(line)).toBe('field "x" unknown')
  })

  it("keeps older kubectl's plain line as it is", () => {
    expect(kustomizeMessage('error: accumulating resources: no such file  ')).toBe(
      'error: accumulating resources: no such file'
    )
  })
})

describe('imageRenames', () => {
  it('follows the staging overlay’s images: entry from the built repository', () => {
    const renames = imageRenames(path.join(shop, 'overlays/staging'), root, ['shop', 'other'])
    expect([...renames]).toEqual([['shop', ['registry.example.test/team/shop']]])
  })

  it('finds nothing in an overlay without images:', () => {
    expect(imageRenames(path.join(shop, 'overlays/no-database'), root, ['shop']).size).toBe(0)
  })
})
