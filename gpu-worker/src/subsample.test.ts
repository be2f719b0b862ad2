import { describe, expect, it } from 'vitest'
import { InputError } from './inputs/errors.ts'
import { selectRows, subsample } from './subsample.ts'

/** 3 classes of 100, 50 and 10 points, interleaved. */
function labels() {
  const codes: number[] = []
  for (let i = 0; i < 100; i++) codes.push(0)
  for (let i = 0; i < 50; i++) codes.push(1)
  for (let i = 0; i < 10; i++) codes.push(2)
  // a fixed interleaving so classes are not contiguous
  const order = codes.map((c, i) => ({ c, key: (i * 7919) % 160 })).sort((a, b) => a.key - b.key)
  return { classes: ['cat', 'dog', 'emu'], codes: Int32Array.from(order, (o) => o.c) }
}

function countPerClass(indices: Int32Array, codes: Int32Array): number[] {
  const counts = [0, 0, 0]
  for (const i of indices) counts[codes[i]!]!++
  return counts
}

describe('subsampling', () => {
  it('random keeps `size` distinct rows in input order, the same for the same seed and different for another', () => {
    const a = subsample(1000, { method: 'random', size: 100 }, 7)
    const b = subsample(1000, { method: 'random', size: 100 }, 7)
    const c = subsample(1000, { method: 'random', size: 100 }, 8)
    expect(a.indices).toEqual(b.indices)
    expect(a.indices).not.toEqual(c.indices)
    expect(new Set(a.indices).size).toBe(100)
    for (let r = 1; r < 100; r++) expect(a.indices[r]!).toBeGreaterThan(a.indices[r - 1]!)
    expect(a.record).toMatchObject({ method: 'random', size: 100, perLabel: null, nBefore: 1000, nAfter: 100, seed: 7, perLabelCounts: null })
  })

  it('random with a size above N keeps every point', () => {
    expect(subsample(20, { method: 'random', size: 500 }, 1).indices).toEqual(Int32Array.from({ length: 20 }, (_, i) => i))
  })

  it('stratified caps each label at perLabel and keeps all of a smaller class', () => {
    const l = labels()
    const kept = subsample(160, { method: 'stratified', perLabel: 30 }, 3, l)
    expect(countPerClass(kept.indices, l.codes)).toEqual([30, 30, 10])
    expect(kept.record.perLabelCounts).toEqual({ cat: 30, dog: 30, emu: 10 })
    expect(kept.record.nAfter).toBe(70)
    expect(subsample(160, { method: 'stratified', perLabel: 30 }, 3, l).indices).toEqual(kept.indices)
  })

  it('stratified with a size scales the quotas in proportion (largest remainder)', () => {
    const l = labels()
    // quotas after the cap: 40, 40, 10 (sum 90) scaled to 45: 20, 20, 5
    expect(countPerClass(subsample(160, { method: 'stratified', perLabel: 40, size: 45 }, 1, l).indices, l.codes)).toEqual([20, 20, 5])
    // size only: 100, 50, 10 scaled to 16: 10, 5, 1
    expect(countPerClass(subsample(160, { method: 'stratified', size: 16 }, 1, l).indices, l.codes)).toEqual([10, 5, 1])
  })

  it('stratified without labels, or keeping too few points, fails with a message that says what to do', () => {
    expect(() => subsample(100, { method: 'stratified', perLabel: 5 }, 1)).toThrow(/needs labels/)
    const l = labels()
    try {
      subsample(160, { method: 'stratified', perLabel: 1 }, 1, l)
      throw new Error('expected a failure')
    } catch (err) {
      expect(err).toBeInstanceOf(InputError)
      expect((err as InputError).code).toBe('subsample_too_small')
      expect((err as Error).message).toMatch(/keeps 3 of 160.*Raise perLabel/)
    }
  })

  it('selectRows copies the kept rows in order', () => {
    const points = Float32Array.from({ length: 12 }, (_, i) => i)
    expect(Array.from(selectRows(points, 3, Int32Array.from([3, 1])))).toEqual([9, 10, 11, 3, 4, 5])
  })
})
