/**
 * @module methods/tsne/kernels — what a compute backend supplies for t-SNE: perplexity calibration for the
 * graph, and the optimiser's steps (gradient and update) for the schedule (schedule.ts), which stays the
 * method's: phases, segments between frames, KL reports, momentum resets, cancellation.
 */
import type { KnnGraph } from '../../neighbours/knn.ts'
import type { SparseAffinities } from './affinities.ts'
import type { GradientMethod } from './options.ts'

/** t-SNE's graph: the kNN graph, its calibrated conditional rows P_j|i, and the symmetric joint P. */
export interface TsneGraph {
  knn: KnnGraph
  /** Row-major n x k, aligned with knn.indices. */
  conditional: Float32Array
  p: SparseAffinities & { achievedPerplexity: Float64Array }
}

/** One run of iterations with fixed phase parameters. */
export interface Segment {
  iterations: number
  exaggeration: number
  momentum: number
  learningRate: number
  minGain: number
  /** Compute KL (and Z) on the last iteration of the segment. */
  reportKl: boolean
}

/** How the steps compute the gradient. */
export interface StepSettings {
  dims: 2 | 3
  dof: number
  gradient: GradientMethod
  /** Barnes-Hut opening angle (for the backends that have Barnes-Hut). */
  theta: number
}

/**
 * The optimiser's state on a backend for one map: gradient descent with momentum and per-coordinate gains
 * (+0.2 on a sign change, x0.8 otherwise, floor minGain), the map re-centred at the end of every segment.
 */
export interface TsneSteps {
  /** Runs a segment, stopping early once the signal has aborted; the iterations done, and the KL when reported. */
  run(segment: Segment): Promise<{ completed: number; kl?: number }>
  /** Zeroes the momentum and resets the gains to 1 (between phases, as openTSNE does). */
  resetMomentum(): void
  /** The map after the last segment (row-major n x dims, the caller's point order); a reused buffer. */
  frame(): Float32Array
  /** Releases what the steps hold (threads' listeners, device memory). */
  dispose(): void
}

export interface TsneKernels {
  /** Conditional rows P_j|i (row-major n x k, aligned with the kNN graph) and the perplexity each row achieved. */
  calibrate(knn: KnnGraph, perplexity: number): Promise<{ conditional: Float32Array; achieved: Float64Array }>
  /** The optimiser's steps from `initial` (row-major n x dims), stopping when `signal` aborts. */
  steps(graph: TsneGraph, initial: Float64Array, settings: StepSettings, signal?: AbortSignal): Promise<TsneSteps>
}
