/**
 * @module tsne/affinities — input similarities: a per-point binary search for the Gaussian
 * precision that hits the target perplexity, then the symmetric sparse joint distribution
 * P = (P_j|i + P_i|j) / 2n in CSR form.
 */
import type { KernelPool } from '../compute/pool.ts'
import { rangeOf, type SpmdContext } from '../compute/barrier.ts'
import type { KnnGraph } from './knn.ts'

/**
 * Symmetric joint probabilities in CSR form: the entries of row i are columns[rowStart[i] ..
 * rowStart[i+1]) with values; all values sum to 1; columns ascending within a row; no diagonal.
 */
export interface SparseAffinities {
  n: number
  rowStart: Int32Array
  columns: Int32Array
  values: Float32Array
}

interface CalibratePayload {
  distances: Float32Array
  n: number
  k: number
  perplexity: number
  conditional: Float32Array
  achieved: Float64Array
}

const TOLERANCE = 1e-5
const MAX_STEPS = 200

/**
 * SPMD kernel: for each point of this rank, finds beta with entropy(P_.|i) = log(perplexity)
 * (natural log) and writes the normalised conditional row. Records the achieved perplexity.
 */
export function calibrateKernel(payload: CalibratePayload, ctx: SpmdContext): void {
  const { distances, n, k, perplexity, conditional, achieved } = payload
  const [start, end] = rangeOf(n, ctx.rank, ctx.size)
  const target = Math.log(perplexity)
  const squared = new Float64Array(k)
  const weights = new Float64Array(k)
  for (let i = start; i < end; i++) {
    const offset = i * k
    const nearest = distances[offset]! ** 2
    for (let t = 0; t < k; t++) squared[t] = distances[offset + t]! ** 2 - nearest
    let beta = 1
    let lower = -Infinity
    let upper = Infinity
    let entropy = 0
    let sum = 0
    // scale the first guess by the typical squared distance so the search starts close
    const spread = squared[k - 1]! > 0 ? squared[k - 1]! : 1
    beta = 1 / spread
    for (let step = 0; step < MAX_STEPS; step++) {
      sum = 0
      let weighted = 0
      for (let t = 0; t < k; t++) {
        const w = Math.exp(-beta * squared[t]!)
        weights[t] = w
        sum += w
        weighted += w * squared[t]!
      }
      entropy = Math.log(sum) + (beta * weighted) / sum
      const error = entropy - target
      if (Math.abs(error) < TOLERANCE) break
      if (error > 0) {
        lower = beta
        beta = upper === Infinity ? beta * 2 : (beta + upper) / 2
      } else {
        upper = beta
        beta = lower === -Infinity ? beta / 2 : (beta + lower) / 2
      }
    }
    for (let t = 0; t < k; t++) conditional[offset + t] = weights[t]! / sum
    achieved[i] = Math.exp(entropy)
  }
}

/** Conditional rows P_j|i (row-major n x k, aligned with the kNN graph) and achieved perplexities. */
export async function calibrate(pool: KernelPool, graph: KnnGraph, perplexity: number): Promise<{ conditional: Float32Array; achieved: Float64Array }> {
  const { n, k } = graph
  const conditional = new Float32Array(new SharedArrayBuffer(n * k * 4))
  const achieved = new Float64Array(new SharedArrayBuffer(n * 8))
  await pool.spmd('calibrate', { distances: graph.distances, n, k, perplexity, conditional, achieved })
  return { conditional, achieved }
}

/**
 * P = (C + C^T) / 2n over the kNN graph, as CSR with ascending columns. O(nk log k) time,
 * O(nk) memory (two passes of counting sort, no per-row allocation).
 */
export function symmetrize(graph: KnnGraph, conditional: Float32Array): SparseAffinities {
  const { n, k, indices } = graph
  // both directions as (row, column, value) bucketed by row
  const counts = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) {
    counts[i + 1]! += k
    for (let t = 0; t < k; t++) counts[indices[i * k + t]! + 1]! += 1
  }
  for (let i = 0; i < n; i++) counts[i + 1]! += counts[i]!
  const total = counts[n]!
  const cols = new Int32Array(total)
  const vals = new Float32Array(total)
  const fill = counts.slice(0, n)
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = indices[i * k + t]!
      const v = conditional[i * k + t]!
      let at = fill[i]!++
      cols[at] = j
      vals[at] = v
      at = fill[j]!++
      cols[at] = i
      vals[at] = v
    }
  }
  // sort each row by column, merge duplicates
  const rowStart = new Int32Array(new SharedArrayBuffer((n + 1) * 4))
  let write = 0
  const scale = 1 / (2 * n)
  // compacted in place: the write position never passes the read position
  const outCols = cols
  const outVals = vals
  for (let i = 0; i < n; i++) {
    rowStart[i] = write
    const a = counts[i]!
    const b = counts[i + 1]!
    // insertion sort (rows hold about 2k entries)
    for (let x = a + 1; x < b; x++) {
      const c = cols[x]!
      const v = vals[x]!
      let y = x - 1
      while (y >= a && cols[y]! > c) {
        cols[y + 1] = cols[y]!
        vals[y + 1] = vals[y]!
        y--
      }
      cols[y + 1] = c
      vals[y + 1] = v
    }
    for (let x = a; x < b; x++) {
      if (write > rowStart[i]! && outCols[write - 1] === cols[x]) {
        outVals[write - 1] = (outVals[write - 1]! + vals[x]! * scale)
      } else {
        outCols[write] = cols[x]!
        outVals[write] = vals[x]! * scale
        write++
      }
    }
  }
  rowStart[n] = write
  const columns = new Int32Array(new SharedArrayBuffer(write * 4))
  columns.set(outCols.subarray(0, write))
  const values = new Float32Array(new SharedArrayBuffer(write * 4))
  values.set(outVals.subarray(0, write))
  return { n, rowStart, columns, values }
}

/** Calibrates and symmetrises: the affinity stage in one call. */
export async function affinities(pool: KernelPool, graph: KnnGraph, perplexity: number): Promise<SparseAffinities & { achievedPerplexity: Float64Array }> {
  const { conditional, achieved } = await calibrate(pool, graph, perplexity)
  return { ...symmetrize(graph, conditional), achievedPerplexity: achieved }
}
