/**
 * @module engine — the single entry point of the embedding engine: PCA, kNN, affinities,
 * initialisation and the two-phase t-SNE optimisation, with frames, cancellation, per-stage
 * timings and the resolved options for the job manifest.
 */
import os from 'node:os'
import { LIMITS, perplexityProblem, TSNE_PARAM_DEFAULTS } from '@constellate/shared'
import type { KernelPool } from './compute/pool.ts'
import { closePools, sharedPool } from './backends/cpu/pool.ts'
import { SeededRandom } from './compute/random.ts'
import { pca } from './pca/pca.ts'
import { magnitudeScale, maxFiniteAbs } from './inputs/magnitude.ts'
import { exactKnn, type Metric } from './neighbours/knn.ts'
import { approximateKnn } from './neighbours/knn-ivf.ts'
import { affinities } from './methods/tsne/affinities.ts'
import { startLayout } from './methods/tsne/init.ts'
import { optimize } from './methods/tsne/schedule.ts'
import type { GradientMethod } from './methods/tsne/optimizer.ts'

export interface EmbedOptions {
  perplexity: number
  dims: 2 | 3
  /** Total iterations, the early-exaggeration ones included. */
  iterations: number
  seed: number
  /** PCA target dimensionality when the input has more columns than this (0 disables PCA). */
  pcaDims: number
  earlyExaggeration: number
  earlyExaggerationIterations: number
  /** Exaggeration during the normal phase (1 = none). */
  lateExaggeration: number
  /**
   * A number sets both phases. 'auto' (openTSNE's rule) = max(n / exaggeration, 50) in each phase: n / 12
   * during early exaggeration and n (n / lateExaggeration) after it, which converges in the 500 main
   * iterations where n / 12 throughout still leaves large maps short of their optimum (Fashion-MNIST-70k:
   * KL 2.69 and kNN recall@10 0.365 at n / 12, 2.56 and 0.384 with n).
   */
  learningRate: number | 'auto'
  earlyMomentum: number
  momentum: number
  minGain: number
  metric: Metric
  /** Degrees of freedom of the Student-t kernel (1 = standard t-SNE, < 1 heavier tails). */
  dof: number
  initialization: 'pca' | 'random'
  gradient: 'auto' | GradientMethod
  knn: 'auto' | 'exact' | 'approximate'
  /** Barnes-Hut opening angle. */
  theta: number
  frameEvery: number
  /** Worker threads (0 = all cores). */
  threads: number
}

export const EMBED_DEFAULTS: EmbedOptions = {
  ...TSNE_PARAM_DEFAULTS,
  earlyExaggeration: 12,
  earlyExaggerationIterations: 250,
  lateExaggeration: 1,
  learningRate: 'auto',
  earlyMomentum: 0.5,
  momentum: 0.8,
  minGain: 0.01,
  metric: 'euclidean',
  dof: 1,
  initialization: 'pca',
  gradient: 'auto',
  knn: 'auto',
  theta: 0.5,
  frameEvery: 25,
  threads: 0,
}

export interface EmbedFrame {
  iteration: number
  totalIterations: number
  /** Row-major n x dims; a reused buffer: copy it to keep it. */
  embedding: Float32Array
  kl?: number
  phase: 'early' | 'main'
}

export interface EmbedHooks {
  onFrame?(frame: EmbedFrame): void | Promise<void>
  onStage?(stage: 'pca' | 'knn' | 'affinities' | 'optimize', info?: object): void
  signal?: AbortSignal
  /**
   * Starting coordinates (row-major n x dims) in place of the PCA or random initialisation, so that
   * several maps (e.g. one per model layer) start from the same layout; rescaled to std 1e-4.
   */
  initial?: Float32Array | Float64Array
}

export interface EmbedResult {
  /** Row-major n x dims. */
  embedding: Float32Array
  n: number
  dims: 2 | 3
  iterations: number
  cancelled: boolean
  kl: number
  /** Every KL divergence the optimiser computed, after which iteration (for the convergence check). */
  klHistory: { iteration: number; kl: number }[]
  /** Seconds per stage. */
  timings: Record<string, number>
  resolved: Record<string, unknown>
  backend: string
  /**
   * The kNN graph t-SNE used (k = 3 x perplexity, ascending by distance), in `space`: the input
   * itself, or its PCA scores when PCA reduced it. Viewers show it as "nearest in the original space".
   */
  neighbours?: { k: number; indices: Int32Array; space: 'input' | 'pca' }
  /** The initial layout the optimisation started from (row-major n x dims), for sharing between maps. */
  initial?: Float64Array
}

/** Inputs or options the engine cannot work with; `code` names the problem, the message says how to fix it. */
export class TsneInputError extends Error {
  override name = 'TsneInputError'
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const PCA_THREADS = 2
/** Above this many points the inverted-file index replaces exact kNN (recall >= 0.97). */
const APPROXIMATE_KNN_ABOVE = 8000
/** From this many points FFT interpolation replaces Barnes-Hut repulsion (2D grid; 3D grid since issue 4's 3D FFT). */
const FFT_2D_FROM = 4000
const FFT_3D_FROM = 4000

/**
 * The points themselves when their magnitude is one the float32 stages compute safely, else a copy
 * scaled by a power of two (the map does not change: every stage depends on distances only up to a
 * factor). Jobs arrive already scaled (map-inputs); this keeps direct callers safe too.
 */
export function withinSafeMagnitude(points: Float32Array): Float32Array {
  const scale = magnitudeScale(maxFiniteAbs(points))
  return scale === 1 ? points : points.map((v) => v * scale)
}

/** Checks inputs and options, throwing TsneInputError with a fix; shared by every compute backend. */
export function validate(points: Float32Array, n: number, d: number, o: EmbedOptions): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 1) throw new TsneInputError('bad_shape', `n and d must be positive integers; got n=${n}, d=${d}.`)
  if (points.length < n * d) throw new TsneInputError('bad_shape', `points holds ${points.length} values but n*d = ${n * d}. Pass a row-major n x d array.`)
  if (n < LIMITS.minPoints) throw new TsneInputError('too_few_points', `t-SNE needs at least ${LIMITS.minPoints} points; got ${n}. Upload more points.`)
  if (o.dims !== 2 && o.dims !== 3) throw new TsneInputError('bad_dims', `dims must be 2 or 3; got ${o.dims}.`)
  if (!(o.perplexity > 0)) throw new TsneInputError('bad_perplexity', `perplexity must be positive; got ${o.perplexity}.`)
  const problem = perplexityProblem(o.perplexity, n)
  if (problem) throw new TsneInputError('perplexity_too_large', problem)
  if (!Number.isInteger(o.iterations) || o.iterations < 0) throw new TsneInputError('bad_iterations', `iterations must be a non-negative integer; got ${o.iterations}.`)
  if (!(o.dof > 0)) throw new TsneInputError('bad_dof', `dof must be positive; got ${o.dof}.`)
  if (!(o.frameEvery >= 1)) throw new TsneInputError('bad_frame_every', `frameEvery must be at least 1; got ${o.frameEvery}.`)
  for (let t = 0; t < n * d; t++) {
    if (!Number.isFinite(points[t]!)) throw new TsneInputError('non_finite', `value ${t % d} of row ${Math.floor(t / d)} is ${points[t]}; remove or impute non-finite values.`)
  }
}

/** The optimisation schedule every backend runs: phases, exaggeration, learning rate, momentum, gains, kernel, frames. */
export function optimizationSchedule(o: EmbedOptions & { learningRate: number; mainLearningRate: number }) {
  const { dims, iterations, earlyExaggeration, earlyExaggerationIterations, lateExaggeration, learningRate, mainLearningRate, earlyMomentum, momentum, minGain, dof, frameEvery } = o
  return { dims, iterations, earlyExaggeration, earlyExaggerationIterations, lateExaggeration, learningRate, mainLearningRate, earlyMomentum, momentum, minGain, dof, frameEvery }
}

/** Resolves 'auto' choices for n points. */
export function resolveOptions(
  n: number,
  options: Partial<EmbedOptions> = {},
): EmbedOptions & { learningRate: number; mainLearningRate: number; gradient: GradientMethod; knn: 'exact' | 'approximate'; threads: number } {
  const o = { ...EMBED_DEFAULTS, ...options }
  const auto = (exaggeration: number) => Math.max(n / exaggeration, 50)
  const learningRate = o.learningRate === 'auto' ? auto(o.earlyExaggeration) : o.learningRate
  const mainLearningRate = o.learningRate === 'auto' ? auto(o.lateExaggeration) : o.learningRate
  const gradient: GradientMethod = o.gradient !== 'auto' ? o.gradient : n < (o.dims === 3 ? FFT_3D_FROM : FFT_2D_FROM) ? 'bh' : 'fft'
  const knn = o.knn !== 'auto' ? o.knn : n > APPROXIMATE_KNN_ABOVE ? 'approximate' : 'exact'
  const threads = resolveThreads(o.threads)
  return { ...o, learningRate, mainLearningRate, gradient, knn, threads }
}

/**
 * Embeds n points (row-major n x d float32, finite) into 2 or 3 dimensions with t-SNE.
 * Deterministic: same input, options and seed give byte-identical output for any thread count.
 */
export async function embed(input: Float32Array, n: number, d: number, options: Partial<EmbedOptions> = {}, hooks: EmbedHooks = {}): Promise<EmbedResult> {
  const o = resolveOptions(n, options)
  validate(input, n, d, o)
  const points = withinSafeMagnitude(input.subarray(0, n * d))
  const pool = sharedPool(o.threads)
  const timings: Record<string, number> = {}
  const time = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now()
    const value = await work()
    timings[stage] = (performance.now() - start) / 1000
    return value
  }
  try {
    hooks.onStage?.('pca', { n, d, components: Math.min(o.pcaDims, d) })
    const reduce = o.pcaDims > 0 && d > o.pcaDims
    const components = reduce ? o.pcaDims : Math.min(d, o.dims)
    // ORT's thread count is fixed here: a different split of the products would change the last bits
    const projection = await time('pca', () => pca(points, n, d, { components, seed: o.seed, threads: PCA_THREADS }))
    const features = reduce ? projection.scores : points
    const featureDims = reduce ? projection.components : d

    const k = Math.min(n - 1, Math.floor(3 * o.perplexity))
    hooks.onStage?.('knn', { k, method: o.knn, metric: o.metric })
    const graph = await time('knn', () =>
      o.knn === 'exact' ? exactKnn(pool, features, n, featureDims, k, o.metric) : approximateKnn(pool, features, n, featureDims, k, o.metric, { seed: o.seed }),
    )

    hooks.onStage?.('affinities', { perplexity: o.perplexity })
    const p = await time('affinities', () => affinities(pool, graph, o.perplexity))

    const initial = startLayout(hooks.initial, o, projection, n)
    const initialCopy = Float64Array.from(initial)
    hooks.onStage?.('optimize', { method: o.gradient, learningRate: o.learningRate, mainLearningRate: o.mainLearningRate, threads: o.threads })
    const result = await time('optimize', () =>
      optimize(
        pool,
        p,
        initial,
        {
          ...optimizationSchedule(o),
          theta: o.theta,
          method: o.gradient,
        },
        { onFrame: hooks.onFrame, signal: hooks.signal },
      ),
    )
    const { threads, ...resolved } = o
    return {
      embedding: result.embedding,
      n,
      dims: o.dims,
      iterations: result.iterations,
      cancelled: result.cancelled,
      kl: result.kl,
      klHistory: result.klHistory,
      timings,
      resolved: { ...resolved, pcaApplied: reduce, k, threads },
      backend: 'cpu',
      neighbours: { k: graph.k, indices: graph.indices, space: reduce ? 'pca' : 'input' },
      initial: initialCopy,
    }
  } finally {
    // the pool's worker threads stay up (unref'd) for the next job
  }
}

export { sharedPool }

/** A thread count option (0 = all cores) as the number of worker threads. */
function resolveThreads(threads: number): number {
  return threads > 0 ? Math.floor(threads) : Math.max(1, os.availableParallelism?.() ?? os.cpus().length)
}

/**
 * Starts the worker threads for jobs with `threads` (0 = all cores) ahead of the first job (their start,
 * about 0.4 s of CPU per thread for modules and onnxruntime, then overlaps the wait for work rather than
 * the first job's PCA) and, with `warm`, runs a small seeded map through every CPU stage (PCA, the
 * inverted-file kNN, affinities, the FFT optimiser with a split grid) so the first job does not pay for
 * compiling the kernels either. Resolves when that is done.
 */
export async function startEngine(threads = EMBED_DEFAULTS.threads, { warm = true } = {}): Promise<KernelPool> {
  const pool = sharedPool(resolveThreads(threads))
  if (warm) {
    const n = WARM_UP.points
    const d = WARM_UP.dims
    const random = new SeededRandom(7)
    const points = new Float32Array(n * d)
    for (let i = 0; i < n; i++) {
      const cluster = i % 10
      for (let j = 0; j < d; j++) points[i * d + j] = (j % 10 === cluster ? 8 : 0) + random.normal()
    }
    await embed(points, n, d, { threads, iterations: WARM_UP.iterations, frameEvery: WARM_UP.iterations })
  }
  return pool
}

/** The warm-up map: enough points for the approximate kNN, iterations for the map to outgrow the unsplit grid. */
const WARM_UP = { points: 9000, dims: 64, iterations: 350 }

/** Stops the engine's worker threads (tests and graceful shutdown). */
export async function closeEngine(): Promise<void> {
  await closePools()
}
