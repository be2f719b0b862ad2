/**
 * @module quality/trustworthiness — trustworthiness (Venna & Kaski 2001) of an embedding on a
 * subsample, together with kNN recall@k on the same sample: for every sampled point, distances to
 * all n input points come from blocked ONNX Runtime products (|x|^2 - 2 q.x), its k map neighbours
 * from a k-d tree, and each map neighbour's input-space rank from one pass over the distances
 * (above 20,000 points, over every stride-th point, scaled: an estimate with small relative error).
 */
import { gemm } from '../compute/ort-dense.ts'
import { buildKdTree, kdTreeKnn, type KdTree } from './kd-tree.ts'

const RANK_POINTS = 20_000

export interface NeighbourhoodScores {
  /** In [0, 1]: 1 when no map neighbour is an intruder from far away in the input space. */
  trustworthiness: number
  /** Mean share of the k nearest input-space neighbours that are also k nearest in the map. */
  recall: number
  k: number
  sampled: number
}

/**
 * Trustworthiness and recall@k of `embedding` (row-major n x dims) against `points` (row-major
 * n x d, the input space, e.g. the 50-dim PCA scores) for the sampled rows. Sampled form of
 * T(k) = 1 - 2 / (m k (2n - 3k - 1)) sum_i sum_{j in U_i} (rank_i(j) - k), m sampled points.
 * O(m n d) in ONNX Runtime plus O(m n log k) in TypeScript.
 */
export async function neighbourhoodScores(
  points: Float32Array,
  d: number,
  embedding: Float32Array | Float64Array,
  dims: number,
  n: number,
  rows: Int32Array,
  k = 10,
  tree: KdTree = buildKdTree(embedding, n, dims),
): Promise<NeighbourhoodScores> {
  // centred copy: smaller norms keep |x|^2 - 2 q.x accurate in float32
  const mean = new Float64Array(d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += points[i * d + j]!
  const reference = new Float32Array(n * d)
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) reference[i * d + j] = points[i * d + j]! - mean[j]! / n
  const norms = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    let s = 0
    for (let j = 0; j < d; j++) s += reference[i * d + j]! ** 2
    norms[i] = s
  }
  const mapNeighbours = kdTreeKnn(tree, rows, k)
  // blocks of about 2M products: the output stays in cache while it is scanned
  const block = Math.max(4, Math.min(512, Math.floor((1 << 21) / n)))
  const thresholds = new Float64Array(k)
  const bucket = new Int32Array(k + 1)
  const topValues = new Float64Array(k)
  const topIndices = new Int32Array(k)
  // above RANK_POINTS points, ranks are estimated from every stride-th point (top k stays exact)
  const stride = Math.max(1, Math.ceil(n / RANK_POINTS))
  let penalty = 0
  let found = 0
  for (let b = 0; b < rows.length; b += block) {
    const count = Math.min(block, rows.length - b)
    const queries = new Float32Array(count * d)
    for (let r = 0; r < count; r++) queries.set(reference.subarray(rows[b + r]! * d, rows[b + r]! * d + d), r * d)
    const products = await gemm(queries, reference, count, d, n, { transB: true, threads: 2 })
    for (let r = 0; r < count; r++) {
      const self = rows[b + r]!
      const offset = r * n
      const value = (j: number) => norms[j]! - 2 * products[offset + j]!
      // map neighbours' input-space values, ascending, for the rank count
      const neighbours = mapNeighbours.subarray((b + r) * k, (b + r + 1) * k)
      for (let t = 0; t < k; t++) thresholds[t] = value(neighbours[t]!)
      thresholds.sort()
      bucket.fill(0)
      topValues.fill(Infinity)
      const largest = thresholds[k - 1]!
      topValues.fill(Infinity)
      for (let j = 0; j < n; j++) {
        const v = norms[j]! - 2 * products[offset + j]!
        if (v >= topValues[k - 1]! || j === self) continue
        let s = k - 1
        while (s > 0 && topValues[s - 1]! > v) {
          topValues[s] = topValues[s - 1]!
          topIndices[s] = topIndices[s - 1]!
          s--
        }
        topValues[s] = v
        topIndices[s] = j
      }
      // ranks: bucket[t] counts (strided) points with exactly t thresholds at or below them
      bucket.fill(0)
      for (let j = 0; j < n; j += stride) {
        const v = norms[j]! - 2 * products[offset + j]!
        if (v >= largest || j === self) continue
        let lo = 0
        let hi = k
        while (lo < hi) {
          const mid = (lo + hi) >> 1
          if (v < thresholds[mid]!) hi = mid
          else lo = mid + 1
        }
        bucket[lo]!++
      }
      // points strictly closer than threshold t: sum of buckets 0..t
      const truth = new Set(topIndices)
      for (let t = 0; t < k; t++) {
        const j = neighbours[t]!
        if (truth.has(j)) {
          found++
          continue
        }
        const v = value(j)
        // points closer than v: those with at most c thresholds at or below them, c = #thresholds < v
        let c = 0
        while (c < k && thresholds[c]! < v) c++
        let closer = 0
        for (let u = 0; u <= c; u++) closer += bucket[u]!
        const rank = closer * stride + 1
        penalty += Math.max(0, rank - k)
      }
    }
  }
  const m = rows.length
  const normaliser = m * k * (2 * n - 3 * k - 1)
  return { trustworthiness: normaliser > 0 ? 1 - (2 / normaliser) * penalty : 1, recall: m ? found / (m * k) : 0, k, sampled: m }
}
