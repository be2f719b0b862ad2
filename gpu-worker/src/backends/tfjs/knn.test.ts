import { describe, expect, it } from 'vitest'
import { KernelPool } from '../../compute/pool.ts'
import { CPU_KERNELS } from '../cpu/pool.ts'
import { exactKnn } from '../../neighbours/knn.ts'
import { exactKnnTfjs } from './knn.ts'
import { blobs, jsTf } from './test-support.ts'

describe('tfjs exact kNN', async () => {
  const tf = await jsTf()
  const pool = new KernelPool(1, CPU_KERNELS)

  for (const metric of ['euclidean', 'cosine'] as const) {
    it(`returns exactly the CPU engine's ${metric} neighbours and distances, also when blocks split the rows`, async () => {
      const n = 500
      const d = 20
      const { points } = blobs(n, d, 6, 17)
      const k = 30
      const reference = await exactKnn(pool, points, n, d, k, metric)
      for (const blockElements of [1 << 20, 97 * 130]) {
        const graph = await exactKnnTfjs(tf, points, n, d, k, metric, { blockElements })
        expect(graph.k).toBe(k)
        expect(Array.from(graph.indices)).toEqual(Array.from(reference.indices))
        for (let t = 0; t < n * k; t++) expect(graph.distances[t]).toBeCloseTo(reference.distances[t]!, 4)
      }
    })
  }

  it('never lists a point as its own neighbour, even among duplicates', async () => {
    const n = 40
    const points = new Float32Array(n * 3)
    for (let i = 0; i < n; i++) points.set([i % 4, 0, 0], i * 3) // 10 copies of 4 points
    const graph = await exactKnnTfjs(tf, points, n, 3, 12)
    for (let i = 0; i < n; i++) {
      const row = Array.from(graph.indices.subarray(i * 12, (i + 1) * 12))
      expect(row).not.toContain(i)
      expect(new Set(row).size).toBe(12)
      expect(Array.from(graph.distances.subarray(i * 12, i * 12 + 9))).toEqual(Array(9).fill(0))
    }
  })
})
