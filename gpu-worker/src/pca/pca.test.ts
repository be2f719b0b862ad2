import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../compute/random.ts'
import { pca } from './pca.ts'

describe('randomized PCA', () => {
  it('recovers the variances of a planted low-rank signal and centres the scores', async () => {
    const random = new SeededRandom(1)
    const n = 2000
    const d = 300
    const strengths = [10, 6, 3]
    const directions = strengths.map(() => {
      const v = Float64Array.from({ length: d }, () => random.normal())
      const norm = Math.hypot(...v)
      return v.map((x) => x / norm)
    })
    const points = new Float32Array(n * d)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) points[i * d + j] = 5 + 0.05 * random.normal()
      strengths.forEach((s, c) => {
        const coefficient = s * random.normal()
        for (let j = 0; j < d; j++) points[i * d + j]! += coefficient * directions[c]![j]!
      })
    }
    const result = await pca(points, n, d, { components: 3, seed: 7 })
    strengths.forEach((s, c) => expect(Math.sqrt(result.explainedVariance[c]!) / s).toBeCloseTo(1, 1))
    for (let c = 0; c < 3; c++) {
      let mean = 0
      for (let i = 0; i < n; i++) mean += result.scores[i * 3 + c]!
      expect(Math.abs(mean / n)).toBeLessThan(1e-3)
    }
  })

  it('never forms a D x D matrix: 65,536 columns fit in a small budget', async () => {
    const random = new SeededRandom(2)
    const n = 40
    const d = 65_536
    const points = Float32Array.from({ length: n * d }, () => random.next())
    const result = await pca(points, n, d, { components: 5, seed: 1 })
    expect(result.scores.length).toBe(n * 5)
    expect(result.explainedVariance[0]!).toBeGreaterThanOrEqual(result.explainedVariance[4]!)
  })
})
