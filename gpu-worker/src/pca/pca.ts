/**
 * @module pca/pca — principal components by randomized SVD (Halko, Martinsson & Tropp 2011).
 * Every pass over the data is an onnxruntime-node Gemm; the data is never copied or centred in
 * place (centring is a rank-one correction) and nothing of size D x D is ever formed, so D up to
 * 65,536 costs O(n D l) time and O(n l + D l) extra memory with l = components + 10.
 */
import { gemm } from '../compute/ort-dense.ts'
import { SeededRandom } from '../compute/random.ts'
import { symmetricEigen } from './linalg.ts'

export interface PcaOptions {
  /** Number of components to keep (clamped to min(n, d)). */
  components: number
  seed: number
  /** Power iterations; 4 gives components accurate to ~1e-3 on image data. */
  powerIterations?: number
  oversampling?: number
  threads?: number
}

export interface PcaResult {
  /** Projected data, row-major n x components (scores U * S, centred). */
  scores: Float32Array
  components: number
  /** Variance explained by each component (S^2 / (n-1)). */
  explainedVariance: Float64Array
  mean: Float64Array
}

/** Column means of a row-major n x d matrix, accumulated in float64. */
export function columnMeans(points: Float32Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    const row = i * d
    for (let j = 0; j < d; j++) mean[j]! += points[row + j]!
  }
  for (let j = 0; j < d; j++) mean[j]! /= n
  return mean
}

/** In place: M (rows x cols) -= u v^T for u of length rows and v of length cols. */
function subtractOuter(matrix: Float32Array, rows: number, cols: number, u: ArrayLike<number>, v: ArrayLike<number>): void {
  for (let i = 0; i < rows; i++) {
    const ui = u[i]!
    if (ui === 0) continue
    const row = i * cols
    for (let j = 0; j < cols; j++) matrix[row + j]! -= ui * v[j]!
  }
}

/** mu^T M for a row-major (len(mu) x cols) matrix. */
function leftProduct(mu: ArrayLike<number>, matrix: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols)
  for (let i = 0; i < rows; i++) {
    const m = mu[i]!
    const row = i * cols
    for (let j = 0; j < cols; j++) out[j]! += m * matrix[row + j]!
  }
  return out
}

/**
 * Orthonormalises the columns of a (rows x l) matrix through its Gram matrix: Q = Y V L^-1/2.
 * Run twice it is accurate to float32 precision for condition numbers up to ~1e3 per pass.
 */
async function orthonormalize(y: Float32Array, rows: number, l: number, threads: number): Promise<Float32Array> {
  let q = y
  for (let pass = 0; pass < 2; pass++) {
    const gram32 = await gemm(q, q, l, rows, l, { transA: true, threads })
    const gram = Float64Array.from(gram32)
    const { values, vectors } = symmetricEigen(gram, l)
    const floor = Math.max(values[0]! * 1e-10, 1e-30)
    const transform = new Float32Array(l * l)
    for (let r = 0; r < l; r++) {
      for (let c = 0; c < l; c++) transform[r * l + c] = vectors[r * l + c]! / Math.sqrt(Math.max(values[c]!, floor))
    }
    q = await gemm(q, transform, rows, l, l, { threads })
  }
  return q
}

/** Principal component scores of `points` (row-major n x d). */
export async function pca(points: Float32Array, n: number, d: number, options: PcaOptions): Promise<PcaResult> {
  const threads = options.threads ?? 2
  const k = Math.max(1, Math.min(options.components, n, d))
  const l = Math.min(k + (options.oversampling ?? 10), n, d)
  const powerIterations = options.powerIterations ?? 4
  const data = points.subarray(0, n * d)
  const mean = columnMeans(data, n, d)
  const ones = new Float64Array(n).fill(1)
  const random = new SeededRandom(options.seed)
  const omega = new Float32Array(d * l)
  for (let i = 0; i < omega.length; i++) omega[i] = random.normal()

  // Y = (X - 1 mu^T) Omega
  const project = async (right: Float32Array): Promise<Float32Array> => {
    const y = await gemm(data, right, n, d, l, { threads })
    subtractOuter(y, n, l, ones, leftProduct(mean, right, d, l))
    return y
  }
  // Z = (X - 1 mu^T)^T Q
  const backProject = async (q: Float32Array): Promise<Float32Array> => {
    const z = await gemm(data, q, d, n, l, { transA: true, threads })
    subtractOuter(z, d, l, mean, leftProduct(ones, q, n, l))
    return z
  }

  let q = await orthonormalize(await project(omega), n, l, threads)
  for (let it = 0; it < powerIterations; it++) {
    const z = await orthonormalize(await backProject(q), d, l, threads)
    q = await orthonormalize(await project(z), n, l, threads)
  }
  // B^T = Xc^T Q (d x l); B B^T = (B^T)^T B^T (l x l)
  const bt = await backProject(q)
  const small = new Float64Array(l * l)
  for (let r = 0; r < d; r++) {
    const row = r * l
    for (let a = 0; a < l; a++) {
      const va = bt[row + a]!
      if (va === 0) continue
      for (let b = a; b < l; b++) small[a * l + b]! += va * bt[row + b]!
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) small[a * l + b] = small[b * l + a]!
  const { values, vectors } = symmetricEigen(small, l)
  // scores = Q W_k S_k (= U_k S_k); fix each component's sign so its largest loading is positive
  const transform = new Float32Array(l * k)
  const explainedVariance = new Float64Array(k)
  for (let c = 0; c < k; c++) {
    const singular = Math.sqrt(Math.max(values[c]!, 0))
    explainedVariance[c] = values[c]! / Math.max(1, n - 1)
    for (let r = 0; r < l; r++) transform[r * k + c] = vectors[r * l + c]! * singular
  }
  const scores = await gemm(q, transform, n, l, k, { threads })
  for (let c = 0; c < k; c++) {
    let extreme = 0
    for (let i = 0; i < n; i++) if (Math.abs(scores[i * k + c]!) > Math.abs(extreme)) extreme = scores[i * k + c]!
    if (extreme < 0) for (let i = 0; i < n; i++) scores[i * k + c] = -scores[i * k + c]!
  }
  return { scores, components: k, explainedVariance, mean }
}
