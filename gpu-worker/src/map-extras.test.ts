import { afterAll, describe, expect, it } from 'vitest'
import { decodeNpyArray } from '@constellate/shared'
import { SeededRandom } from './compute/random.ts'
import { closeEngine } from './engine.ts'
import { computeMapExtras, writeMapExtras } from './map-extras.ts'

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

describe('writeMapExtras', () => {
  it('stores the first 10 neighbours of the t-SNE graph and the per-point quality for a prefix', async () => {
    const n = 120
    const input = points(n, 5, 1)
    const embedding = input.filter((_, t) => t % 5 < 2) // the first two input coordinates as the "map"
    const stored = new Map<string, Uint8Array>()
    const store = { put: async (key: string, body: Uint8Array | string) => void stored.set(key, body as Uint8Array) }
    const result = { embedding, n, dims: 2 as const, neighbours: { k: 30, indices: graph(input, n, 5, 30), space: 'pca' as const }, resolved: { knn: 'exact' } }
    const summary = await writeMapExtras(store, 'jobs/j/attempts/1/layers/0', result)
    expect(summary).toMatchObject({ k: 10, space: 'pca', source: 'tsne', exact: true })
    const neighbours = decodeNpyArray(stored.get('jobs/j/attempts/1/layers/0/neighbours.npy')!)
    expect(neighbours.shape).toEqual([n, 10])
    expect(neighbours.data).toBeInstanceOf(Int32Array)
    expect(Array.from(neighbours.data.subarray(0, 10))).toEqual(Array.from(result.neighbours.indices.subarray(0, 10)))
    const quality = decodeNpyArray(stored.get('jobs/j/attempts/1/layers/0/quality-points.npy')!)
    expect(quality.shape).toEqual([n])
    expect(quality.data).toBeInstanceOf(Float32Array)
    const average = Array.from(quality.data).reduce((a, b) => a + b, 0) / n
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
