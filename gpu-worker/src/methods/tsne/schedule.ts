/**
 * @module methods/tsne/schedule — the optimisation schedule: an early-exaggeration phase, then the normal
 * phase (with optional late exaggeration), delivering frames between segments. Large inputs are
 * optimised in a breadth-first order of the affinity graph (neighbours get nearby indices, so the
 * attraction pass reads memory that is already cached) and mapped back for frames and the result.
 */
import type { KernelPool } from '../../compute/pool.ts'
import type { SparseAffinities } from './affinities.ts'
import { createOptimizerState, resetMomentum, type GradientMethod, type OptimizerState, type Segment } from './optimizer.ts'
import type { FftSettings } from './gradient/grid-plan.ts'

export interface OptimizeOptions {
  dims: 2 | 3
  /** Total iterations, early phase included. */
  iterations: number
  earlyExaggeration: number
  earlyExaggerationIterations: number
  lateExaggeration: number
  /** Learning rate of the early-exaggeration phase. */
  learningRate: number
  /** Learning rate of the main phase (defaults to learningRate). */
  mainLearningRate?: number
  earlyMomentum: number
  momentum: number
  minGain: number
  dof: number
  theta: number
  method: GradientMethod
  frameEvery: number
  fft?: Partial<FftSettings>
  fft3d?: Partial<FftSettings>
  /** Optimise in graph order (default: from REORDER_FROM points). */
  reorder?: boolean
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
  /** Every KL divergence computed, with the iteration it was computed after (both phases). */
  klHistory: { iteration: number; kl: number }[]
}

/**
 * The KL divergence costs a logarithm per edge (10 ms of CPU at MNIST-10k's 1.2M edges, half an
 * iteration), so it is computed every KL_EVERY iterations and at the end of each phase; frames in
 * between carry the last value.
 */
export const KL_EVERY = 50

/** Whether the iteration that brings the count to `done` computes the KL divergence. */
export function reportsKl(done: number, phaseEnd: number): boolean {
  return done % KL_EVERY === 0 || done === phaseEnd
}

/** From this many points the optimiser works in graph order (below, everything fits in cache anyway). */
export const REORDER_FROM = 20_000

/**
 * A locality order of the points: breadth first over the graph from the lowest unvisited index,
 * neighbours in column order (Cuthill-McKee without the degree sort). order[new] = old.
 */
export function graphOrder(p: SparseAffinities): Int32Array {
  const { n, rowStart, columns } = p
  const order = new Int32Array(n)
  const seen = new Uint8Array(n)
  let head = 0
  let tail = 0
  for (let start = 0; start < n; start++) {
    if (seen[start]) continue
    seen[start] = 1
    order[tail++] = start
    while (head < tail) {
      const i = order[head++]!
      for (let e = rowStart[i]!; e < rowStart[i + 1]!; e++) {
        const j = columns[e]!
        if (!seen[j]) {
          seen[j] = 1
          order[tail++] = j
        }
      }
    }
  }
  return order
}

/**
 * P relabelled by `order` (row r is old row order[r], columns renamed), in shared memory. Columns
 * within a row keep their old order, so they are no longer ascending: only the optimiser sees it.
 */
export function permuteAffinities(p: SparseAffinities, order: Int32Array): SparseAffinities {
  const { n } = p
  const rank = new Int32Array(n)
  for (let r = 0; r < n; r++) rank[order[r]!] = r
  const rowStart = new Int32Array(new SharedArrayBuffer((n + 1) * 4))
  const columns = new Int32Array(new SharedArrayBuffer(p.columns.length * 4))
  const values = new Float32Array(new SharedArrayBuffer(p.values.length * 4))
  for (let r = 0; r < n; r++) {
    const i = order[r]!
    const from = p.rowStart[i]!
    const length = p.rowStart[i + 1]! - from
    const at = rowStart[r]!
    rowStart[r + 1] = at + length
    for (let t = 0; t < length; t++) {
      columns[at + t] = rank[p.columns[from + t]!]!
      values[at + t] = p.values[from + t]!
    }
  }
  return { n, rowStart, columns, values }
}

/** Runs both phases; frames after iteration 0, every `frameEvery` iterations and at the end. */
export async function optimize(pool: KernelPool, affinities: SparseAffinities, initial: Float64Array, options: OptimizeOptions, hooks: OptimizeHooks = {}): Promise<OptimizeResult> {
  const dims = options.dims
  const order = (options.reorder ?? affinities.n >= REORDER_FROM) ? graphOrder(affinities) : undefined
  let start = initial
  if (order) {
    start = new Float64Array(affinities.n * dims)
    for (let r = 0; r < affinities.n; r++) for (let c = 0; c < dims; c++) start[r * dims + c] = initial[order[r]! * dims + c]!
  }
  const state = createOptimizerState(order ? permuteAffinities(affinities, order) : affinities, start, dims, options.method, { dof: options.dof, theta: options.theta, fft: options.fft, fft3d: options.fft3d })
  // frames and the result in the caller's order
  const frame = order ? new Float32Array(state.frame.length) : state.frame
  const publish = () => {
    if (!order) return
    for (let r = 0; r < order.length; r++) for (let c = 0; c < dims; c++) frame[order[r]! * dims + c] = state.frame[r * dims + c]!
  }
  for (let t = 0; t < state.frame.length; t++) state.frame[t] = state.y[t]!
  publish()
  const onAbort = () => Atomics.store(state.abort, 0, 1)
  hooks.signal?.addEventListener('abort', onAbort)
  if (hooks.signal?.aborted) onAbort()
  const total = options.iterations
  const early = Math.min(options.earlyExaggerationIterations, total)
  let iteration = 0
  let kl = NaN
  const klHistory: { iteration: number; kl: number }[] = []
  try {
    await hooks.onFrame?.({ iteration: 0, totalIterations: total, embedding: frame, phase: early > 0 ? 'early' : 'main' })
    const phases = [
      { end: early, exaggeration: options.earlyExaggeration, momentum: options.earlyMomentum, learningRate: options.learningRate, phase: 'early' as const },
      { end: total, exaggeration: options.lateExaggeration, momentum: options.momentum, learningRate: options.mainLearningRate ?? options.learningRate, phase: 'main' as const },
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
          learningRate: phase.learningRate,
          minGain: options.minGain,
          reportKl: reportsKl(next, phase.end),
        }
        const [completed] = (await pool.spmd('optimize', { state, segment })) as number[]
        iteration += completed!
        if (completed === segment.iterations && segment.reportKl) {
          kl = state.status[1]!
          klHistory.push({ iteration, kl })
        }
        publish()
        await hooks.onFrame?.({ iteration, totalIterations: total, embedding: frame, kl: Number.isNaN(kl) ? undefined : kl, phase: phase.phase })
      }
    }
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort)
  }
  publish()
  return { embedding: Float32Array.from(frame), iterations: iteration, cancelled: iteration < total, kl, klHistory }
}

export type { OptimizerState }
