// What main hands to post: a small state that points at the object journal, whatever the app's
// size; and the journal read back even when main was killed in the middle of a write.

import { describe, expect, test } from '@jest/globals'
import { loadRunState, StateRecorder } from '../../src/state.js'
import { parseJournal } from '../../src/object-journal.js'
import type { ObjectRecord } from '../../src/kube/index.js'
import { MemoryJournalFiles } from './fakes/journal.js'

function configMap(i: number, created: ObjectRecord['created'] = true): ObjectRecord {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    plural: 'configmaps',
    namespaced: true,
    name: `settings-of-a-rather-long-named-component-${String(i).padStart(4, '0')}`,
    namespace: 'minikube-smoke-1234567890-1-abcde',
    created,
    ...(created === true ? { uid: `0a1b2c3d-4e5f-6071-8293-${String(i).padStart(12, '0')}` } : {}),
    ...(created === 'pending' ? { absentAt: '2026-12-06T18:00:00.000Z' } : {})
  }
}

/** Records n objects the way apply does (pending before, then the outcome); what state saw. */
function recordApp(n: number) {
  const saves: string[] = []
  const saved = new Map<string, string>()
  const store = {
    save: (k: string, v: string) => {
      saves.push(v)
      saved.set(k, v)
    },
    get: (k: string) => saved.get(k) ?? ''
  }
  const files = new MemoryJournalFiles()
  const state = new StateRecorder(store, 'always', { path: '/runner/temp/objects.jsonl', files })
  state.update({ namespace: { name: 'minikube-smoke-1234567890-1-abcde', created: true } })
  for (let i = 0; i < n; i++) {
    state.recordObject(configMap(i, 'pending'))
    state.recordObject(configMap(i, true))
  }
  const written = saves.reduce((sum, v) => sum + Buffer.byteLength(v), 0)
  const last = Buffer.byteLength(saved.get('run') ?? '')
  return { store, files, written, last }
}

describe('state for the post step', () => {
  test('1000 objects: state stays a few hundred bytes, all of it written once', () => {
    const big = recordApp(1000)
    // Pinned: everything main saves to GITHUB_STATE for a 1000-object app (it was 189 MB).
    expect(big.last).toBeLessThan(512)
    expect(big.written).toBeLessThan(1024)
    // ... and it does not grow with the app.
    const small = recordApp(10)
    expect(big.written).toBe(small.written)
    // The records went to the journal instead: linear in the app (two lines per object).
    expect(big.files.appended).toBeLessThan(1000 * 2 * 400)
  })

  test('post reads every object back from the journal, the last record of each winning', () => {
    const { store, files } = recordApp(1000)
    const state = loadRunState(store, files)!
    expect(state.objects).toHaveLength(1000)
    expect(state.objects!.every(o => o.created === true && o.uid)).toBe(true)
    expect(state.objects![999]).toEqual(configMap(999))
    expect(state.namespace).toEqual({ name: 'minikube-smoke-1234567890-1-abcde', created: true })
  })

  test('a journal whose last line was cut short by a kill: the complete lines are read', () => {
    const { store, files } = recordApp(3)
    const path = '/runner/temp/objects.jsonl'
    const cut = JSON.stringify(configMap(3, 'pending')).slice(0, 40)
    files.texts.set(path, files.texts.get(path) + cut)
    const warnings: string[] = []
    const state = loadRunState(store, files, line => warnings.push(line))!
    expect(state.objects!.map(o => o.name)).toEqual([0, 1, 2].map(i => configMap(i).name))
    expect(warnings).toEqual([`1 unreadable line(s) in ${path} skipped (a write cut short)`])
  })

  test('a journal that is gone: a warning, and the rest of the state still loads', () => {
    const { store } = recordApp(2)
    const warnings: string[] = []
    const state = loadRunState(store, new MemoryJournalFiles(), line => warnings.push(line))!
    expect(state.objects).toBeUndefined()
    expect(state.namespace?.created).toBe(true)
    expect(warnings[0]).toContain('the object record /runner/temp/objects.jsonl is gone')
  })

  test('parseJournal keeps the order of each object’s last record and skips non-records', () => {
    const a = configMap(1, 'pending')
    const b = configMap(2, 'pending')
    const text = [a, b, configMap(1, true)].map(r => JSON.stringify(r)).join('\n') + '\n{"x":1}\n'
    const { objects, skipped } = parseJournal(text)
    expect(objects.map(o => [o.name, o.created])).toEqual([
      [b.name, 'pending'],
      [a.name, true]
    ])
    expect(skipped).toBe(1)
  })

  test('no journal, no object records: recording an object is a programming error', () => {
    const state = new StateRecorder({ save: () => {}, get: () => '' }, 'always')
    expect(() => state.recordObject(configMap(1))).toThrow('no object journal')
  })
})
