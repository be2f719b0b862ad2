import { describe, expect, it } from 'vitest'
import { rangeByPrefix, rangeOf } from './barrier.ts'

describe('rangeOf', () => {
  it('splits [0, count) into contiguous ranges that differ in length by at most one', () => {
    const ranges = [0, 1, 2].map((rank) => rangeOf(10, rank, 3))
    expect(ranges).toEqual([
      [0, 4],
      [4, 7],
      [7, 10],
    ])
  })
})

describe('rangeByPrefix', () => {
  it('splits by weight, not by index: a heavy item gets a rank of its own', () => {
    const weights = [1, 1, 1, 30, 1, 1, 1, 1]
    const prefix = [0]
    for (const w of weights) prefix.push(prefix.at(-1)! + w)
    const ranges = [0, 1, 2].map((rank) => rangeByPrefix(weights.length, (i) => prefix[i]!, rank, 3))
    // shares of 37: boundaries at the first prefix >= 12.3 and >= 24.7 (both inside the heavy item's step)
    expect(ranges).toEqual([
      [0, 4],
      [4, 4],
      [4, 8],
    ])
  })

  it('covers [0, count) exactly once for any number of ranks, also with empty items', () => {
    const weights = [0, 5, 0, 0, 2, 9, 0, 3, 3, 0]
    const prefix = [0]
    for (const w of weights) prefix.push(prefix.at(-1)! + w)
    for (let size = 1; size <= 12; size++) {
      let next = 0
      for (let rank = 0; rank < size; rank++) {
        const [start, end] = rangeByPrefix(weights.length, (i) => prefix[i]!, rank, size)
        expect(start).toBe(next)
        expect(end).toBeGreaterThanOrEqual(start)
        next = end
      }
      expect(next).toBe(weights.length)
    }
  })
})
