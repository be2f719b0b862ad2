import { afterAll, describe, expect, it } from 'vitest'
import { KernelPool } from '../../compute/pool.ts'
import neighbourKernels from '../../neighbours/kernel-module.ts'
import tsneKernels from './kernel-module.ts'
import { SeededRandom } from '../../compute/random.ts'
import { exactKnn } from '../../neighbours/knn.ts'
import { affinities } from './affinities.ts'

const pool = new KernelPool(2, [neighbourKernels, tsneKernels])
afterAll(() => pool.close())

describe('affinities', () => {
  for (const perplexity of [5, 30]) {
    it(`calibrated rows hit perplexity ${perplexity} and P is a symmetric distribution`, async () => {
      const random = new SeededRandom(perplexity)
      const n = 800
      const d = 10
      const points = Float32Array.from({ length: n * d }, (_, t) => random.normal() + (Math.floor(t / d) % 4) * 3)
      const graph = await exactKnn(pool, points, n, d, 3 * perplexity)
      const p = await affinities(pool, graph, perplexity)
      for (let i = 0; i < n; i++) expect(Math.abs(p.achievedPerplexity[i]! - perplexity) / perplexity).toBeLessThan(1e-4)
      let total = 0
      const entries = new Map<string, number>()
      for (let i = 0; i < n; i++) {
        for (let e = p.rowStart[i]!; e < p.rowStart[i + 1]!; e++) {
          total += p.values[e]!
          entries.set(`${i},${p.columns[e]}`, p.values[e]!)
          expect(p.columns[e]).not.toBe(i)
          if (e > p.rowStart[i]!) expect(p.columns[e]!).toBeGreaterThan(p.columns[e - 1]!)
        }
      }
      expect(total).toBeCloseTo(1, 5)
      for (const [key, value] of entries) {
        const [i, j] = key.split(',')
        expect(entries.get(`${j},${i}`)).toBe(value)
      }
    })
  }
})
