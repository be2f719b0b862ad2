/**
 * @module backends/tfjs/backend — the tfjs compute backend's kernels for the pipeline (pipeline/embed.ts):
 * PCA (pca.ts), exact kNN (knn.ts), perplexity calibration on the host with the CPU backend's threads
 * (sparse, irregular work), and t-SNE's optimiser steps on the device (tsne-steps.ts).
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
import { calibrate } from '../../methods/tsne/affinities.ts'
import type { Backend } from '../../pipeline/backend.ts'
import { embedWith, type EmbedHooks, type EmbedResult } from '../../pipeline/embed.ts'
import type { EmbedOptions } from '../../pipeline/options.ts'
import { closeEngine } from '../cpu/engine.ts'
import { sharedPool } from '../cpu/pool.ts'
import type { GridSettings } from './grid-repulsion.ts'
import { exactKnnTfjs, type TfjsKnnSettings } from './knn.ts'
import { pcaTfjs } from './pca.ts'
import type { TfjsRuntime } from './runtime.ts'
import type { TransformKind } from './transforms.ts'
import { tfjsSteps, type TfjsGradientMethod } from './tsne-steps.ts'

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

/**
 * The tfjs backend's kernels on a runtime. Deterministic on the CPU runtimes; on CUDA the scatter-adds use
 * atomics, so the last bits can differ between runs (see README "Deploying").
 */
export function tfjsKernels(runtime: TfjsRuntime, settings: Partial<TfjsSettings> = {}): Backend {
  const { tf } = runtime
  const s = { ...TFJS_DEFAULTS, ...settings }
  const transform: TransformKind = s.transform !== 'auto' ? s.transform : tf.getBackend() === 'tensorflow' ? 'spectral' : 'hartley'
  // Barnes-Hut has no device form: a request for it gets the grid
  const repulsion = (n: number, gradient: string): TfjsGradientMethod => (gradient === 'exact' ? 'exact' : gradient === 'fft' || gradient === 'bh' ? 'grid' : n <= s.exactBelow ? 'exact' : 'grid')
  return {
    name: 'tfjs',
    choose(n, o) {
      const method = repulsion(n, o.gradient)
      return {
        knn: 'exact',
        gradient: method === 'exact' ? 'exact' : 'fft',
        unused: ['theta'],
        details: { tfjs: { module: runtime.module, device: runtime.device, tfBackend: tf.getBackend(), version: tf.version_core, repulsion: method, transform: method === 'grid' ? transform : undefined } },
      }
    },
    open(o) {
      const method: TfjsGradientMethod = o.gradient === 'exact' ? 'exact' : 'grid'
      return {
        pca: (points, n, d, { components, seed }) => pcaTfjs(tf, points, n, d, { components, seed, residentBytes: s.pcaResidentBytes }),
        knn: (points, n, d, k, { metric }) => exactKnnTfjs(tf, points, n, d, k, metric, s.knn),
        tsne: {
          calibrate: (knn, perplexity) => calibrate(sharedPool(o.threads), knn, perplexity),
          steps: (graph, initial, { dims, dof }, signal) => tfjsSteps(tf, graph, initial, { dims, dof, method, grid: { transform, ...s.grid } }, signal),
        },
      }
    },
  }
}

/** Stops the calibration threads, which are the CPU backend's shared pool (tests and graceful shutdown). */
export async function closeTfjsEngine(): Promise<void> {
  await closeEngine()
}

/**
 * Embeds n points (row-major n x d float32) with t-SNE on a tfjs runtime: the pipeline on tfjsKernels. Same
 * options, hooks and result as the CPU engine; `backend` is 'tfjs' and `resolved.tfjs` says what ran.
 */
export function embedWithRuntime(
  runtime: TfjsRuntime,
  points: Float32Array,
  n: number,
  d: number,
  options: Partial<EmbedOptions> = {},
  hooks: EmbedHooks = {},
  settings: Partial<TfjsSettings> = {},
): Promise<EmbedResult> {
  return embedWith(tfjsKernels(runtime, settings), points, n, d, options, hooks)
}
