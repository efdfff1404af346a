import { describe, expect, test } from '@jest/globals'
import { mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkLocalActionStubs } from '../../src/local-action.js'

const root = join(import.meta.dirname, '../..')

describe('checkLocalActionStubs (GitHub’s local debugger stubs @actions/core from the cwd)', () => {
  test('not under local-action: nothing to check', () => {
    expect(() => checkLocalActionStubs({}, '/anywhere')).not.toThrow()
  })
  test('started in the action or below it: fine, also through a symlink', () => {
    const link = join(mkdtempSync(join(tmpdir(), 'la-')), 'action')
    symlinkSync(root, link)
    for (const cwd of [root, join(root, 'src'), link])
      expect(() => checkLocalActionStubs({ TARGET_ACTION_PATH: root }, cwd)).not.toThrow()
  })
  test('started elsewhere: refused before anything runs, saying how to run it', () => {
    expect(() => checkLocalActionStubs({ TARGET_ACTION_PATH: root }, tmpdir())).toThrow(
      `outside the action (${root}): it would not replace @actions/core there`
    )
    expect(() => checkLocalActionStubs({ TARGET_ACTION_PATH: root }, tmpdir())).toThrow(
      'npm run local-action'
    )
  })
})
