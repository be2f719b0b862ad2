/**
 * @module pipeline/options — the embedding options: the shared job parameters' defaults (TSNE_PARAM_DEFAULTS),
 * extended here by the engine's own, one place for each; and their resolution for a job of n points (the
 * method's automatic choices, the thread count), before the backend makes its own (BackendKernels.choices).
 */
import os from 'node:os'
import { TSNE_PARAM_DEFAULTS } from '@constellate/shared'
import type { Metric } from '../neighbours/knn.ts'
import { learningRates, type GradientMethod, type TsneOptions } from '../methods/tsne/options.ts'

export interface EmbedOptions extends TsneOptions {
  /** PCA target dimensionality when the input has more columns than this (0 disables PCA). */
  pcaDims: number
  metric: Metric
  knn: 'auto' | 'exact' | 'approximate'
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

/** The options with the method's automatic choices made for n points and the thread count resolved. */
export type ResolvedOptions = EmbedOptions & { learningRate: number; mainLearningRate: number; threads: number }

/** The options a job runs with: resolved, and with the backend's choice of kNN and gradient. */
export type JobOptions = ResolvedOptions & { knn: 'exact' | 'approximate'; gradient: GradientMethod }

/** Resolves the automatic choices that do not depend on the backend for n points. */
export function resolveOptions(n: number, options: Partial<EmbedOptions> = {}): ResolvedOptions {
  const o = { ...EMBED_DEFAULTS, ...options }
  return { ...o, ...learningRates(n, o), threads: resolveThreads(o.threads) }
}

/** A thread count option (0 = all cores) as the number of worker threads. */
export function resolveThreads(threads: number): number {
  return threads > 0 ? Math.floor(threads) : Math.max(1, os.availableParallelism?.() ?? os.cpus().length)
}
