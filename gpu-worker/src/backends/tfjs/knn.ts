/**
 * @module backends/tfjs/knn — exact k-nearest neighbours by blocked distance matmuls and top-k on
 * the device, then an exact float64 re-ranking on the host.
 *
 * For a block of query rows against a block of key rows the ranking key is |x_j|^2 - 2 q.x_j (one
 * matmul); tf.topk keeps the best k + slack per block and a second topk merges them with the
 * running best. The float32 (or TF32 on recent GPUs) expansion can swap near-ties, so the k + slack
 * candidates are re-ranked on the host by exact float64 distance with ties by index, which makes
 * the result equal to neighbours/knn.ts's `exactKnn` unless more than `slack` points tie at the k-th
 * distance. Device memory: n * d * 4 bytes for the points plus about 4 * blockElements * 4 bytes
 * for one block's products; O(n^2 d) flops and O(n^2) top-k work in all.
 */
import { metricDistance, prepareForMetric, type KnnGraph, type Metric } from '../../neighbours/knn.ts'
import type { Tensor, Tf } from './tf.ts'

export interface TfjsKnnSettings {
  /** Query rows x key rows per block. */
  blockElements: number
  /** Extra candidates kept for the host re-ranking. */
  slack: number
}

export const TFJS_KNN_DEFAULTS: TfjsKnnSettings = { blockElements: 1 << 26, slack: 8 }

/** Same contract as neighbours/knn.ts `exactKnn`: neighbours ascending by (distance, index), never i itself. */
export async function exactKnnTfjs(tf: Tf, points: Float32Array, n: number, d: number, k: number, metric: Metric = 'euclidean', settings: Partial<TfjsKnnSettings> = {}): Promise<KnnGraph> {
  const s = { ...TFJS_KNN_DEFAULTS, ...settings }
  if (k < 1 || k > n - 1) throw new RangeError(`k must be between 1 and n - 1 = ${n - 1}; got ${k}.`)
  const prepared = prepareForMetric(points, n, d, metric)
  const kept = Math.min(n - 1, k + s.slack)
  const keyRows = Math.min(n, Math.max(kept + 1, 1 << 15))
  const queryRows = Math.max(1, Math.min(n, Math.floor(s.blockElements / keyRows)))
  const all = tf.tensor2d(prepared, [n, d])
  const norms = tf.tidy(() => tf.sum(tf.square(all), 1))
  const candidates = new Int32Array(n * kept)
  try {
    for (let qFrom = 0; qFrom < n; qFrom += queryRows) {
      const qRows = Math.min(queryRows, n - qFrom)
      let bestValues: Tensor | undefined
      let bestIndices: Tensor | undefined
      for (let kFrom = 0; kFrom < n; kFrom += keyRows) {
        const kRows = Math.min(keyRows, n - kFrom)
        const [values, indices] = tf.tidy(() => {
          const query = tf.slice(all, [qFrom, 0], [qRows, d])
          const keys = tf.slice(all, [kFrom, 0], [kRows, d])
          // score = 2 q.x - |x|^2 (larger is nearer)
          let score: Tensor = tf.sub(tf.mul(tf.matMul(query, keys, false, true), 2), tf.slice(norms, [kFrom], [kRows]).reshape([1, kRows]))
          if (qFrom < kFrom + kRows && kFrom < qFrom + qRows) {
            // this block holds some i == j pairs: push them out
            const self = tf.equal(tf.range(qFrom, qFrom + qRows, 1, 'int32').reshape([qRows, 1]), tf.range(kFrom, kFrom + kRows, 1, 'int32').reshape([1, kRows]))
            score = tf.where(self, tf.fill([qRows, kRows], -Infinity), score)
          }
          const top = tf.topk(score, Math.min(kept, kRows), true)
          let values: Tensor = top.values
          let indices: Tensor = tf.add(top.indices, tf.scalar(kFrom, 'int32'))
          if (bestValues && bestIndices) {
            const merged = tf.topk(tf.concat([bestValues, values], 1), kept, true)
            values = merged.values
            indices = tf.gather(tf.concat([bestIndices, indices], 1), merged.indices, 1, 1)
          }
          return [values, indices]
        })
        bestValues?.dispose()
        bestIndices?.dispose()
        bestValues = values
        bestIndices = indices
      }
      candidates.set(await bestIndices!.data() as Int32Array, qFrom * kept)
      bestValues!.dispose()
      bestIndices!.dispose()
    }
  } finally {
    all.dispose()
    norms.dispose()
  }
  return rerank(prepared, n, d, candidates, kept, k, metric)
}

/** Keeps the k nearest of `kept` candidates per row by exact float64 distance, ties by index. */
function rerank(points: Float32Array, n: number, d: number, candidates: Int32Array, kept: number, k: number, metric: Metric): KnnGraph {
  const indices = new Int32Array(new SharedArrayBuffer(n * k * 4))
  const distances = new Float32Array(new SharedArrayBuffer(n * k * 4))
  const squared = new Float64Array(kept)
  const order = Array.from({ length: kept }, (_, t) => t)
  for (let i = 0; i < n; i++) {
    const row = candidates.subarray(i * kept, (i + 1) * kept)
    for (let t = 0; t < kept; t++) {
      let sum = 0
      const a = i * d
      const b = row[t]! * d
      for (let c = 0; c < d; c++) sum += (points[a + c]! - points[b + c]!) ** 2
      squared[t] = sum
      order[t] = t
    }
    order.sort((x, y) => squared[x]! - squared[y]! || row[x]! - row[y]!)
    for (let t = 0; t < k; t++) {
      indices[i * k + t] = row[order[t]!]!
      distances[i * k + t] = metricDistance(squared[order[t]!]!, metric)
    }
  }
  return { n, k, indices, distances }
}
