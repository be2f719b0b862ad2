/**
 * @module backends/tfjs/optimize — the two-phase t-SNE optimisation on the device, with the CPU
 * engine's schedule and update rule (tsne/tsne.ts, tsne/optimizer.ts): gradient descent with
 * momentum and per-coordinate gains (+0.2 on a sign change, x0.8 otherwise, floor minGain),
 * momentum and gains reset between the phases, the map re-centred at every frame.
 *
 * Per iteration: attraction over the kNN edges (attraction.ts), repulsion exact (small n) or by grid
 * interpolation with the split kernel (grid-repulsion.ts), then the update, all as tensors; the host
 * reads the bounds (2 * dims numbers) and the near field's pair count each iteration for the grid
 * plan, the map every REPLAN_EVERY iterations when the grid is chosen afresh, and at every frame.
 */
import { reportsKl, type OptimizeFrame, type OptimizeHooks, type OptimizeOptions, type OptimizeResult } from '../../methods/tsne/schedule.ts'
import { attractionTfjs, type DeviceEdges } from './attraction.ts'
import { exactRepulsionTfjs } from './exact-repulsion.ts'
import { GridRepulsion, type GridSettings } from './grid-repulsion.ts'
import { readFloat32, type Tensor, type Tensor2D, type Tf } from './tf.ts'

export type TfjsGradientMethod = 'exact' | 'grid'

export interface TfjsOptimizeOptions extends Omit<OptimizeOptions, 'method' | 'theta' | 'fft'> {
  method: TfjsGradientMethod
  grid?: Partial<GridSettings>
  /** sum_ij P_ij log P_ij of the symmetric P (host-computed once) for the reported KL. */
  entropy: number
}

/** One gradient evaluation: exaggeration * attraction - repulsion / Z, and the KL divergence when asked. */
export async function gradientTfjs(
  tf: Tf,
  y: Tensor2D,
  edges: DeviceEdges,
  options: { dof: number; exaggeration: number; method: TfjsGradientMethod; grid?: GridRepulsion; entropy?: number },
  withKl = false,
): Promise<{ gradient: Tensor2D; kl?: number }> {
  const { dof } = options
  let repulsion: { forces: Tensor2D; z: Tensor }
  if (options.method === 'grid') {
    const bounds = await readFloat32(tf.tidy(() => tf.stack([tf.min(y, 0), tf.max(y, 0)], 1).reshape([-1])))
    repulsion = await options.grid!.compute(y, bounds)
  } else {
    repulsion = exactRepulsionTfjs(tf, y, dof)
  }
  const attraction = attractionTfjs(tf, y, edges, dof, withKl)
  const gradient = tf.tidy(() => tf.sub(tf.mul(attraction.forces, options.exaggeration), tf.div(repulsion.forces, repulsion.z))) as Tensor2D
  let kl: number | undefined
  if (withKl) {
    const [z, sum] = await readFloat32(tf.stack([repulsion.z, attraction.klSum!]))
    kl = (options.entropy ?? 0) + dof * sum! + Math.log(z!)
    attraction.klSum!.dispose()
  }
  for (const t of [repulsion.forces, repulsion.z, attraction.forces]) t.dispose()
  return { gradient, kl }
}

/** Runs both phases from `initial` (row-major n x dims); frames after iteration 0, every frameEvery iterations and at the end. */
export async function optimizeTfjs(tf: Tf, edges: DeviceEdges, initial: Float64Array, options: TfjsOptimizeOptions, hooks: OptimizeHooks = {}): Promise<OptimizeResult & { grid?: object }> {
  const { dims, dof } = options
  const n = edges.n
  const total = options.iterations
  const early = Math.min(options.earlyExaggerationIterations, total)
  const grid = options.method === 'grid' ? new GridRepulsion(tf, dims, dof, options.grid) : undefined
  let y = tf.tensor2d(Float32Array.from(initial.subarray(0, n * dims)), [n, dims])
  let update: Tensor = tf.zeros([n, dims])
  let gains: Tensor = tf.ones([n, dims])
  let frame: Float32Array = Float32Array.from(initial.subarray(0, n * dims))
  let iteration = 0
  let kl = NaN
  const klHistory: { iteration: number; kl: number }[] = []
  let lastFramed = 0
  const emit = async (phase: OptimizeFrame['phase']) => {
    const centred = tf.tidy(() => tf.sub(y, tf.mean(y, 0, true))) as Tensor2D
    y.dispose()
    y = centred
    frame = await readFloat32(y)
    lastFramed = iteration
    await hooks.onFrame?.({ iteration, totalIterations: total, embedding: frame, kl: Number.isNaN(kl) ? undefined : kl, phase })
  }
  try {
    await hooks.onFrame?.({ iteration: 0, totalIterations: total, embedding: frame, phase: early > 0 ? 'early' : 'main' })
    const phases = [
      { end: early, exaggeration: options.earlyExaggeration, momentum: options.earlyMomentum, learningRate: options.learningRate, phase: 'early' as const },
      { end: total, exaggeration: options.lateExaggeration, momentum: options.momentum, learningRate: options.mainLearningRate ?? options.learningRate, phase: 'main' as const },
    ]
    for (const phase of phases) {
      if (iteration >= phase.end || hooks.signal?.aborted) continue
      update.dispose()
      gains.dispose()
      update = tf.zeros([n, dims])
      gains = tf.ones([n, dims])
      while (iteration < phase.end && !hooks.signal?.aborted) {
        const frameEnd = Math.min(phase.end, (Math.floor(iteration / options.frameEvery) + 1) * options.frameEvery)
        const reportKl = reportsKl(iteration + 1, phase.end)
        const step = await gradientTfjs(tf, y, edges, { dof, exaggeration: phase.exaggeration, method: options.method, grid, entropy: options.entropy }, reportKl)
        const [nextY, nextUpdate, nextGains] = tf.tidy(() => {
          const gradient = step.gradient
          const flipped = tf.notEqual(tf.greater(gradient, 0), tf.greater(update, 0))
          const g = tf.maximum(tf.where(flipped, tf.add(gains, 0.2), tf.mul(gains, 0.8)), options.minGain)
          const u = tf.sub(tf.mul(update, phase.momentum), tf.mul(tf.mul(g, gradient), phase.learningRate))
          return [tf.add(y, u), u, g]
        })
        for (const t of [step.gradient, y, update, gains]) t.dispose()
        y = nextY as Tensor2D
        update = nextUpdate!
        gains = nextGains!
        iteration++
        if (step.kl !== undefined) {
          kl = step.kl
          klHistory.push({ iteration, kl })
        }
        if (iteration === frameEnd) await emit(phase.phase)
        // let abort signals and I/O in between iterations (tfjs ops run synchronously)
        else await new Promise((resolve) => setImmediate(resolve))
      }
      if (iteration > lastFramed) await emit(phase.phase)
    }
  } finally {
    for (const t of [y, update, gains]) t.dispose()
    grid?.dispose()
  }
  return { embedding: Float32Array.from(frame), iterations: iteration, cancelled: iteration < total, kl, klHistory }
}
