/**
 * @module methods/tsne/graph-order — a locality order for the CPU optimiser: large inputs are optimised in a
 * breadth-first order of the affinity graph (neighbours get nearby indices, so the attraction pass reads
 * memory that is already cached) and mapped back for frames and the result.
 */
import type { SparseAffinities } from './affinities.ts'

/** From this many points the optimiser works in graph order (below, everything fits in cache anyway). */
export const REORDER_FROM = 20_000

/**
 * A locality order of the points: breadth first over the graph from the lowest unvisited index,
 * neighbours in column order (Cuthill-McKee without the degree sort). order[new] = old.
 */
export function graphOrder(p: SparseAffinities): Int32Array {
  const { n, rowStart, columns } = p
  const order = new Int32Array(n)
  const seen = new Uint8Array(n)
  let head = 0
  let tail = 0
  for (let start = 0; start < n; start++) {
    if (seen[start]) continue
    seen[start] = 1
    order[tail++] = start
    while (head < tail) {
      const i = order[head++]!
      for (let e = rowStart[i]!; e < rowStart[i + 1]!; e++) {
        const j = columns[e]!
        if (!seen[j]) {
          seen[j] = 1
          order[tail++] = j
        }
      }
    }
  }
  return order
}

/**
 * P relabelled by `order` (row r is old row order[r], columns renamed), in shared memory. Columns
 * within a row keep their old order, so they are no longer ascending: only the optimiser sees it.
 */
export function permuteAffinities(p: SparseAffinities, order: Int32Array): SparseAffinities {
  const { n } = p
  const rank = new Int32Array(n)
  for (let r = 0; r < n; r++) rank[order[r]!] = r
  const rowStart = new Int32Array(new SharedArrayBuffer((n + 1) * 4))
  const columns = new Int32Array(new SharedArrayBuffer(p.columns.length * 4))
  const values = new Float32Array(new SharedArrayBuffer(p.values.length * 4))
  for (let r = 0; r < n; r++) {
    const i = order[r]!
    const from = p.rowStart[i]!
    const length = p.rowStart[i + 1]! - from
    const at = rowStart[r]!
    rowStart[r + 1] = at + length
    for (let t = 0; t < length; t++) {
      columns[at + t] = rank[p.columns[from + t]!]!
      values[at + t] = p.values[from + t]!
    }
  }
  return { n, rowStart, columns, values }
}
