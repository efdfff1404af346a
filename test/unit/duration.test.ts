// The one duration syntax of every input and check field (src/duration.ts).

import { describe, expect, test } from '@jest/globals'
import { parseDuration } from '../../src/duration.js'

describe('parseDuration', () => {
  test.each<[unknown, number]>([
    // The inputs' old spellings.
    ['90', 90_000],
    ['90s', 90_000],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['0', 0],
    ['0s', 0],
    // The checks' old spellings.
    ['500ms', 500],
    ['0.5', 500],
    [0.5, 500],
    [5, 5000],
    ['2.5', 2500],
    ['1h2m', 3_720_000],
    // Both, everywhere.
    ['1h2m3s', 3_723_000],
    ['1.5s', 1500],
    ['1.5m', 90_000],
    ['1s500ms', 1500],
    ['30s1m', 90_000],
    [' 10s ', 10_000],
    ['1.1', 1100]
  ])('%j → %d ms', (value, ms) => {
    expect(parseDuration(value)).toBe(ms)
  })

  test.each<[unknown]>([
    [''],
    ['5 minutes'],
    ['10 s'],
    ['1h 30m'],
    ['-1'],
    ['-5s'],
    ['+5s'],
    ['1d'],
    ['.5'],
    ['5.'],
    ['ms'],
    ['1e3'],
    ['soon'],
    [true],
    [null],
    [undefined],
    [Number.NaN],
    [Infinity],
    [['10s']]
  ])('%j is not a duration', value => {
    expect(parseDuration(value)).toBeUndefined()
  })

  test('a negative YAML number parses; the field’s range check refuses it', () => {
    expect(parseDuration(-1)).toBe(-1000)
  })
})
