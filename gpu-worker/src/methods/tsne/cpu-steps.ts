/**
 * @module methods/tsne/cpu-steps — t-SNE's steps on the CPU: the optimiser's shared-memory state
 * (optimizer.ts) run segment by segment as an SPMD kernel on a pool's threads, in graph order from
 * REORDER_FROM points (graph-order.ts) with frames mapped back to the caller's order. `optimize` runs the
 * whole schedule with them (the CPU backend's path, and the tests').
 */
import type { KernelPool } from '../../compute/pool.ts'
import type { OptimiseHooks, OptimiseResult } from '../method.ts'
import type { SparseAffinities } from './affinities.ts'
import type { FftSettings } from './gradient/grid-plan.ts'
import { graphOrder, permuteAffinities, REORDER_FROM } from './graph-order.ts'
import type { Segment, StepSettings, TsneSteps } from './kernels.ts'
import { createOptimizerState, resetMomentum } from './optimizer.ts'
import type { GradientMethod } from './options.ts'
import { runSchedule, type ScheduleOptions } from './schedule.ts'

export interface CpuStepSettings extends StepSettings {
  fft?: Partial<FftSettings>
  fft3d?: Partial<FftSettings>
  /** Optimise in graph order (default: from REORDER_FROM points). */
  reorder?: boolean
}

/** The CPU steps for P (symmetric, CSR) from `initial`; the kernel named 'optimize' must be in the pool's modules. */
export function cpuSteps(pool: KernelPool, affinities: SparseAffinities, initial: Float64Array, settings: CpuStepSettings, signal?: AbortSignal): TsneSteps {
  const { dims } = settings
  const n = affinities.n
  const order = (settings.reorder ?? n >= REORDER_FROM) ? graphOrder(affinities) : undefined
  let start = initial
  if (order) {
    start = new Float64Array(n * dims)
    for (let r = 0; r < n; r++) for (let c = 0; c < dims; c++) start[r * dims + c] = initial[order[r]! * dims + c]!
  }
  const state = createOptimizerState(order ? permuteAffinities(affinities, order) : affinities, start, dims, settings.gradient, { dof: settings.dof, theta: settings.theta, fft: settings.fft, fft3d: settings.fft3d })
  for (let t = 0; t < state.frame.length; t++) state.frame[t] = state.y[t]!
  // frames and the result in the caller's order
  const frame = order ? new Float32Array(state.frame.length) : state.frame
  // the kernel checks the flag after every iteration, so a stop takes effect at the next one
  const onAbort = () => Atomics.store(state.abort, 0, 1)
  signal?.addEventListener('abort', onAbort)
  if (signal?.aborted) onAbort()
  return {
    async run(segment: Segment) {
      const [completed] = (await pool.spmd('optimize', { state, segment })) as number[]
      return { completed: completed!, kl: completed === segment.iterations && segment.reportKl ? state.status[1]! : undefined }
    },
    resetMomentum: () => resetMomentum(state),
    frame() {
      if (order) for (let r = 0; r < order.length; r++) for (let c = 0; c < dims; c++) frame[order[r]! * dims + c] = state.frame[r * dims + c]!
      return frame
    },
    dispose: () => signal?.removeEventListener('abort', onAbort),
  }
}

export type OptimizeOptions = ScheduleOptions & Omit<CpuStepSettings, 'gradient'> & { method: GradientMethod }

/** Runs both phases on the pool; frames after iteration 0, every `frameEvery` iterations and at the end. */
export async function optimize(pool: KernelPool, affinities: SparseAffinities, initial: Float64Array, options: OptimizeOptions, hooks: OptimiseHooks = {}): Promise<OptimiseResult> {
  const steps = cpuSteps(pool, affinities, initial, { ...options, gradient: options.method }, hooks.signal)
  try {
    return await runSchedule(steps, options, hooks)
  } finally {
    steps.dispose()
  }
}
