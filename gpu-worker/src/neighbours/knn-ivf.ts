/**
 * @module neighbours/knn-ivf — approximate kNN with an inverted-file index: k-means cells (trained on a
 * seeded sample), each point searches the `probes` cells nearest to it with exact blocked products
 * in onnxruntime-node and a TypeScript heap. Cost O(n * probes * n / cells * d) instead of O(n^2 d).
 */
import type { KernelPool } from '../compute/pool.ts'
import { rangeOf, type SpmdContext } from '../compute/barrier.ts'
import { gemm } from '../compute/ort-dense.ts'
import { SeededRandom } from '../compute/random.ts'
import { finishRow, prepareForMetric, type KnnGraph, type Metric } from './knn.ts'

export interface IvfOptions {
  /** Points per cell on average. */
  cellSize: number
  /** Cells searched per point. */
  probes: number
  seed: number
  kmeansIterations: number
}

export const IVF_DEFAULTS: IvfOptions = { cellSize: 256, probes: 12, seed: 42, kmeansIterations: 6 }

/** Index of the smallest |c|^2 - 2 x.c per row of a rows x cells product matrix. */
function nearestCells(products: Float32Array, rows: number, cells: number, centroidNorms: Float64Array, probes: number, out: Int32Array, outOffset: number): void {
  const bestValue = new Float64Array(probes)
  for (let r = 0; r < rows; r++) {
    bestValue.fill(Infinity)
    const o = outOffset + r * probes
    for (let c = 0; c < cells; c++) {
      const value = centroidNorms[c]! - 2 * products[r * cells + c]!
      if (value < bestValue[probes - 1]!) {
        let s = probes - 1
        while (s > 0 && bestValue[s - 1]! > value) {
          bestValue[s] = bestValue[s - 1]!
          out[o + s] = out[o + s - 1]!
          s--
        }
        bestValue[s] = value
        out[o + s] = c
      }
    }
  }
}

async function assign(points: Float32Array, n: number, d: number, centroids: Float32Array, cells: number, probes: number): Promise<Int32Array> {
  const norms = new Float64Array(cells)
  for (let c = 0; c < cells; c++) for (let j = 0; j < d; j++) norms[c]! += centroids[c * d + j]! ** 2
  const out = new Int32Array(n * probes)
  const block = Math.max(256, Math.floor((1 << 23) / cells))
  for (let start = 0; start < n; start += block) {
    const rows = Math.min(block, n - start)
    const products = await gemm(points.subarray(start * d, (start + rows) * d), centroids, rows, d, cells, { transB: true, threads: 2 })
    nearestCells(products, rows, cells, norms, probes, out, start * probes)
  }
  return out
}

/** Seeded k-means (Lloyd) on a sample; returns row-major cells x d centroids. */
async function kmeans(points: Float32Array, n: number, d: number, cells: number, options: IvfOptions): Promise<Float32Array> {
  const random = new SeededRandom(options.seed)
  const sampleSize = Math.min(n, cells * 48)
  // partial Fisher-Yates: a seeded sample without replacement
  const pool = new Int32Array(n)
  for (let i = 0; i < n; i++) pool[i] = i
  for (let i = 0; i < sampleSize; i++) {
    const j = i + random.nextInt(n - i)
    const t = pool[i]!
    pool[i] = pool[j]!
    pool[j] = t
  }
  const sample = new Float32Array(sampleSize * d)
  for (let s = 0; s < sampleSize; s++) sample.set(points.subarray(pool[s]! * d, pool[s]! * d + d), s * d)
  const centroids = sample.slice(0, cells * d)
  for (let iteration = 0; iteration < options.kmeansIterations; iteration++) {
    const nearest = await assign(sample, sampleSize, d, centroids, cells, 1)
    const sums = new Float64Array(cells * d)
    const counts = new Int32Array(cells)
    for (let s = 0; s < sampleSize; s++) {
      const c = nearest[s]!
      counts[c]!++
      for (let j = 0; j < d; j++) sums[c * d + j]! += sample[s * d + j]!
    }
    for (let c = 0; c < cells; c++) {
      if (counts[c] === 0) continue // an empty cell keeps its centroid
      for (let j = 0; j < d; j++) centroids[c * d + j] = sums[c * d + j]! / counts[c]!
    }
  }
  return centroids
}

interface IvfPayload {
  points: Float32Array
  norms: Float32Array
  n: number
  d: number
  k: number
  metric: Metric
  cells: number
  /** members of cell c: memberOrder[cellStart[c] .. cellStart[c+1]) */
  cellStart: Int32Array
  memberOrder: Int32Array
  /** queries probing cell c: probeOrder[probeStart[c] .. probeStart[c+1]), ascending */
  probeStart: Int32Array
  probeOrder: Int32Array
  indices: Int32Array
  distances: Float32Array
}

/** Per-query max-heaps of the k best (value, index) so far, for the query range [first, last). */
interface Heaps {
  values: Float64Array
  indices: Int32Array
  size: Int32Array
}

/** Offers one cell's members to the heaps of the queries probing it (synchronous, outside the async kernel). */
function scanCell(products: Float32Array, rows: number, members: number, probeOrder: Int32Array, q0: number, memberOrder: Int32Array, m0: number, norms: Float32Array, heap: Heaps, first: number, k: number): void {
  const heapValues = heap.values
  const heapIndices = heap.indices
  const heapSize = heap.size
  for (let r = 0; r < rows; r++) {
    const i = probeOrder[q0 + r]!
    const h = (i - first) * k
    let size = heapSize[i - first]!
    for (let t = 0; t < members; t++) {
      const j = memberOrder[m0 + t]!
      if (j === i) continue
      const value = norms[j]! - 2 * products[r * members + t]!
      if (size < k) {
        let c2 = size++
        while (c2 > 0) {
          const parent = (c2 - 1) >> 1
          if (heapValues[h + parent]! >= value) break
          heapValues[h + c2] = heapValues[h + parent]!
          heapIndices[h + c2] = heapIndices[h + parent]!
          c2 = parent
        }
        heapValues[h + c2] = value
        heapIndices[h + c2] = j
      } else if (value < heapValues[h]!) {
        let c2 = 0
        for (;;) {
          let child = 2 * c2 + 1
          if (child >= k) break
          if (child + 1 < k && heapValues[h + child + 1]! > heapValues[h + child]!) child++
          if (heapValues[h + child]! <= value) break
          heapValues[h + c2] = heapValues[h + child]!
          heapIndices[h + c2] = heapIndices[h + child]!
          c2 = child
        }
        heapValues[h + c2] = value
        heapIndices[h + c2] = j
      }
    }
    heapSize[i - first] = size
  }
}

/** Copies rows list[from .. from + count) of a row-major matrix into consecutive rows of `out`. */
function copyRows(points: Float32Array, d: number, list: Int32Array, from: number, count: number, out: Float32Array): void {
  for (let r = 0; r < count; r++) {
    const source = list[from + r]! * d
    for (let j = 0; j < d; j++) out[r * d + j] = points[source + j]!
  }
}

/** SPMD kernel: every rank completes the rows of its own query range. */
export async function ivfKnnKernel(payload: IvfPayload, ctx: SpmdContext): Promise<void> {
  const { points, norms, n, d, k, metric, cells, cellStart, memberOrder, probeStart, probeOrder, indices, distances } = payload
  const [first, last] = rangeOf(n, ctx.rank, ctx.size)
  const heapValues = new Float64Array((last - first) * k).fill(Infinity)
  const heapIndices = new Int32Array((last - first) * k).fill(-1)
  const heapSize = new Int32Array(last - first)
  const heap: Heaps = { values: heapValues, indices: heapIndices, size: heapSize }
  for (let c = 0; c < cells; c++) {
    const m0 = cellStart[c]!
    const m1 = cellStart[c + 1]!
    if (m1 === m0) continue
    // this rank's queries probing c (probe lists are ascending, so a binary search bounds them)
    let q0 = probeStart[c]!
    let q1 = probeStart[c + 1]!
    while (q0 < q1 && probeOrder[q0]! < first) q0++
    while (q1 > q0 && probeOrder[q1 - 1]! >= last) q1--
    if (q1 === q0) continue
    const rows = q1 - q0
    const members = m1 - m0
    const queryBlock = new Float32Array(rows * d)
    // blocks are private copies (onnxruntime refuses shared memory); no private copy of all points
    copyRows(points, d, probeOrder, q0, rows, queryBlock)
    const memberBlock = new Float32Array(members * d)
    copyRows(points, d, memberOrder, m0, members, memberBlock)
    const products = await gemm(queryBlock, memberBlock, rows, d, members, { transB: true, threads: 1 })
    scanCell(products, rows, members, probeOrder, q0, memberOrder, m0, norms, heap, first, k)
  }
  const scratch = new Float64Array(k)
  const row = new Int32Array(k)
  for (let i = first; i < last; i++) {
    const h = (i - first) * k
    let size = heapSize[i - first]!
    for (let t = 0; t < size; t++) row[t] = heapIndices[h + t]!
    // too few candidates (tiny cells): pad with the nearest unused indices by brute force
    if (size < k) {
      const used = new Set<number>(row.subarray(0, size))
      used.add(i)
      for (let j = 0; size < k && j < n; j++) if (!used.has(j)) row[size++] = j
    }
    finishRow(points, d, i, row, k, metric, indices, distances, scratch)
  }
}

/** Approximate kNN graph (same layout as exactKnn). */
export async function approximateKnn(pool: KernelPool, points: Float32Array, n: number, d: number, k: number, metric: Metric = 'euclidean', options: Partial<IvfOptions> = {}): Promise<KnnGraph> {
  const o = { ...IVF_DEFAULTS, ...options }
  const shared = prepareForMetric(points, n, d, metric)
  const local = Float32Array.from(shared)
  const cells = Math.max(1, Math.min(n, Math.round(n / o.cellSize)))
  const probes = Math.min(cells, o.probes)
  const centroids = await kmeans(local, n, d, cells, o)
  const nearest = await assign(local, n, d, centroids, cells, probes)
  const count = (starts: Int32Array, pick: (i: number, t: number) => number, perPoint: number) => {
    for (let i = 0; i < n; i++) for (let t = 0; t < perPoint; t++) starts[pick(i, t) + 1]!++
    for (let c = 0; c < cells; c++) starts[c + 1]! += starts[c]!
  }
  const cellStart = new Int32Array(new SharedArrayBuffer((cells + 1) * 4))
  count(cellStart, (i) => nearest[i * probes]!, 1)
  const memberOrder = new Int32Array(new SharedArrayBuffer(n * 4))
  const fillMembers = cellStart.slice(0, cells)
  for (let i = 0; i < n; i++) memberOrder[fillMembers[nearest[i * probes]!]!++] = i
  const probeStart = new Int32Array(new SharedArrayBuffer((cells + 1) * 4))
  count(probeStart, (i, t) => nearest[i * probes + t]!, probes)
  const probeOrder = new Int32Array(new SharedArrayBuffer(n * probes * 4))
  const fillProbes = probeStart.slice(0, cells)
  for (let i = 0; i < n; i++) for (let t = 0; t < probes; t++) probeOrder[fillProbes[nearest[i * probes + t]!]!++] = i
  const norms = new Float32Array(new SharedArrayBuffer(n * 4))
  for (let i = 0; i < n; i++) {
    let sum = 0
    for (let j = 0; j < d; j++) sum += shared[i * d + j]! ** 2
    norms[i] = sum
  }
  const indices = new Int32Array(new SharedArrayBuffer(n * k * 4))
  const distances = new Float32Array(new SharedArrayBuffer(n * k * 4))
  await pool.spmd('ivf-knn', { points: shared, norms, n, d, k, metric, cells, cellStart, memberOrder, probeStart, probeOrder, indices, distances })
  return { n, k, indices, distances }
}

/** Mean fraction of the exact neighbours found, over the rows listed in `rows` (all if omitted). */
export function knnRecall(approximate: KnnGraph, exact: KnnGraph, rows?: ArrayLike<number>): number {
  const k = Math.min(approximate.k, exact.k)
  const list = rows ?? Array.from({ length: exact.n }, (_, i) => i)
  let found = 0
  for (let r = 0; r < list.length; r++) {
    const i = list[r]!
    const truth = new Set<number>()
    for (let t = 0; t < k; t++) truth.add(exact.indices[i * exact.k + t]!)
    for (let t = 0; t < k; t++) if (truth.has(approximate.indices[i * approximate.k + t]!)) found++
  }
  return found / (list.length * k)
}
