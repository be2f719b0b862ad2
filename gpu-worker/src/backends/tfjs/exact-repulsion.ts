/**
 * @module backends/tfjs/exact-repulsion — every pair, blocked: O(n^2) work but dense and regular
 * (two matmuls and a few element-wise ops per block), so on a GPU it beats the grid up to several
 * thousand points, and it is the reference in tests. Device memory per block:
 * rowsPerBlock * n * 4 bytes (times ~4 for temporaries).
 */
import type { Tensor, Tensor2D, Tf } from './tf.ts'

/**
 * Same contract as GridRepulsion.compute: forces = sum_j K2 (y_i - y_j), z = sum_{i != j} w.
 * 1 + d_ij^2/dof comes out of one matmul of augmented rows [y_i, |y_i|^2, 1, 1] . [-2 y_j/dof,
 * 1/dof, |y_j|^2/dof, 1] (no [rows, n, dims] broadcast); forces = y_i sum_j K2_ij - (K2 y)_i.
 */
export function exactRepulsionTfjs(tf: Tf, y: Tensor2D, dof: number, pairsPerBlock = 1 << 24): { forces: Tensor2D; z: Tensor } {
  const [n] = y.shape
  const rows = Math.max(1, Math.min(n, Math.floor(pairsPerBlock / n)))
  const [left, right] = tf.tidy(() => {
    const norms = tf.sum(tf.square(y), 1, true)
    const ones = tf.onesLike(norms)
    return [tf.concat([y, norms, ones, ones], 1), tf.concat([tf.mul(y, -2 / dof), tf.div(ones, dof), tf.div(norms, dof), ones], 1)]
  })
  const parts: Tensor[] = []
  let z: Tensor = tf.scalar(-n) // the i = j terms are w(0) = 1
  for (let from = 0; from < n; from += rows) {
    const [force, zPart] = tf.tidy(() => {
      const count = Math.min(rows, n - from)
      const base = tf.reciprocal(tf.matMul(tf.slice(left, [from, 0], [count, -1]), right, false, true)) // [count, n]
      const w = dof === 1 ? base : tf.pow(base, dof)
      const k2 = tf.mul(w, base)
      const own = tf.slice(y, [from, 0], [count, -1])
      return [tf.sub(tf.mul(own, tf.sum(k2, 1, true)), tf.matMul(k2, y)), tf.sum(w)]
    })
    parts.push(force!)
    const total = tf.add(z, zPart!)
    z.dispose()
    zPart!.dispose()
    z = total
  }
  left.dispose()
  right.dispose()
  const forces = (parts.length === 1 ? parts[0]! : tf.concat(parts, 0)) as Tensor2D
  if (parts.length > 1) for (const part of parts) part.dispose()
  return { forces, z }
}
