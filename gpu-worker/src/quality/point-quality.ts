/**
 * @module quality/point-quality — per-point kNN preservation: for every point, the share of its k nearest
 * neighbours in the input (or PCA) space that are also among its k nearest in the map. Its mean over all
 * points is the map's recall@k against that space. Map neighbours come from the exact k-d tree.
 */
import { buildKdTree, kdTreeKnn } from './kd-tree.ts'

/**
 * The first k columns of a kNN graph (row-major n x graphK, ascending by distance) as row-major n x k.
 * @throws RangeError when k > graphK
 */
export function firstNeighbours(indices: Int32Array, n: number, graphK: number, k: number): Int32Array {
  if (k > graphK) throw new RangeError(`firstNeighbours: k ${k} exceeds the graph's ${graphK}`)
  if (k === graphK) return indices.slice(0, n * k)
  const out = new Int32Array(n * k)
  for (let i = 0; i < n; i++) out.set(indices.subarray(i * graphK, i * graphK + k), i * k)
  return out
}

/**
 * Per-point quality in [0, 1] (multiples of 1/k), float32 length n.
 * @param embedding row-major n x dims (2 or 3)
 * @param inputNeighbours row-major n x k, each point's k nearest in the input space (never itself)
 * O(n log n) for the tree and about O(n k log n) for the queries; allocates O(n k). About 3 s for 500k points.
 */
export function pointQuality(embedding: Float32Array | Float64Array, n: number, dims: number, inputNeighbours: Int32Array, k: number): Float32Array {
  const tree = buildKdTree(embedding, n, dims)
  // Queried in the tree's leaf order so consecutive queries touch the same leaves (500k points: 4.5 -> 3.1 s
  // in 2D, 11.6 -> 2.7 s in 3D on 2 cores). Row r of mapNeighbours belongs to point tree.order[r].
  const mapNeighbours = kdTreeKnn(tree, tree.order, k)
  const quality = new Float32Array(n)
  for (let r = 0; r < n; r++) {
    const i = tree.order[r]!
    let shared = 0
    for (let a = 0; a < k; a++) {
      const j = inputNeighbours[i * k + a]!
      for (let b = 0; b < k; b++) {
        if (mapNeighbours[r * k + b] === j) {
          shared++
          break
        }
      }
    }
    quality[i] = shared / k
  }
  return quality
}

/** Mean of a float32 array (0 for an empty one), accumulated in double precision. */
export function mean(values: Float32Array): number {
  let sum = 0
  for (const v of values) sum += v
  return values.length ? sum / values.length : 0
}
