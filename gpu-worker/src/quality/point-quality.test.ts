import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../compute/random.ts'
import { firstNeighbours, mean, pointQuality } from './point-quality.ts'

/** Brute-force k nearest (excluding self), ties broken by index. */
function bruteKnn(points: Float32Array, n: number, d: number, k: number): Int32Array {
  const out = new Int32Array(n * k)
  for (let i = 0; i < n; i++) {
    const dist = (j: number) => {
      let s = 0
      for (let t = 0; t < d; t++) s += (points[i * d + t]! - points[j * d + t]!) ** 2
      return s
    }
    const order = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i).sort((a, b) => dist(a) - dist(b) || a - b)
    out.set(order.slice(0, k), i * k)
  }
  return out
}

function gaussian(n: number, d: number, seed: number): Float32Array {
  const random = new SeededRandom(seed)
  return Float32Array.from({ length: n * d }, () => random.normal())
}

describe('per-point quality', () => {
  for (const dims of [2, 3]) {
    it(`matches a brute-force reference in ${dims}D, and its mean is recall@10`, () => {
      const n = 300
      const high = gaussian(n, 8, 1)
      const map = gaussian(n, dims, 2)
      // a map that keeps some structure: half the coordinates copied from the input
      for (let i = 0; i < n; i += 2) for (let c = 0; c < dims; c++) map[i * dims + c] = high[i * 8 + c]!
      const k = 10
      const input = bruteKnn(high, n, 8, k)
      const low = bruteKnn(map, n, dims, k)
      const quality = pointQuality(map, n, dims, input, k)
      let recallHits = 0
      for (let i = 0; i < n; i++) {
        const truth = new Set(input.subarray(i * k, i * k + k))
        let hits = 0
        for (let t = 0; t < k; t++) if (truth.has(low[i * k + t]!)) hits++
        expect(quality[i], `point ${i}`).toBeCloseTo(hits / k, 6)
        recallHits += hits
      }
      expect(mean(quality)).toBeCloseTo(recallHits / (n * k), 6)
    })
  }

  it('is 1 everywhere when the map is the input space itself', () => {
    const points = gaussian(200, 2, 5)
    expect(mean(pointQuality(points, 200, 2, bruteKnn(points, 200, 2, 10), 10))).toBe(1)
  })

  it('takes the first k columns of a wider kNN graph', () => {
    const graph = Int32Array.from([1, 2, 3, 0, 2, 3, 0, 1, 3])
    expect(Array.from(firstNeighbours(graph, 3, 3, 2))).toEqual([1, 2, 0, 2, 0, 1])
    expect(() => firstNeighbours(graph, 3, 3, 4)).toThrow(RangeError)
  })
})
