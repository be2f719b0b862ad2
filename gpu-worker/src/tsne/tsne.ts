/**
 * @module tsne/tsne — the optimisation schedule: an early-exaggeration phase, then the normal
 * phase (with optional late exaggeration), delivering frames between segments.
 */
import type { KernelPool } from '../compute/pool.ts'
import type { SparseAffinities } from './affinities.ts'
import { createOptimizerState, resetMomentum, type GradientMethod, type OptimizerState, type Segment } from './optimizer.ts'
import type { FftSettings } from './gradient/fft.ts'
import type { Fft3dSettings } from './gradient/fft3d.ts'

export interface OptimizeOptions {
  dims: 2 | 3
  /** Total iterations, early phase included. */
  iterations: number
  earlyExaggeration: number
  earlyExaggerationIterations: number
  lateExaggeration: number
  learningRate: number
  earlyMomentum: number
  momentum: number
  minGain: number
  dof: number
  theta: number
  method: GradientMethod
  frameEvery: number
  fft?: Partial<FftSettings>
  fft3d?: Partial<Fft3dSettings>
}

export interface OptimizeFrame {
  iteration: number
  totalIterations: number
  embedding: Float32Array
  kl?: number
  phase: 'early' | 'main'
}

export interface OptimizeHooks {
  onFrame?(frame: OptimizeFrame): void | Promise<void>
  signal?: AbortSignal
}

export interface OptimizeResult {
  embedding: Float32Array
  iterations: number
  cancelled: boolean
  kl: number
}

/** Runs both phases; frames after iteration 0, every `frameEvery` iterations and at the end. */
export async function optimize(pool: KernelPool, affinities: SparseAffinities, initial: Float64Array, options: OptimizeOptions, hooks: OptimizeHooks = {}): Promise<OptimizeResult> {
  const state = createOptimizerState(affinities, initial, options.dims, options.method, { dof: options.dof, theta: options.theta, fft: options.fft, fft3d: options.fft3d })
  for (let t = 0; t < state.frame.length; t++) state.frame[t] = state.y[t]!
  const onAbort = () => Atomics.store(state.abort, 0, 1)
  hooks.signal?.addEventListener('abort', onAbort)
  if (hooks.signal?.aborted) onAbort()
  const total = options.iterations
  const early = Math.min(options.earlyExaggerationIterations, total)
  let iteration = 0
  let kl = NaN
  try {
    await hooks.onFrame?.({ iteration: 0, totalIterations: total, embedding: state.frame, phase: early > 0 ? 'early' : 'main' })
    const phases = [
      { end: early, exaggeration: options.earlyExaggeration, momentum: options.earlyMomentum, phase: 'early' as const },
      { end: total, exaggeration: options.lateExaggeration, momentum: options.momentum, phase: 'main' as const },
    ]
    for (const phase of phases) {
      if (iteration >= phase.end) continue
      resetMomentum(state)
      while (iteration < phase.end && Atomics.load(state.abort, 0) === 0) {
        const next = Math.min(phase.end, (Math.floor(iteration / options.frameEvery) + 1) * options.frameEvery)
        const segment: Segment = {
          iterations: next - iteration,
          exaggeration: phase.exaggeration,
          momentum: phase.momentum,
          learningRate: options.learningRate,
          minGain: options.minGain,
          reportKl: true,
        }
        const [completed] = (await pool.spmd('optimize', { state, segment })) as number[]
        iteration += completed!
        if (completed === segment.iterations) kl = state.status[1]!
        await hooks.onFrame?.({ iteration, totalIterations: total, embedding: state.frame, kl, phase: phase.phase })
      }
    }
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort)
  }
  return { embedding: Float32Array.from(state.frame), iterations: iteration, cancelled: iteration < total, kl }
}

export type { OptimizerState }
