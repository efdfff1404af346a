import { describe, expect, test } from '@jest/globals'
import { EventEmitter } from 'node:events'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MessageChannel } from 'node:worker_threads'
import { MAIN_HEAP, forwardedSignals, runInWorker } from '../../src/main-thread.js'

// A worker that reports the young generation it got, then waits for a forwarded SIGTERM (or
// exits with the code it is given), the way main.ts's run() uses forwardedSignals.
const WORKER = `
import { parentPort, workerData } from 'node:worker_threads'
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8'
import { appendFileSync } from 'node:fs'
const newSpace = getHeapSpaceStatistics().find(s => s.space_name === 'new_space').space_size
appendFileSync(workerData.out, 'new_space ' + newSpace + '\\n')
appendFileSync(workerData.out, 'heap_size_limit ' + getHeapStatistics().heap_size_limit + '\\n')
if (workerData.exitCode !== undefined) process.exitCode = workerData.exitCode
else if (workerData.throw) throw new Error('boom in the worker')
else if (workerData.grow) {
  const kept = []
  for (;;) kept.push(new Array(1024).fill(kept.length))
}
else {
  parentPort.on('message', m => {
    appendFileSync(workerData.out, 'got ' + m.signal + '\\n')
    process.exit(7)
  })
}
`

function workerFile(): { file: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'main-thread-'))
  const file = join(dir, 'worker.mjs')
  writeFileSync(file, WORKER)
  return { file, out: join(dir, 'out.txt') }
}

describe('runInWorker', () => {
  test('the worker gets the small young generation and the old-generation ceiling; its exit code is returned', async () => {
    const { file, out } = workerFile()
    const source = new EventEmitter()
    const code = await runInWorker(file, {
      workerData: { out, exitCode: 3 },
      heap: MAIN_HEAP,
      source,
      onError: () => {}
    })
    expect(code).toBe(3)
    const newSpace = Number(/new_space (\d+)/.exec(readFileSync(out, 'utf8'))![1])
    // Two 2 MB semi-spaces; V8's default lets them grow to 64 MB under load.
    expect(newSpace).toBeLessThanOrEqual(4 * 1024 * 1024)
    // Old generation plus young: V8's own default here would be ~4 GB.
    const limit = Number(/heap_size_limit (\d+)/.exec(readFileSync(out, 'utf8'))![1])
    expect(limit).toBeLessThanOrEqual((MAIN_HEAP.oldGenerationMb + 64) * 1024 * 1024)
    expect(limit).toBeGreaterThanOrEqual(MAIN_HEAP.oldGenerationMb * 1024 * 1024)
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0)
  })

  test('SIGTERM on the process reaches the worker, even sent before it listens', async () => {
    const { file, out } = workerFile()
    const source = new EventEmitter()
    const done = runInWorker(file, {
      workerData: { out },
      heap: MAIN_HEAP,
      source,
      onError: () => {}
    })
    source.emit('SIGTERM')
    expect(await done).toBe(7)
    expect(readFileSync(out, 'utf8')).toContain('got SIGTERM')
    expect(source.listenerCount('SIGTERM')).toBe(0)
  })

  test('an uncaught error in the worker: reported, exit code 1', async () => {
    const { file, out } = workerFile()
    const errors: unknown[] = []
    const code = await runInWorker(file, {
      workerData: { out, throw: true },
      heap: MAIN_HEAP,
      source: new EventEmitter(),
      onError: e => errors.push(e)
    })
    expect(code).toBe(1)
    expect(String(errors[0])).toContain('boom in the worker')
  })

  test('a worker at its heap ceiling: one line naming the limit, exit code 1', async () => {
    const { file, out } = workerFile()
    const errors: unknown[] = []
    const code = await runInWorker(file, {
      workerData: { out, grow: true },
      heap: { youngGenerationMb: 6, oldGenerationMb: 32 },
      source: new EventEmitter(),
      onError: e => errors.push(e)
    })
    expect(code).toBe(1)
    expect(errors).toHaveLength(1)
    expect(String(errors[0])).toMatch(
      /^Error: the main step ran out of memory: its JavaScript heap reached the 32 MB it is allowed \(/
    )
  })
})

describe('forwardedSignals', () => {
  test('calls the handler of the signal named; off removes it', async () => {
    const { port1, port2 } = new MessageChannel()
    const source = forwardedSignals(port2)
    const got: string[] = []
    const onInt = () => got.push('SIGINT')
    const onTerm = () => got.push('SIGTERM')
    source.on('SIGINT', onInt)
    source.on('SIGTERM', onTerm)
    port1.postMessage({ signal: 'SIGTERM' })
    await new Promise(r => setTimeout(r, 50))
    expect(got).toEqual(['SIGTERM'])
    source.off('SIGTERM', onTerm)
    port1.postMessage({ signal: 'SIGTERM' })
    port1.postMessage({ signal: 'SIGINT' })
    await new Promise(r => setTimeout(r, 50))
    expect(got).toEqual(['SIGTERM', 'SIGINT'])
    source.off('SIGINT', onInt)
    port1.close()
  })
})

// The main thread of a main step lives as long as the run: whatever the entry imports statically
// it keeps (@actions/core and its HTTP client cost ~6 MB of heap and more RSS). Heavy modules are
// imported dynamically, where they are used.
describe('the entry stays light', () => {
  const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src')

  /**
   * Static, non-type imports of a module: `import … from 'x'` and `import 'x'` (not `import
   * type`, not `import()`).
   */
  function staticImports(file: string): string[] {
    const text = readFileSync(file, 'utf8')
    const pattern = /^import\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm
    return [...text.matchAll(pattern)].map(m => m[1])
  }

  test('src/index.ts and what it imports statically load only Node built-ins and our light modules', () => {
    const seen = new Set<string>()
    const packages = new Set<string>()
    const visit = (file: string): void => {
      if (seen.has(file)) return
      seen.add(file)
      for (const spec of staticImports(file)) {
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
        else if (!spec.startsWith('node:')) packages.add(spec)
      }
    }
    visit(join(SRC, 'index.ts'))
    expect([...packages]).toEqual([])
    // A growing closure is the first sign of a heavy import creeping in.
    expect(seen.size).toBeLessThanOrEqual(6)
  })
})
