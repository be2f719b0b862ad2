/**
 * @module methods/tsne/affinities — input similarities: a per-point binary search for the Gaussian
 * precision that hits the target perplexity, then the symmetric sparse joint distribution
 * P = (P_j|i + P_i|j) / 2n in CSR form.
 */
import type { KernelPool } from '../../compute/pool.ts'
import { rangeOf, type SpmdContext } from '../../compute/barrier.ts'
import type { KnnGraph } from '../../neighbours/knn.ts'

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
      let weightedSquares = 0
      for (let t = 0; t < k; t++) {
        const w = Math.exp(-beta * squared[t]!)
        weights[t] = w
        sum += w
        weighted += w * squared[t]!
        weightedSquares += w * squared[t]! * squared[t]!
      }
      const mean = weighted / sum
      entropy = Math.log(sum) + beta * mean
      const error = entropy - target
      if (Math.abs(error) < TOLERANCE) break
      // the entropy falls as beta grows: keep the bracket, then take Newton's step (dH/dbeta = -beta var)
      // when it lands inside it, else halve the bracket (or double / halve beta while it is open)
      if (error > 0) lower = beta
      else upper = beta
      const variance = weightedSquares / sum - mean * mean
      const newton = variance > 0 ? beta + error / (beta * variance) : NaN
      if (newton > lower && newton < upper) beta = newton
      else if (upper === Infinity) beta *= 2
      else if (lower === -Infinity) beta /= 2
      else beta = (lower + upper) / 2
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
 * P = (C + C^T) / 2n over the kNN graph, as CSR with ascending columns. O(nk log k) time, about
 * 2.25nk + |P| words of memory: the reverse entries are bucketed by row in ascending source order
 * (so already sorted), each row's own k entries are sorted by column (the order kept as 16-bit
 * slots), and the two sorted lists are merged twice (once to size the output exactly, once to fill
 * it). A column present in both lists sums the halves in the order the entries are generated (the reverse
 * one first when column < row), rounding through float32 in between, as the values are stored.
 */
export function symmetrize(graph: KnnGraph, conditional: Float32Array): SparseAffinities {
  const { n, k, indices } = graph
  const reverseStart = new Int32Array(n + 1)
  for (let e = 0; e < n * k; e++) reverseStart[indices[e]! + 1]!++
  for (let i = 0; i < n; i++) reverseStart[i + 1]! += reverseStart[i]!
  const reverseColumns = new Int32Array(n * k)
  const reverseValues = new Float32Array(n * k)
  {
    const fill = reverseStart.slice(0, n)
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < k; t++) {
        const at = fill[indices[i * k + t]!]!++
        reverseColumns[at] = i
        reverseValues[at] = conditional[i * k + t]!
      }
    }
  }
  const ownColumns = new Int32Array(k)
  const ownSlots = new Int32Array(k)
  const keys = new Float64Array(k)
  // k = 3 x perplexity < 65,536
  const sortedSlots = new Uint16Array(n * k)
  const rowStart = new Int32Array(new SharedArrayBuffer((n + 1) * 4))
  for (let i = 0; i < n; i++) {
    // row i's own entries by column: keys column * 2^16 + slot (exact in float64) through the native sort
    for (let t = 0; t < k; t++) keys[t] = indices[i * k + t]! * 65_536 + t
    keys.sort()
    for (let t = 0; t < k; t++) {
      const key = keys[t]!
      const column = Math.floor(key / 65_536)
      ownColumns[t] = column
      ownSlots[t] = key - column * 65_536
    }
    for (let t = 0; t < k; t++) sortedSlots[i * k + t] = ownSlots[t]!
    let a = 0
    let b = reverseStart[i]!
    const bEnd = reverseStart[i + 1]!
    let count = 0
    while (a < k || b < bEnd) {
      if (b === bEnd || (a < k && ownColumns[a]! < reverseColumns[b]!)) a++
      else if (a === k || reverseColumns[b]! < ownColumns[a]!) b++
      else {
        a++
        b++
      }
      count++
    }
    rowStart[i + 1] = rowStart[i]! + count
  }
  const total = rowStart[n]!
  const columns = new Int32Array(new SharedArrayBuffer(total * 4))
  const values = new Float32Array(new SharedArrayBuffer(total * 4))
  const scale = 1 / (2 * n)
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const slot = sortedSlots[i * k + t]!
      ownSlots[t] = slot
      ownColumns[t] = indices[i * k + slot]!
    }
    let a = 0
    let b = reverseStart[i]!
    const bEnd = reverseStart[i + 1]!
    let write = rowStart[i]!
    while (a < k || b < bEnd) {
      if (b === bEnd || (a < k && ownColumns[a]! < reverseColumns[b]!)) {
        columns[write] = ownColumns[a]!
        values[write++] = conditional[i * k + ownSlots[a++]!]! * scale
      } else if (a === k || reverseColumns[b]! < ownColumns[a]!) {
        columns[write] = reverseColumns[b]!
        values[write++] = reverseValues[b++]! * scale
      } else {
        const column = ownColumns[a]!
        const own = conditional[i * k + ownSlots[a++]!]! * scale
        const reverse = reverseValues[b++]! * scale
        columns[write] = column
        values[write++] = column < i ? Math.fround(reverse) + own : Math.fround(own) + reverse
      }
    }
  }
  return { n, rowStart, columns, values }
}

/** Calibrates and symmetrises: the affinity stage in one call. */
export async function affinities(pool: KernelPool, graph: KnnGraph, perplexity: number): Promise<SparseAffinities & { achievedPerplexity: Float64Array }> {
  const { conditional, achieved } = await calibrate(pool, graph, perplexity)
  return { ...symmetrize(graph, conditional), achievedPerplexity: achieved }
}
