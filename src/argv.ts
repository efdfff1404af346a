// Splits a user's flag string the way a POSIX shell splits words — quotes and backslashes
// respected — without ever running a shell. Shell operators and expansions are refused rather
// than passed through literally, because the user would expect a shell to act on them.

import { load } from 'js-yaml'

const OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')', '`', '$'])

/** Parses `text` into argv words. Throws an Error whose message explains what is wrong. */
export function splitShellWords(text: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) words.push(word)
      word = ''
      inWord = false
      i++
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1)
      if (end < 0) throw new Error(`has an unterminated single quote at character ${i + 1}`)
      word += text.slice(i + 1, end)
      inWord = true
      i = end + 1
    } else if (c === '"') {
      i++
      let closed = false
      while (i < text.length) {
        const d = text[i]
        if (d === '"') {
          closed = true
          i++
          break
        }
        if (d === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) {
          if (text[i + 1] !== '\n') word += text[i + 1]
          i += 2
          continue
        }
        if (d === '$' || d === '`') {
          throw new Error(
            `has a shell expansion (${d}) inside double quotes, which is not supported`
          )
        }
        word += d
        i++
      }
      if (!closed) throw new Error('has an unterminated double quote')
      inWord = true
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new Error('ends with a lone backslash')
      if (text[i + 1] !== '\n') word += text[i + 1]
      inWord = true
      i += 2
    } else if (OPERATORS.has(c)) {
      throw new Error(
        `has the shell character ${JSON.stringify(c)}; quote it if it is meant literally`
      )
    } else if (c === '#' && !inWord) {
      throw new Error('has a shell comment (#); quote it if it is meant literally')
    } else {
      word += c
      inWord = true
      i++
    }
  }
  if (inWord) words.push(word)
  return words
}

/** Accepts either a YAML list of strings or a shell-quoted string. */
export function parseArgList(text: string): string[] {
  const trimmed = text.trim()
  if (trimmed === '') return []
  if (trimmed.startsWith('[') || trimmed.startsWith('- ')) {
    let parsed: unknown
    try {
      parsed = load(trimmed)
    } catch (err) {
      throw new Error(`is not a valid YAML list: ${(err as Error).message.split('\n')[0]}`)
    }
    if (
      !Array.isArray(parsed) ||
      parsed.some(v => typeof v !== 'string' && typeof v !== 'number')
    ) {
      throw new Error('must be a YAML list of strings')
    }
    return parsed.map(String)
  }
  return splitShellWords(trimmed)
}
