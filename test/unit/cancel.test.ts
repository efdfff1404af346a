import { describe, expect, test } from '@jest/globals'
import { EventEmitter } from 'node:events'
import { CancelledError, handleCancelSignals, untilCancelled } from '../../src/cancel.js'

describe('handleCancelSignals', () => {
  test('the first SIGINT or SIGTERM aborts with the signal named; the second stops children', () => {
    const source = new EventEmitter()
    const controller = new AbortController()
    const lines: string[] = []
    let second = 0
    const remove = handleCancelSignals(controller, {
      source,
      log: l => lines.push(l),
      onSecond: () => second++
    })
    source.emit('SIGINT')
    expect(controller.signal.aborted).toBe(true)
    expect(controller.signal.reason).toBeInstanceOf(CancelledError)
    expect((controller.signal.reason as CancelledError).signal).toBe('SIGINT')
    expect(second).toBe(0)
    source.emit('SIGTERM')
    expect(second).toBe(1)
    expect(lines).toEqual([
      'received SIGINT: stopping child processes and watches; the post step removes what was created',
      'received SIGTERM again: stopping child processes now'
    ])
    remove()
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0)
  })
})

describe('untilCancelled', () => {
  test('rejects at the abort with its reason, not when the work ends', async () => {
    const controller = new AbortController()
    const never = new Promise<string>(() => {})
    const p = untilCancelled(never, controller.signal)
    controller.abort(new CancelledError('SIGTERM'))
    await expect(p).rejects.toThrow('cancelled: the step received SIGTERM')
  })

  test('the work settles first: its value or error, unchanged', async () => {
    const controller = new AbortController()
    await expect(untilCancelled(Promise.resolve(7), controller.signal)).resolves.toBe(7)
    await expect(untilCancelled(Promise.reject(new Error('x')), controller.signal)).rejects.toThrow(
      'x'
    )
  })

  test('already aborted: rejects at once; a late failure of the work is not unhandled', async () => {
    const controller = new AbortController()
    controller.abort(new CancelledError('SIGINT'))
    let fail: (e: Error) => void = () => {}
    const work = new Promise<number>((_, reject) => (fail = reject))
    await expect(untilCancelled(work, controller.signal)).rejects.toThrow('SIGINT')
    fail(new Error('late'))
    await new Promise(r => setTimeout(r, 10))
  })
})
