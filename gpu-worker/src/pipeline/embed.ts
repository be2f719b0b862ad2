/**
 * @module pipeline/embed — the one embedding pipeline every backend runs: validate -> reduce (PCA) ->
 * neighbours (kNN) -> graph (the method's) -> initialise -> optimise (the method's schedule over the
 * backend's steps), with the hooks' frames, stage reports and cancellation, per-stage timings and the
 * resolved options for the job manifest. The backend supplies kernels (pipeline/backend.ts), the method its
 * graph and optimiser (methods/method.ts).
 */
import type { EmbedFrame } from '../methods/method.ts'
import { tsne } from '../methods/tsne/method.ts'
import type { Backend } from './backend.ts'
import { resolveOptions, type EmbedOptions, type JobOptions } from './options.ts'
import { validate, withinSafeMagnitude } from './validate.ts'

export type { EmbedFrame }

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

/**
 * Embeds n points (row-major n x d float32, finite) into 2 or 3 dimensions on `backend`. Deterministic on
 * the CPU: same input, options and seed give byte-identical output for any thread count.
 */
export async function embedWith(backend: Backend, input: Float32Array, n: number, d: number, options: Partial<EmbedOptions> = {}, hooks: EmbedHooks = {}): Promise<EmbedResult> {
  const method = tsne
  const resolved = resolveOptions(n, options)
  const choices = backend.choose(n, resolved)
  const o: JobOptions = { ...resolved, knn: choices.knn, gradient: choices.gradient }
  validate(input, n, d, o, (count) => method.problem(count, o))
  const kernels = backend.open(o)
  const points = withinSafeMagnitude(input.subarray(0, n * d))
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
  const projection = await time('pca', () => kernels.pca(points, n, d, { components, seed: o.seed }))
  const features = reduce ? projection.scores : points
  const featureDims = reduce ? projection.components : d

  const k = method.neighbours(n, o)
  hooks.onStage?.('knn', { k, method: o.knn, metric: o.metric })
  const knn = await time('knn', () => kernels.knn(features, n, featureDims, k, { metric: o.metric, method: o.knn, seed: o.seed }))

  hooks.onStage?.(method.graphStage, method.graphInfo(o))
  const graph = await time(method.graphStage, () => method.graph(kernels.tsne, knn, o))

  const initial = method.initialise(n, o, projection, hooks.initial)
  const initialCopy = Float64Array.from(initial)
  hooks.onStage?.('optimize', { ...method.optimiseInfo(o), threads: o.threads })
  const result = await time('optimize', () => method.optimise(kernels.tsne, graph, initial, o, { onFrame: hooks.onFrame, signal: hooks.signal }))

  const { threads, ...rest } = o
  for (const name of choices.unused ?? []) delete (rest as Partial<JobOptions>)[name]
  return {
    embedding: result.embedding,
    n,
    dims: o.dims,
    iterations: result.iterations,
    cancelled: result.cancelled,
    kl: result.kl,
    klHistory: result.klHistory,
    timings,
    resolved: { ...rest, pcaApplied: reduce, k, threads, ...choices.details },
    backend: backend.name,
    neighbours: { k: knn.k, indices: knn.indices, space: reduce ? 'pca' : 'input' },
    initial: initialCopy,
  }
}
