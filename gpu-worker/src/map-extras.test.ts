import { afterAll, describe, expect, it } from 'vitest'
import { SeededRandom } from './compute/random.ts'
import { closeEngine } from './engine.ts'
import { computeMapExtras } from './map-extras.ts'

afterAll(() => closeEngine())

function points(n: number, d: number, seed: number): Float32Array {
  const random = new SeededRandom(seed)
  return Float32Array.from({ length: n * d }, () => random.normal())
}

/** Brute-force graph, k columns, ascending, never self. */
function graph(p: Float32Array, n: number, d: number, k: number): Int32Array {
  const out = new Int32Array(n * k)
  for (let i = 0; i < n; i++) {
    const dist = (j: number) => p.subarray(j * d, j * d + d).reduce((s, v, t) => s + (v - p[i * d + t]!) ** 2, 0)
    out.set(Array.from({ length: n }, (_, j) => j).filter((j) => j !== i).sort((a, b) => dist(a) - dist(b) || a - b).slice(0, k), i * k)
  }
  return out
}

describe('computeMapExtras', () => {
  it('keeps the first 10 neighbours of the t-SNE graph and measures each point\'s quality', async () => {
    const n = 120
    const input = points(n, 5, 1)
    const embedding = input.filter((_, t) => t % 5 < 2) // the first two input coordinates as the "map"
    const result = { embedding, n, dims: 2 as const, neighbours: { k: 30, indices: graph(input, n, 5, 30), space: 'pca' as const }, resolved: { knn: 'exact' } }
    const { neighbours, quality, summary } = await computeMapExtras(result)
    expect(summary).toMatchObject({ k: 10, space: 'pca', source: 'tsne', exact: true })
    expect(neighbours).toBeInstanceOf(Int32Array)
    expect(neighbours).toHaveLength(n * 10)
    for (const i of [0, 57, n - 1]) {
      expect(Array.from(neighbours.subarray(i * 10, i * 10 + 10))).toEqual(Array.from(result.neighbours.indices.subarray(i * 30, i * 30 + 10)))
    }
    expect(quality).toBeInstanceOf(Float32Array)
    expect(quality).toHaveLength(n)
    const average = Array.from(quality).reduce((a, b) => a + b, 0) / n
    expect(average).toBeCloseTo(summary.meanQuality, 5)
    expect(summary.meanQuality).toBeGreaterThan(0.1)
    expect(summary.meanQuality).toBeLessThan(1)
  })

  it('uses k = 3 x perplexity when that is under 10, and finds the neighbours itself when a backend returned no graph', async () => {
    const n = 60
    const input = points(n, 4, 2)
    const narrow = await computeMapExtras({ embedding: points(n, 2, 3), n, dims: 2, neighbours: { k: 6, indices: graph(input, n, 4, 6), space: 'input' }, resolved: {} })
    expect(narrow.summary.k).toBe(6)
    const found = await computeMapExtras({ embedding: points(n, 2, 3), n, dims: 2, resolved: {} }, { points: input, d: 4 })
    expect(found.summary).toMatchObject({ k: 10, space: 'input', source: 'worker', exact: true })
    expect(Array.from(found.neighbours)).toEqual(Array.from(graph(input, n, 4, 10)))
  })
})
