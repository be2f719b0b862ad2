/**
 * @module methods/tsne/gradient/exact — the O(N^2) reference repulsion: every pair, no approximation.
 * For tests and tiny N only.
 */
import { rangeOf, type SpmdContext } from '../../../compute/barrier.ts'

/**
 * Repulsion for the points of this rank: forces[i] = sum_j K2(y_i - y_j) (y_i - y_j) with
 * K2 = (1 + d^2/dof)^-(dof+1), and pointZ[i] = sum_{j != i} (1 + d^2/dof)^-dof.
 * `y` and `forces` are row-major n x dims.
 */
export function exactRepulsion(y: Float64Array, n: number, dims: number, dof: number, forces: Float64Array, pointZ: Float64Array, ctx: SpmdContext): void {
  const [start, end] = rangeOf(n, ctx.rank, ctx.size)
  const heavy = dof !== 1
  for (let i = start; i < end; i++) {
    let f0 = 0
    let f1 = 0
    let f2 = 0
    let z = 0
    const yi0 = y[i * dims]!
    const yi1 = y[i * dims + 1]!
    const yi2 = dims === 3 ? y[i * dims + 2]! : 0
    for (let j = 0; j < n; j++) {
      if (j === i) continue
      const d0 = yi0 - y[j * dims]!
      const d1 = yi1 - y[j * dims + 1]!
      const d2 = dims === 3 ? yi2 - y[j * dims + 2]! : 0
      const base = 1 / (1 + (d0 * d0 + d1 * d1 + d2 * d2) / dof)
      const w = heavy ? base ** dof : base
      const k2 = w * base
      z += w
      f0 += k2 * d0
      f1 += k2 * d1
      f2 += k2 * d2
    }
    forces[i * dims] = f0
    forces[i * dims + 1] = f1
    if (dims === 3) forces[i * dims + 2] = f2
    pointZ[i] = z
  }
}
