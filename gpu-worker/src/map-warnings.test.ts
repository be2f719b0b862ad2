import { afterAll, describe, expect, it } from 'vitest'
import { closeEngine, embed } from './engine.ts'
import { loadMnist } from '../bench/datasets.ts'
import { SeededRandom } from './compute/random.ts'
import {
  constantColumnsWarning,
  convergenceWarning,
  countConstantColumns,
  countDuplicateRows,
  dominantClassWarning,
  duplicateWarning,
  inputWarnings,
  perplexityWarning,
  subsampleWarning,
} from './map-warnings.ts'

afterAll(() => closeEngine())

function gaussian(n: number, d: number, seed: number): Float32Array {
  const random = new SeededRandom(seed)
  return Float32Array.from({ length: n * d }, () => random.normal())
}

/** Duplicate rows counted the slow, obvious way: a row counts if an earlier row equals it. */
function bruteDuplicates(points: Float32Array, n: number, d: number): number {
  let count = 0
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      let same = true
      for (let j = 0; j < d && same; j++) same = points[i * d + j] === points[k * d + j]
      if (same) {
        count++
        break
      }
    }
  }
  return count
}

describe('counting duplicates and constant columns', () => {
  it('counts duplicate rows as a brute-force comparison does, -0 equal to 0 and NaN never equal', () => {
    const random = new SeededRandom(5)
    for (let trial = 0; trial < 20; trial++) {
      const n = 50 + random.nextInt(150)
      const d = 1 + random.nextInt(6)
      // few distinct values, so that collisions and true duplicates are both common
      const points = Float32Array.from({ length: n * d }, () => [0, -0, 1, 2, NaN][random.nextInt(trial % 2 ? 3 : 5)]!)
      expect(countDuplicateRows(points, n, d)).toBe(bruteDuplicates(points, n, d))
    }
  })

  it('counts constant columns', () => {
    const points = Float32Array.from([1, 5, 0, 1, 6, 0, 1, 7, 0])
    expect(countConstantColumns(points, 3, 3)).toBe(2)
  })
})

describe('each warning fires on data built for it', () => {
  it('perplexity whose neighbourhoods cover more than half the points', () => {
    const warning = perplexityWarning(30, 120)
    expect(warning).toMatchObject({ code: 'perplexity_near_limit', numbers: { perplexity: 30, neighbours: 90, points: 120 } })
    expect(warning!.message).toMatch(/at most 19/)
    expect(perplexityWarning(30, 200)).toBeNull()
  })

  it('duplicate points', () => {
    const n = 400
    const d = 8
    const points = gaussian(n, d, 1)
    for (let i = 0; i < 40; i++) points.copyWithin(i * d, (i + 200) * d, (i + 201) * d)
    const warning = duplicateWarning(points, n, d)
    expect(warning).toMatchObject({ code: 'duplicate_points', numbers: { duplicates: 40, share: 0.1 } })
    expect(warning!.message).toMatch(/Remove duplicate rows/)
    expect(duplicateWarning(gaussian(n, d, 2), n, d)).toBeNull()
  })

  it('constant columns', () => {
    const n = 100
    const d = 10
    const points = gaussian(n, d, 3)
    for (let i = 0; i < n; i++) for (let j = 0; j < 7; j++) points[i * d + j] = 0.5
    expect(constantColumnsWarning(points, n, d)).toMatchObject({ code: 'constant_columns', numbers: { constantColumns: 7, columns: 10 } })
    expect(constantColumnsWarning(gaussian(n, d, 4), n, d)).toBeNull()
  })

  it('one label holding almost every point', () => {
    const codes = Int32Array.from({ length: 1000 }, (_, i) => (i < 950 ? 0 : 1 + (i % 3)))
    const warning = dominantClassWarning({ classes: ['cat', 'dog', 'fox', 'owl'], codes })
    expect(warning).toMatchObject({ code: 'dominant_class', numbers: { dominant: 950, share: 0.95 } })
    expect(warning!.message).toContain('"cat"')
    expect(dominantClassWarning({ classes: ['a', 'b'], codes: Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1)) })).toBeNull()
  })

  it('a KL divergence still falling fast, or a main phase too short to settle', () => {
    const falling = [300, 350, 400].map((iteration, k) => ({ iteration, kl: 2.2 - 0.15 * k }))
    expect(convergenceWarning(falling, 400, 250)).toMatchObject({ code: 'not_converged' })
    expect(convergenceWarning(falling.slice(0, 1), 300, 250)).toMatchObject({ code: 'not_converged', numbers: { mainIterations: 50 } })
    const flat = [700, 750].map((iteration, k) => ({ iteration, kl: 1.72 - 0.005 * k }))
    expect(convergenceWarning(flat, 750, 250)).toBeNull()
  })

  it('a subsample standing in for the whole', () => {
    const warning = subsampleWarning({ method: 'random', nBefore: 70_000, nAfter: 10_000, seed: 42 })
    expect(warning).toMatchObject({ code: 'subsampled', numbers: { points: 10_000, uploaded: 70_000 } })
    expect(warning!.message).toMatch(/10,000 of 70,000/)
    expect(subsampleWarning({ method: 'random', nBefore: 500, nAfter: 500, seed: 1 })).toBeNull()
    expect(subsampleWarning(null)).toBeNull()
  })
})

describe('on MNIST', () => {
  it('stays silent on 10,000 MNIST digits with the default parameters, through a full default run of 2,000 of them', async () => {
    const data = loadMnist()
    expect(inputWarnings({ points: data.points, n: data.n, d: data.d, perplexity: 30, labels: { classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], codes: data.labels } })).toEqual([])
    const sample = loadMnist(2000)
    const result = await embed(sample.points, sample.n, sample.d, { seed: 42 })
    expect(result.klHistory.at(-1)).toEqual({ iteration: 750, kl: result.kl })
    expect(convergenceWarning(result.klHistory, result.iterations, 250)).toBeNull()
    // the same run cut short is flagged
    const short = await embed(sample.points, sample.n, sample.d, { seed: 42, iterations: 400 })
    expect(convergenceWarning(short.klHistory, short.iterations, 250)).toMatchObject({ code: 'not_converged' })
  }, 120_000)
})
