/**
 * @module pipeline/backend — what a compute backend supplies to the pipeline: its automatic choices for a
 * job, and kernels for each stage (PCA, kNN, and each method's own: methods/tsne/kernels.ts). The backends
 * (backends/cpu, backends/tfjs) implement it; the pipeline orchestrates the stages around it.
 */
import type { GradientMethod } from '../methods/tsne/options.ts'
import type { TsneKernels } from '../methods/tsne/kernels.ts'
import type { KnnGraph, Metric } from '../neighbours/knn.ts'
import type { PcaResult } from '../pca/pca.ts'
import type { EmbedOptions, JobOptions, ResolvedOptions } from './options.ts'

/** What a backend chose for a job, and what the job's resolved options record about it. */
export interface BackendChoices {
  knn: 'exact' | 'approximate'
  /** The gradient as the resolved options record it. */
  gradient: GradientMethod
  /** Options this backend does not use, left out of the resolved options. */
  unused?: readonly (keyof EmbedOptions)[]
  /** Added to the resolved options (what ran: runtime, device, ...). */
  details?: Record<string, unknown>
}

/** A backend bound to one job. */
export interface BackendKernels {
  /** Principal component scores (row-major n x components; see pca/pca.ts for the contract). */
  pca(points: Float32Array, n: number, d: number, options: { components: number; seed: number }): Promise<PcaResult>
  /** The k nearest neighbours of every point (neighbours/knn.ts's contract). */
  knn(points: Float32Array, n: number, d: number, k: number, options: { metric: Metric; method: 'exact' | 'approximate'; seed: number }): Promise<KnnGraph>
  readonly tsne: TsneKernels
}

export interface Backend {
  readonly name: 'cpu' | 'tfjs'
  /** Its choices for a job of n points (no work, no threads: the pipeline validates the job after them). */
  choose(n: number, o: ResolvedOptions): BackendChoices
  /** Binds the backend to a valid job and starts what it needs (threads). */
  open(o: JobOptions): BackendKernels
}
