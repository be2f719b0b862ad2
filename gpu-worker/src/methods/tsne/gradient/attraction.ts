/**
 * @module methods/tsne/gradient/attraction — the attractive forces over the sparse P (kNN graph):
 * forces[i] = sum_j p_ij (1 + d_ij^2/dof)^-1 (y_i - y_j), O(nnz), plus the KL divergence terms.
 * Tight loops over the CSR arrays, specialised for 2D and 3D; the KL terms (logs) are computed
 * only on the iterations that report them.
 */
import type { SparseAffinities } from '../affinities.ts'

/** Per-row KL bookkeeping: output terms and a cache of sum_j p_ij log p_ij (NaN until computed). */
export interface KlTerms {
  terms: Float64Array
  rowEntropy: Float64Array
}

/**
 * Attraction for rows [start, end). When `kl` is given, also writes per row
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
  kl?: KlTerms,
): void {
  if (kl) attractionWithKl(p, y, dims, dof, start, end, forces, kl)
  else if (dims === 2) attraction2d(p, y, 1 / dof, start, end, forces)
  else attraction3d(p, y, 1 / dof, start, end, forces)
}

function attraction2d(p: SparseAffinities, y: Float64Array, inverseDof: number, start: number, end: number, forces: Float64Array): void {
  const { rowStart, columns, values } = p
  for (let i = start; i < end; i++) {
    let f0 = 0
    let f1 = 0
    const yi0 = y[2 * i]!
    const yi1 = y[2 * i + 1]!
    const b = rowStart[i + 1]!
    for (let e = rowStart[i]!; e < b; e++) {
      const j = columns[e]! << 1
      const d0 = yi0 - y[j]!
      const d1 = yi1 - y[j + 1]!
      const factor = values[e]! / (1 + (d0 * d0 + d1 * d1) * inverseDof)
      f0 += factor * d0
      f1 += factor * d1
    }
    forces[2 * i] = f0
    forces[2 * i + 1] = f1
  }
}

function attraction3d(p: SparseAffinities, y: Float64Array, inverseDof: number, start: number, end: number, forces: Float64Array): void {
  const { rowStart, columns, values } = p
  for (let i = start; i < end; i++) {
    let f0 = 0
    let f1 = 0
    let f2 = 0
    const yi0 = y[3 * i]!
    const yi1 = y[3 * i + 1]!
    const yi2 = y[3 * i + 2]!
    const b = rowStart[i + 1]!
    for (let e = rowStart[i]!; e < b; e++) {
      const j = columns[e]! * 3
      const d0 = yi0 - y[j]!
      const d1 = yi1 - y[j + 1]!
      const d2 = yi2 - y[j + 2]!
      const factor = values[e]! / (1 + (d0 * d0 + d1 * d1 + d2 * d2) * inverseDof)
      f0 += factor * d0
      f1 += factor * d1
      f2 += factor * d2
    }
    forces[3 * i] = f0
    forces[3 * i + 1] = f1
    forces[3 * i + 2] = f2
  }
}

function attractionWithKl(p: SparseAffinities, y: Float64Array, dims: number, dof: number, start: number, end: number, forces: Float64Array, kl: KlTerms): void {
  const { rowStart, columns, values } = p
  const { terms, rowEntropy } = kl
  const inverseDof = 1 / dof
  for (let i = start; i < end; i++) {
    if (rowEntropy[i] !== rowEntropy[i]) {
      // constant over the run: one log per entry, once
      let entropy = 0
      for (let e = rowStart[i]!; e < rowStart[i + 1]!; e++) if (values[e]! > 0) entropy += values[e]! * Math.log(values[e]!)
      rowEntropy[i] = entropy
    }
    let f0 = 0
    let f1 = 0
    let f2 = 0
    let kl = 0
    const yi0 = y[i * dims]!
    const yi1 = y[i * dims + 1]!
    const yi2 = dims === 3 ? y[i * dims + 2]! : 0
    const b = rowStart[i + 1]!
    for (let e = rowStart[i]!; e < b; e++) {
      const j = columns[e]!
      const d0 = yi0 - y[j * dims]!
      const d1 = yi1 - y[j * dims + 1]!
      const d2 = dims === 3 ? yi2 - y[j * dims + 2]! : 0
      const dist = d0 * d0 + d1 * d1 + d2 * d2
      const pij = values[e]!
      const factor = pij / (1 + dist * inverseDof)
      f0 += factor * d0
      f1 += factor * d1
      f2 += factor * d2
      kl += pij * Math.log1p(dist * inverseDof)
    }
    forces[i * dims] = f0
    forces[i * dims + 1] = f1
    if (dims === 3) forces[i * dims + 2] = f2
    terms[i] = rowEntropy[i]! + dof * kl
  }
}
