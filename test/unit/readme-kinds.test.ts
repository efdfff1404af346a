// The README's "What is waited for and how" is the kind registry in prose: every kind the
// registry waits for has a row in its table, and every kind it applies without waiting is named
// in the list under it. Adding a kind to src/kube/kinds.ts without documenting it fails here.

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from '@jest/globals'
import { KINDS } from '../../src/kube/kinds.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
const section = readme.slice(
  readme.indexOf('### What is waited for and how'),
  readme.indexOf('### kustomize')
)
/** Kinds the action reads for itself and never applies on a user's behalf. */
const READ_ONLY = new Set(['Node', 'Event', 'Endpoints'])

describe('README: what is waited for', () => {
  it('is a section of the README', () => {
    expect(section.length).toBeGreaterThan(100)
  })

  it('has a table row for every kind the registry waits for', () => {
    const rows = section
      .split('\n')
      .filter(l => l.startsWith('| ') && !l.startsWith('| kind'))
      .map(l => l.split('|')[1].trim())
    for (const k of KINDS.filter(k => k.readiness)) {
      const row = rows.some(r => r.split(/,\s*/).includes(k.type.kind))
      expect({ kind: k.type.kind, row }).toEqual({ kind: k.type.kind, row: true })
    }
  })

  it('names every kind the registry applies without waiting', () => {
    const list = section.slice(section.indexOf('Applied and not waited for'))
    const named: string[] = list.slice(0, list.indexOf('\n\n')).match(/[A-Z][A-Za-z]+/g) ?? []
    const words = named.concat(
      list.includes('webhook configurations')
        ? ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']
        : []
    )
    for (const k of KINDS.filter(k => k.notWaited && !READ_ONLY.has(k.type.kind))) {
      expect({ kind: k.type.kind, listed: words.includes(k.type.kind) }).toEqual({
        kind: k.type.kind,
        listed: true
      })
    }
  })
})
