/**
 * @module neighbours/knn — k-nearest-neighbour graphs, the pipeline's neighbours stage. `exactKnn` runs blocked
 * distance products through onnxruntime-node on every rank with a TypeScript top-k selection;
 * `approximateKnn` (knn-ivf.ts) takes over for large N. Both return the same `KnnGraph`.
 */
import type { KernelPool } from '../compute/pool.ts'
import { rangeOf, type SpmdContext } from '../compute/barrier.ts'
import { gemm } from '../compute/ort-dense.ts'

export type Metric = 'euclidean' | 'cosine'

/**
 * A kNN graph: row-major n x k; neighbours of point i are indices[i*k .. i*k+k), ascending by
 * distance (ties by index), never i itself. Distances are euclidean (or cosine distance 1-cos).
 */
export interface KnnGraph {
  n: number
  k: number
  indices: Int32Array
  distances: Float32Array
}

/** Copies points into shared memory, L2-normalising rows for the cosine metric. */
export function prepareForMetric(points: Float32Array, n: number, d: number, metric: Metric): Float32Array {
  const shared = new Float32Array(new SharedArrayBuffer(n * d * 4))
  shared.set(points.subarray(0, n * d))
  if (metric === 'cosine') {
    for (let i = 0; i < n; i++) {
      let norm = 0
      for (let j = 0; j < d; j++) norm += shared[i * d + j]! ** 2
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0
      for (let j = 0; j < d; j++) shared[i * d + j]! *= scale
    }
  }
  return shared
}

/** Converts squared euclidean distances of (normalised) rows into the metric's distance. */
export function metricDistance(squared: number, metric: Metric): number {
  return metric === 'cosine' ? squared / 2 : Math.sqrt(squared)
}

interface ExactKnnPayload {
  points: Float32Array
  norms: Float32Array
  n: number
  d: number
  k: number
  metric: Metric
  indices: Int32Array
  distances: Float32Array
}

/** Squared distance between rows i and j of a row-major float32 matrix, in float64. */
export function squaredDistance(points: Float32Array, d: number, i: number, j: number): number {
  let sum = 0
  const a = i * d
  const b = j * d
  for (let t = 0; t < d; t++) {
    const diff = points[a + t]! - points[b + t]!
    sum += diff * diff
  }
  return sum
}

/**
 * Sorts one neighbour row ascending by (exact squared distance, index) and stores metric distances.
 * `candidates` holds k distinct indices; `scratch` has room for k entries.
 */
export function finishRow(
  points: Float32Array,
  d: number,
  i: number,
  candidates: Int32Array,
  k: number,
  metric: Metric,
  outIndices: Int32Array,
  outDistances: Float32Array,
  scratch: Float64Array,
): void {
  for (let t = 0; t < k; t++) scratch[t] = squaredDistance(points, d, i, candidates[t]!)
  // insertion sort by (distance, index): k is small (about 90)
  for (let a = 1; a < k; a++) {
    const dist = scratch[a]!
    const index = candidates[a]!
    let b = a - 1
    while (b >= 0 && (scratch[b]! > dist || (scratch[b] === dist && candidates[b]! > index))) {
      scratch[b + 1] = scratch[b]!
      candidates[b + 1] = candidates[b]!
      b--
    }
    scratch[b + 1] = dist
    candidates[b + 1] = index
  }
  for (let t = 0; t < k; t++) {
    outIndices[i * k + t] = candidates[t]!
    outDistances[i * k + t] = metricDistance(scratch[t]!, metric)
  }
}

/** SPMD kernel: exact kNN for the query blocks of this rank. */
export async function exactKnnKernel(payload: ExactKnnPayload, ctx: SpmdContext): Promise<void> {
  const { points, norms, n, d, k, metric, indices, distances } = payload
  const blockRows = Math.max(16, Math.min(1024, Math.floor((1 << 24) / n)))
  const blocks = Math.ceil(n / blockRows)
  const [first, last] = rangeOf(blocks, ctx.rank, ctx.size)
  const heapValues = new Float64Array(k)
  const heapIndices = new Int32Array(k)
  const scratch = new Float64Array(k)
  // onnxruntime-node refuses tensors over SharedArrayBuffer: keep a private copy of the points
  const local = Float32Array.from(points)
  for (let block = first; block < last; block++) {
    const start = block * blockRows
    const rows = Math.min(blockRows, n - start)
    // products[r, j] = q_r . x_j ; ranking by |x_j|^2 - 2 q.x_j
    const products = await gemm(local.subarray(start * d, (start + rows) * d), local, rows, d, n, { transB: true, threads: 1 })
    for (let r = 0; r < rows; r++) {
      const i = start + r
      const row = r * n
      let size = 0
      for (let j = 0; j < n; j++) {
        if (j === i) continue
        const value = norms[j]! - 2 * products[row + j]!
        if (size < k) {
          // sift up into a max-heap
          let c = size++
          while (c > 0) {
            const parent = (c - 1) >> 1
            if (heapValues[parent]! >= value) break
            heapValues[c] = heapValues[parent]!
            heapIndices[c] = heapIndices[parent]!
            c = parent
          }
          heapValues[c] = value
          heapIndices[c] = j
        } else if (value < heapValues[0]!) {
          // replace the root and sift down
          let c = 0
          for (;;) {
            let child = 2 * c + 1
            if (child >= k) break
            if (child + 1 < k && heapValues[child + 1]! > heapValues[child]!) child++
            if (heapValues[child]! <= value) break
            heapValues[c] = heapValues[child]!
            heapIndices[c] = heapIndices[child]!
            c = child
          }
          heapValues[c] = value
          heapIndices[c] = j
        }
      }
      finishRow(points, d, i, heapIndices, k, metric, indices, distances, scratch)
    }
  }
}

/**
 * Exact kNN graph (all pairs, blocked). O(n^2 d) flops in ORT plus O(n^2) selection in TypeScript;
 * the choice for n up to about 100k.
 */
export async function exactKnn(pool: KernelPool, points: Float32Array, n: number, d: number, k: number, metric: Metric = 'euclidean'): Promise<KnnGraph> {
  const shared = prepareForMetric(points, n, d, metric)
  const norms = new Float32Array(new SharedArrayBuffer(n * 4))
  for (let i = 0; i < n; i++) {
    let sum = 0
    for (let j = 0; j < d; j++) sum += shared[i * d + j]! ** 2
    norms[i] = sum
  }
  const indices = new Int32Array(new SharedArrayBuffer(n * k * 4))
  const distances = new Float32Array(new SharedArrayBuffer(n * k * 4))
  await pool.spmd('exact-knn', { points: shared, norms, n, d, k, metric, indices, distances })
  return { n, k, indices, distances }
}
