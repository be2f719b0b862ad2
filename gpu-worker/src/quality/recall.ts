/**
 * @module quality/recall — kNN recall@k of an embedding against the input space on a subsample:
 * for each sampled point, the share of its k nearest input-space neighbours (among all points)
 * that are also among its k nearest map neighbours.
 */
import { gemm } from '../compute/ort-dense.ts'
import { SeededRandom } from '../compute/random.ts'
import { buildKdTree, kdTreeKnn } from './kd-tree.ts'

/** Seeded sample of `count` distinct indices from [0, n), ascending. */
export function samplePoints(n: number, count: number, seed: number): Int32Array {
  if (count >= n) return Int32Array.from({ length: n }, (_, i) => i)
  const random = new SeededRandom(seed)
  const pool = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = 0; i < count; i++) {
    const j = i + random.nextInt(n - i)
    const t = pool[i]!
    pool[i] = pool[j]!
    pool[j] = t
  }
  return pool.slice(0, count).sort()
}

/** Exact k nearest neighbours (excluding self) of the listed rows among all n rows of `points`. */
export async function exactNeighboursOf(points: Float32Array, n: number, d: number, rows: Int32Array, k: number): Promise<Int32Array> {
  const norms = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < d; j++) s += points[i * d + j]! ** 2
    norms[i] = s
  }
  const out = new Int32Array(rows.length * k)
  const block = Math.max(4, Math.floor((1 << 21) / n))
  const bestV = new Float64Array(k)
  const bestI = new Int32Array(k)
  for (let b = 0; b < rows.length; b += block) {
    const count = Math.min(block, rows.length - b)
    const queries = new Float32Array(count * d)
    for (let r = 0; r < count; r++) queries.set(points.subarray(rows[b + r]! * d, rows[b + r]! * d + d), r * d)
    const products = await gemm(queries, points, count, d, n, { transB: true, threads: 2 })
    for (let r = 0; r < count; r++) {
      const self = rows[b + r]!
      bestV.fill(Infinity)
      for (let j = 0; j < n; j++) {
        if (j === self) continue
        const v = norms[j]! - 2 * products[r * n + j]!
        if (v < bestV[k - 1]!) {
          let s = k - 1
          while (s > 0 && bestV[s - 1]! > v) {
            bestV[s] = bestV[s - 1]!
            bestI[s] = bestI[s - 1]!
            s--
          }
          bestV[s] = v
          bestI[s] = j
        }
      }
      out.set(bestI, (b + r) * k)
    }
  }
  return out
}

/** Mean recall@k over the sampled rows; in [0, 1]. */
export async function embeddingRecall(points: Float32Array, d: number, embedding: Float32Array, dims: number, n: number, rows: Int32Array, k = 10): Promise<number> {
  const high = await exactNeighboursOf(points, n, d, rows, k)
  const low = kdTreeKnn(buildKdTree(embedding, n, dims), rows, k)
  let found = 0
  for (let r = 0; r < rows.length; r++) {
    const truth = new Set(high.subarray(r * k, r * k + k))
    for (let t = 0; t < k; t++) if (truth.has(low[r * k + t]!)) found++
  }
  return found / (rows.length * k)
}
