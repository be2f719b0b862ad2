/**
 * @module methods/method — what an embedding method is to the pipeline (pipeline/embed.ts): after the shared
 * stages (validate, reduce by PCA, find the k nearest neighbours) a method builds its own graph from the kNN
 * graph, chooses a start layout and optimises it with frames. The kernels it needs come from the compute
 * backend, in a shape the method defines (methods/tsne/kernels.ts for t-SNE), so a backend supplies kernels
 * and a method its graph and optimiser. `O` is the options it reads (resolved for the job), `K` its kernels,
 * `G` its graph.
 */
import type { KnnGraph } from '../neighbours/knn.ts'
import type { PcaResult } from '../pca/pca.ts'

/** A map during the optimisation. */
export interface EmbedFrame {
  iteration: number
  totalIterations: number
  /** Row-major n x dims; a reused buffer: copy it to keep it. */
  embedding: Float32Array
  /** The objective (t-SNE: the KL divergence) when the optimiser has computed it. */
  kl?: number
  phase: 'early' | 'main'
}

export interface OptimiseHooks {
  onFrame?(frame: EmbedFrame): void | Promise<void>
  signal?: AbortSignal
}

export interface OptimiseResult {
  /** Row-major n x dims. */
  embedding: Float32Array
  iterations: number
  cancelled: boolean
  kl: number
  /** Every objective value the optimiser computed, after which iteration (for the convergence check). */
  klHistory: { iteration: number; kl: number }[]
}

/** An option the method cannot work with: a code naming it and a message that says how to fix it. */
export interface OptionProblem {
  code: string
  message: string
}

export interface Method<O, K, G> {
  readonly name: string
  /** The first problem with the method's options for n points, if any (the pipeline throws it as an input error). */
  problem(n: number, o: O): OptionProblem | undefined
  /** Neighbours per point its graph needs (the pipeline's kNN stage finds them). */
  neighbours(n: number, o: O): number
  /** The pipeline's name of the graph stage (job progress shows it) and what its hook is told. */
  readonly graphStage: 'affinities'
  graphInfo(o: O): object
  /** Its graph from the kNN graph. */
  graph(kernels: K, knn: KnnGraph, o: O): Promise<G>
  /** The start layout (row-major n x dims float64): a given one, else from the PCA scores or the seed. */
  initialise(n: number, o: O, pca: PcaResult, given?: Float32Array | Float64Array): Float64Array
  /** What the optimise stage's hook is told. */
  optimiseInfo(o: O): object
  /** Optimises from `initial` (the method may change it in place), with frames and cancellation. */
  optimise(kernels: K, graph: G, initial: Float64Array, o: O, hooks: OptimiseHooks): Promise<OptimiseResult>
}
