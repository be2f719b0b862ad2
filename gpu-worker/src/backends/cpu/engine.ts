/**
 * @module backends/cpu/engine — the CPU engine as a process runs it: embed() on the CPU backend, and the
 * worker threads started (and the kernels compiled) before the first job, and stopped at the end.
 */
import { SeededRandom } from '../../compute/random.ts'
import type { KernelPool } from '../../compute/pool.ts'
import { embedWith, type EmbedHooks, type EmbedResult } from '../../pipeline/embed.ts'
import { EMBED_DEFAULTS, resolveThreads, type EmbedOptions } from '../../pipeline/options.ts'
import { cpuKernels } from './backend.ts'
import { closePools, sharedPool } from './pool.ts'

/**
 * Embeds n points (row-major n x d float32, finite) into 2 or 3 dimensions with t-SNE on the CPU.
 * Deterministic: same input, options and seed give byte-identical output for any thread count.
 */
export function embed(points: Float32Array, n: number, d: number, options: Partial<EmbedOptions> = {}, hooks: EmbedHooks = {}): Promise<EmbedResult> {
  return embedWith(cpuKernels, points, n, d, options, hooks)
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
