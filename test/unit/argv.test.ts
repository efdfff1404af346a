import { describe, expect, test } from '@jest/globals'
import { parseArgList, splitShellWords } from '../../src/argv.js'

describe('splitShellWords', () => {
  test.each([
    ['--a --b', ['--a', '--b']],
    ['  --a\t\n--b  ', ['--a', '--b']],
    [`--x='a b'`, ['--x=a b']],
    [`--x="a b"`, ['--x=a b']],
    [`--x="say \\"hi\\""`, ['--x=say "hi"']],
    [`'it'"'"'s'`, ["it's"]],
    ['a\\ b', ['a b']],
    [`''`, ['']],
    [`--extra-config=kubelet.max-pods=50`, ['--extra-config=kubelet.max-pods=50']],
    [`'$(not expanded)'`, ['$(not expanded)']]
  ])('%s', (text, words) => {
    expect(splitShellWords(text)).toEqual(words)
  })

  test.each([
    [`'open`, 'unterminated single quote'],
    [`"open`, 'unterminated double quote'],
    ['a && b', 'shell character "&"'],
    ['a | b', 'shell character "|"'],
    ['a > f', 'shell character ">"'],
    ['`id`', 'shell character "`"'],
    ['"$HOME"', 'shell expansion'],
    ['# comment', 'shell comment'],
    ['trailing\\', 'lone backslash']
  ])('refuses %s', (text, message) => {
    expect(() => splitShellWords(text)).toThrow(message)
  })
})

describe('parseArgList', () => {
  test('YAML flow and block lists', () => {
    expect(parseArgList('["--a", "--b=c d"]')).toEqual(['--a', '--b=c d'])
    expect(parseArgList('- --a\n- 2')).toEqual(['--a', '2'])
  })
  test('empty', () => {
    expect(parseArgList('  ')).toEqual([])
  })
  test('bad YAML is explained', () => {
    expect(() => parseArgList('[unclosed')).toThrow('is not a valid YAML list')
  })
})
