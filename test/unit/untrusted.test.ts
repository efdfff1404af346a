// Untrusted text reaches the log as text: read back the way the runner reads a step's output, no
// line of it is obeyed, and the step's own commands after it still are.

import { describe, expect, test } from '@jest/globals'
import { couldBeCommand, fenceUntrusted, UntrustedStream } from '../../src/untrusted.js'
import { readAsRunner } from '../support/workflow-commands.mjs'

const HOSTILE = [
  '::error::owned',
  '  ::add-mask::x',
  'prefix ##[warning]legacy syntax anywhere in a line',
  '::stop-commands::guess',
  '::error file=app.py,line=1::owned too',
  '::guess::',
  '::set-output name=result::passed',
  'carriage\r::error::after a bare CR',
  '::ERROR::upper case'
].join('\n')

describe('fenceUntrusted', () => {
  test('nothing in it is obeyed; it is shown line for line; commands after it work', () => {
    const out = `::group::Logs\n${fenceUntrusted(HOSTILE)}::endgroup::\n::error::the action's own error\n`
    const r = readAsRunner(out)
    expect(r.annotations).toEqual([
      { level: 'error', message: "the action's own error", properties: {} }
    ])
    expect(r.masks).toEqual([])
    expect(r.commands.map(c => c.name)).toEqual(['group', 'stop-commands', 'endgroup', 'error'])
    for (const line of ['::error::owned', '  ::add-mask::x', '::set-output name=result::passed'])
      expect(r.shown).toContain(line)
    expect(r.stillStopped).toBe(false)
  })

  test('the same text unfenced would have been obeyed (the test can fail)', () => {
    const r = readAsRunner(`${HOSTILE}\n`)
    expect(r.masks).toEqual(['x'])
    expect(r.annotations.map(a => a.message)).toContain('owned')
  })

  test('a new token each time, so text cannot end a fence it has seen', () => {
    const a = fenceUntrusted('::error::a')
    const b = fenceUntrusted('::error::a')
    expect(a).not.toBe(b)
    const token = /^::stop-commands::(\S+)\n/.exec(a)![1]
    expect(token).toMatch(/^minikube-smoke-[0-9a-f]{32}$/)
    // Text that replays an earlier token does not end a later fence.
    const r = readAsRunner(fenceUntrusted(`::${token}::\n::error::owned`))
    expect(r.annotations).toEqual([])
  })

  test('plain text stays plain (no tokens), with exactly one newline at the end', () => {
    expect(couldBeCommand('Waiting for deployment "web" rollout to finish: 0 of 1')).toBe(false)
    expect(fenceUntrusted('line one\nline two')).toBe('line one\nline two\n')
    expect(fenceUntrusted('done\n')).toBe('done\n')
    expect(couldBeCommand('a::b')).toBe(true)
    expect(couldBeCommand('x ##[group]y')).toBe(true)
  })
})

describe('UntrustedStream', () => {
  test('chunks split anywhere, a last line without newline: the fence still closes', () => {
    let out = ''
    const s = new UntrustedStream(t => (out += t))
    for (const chunk of [
      'Step 1/2 : FROM x\n::err',
      'or::owned\n::add-',
      'mask::x\nno newline at the end'
    ])
      s.chunk(chunk)
    s.close()
    s.close()
    s.chunk('::error::after close is dropped\n')
    out += '::error::the build failed\n'
    const r = readAsRunner(out)
    expect(r.annotations.map(a => a.message)).toEqual(['the build failed'])
    expect(r.masks).toEqual([])
    expect(r.shown).toContain('no newline at the end')
    expect(out).not.toContain('after close')
  })

  test('no output: no fence at all', () => {
    let out = ''
    const s = new UntrustedStream(t => (out += t))
    s.close()
    expect(out).toBe('')
  })
})
