/**
 * @module backends/tfjs/pca — principal components by randomized SVD (Halko, Martinsson & Tropp
 * 2011) with tf matmuls, the same algorithm and seed use as pca/pca.ts: Omega from the seed,
 * four power iterations, Gram-matrix orthonormalisation (twice) with the small l x l eigenproblems
 * solved on the host in float64 (pca/linalg.ts).
 *
 * The data is cut into row blocks of at most `blockBytes`. When the whole matrix fits in
 * `residentBytes` the blocks stay on the device; otherwise each pass uploads them again, so device
 * memory is O(n l + d l + blockBytes) for any n and d (l = components + oversampling).
 */
import { SeededRandom } from '../../compute/random.ts'
import { symmetricEigen } from '../../pca/linalg.ts'
import { columnMeans, type PcaOptions, type PcaResult } from '../../pca/pca.ts'
import { readFloat32, type Tensor, type Tensor2D, type Tf } from './tf.ts'

export interface TfjsPcaOptions extends PcaOptions {
  /** Largest row block uploaded at once. */
  blockBytes?: number
  /** Keep the blocks on the device when n * d * 4 is at most this. */
  residentBytes?: number
}

/** Principal component scores of points (row-major n x d); same contract as pca/pca.ts. */
export async function pcaTfjs(tf: Tf, points: Float32Array, n: number, d: number, options: TfjsPcaOptions): Promise<PcaResult> {
  const k = Math.max(1, Math.min(options.components, n, d))
  const l = Math.min(k + (options.oversampling ?? 10), n, d)
  const powerIterations = options.powerIterations ?? 4
  const blockRows = Math.max(1, Math.min(n, Math.floor((options.blockBytes ?? 256 << 20) / (4 * d))))
  const resident = n * d * 4 <= (options.residentBytes ?? 2 ** 31)
  const mean = columnMeans(points, n, d)
  const random = new SeededRandom(options.seed)
  const omegaValues = new Float32Array(d * l)
  for (let i = 0; i < omegaValues.length; i++) omegaValues[i] = random.normal()

  const starts: number[] = []
  for (let from = 0; from < n; from += blockRows) starts.push(from)
  const kept: Tensor2D[] = resident ? starts.map((from) => upload(from)) : []
  function upload(from: number): Tensor2D {
    const rows = Math.min(blockRows, n - from)
    return tf.tensor2d(points.subarray(from * d, (from + rows) * d), [rows, d])
  }
  /** Runs work(block, from) over all blocks, disposing uploaded blocks after use. */
  const eachBlock = <T>(work: (block: Tensor2D, from: number) => T): T[] =>
    starts.map((from, b) => {
      const block = resident ? kept[b]! : upload(from)
      try {
        return work(block, from)
      } finally {
        if (!resident) block.dispose()
      }
    })

  const mu = tf.tensor2d(Float32Array.from(mean), [1, d])
  // Y = (X - 1 mu^T) R for R (d x l): n x l
  const project = (right: Tensor2D): Tensor2D => {
    const parts = eachBlock((block) => tf.matMul(block, right))
    const result = tf.tidy(() => tf.sub(parts.length === 1 ? parts[0]! : tf.concat(parts, 0), tf.matMul(mu, right))) as Tensor2D
    for (const part of parts) part.dispose()
    return result
  }
  // Z = (X - 1 mu^T)^T Q for Q (n x l): d x l
  const backProject = (q: Tensor2D): Tensor2D => {
    let sum: Tensor = tf.zeros([d, l])
    eachBlock((block, from) => {
      const next = tf.tidy(() => tf.add(sum, tf.matMul(block, tf.slice(q, [from, 0], [block.shape[0], l]), true, false)))
      sum.dispose()
      sum = next
    })
    const result = tf.tidy(() => tf.sub(sum, tf.matMul(mu, tf.sum(q, 0, true), true, false))) as Tensor2D
    sum.dispose()
    return result
  }
  const orthonormalize = async (y: Tensor2D): Promise<Tensor2D> => {
    let q = y
    for (let pass = 0; pass < 2; pass++) {
      const gramTensor = tf.matMul(q, q, true, false)
      const gram = Float64Array.from(await readFloat32(gramTensor))
      gramTensor.dispose()
      const { values, vectors } = symmetricEigen(gram, l)
      const floor = Math.max(values[0]! * 1e-10, 1e-30)
      const transform = new Float32Array(l * l)
      for (let r = 0; r < l; r++) for (let c = 0; c < l; c++) transform[r * l + c] = vectors[r * l + c]! / Math.sqrt(Math.max(values[c]!, floor))
      const next = tf.tidy(() => tf.matMul(q, tf.tensor2d(transform, [l, l]))) as Tensor2D
      q.dispose()
      q = next
    }
    return q
  }

  try {
    const omega = tf.tensor2d(omegaValues, [d, l])
    let q = await orthonormalize(project(omega))
    omega.dispose()
    for (let it = 0; it < powerIterations; it++) {
      const z = await orthonormalize(backProject(q))
      q.dispose()
      q = await orthonormalize(project(z))
      z.dispose()
    }
    const bt = backProject(q)
    const smallTensor = tf.matMul(bt, bt, true, false)
    const small = Float64Array.from(await readFloat32(smallTensor))
    smallTensor.dispose()
    bt.dispose()
    // symmetrise exactly (float32 products differ in the last bits)
    for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) small[a * l + b] = small[b * l + a] = (small[a * l + b]! + small[b * l + a]!) / 2
    const { values, vectors } = symmetricEigen(small, l)
    const transform = new Float32Array(l * k)
    const explainedVariance = new Float64Array(k)
    for (let c = 0; c < k; c++) {
      const singular = Math.sqrt(Math.max(values[c]!, 0))
      explainedVariance[c] = values[c]! / Math.max(1, n - 1)
      for (let r = 0; r < l; r++) transform[r * k + c] = vectors[r * l + c]! * singular
    }
    const scoresTensor = tf.tidy(() => tf.matMul(q, tf.tensor2d(transform, [l, k])))
    q.dispose()
    const scores = await readFloat32(scoresTensor)
    scoresTensor.dispose()
    // the sign of each component: its largest score is positive (as pca/pca.ts)
    for (let c = 0; c < k; c++) {
      let extreme = 0
      for (let i = 0; i < n; i++) if (Math.abs(scores[i * k + c]!) > Math.abs(extreme)) extreme = scores[i * k + c]!
      if (extreme < 0) for (let i = 0; i < n; i++) scores[i * k + c] = -scores[i * k + c]!
    }
    return { scores: scores.length === n * k ? scores : scores.slice(0, n * k), components: k, explainedVariance, mean }
  } finally {
    mu.dispose()
    for (const block of kept) block.dispose()
  }
}
