/**
 * @module tsne/gradient/attraction — the attractive forces over the sparse P (kNN graph):
 * forces[i] = sum_j p_ij (1 + d_ij^2/dof)^-1 (y_i - y_j), O(nnz), plus the KL divergence terms.
 */
import type { SparseAffinities } from '../affinities.ts'

/**
 * Attraction for rows [start, end). When `klTerms` is given, also writes per row
 * sum_j p_ij log(p_ij / w_ij) (the KL divergence before the + log Z term).
 */
export function attraction(
  p: SparseAffinities,
  y: Float64Array,
  dims: number,
  dof: number,
  start: number,
  end: number,
  forces: Float64Array,
  klTerms?: Float64Array,
): void {
  const { rowStart, columns, values } = p
  for (let i = start; i < end; i++) {
    let f0 = 0
    let f1 = 0
    let f2 = 0
    let kl = 0
    const yi0 = y[i * dims]!
    const yi1 = y[i * dims + 1]!
    const yi2 = dims === 3 ? y[i * dims + 2]! : 0
    const a = rowStart[i]!
    const b = rowStart[i + 1]!
    for (let e = a; e < b; e++) {
      const j = columns[e]!
      const d0 = yi0 - y[j * dims]!
      const d1 = yi1 - y[j * dims + 1]!
      const d2 = dims === 3 ? yi2 - y[j * dims + 2]! : 0
      const dist = d0 * d0 + d1 * d1 + d2 * d2
      const pij = values[e]!
      const factor = pij / (1 + dist / dof)
      f0 += factor * d0
      f1 += factor * d1
      f2 += factor * d2
      if (klTerms && pij > 0) kl += pij * (Math.log(pij) + dof * Math.log1p(dist / dof))
    }
    forces[i * dims] = f0
    forces[i * dims + 1] = f1
    if (dims === 3) forces[i * dims + 2] = f2
    if (klTerms) klTerms[i] = kl
  }
}
