/**
 * @module backends/tfjs/embed — the tfjs compute backend's entry point: the CPU engine's `embed()`
 * contract (engine.ts: options, frames, cancellation, timings, resolved options) computed with
 * TensorFlow.js: PCA (pca.ts), exact kNN (knn.ts), perplexity calibration on the host with the CPU
 * engine's own module (sparse, irregular work), then the optimisation on the device (optimize.ts).
 *
 * Device memory for n points (float32; k = 3 * perplexity neighbours, f = PCA dims, l = f + 10,
 * p = 3 interpolation points, C = dims + 1 grid channels, M = FFT grid side, L <= M / 2, R = near-field
 * ranges per point, 4 in 2D and 13 in 3D):
 *   PCA         n l 4 * 3 bytes (+ the data, n d 4, only when it fits residentBytes; else blocks)
 *   kNN         n f 4 + 4 * blockElements * 4 bytes (blockElements = 2^26: ~1 GiB)
 *   optimise    edges 12 n k + map state 4 n dims 4
 *               + attraction chunk ~6 * rowsPerChunk k dims 4 (rowsPerChunk = 2^18)
 *               + grid: ~3 * pointsPerChunk p^dims C 4 + ~4 * C M^dims 4 (spectral: complex, ~2x)
 *               + near field: n (dims + 3) 4 + pointsPerChunk R 10 4 + pairsPerChunk (10 + 5 dims) 4 * 2
 * For n = 2,000,000 in 2D (k = 90, f = 50, M <= 1024): PCA ~1.5 GiB, kNN ~1.4 GiB, optimisation
 * 2.2 GiB edges + 0.1 GiB state + 0.75 GiB attraction chunk + ~0.4 GiB grid + ~0.5 GiB near field:
 * under 5 GiB, so a 16 GiB GPU holds it. In 3D (M <= 128): edges as above, grid ~0.8 GiB, near
 * field ~0.7 GiB.
 */
import { closeEngine, optimizationSchedule, resolveOptions, sharedPool, validate, withinSafeMagnitude, type EmbedHooks, type EmbedOptions, type EmbedResult } from '../../engine.ts'
import { calibrate, symmetrize } from '../../methods/tsne/affinities.ts'
import { startLayout } from '../../methods/tsne/init.ts'
import { disposeEdges, uploadEdges } from './attraction.ts'
import type { GridSettings } from './grid-repulsion.ts'
import { exactKnnTfjs, type TfjsKnnSettings } from './knn.ts'
import { optimizeTfjs, type TfjsGradientMethod } from './optimize.ts'
import { pcaTfjs } from './pca.ts'
import type { Tf } from './tf.ts'
import type { TransformKind } from './transforms.ts'

/** Knobs only the tfjs backend has. */
export interface TfjsSettings {
  /** Exact (all pairs) repulsion up to this many points, grid interpolation above. */
  exactBelow: number
  /** 'auto': tf.spectral (cuFFT) on native TensorFlow, Hartley matmuls elsewhere. */
  transform: 'auto' | TransformKind
  grid: Partial<GridSettings>
  knn: Partial<TfjsKnnSettings>
  /** PCA keeps the data on the device when it is at most this large. */
  pcaResidentBytes: number
}

export const TFJS_DEFAULTS: TfjsSettings = { exactBelow: 5000, transform: 'auto', grid: {}, knn: {}, pcaResidentBytes: 2 ** 31 }

/** A tfjs runtime: the namespace and what it runs on (for the manifest). */
export interface TfjsRuntime {
  tf: Tf
  /** The module it came from: '@tensorflow/tfjs-node-gpu' or '@tensorflow/tfjs'. */
  module: string
  /** 'cuda' when TensorFlow placed ops on a GPU, else 'cpu'. */
  device: 'cuda' | 'cpu'
}


/** Stops the calibration threads, which are the CPU engine's shared pool (tests and graceful shutdown). */
export async function closeTfjsEngine(): Promise<void> {
  await closeEngine()
}

/**
 * Embeds n points (row-major n x d float32) with t-SNE on a tfjs runtime. Same options, hooks and
 * result as engine.ts `embed()`; `backend` is 'tfjs'. Deterministic on the CPU runtimes; on CUDA
 * the scatter-adds use atomics, so the last bits can differ between runs (see README "Deploying").
 */
export async function embedWithRuntime(
  runtime: TfjsRuntime,
  input: Float32Array,
  n: number,
  d: number,
  options: Partial<EmbedOptions> = {},
  hooks: EmbedHooks = {},
  settings: Partial<TfjsSettings> = {},
): Promise<EmbedResult> {
  const { tf } = runtime
  const s = { ...TFJS_DEFAULTS, ...settings }
  const o = resolveOptions(n, options)
  validate(input, n, d, o)
  const points = withinSafeMagnitude(input.subarray(0, n * d))
  const method: TfjsGradientMethod = options.gradient === 'exact' ? 'exact' : options.gradient === 'fft' || options.gradient === 'bh' ? 'grid' : n <= s.exactBelow ? 'exact' : 'grid'
  const transform: TransformKind = s.transform !== 'auto' ? s.transform : tf.getBackend() === 'tensorflow' ? 'spectral' : 'hartley'
  const timings: Record<string, number> = {}
  const time = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now()
    const value = await work()
    timings[stage] = (performance.now() - start) / 1000
    return value
  }
  hooks.onStage?.('pca', { n, d, components: Math.min(o.pcaDims, d) })
  const reduce = o.pcaDims > 0 && d > o.pcaDims
  const components = reduce ? o.pcaDims : Math.min(d, o.dims)
  const projection = await time('pca', () => pcaTfjs(tf, points, n, d, { components, seed: o.seed, residentBytes: s.pcaResidentBytes }))
  const features = reduce ? projection.scores : points
  const featureDims = reduce ? projection.components : d

  const k = Math.min(n - 1, Math.floor(3 * o.perplexity))
  hooks.onStage?.('knn', { k, method: 'exact', metric: o.metric })
  const graph = await time('knn', () => exactKnnTfjs(tf, features, n, featureDims, k, o.metric, s.knn))

  hooks.onStage?.('affinities', { perplexity: o.perplexity })
  const { conditional, entropy } = await time('affinities', async () => {
    const { conditional } = await calibrate(sharedPool(o.threads), graph, o.perplexity)
    // sum P log P of the symmetric P, for the reported KL (the optimisation uses the directed edges)
    const p = symmetrize(graph, conditional)
    let entropy = 0
    for (const value of p.values) if (value > 0) entropy += value * Math.log(value)
    return { conditional, entropy }
  })

  const initial = startLayout(hooks.initial, o, projection, n)
  const initialCopy = Float64Array.from(initial)
  hooks.onStage?.('optimize', { method, learningRate: o.learningRate, mainLearningRate: o.mainLearningRate, threads: o.threads })
  const edges = uploadEdges(tf, n, k, graph.indices, conditional)
  const result = await time('optimize', async () => {
    try {
      return await optimizeTfjs(
        tf,
        edges,
        initial,
        {
          ...optimizationSchedule(o),
          method,
          grid: { transform, ...s.grid },
          entropy,
        },
        { onFrame: hooks.onFrame, signal: hooks.signal },
      )
    } finally {
      disposeEdges(edges)
    }
  })
  const { threads, theta: _theta, ...resolved } = o
  return {
    embedding: result.embedding,
    n,
    dims: o.dims,
    iterations: result.iterations,
    cancelled: result.cancelled,
    kl: result.kl,
    klHistory: result.klHistory,
    timings,
    resolved: {
      ...resolved,
      pcaApplied: reduce,
      k,
      threads,
      gradient: method === 'exact' ? 'exact' : 'fft',
      knn: 'exact',
      tfjs: { module: runtime.module, device: runtime.device, tfBackend: tf.getBackend(), version: tf.version_core, repulsion: method, transform: method === 'grid' ? transform : undefined },
    },
    backend: 'tfjs',
    neighbours: { k: graph.k, indices: graph.indices, space: reduce ? 'pca' : 'input' },
    initial: initialCopy,
  }
}

