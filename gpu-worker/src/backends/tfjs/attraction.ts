/**
 * @module backends/tfjs/attraction — attractive forces over the kNN graph's directed edges.
 *
 * P = (C + C^T) / 2n (affinities.ts) is never materialised: each directed edge i -> j of the
 * kNN graph carries v = c_ij / 2n and pulls both ends, so
 *   attraction_i = sum_{e: src(e) = i} v_e f_e (y_i - y_dst)  -  sum_{e: dst(e) = i} v_e f_e (y_src - y_i)
 * (one scatter-add over both ends: tf.scatterND sums duplicate indices)
 * with f = (1 + d^2/dof)^-1, which equals sum_j P_ij f_ij (y_i - y_j). Edges live on the device as
 * [n, k] int32 targets, [n, k] float32 values and [n k] int32 sources (12 n k bytes) instead of a CSR
 * with up to 2nk entries; rows are processed in chunks of rowsPerChunk, so temporaries stay near
 * rowsPerChunk * k * (dims + 1) * 4 bytes * ~6.
 */
import type { Tensor, Tensor1D, Tensor2D, Tf } from './tf.ts'

/** Directed affinity edges on the device: neighbours [n, k] int32 and values [n, k] float32 (sum 1/2). */
export interface DeviceEdges {
  n: number
  k: number
  neighbours: Tensor2D
  values: Tensor2D
  /** The source row of every edge, [n * k] int32 (gathers beat [rows, k, dims] broadcasts). */
  sources: Tensor1D
}

export function uploadEdges(tf: Tf, n: number, k: number, neighbours: Int32Array, conditional: Float32Array): DeviceEdges {
  const values = new Float32Array(n * k)
  const scale = 1 / (2 * n)
  for (let t = 0; t < n * k; t++) values[t] = conditional[t]! * scale
  const sources = new Int32Array(n * k)
  for (let t = 0; t < n * k; t++) sources[t] = Math.floor(t / k)
  return {
    n,
    k,
    neighbours: tf.tensor2d(neighbours.subarray(0, n * k), [n, k], 'int32'),
    values: tf.tensor2d(values, [n, k]),
    sources: tf.tensor1d(sources, 'int32'),
  }
}

export function disposeEdges(edges: DeviceEdges): void {
  edges.neighbours.dispose()
  edges.values.dispose()
  edges.sources.dispose()
}

/**
 * Attraction [n, dims] (not exaggerated). With `withKl`, also the scalar sum_ij P_ij log(1 + d_ij^2/dof)
 * for the KL divergence. The caller disposes the results.
 */
export function attractionTfjs(tf: Tf, y: Tensor2D, edges: DeviceEdges, dof: number, withKl: boolean, rowsPerChunk = 1 << 18): { forces: Tensor2D; klSum?: Tensor } {
  const { n, k } = edges
  const dims = y.shape[1]
  let forces: Tensor = tf.zeros([n, dims])
  let klSum: Tensor | undefined = withKl ? tf.scalar(0) : undefined
  for (let from = 0; from < n; from += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, n - from)
    const result = tf.tidy(() => {
      const targets = tf.slice(edges.neighbours, [from, 0], [rows, k]).reshape([-1])
      const sources = tf.slice(edges.sources, [from * k], [rows * k])
      const diff = tf.sub(tf.gather(y, sources), tf.gather(y, targets)) // [e, dims]
      // q = 1 + d^2/dof as one row sum of squares (a ones column adds the 1)
      const scaled = dof === 1 ? diff : tf.mul(diff, 1 / Math.sqrt(dof))
      const q = tf.sum(tf.square(tf.concat([scaled, tf.ones([rows * k, 1])], 1)), 1)
      const value = tf.slice(edges.values, [from, 0], [rows, k]).reshape([-1])
      const factor = tf.mul(value, tf.reciprocal(q))
      // same-shape products and one scatter-add of +pull at sources and -pull at targets: the
      // cheapest form on every backend (broadcasts and middle-axis sums are slow in tfjs' JS kernels)
      const pull = tf.mul(tf.stack(Array.from({ length: dims }, () => factor), 1), diff)
      const ends = tf.concat([sources, targets]).reshape([-1, 1])
      const next = tf.add(forces, tf.scatterND(ends, tf.concat([pull, tf.neg(pull)]), [n, dims]))
      const kl = klSum ? tf.add(klSum, tf.mul(tf.sum(tf.mul(value, tf.log(q))), 2)) : undefined
      return { next, kl }
    })
    forces.dispose()
    forces = result.next
    if (klSum) {
      klSum.dispose()
      klSum = result.kl
    }
  }
  return { forces: forces as Tensor2D, klSum }
}
