import { describe, expect, it } from 'vitest'
import { mapNeighbourAgreement } from './map-quality.ts'
import { mapNeighbours } from '../viewer/selection.ts'

function seeded(seed: number) {
  let state = seed
  return () => ((state = (state * 16807) % 2147483647) / 2147483647)
}

describe('map neighbour agreement', () => {
  it('matches a brute-force count of same-label neighbours, in 2-D and 3-D', () => {
    for (const dims of [2, 3]) {
      const random = seeded(11 + dims)
      const n = 400
      const coords = Float32Array.from({ length: n * dims }, () => random() * 10)
      const codes = Int32Array.from({ length: n }, (_, i) => (coords[i * dims]! > 5 ? 1 : 0))
      const fast = mapNeighbourAgreement(coords, n, dims, codes, 10)
      for (let i = 0; i < n; i += 37) {
        const neighbours = mapNeighbours(coords, n, dims, i, 10)
        const same = neighbours.filter((entry) => codes[entry.index] === codes[i]).length / 10
        expect(fast[i]).toBeCloseTo(same, 5)
      }
    }
  })

  it('gives unlabelled points no value', () => {
    const out = mapNeighbourAgreement(new Float32Array([0, 0, 1, 1, 2, 2]), 3, 2, [0, -1, 0], 2)
    expect(Number.isNaN(out[1]!)).toBe(true)
    expect(out[0]).toBe(0.5)
  })
})
