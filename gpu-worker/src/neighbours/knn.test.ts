import { afterAll, describe, expect, it } from 'vitest'
import { KernelPool } from '../compute/pool.ts'
import neighbourKernels from './kernel-module.ts'
import { SeededRandom } from '../compute/random.ts'
import { pca } from '../pca/pca.ts'
import { loadMnist } from '../../bench/datasets.ts'
import { exactKnn } from './knn.ts'
import { approximateKnn, knnRecall } from './knn-ivf.ts'

const pool = new KernelPool(2, [neighbourKernels])
afterAll(() => pool.close())

function bruteForce(points: Float32Array, n: number, d: number, k: number, i: number): number[] {
  const order = Array.from({ length: n }, (_, j) => j).filter((j) => j !== i)
  const dist = (j: number) => {
    let s = 0
    for (let t = 0; t < d; t++) s += (points[i * d + t]! - points[j * d + t]!) ** 2
    return s
  }
  return order.sort((a, b) => dist(a) - dist(b) || a - b).slice(0, k)
}

describe('kNN graphs', () => {
  it('exact kNN returns the brute-force neighbours in ascending distance order', async () => {
    const random = new SeededRandom(3)
    const n = 600
    const d = 12
    const points = Float32Array.from({ length: n * d }, () => random.normal())
    const graph = await exactKnn(pool, points, n, d, 15)
    for (const i of [0, 17, 599]) {
      expect(Array.from(graph.indices.subarray(i * 15, i * 15 + 15))).toEqual(bruteForce(points, n, d, 15, i))
      for (let t = 1; t < 15; t++) expect(graph.distances[i * 15 + t]!).toBeGreaterThanOrEqual(graph.distances[i * 15 + t - 1]!)
    }
    expect(graph.distances[0]).toBeCloseTo(Math.sqrt(bruteForce(points, n, d, 1, 0).map((j) => {
      let s = 0
      for (let t = 0; t < d; t++) s += (points[t]! - points[j * d + t]!) ** 2
      return s
    })[0]!), 4)
  })

  it('cosine kNN ignores vector length', async () => {
    const random = new SeededRandom(4)
    const n = 200
    const d = 8
    const points = Float32Array.from({ length: n * d }, () => random.normal())
    const scaled = points.map((v, t) => v * (1 + (Math.floor(t / d) % 7)))
    const a = await exactKnn(pool, points, n, d, 10, 'cosine')
    const b = await exactKnn(pool, scaled, n, d, 10, 'cosine')
    expect(Array.from(b.indices)).toEqual(Array.from(a.indices))
    for (const v of a.distances) expect(v).toBeLessThanOrEqual(2)
  })

  it('the approximate index finds at least 97% of the exact 90 neighbours on MNIST-10k (50-dim PCA)', async () => {
    const data = loadMnist()
    const { scores } = await pca(data.points, data.n, data.d, { components: 50, seed: 1 })
    const exact = await exactKnn(pool, scores, data.n, 50, 90)
    const approximate = await approximateKnn(pool, scores, data.n, 50, 90)
    expect(knnRecall(approximate, exact)).toBeGreaterThanOrEqual(0.97)
  }, 60_000)
})
