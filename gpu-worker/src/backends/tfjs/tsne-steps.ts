/**
 * @module backends/tfjs/tsne-steps — t-SNE's optimiser steps on the device (methods/tsne/kernels.ts), for the
 * method's schedule (methods/tsne/schedule.ts), with the CPU engine's update rule (methods/tsne/optimizer.ts):
 * gradient descent with momentum and per-coordinate gains (+0.2 on a sign change, x0.8 otherwise, floor
 * minGain), momentum and gains reset between the phases, the map re-centred at the end of every segment.
 *
 * Per iteration: attraction over the kNN edges (attraction.ts), repulsion exact (small n) or by grid
 * interpolation with the split kernel (grid-repulsion.ts), then the update, all as tensors; the host
 * reads the bounds (2 * dims numbers) and the near field's pair count each iteration for the grid
 * plan, the map every REPLAN_EVERY iterations when the grid is chosen afresh, and at every segment's end.
 */
import type { Segment, TsneGraph, TsneSteps } from '../../methods/tsne/kernels.ts'
import { attractionTfjs, disposeEdges, uploadEdges, type DeviceEdges } from './attraction.ts'
import { exactRepulsionTfjs } from './exact-repulsion.ts'
import { GridRepulsion, type GridSettings } from './grid-repulsion.ts'
import { readFloat32, type Tensor, type Tensor2D, type Tf } from './tf.ts'

export type TfjsGradientMethod = 'exact' | 'grid'

export interface TfjsStepSettings {
  dims: 2 | 3
  dof: number
  method: TfjsGradientMethod
  grid?: Partial<GridSettings>
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

/**
 * The steps for t-SNE's graph from `initial` (row-major n x dims): the directed kNN edges with their
 * conditional values go to the device, and sum P log P of the symmetric P (for the reported KL) is summed
 * on the host once.
 */
export async function tfjsSteps(tf: Tf, graph: TsneGraph, initial: Float64Array, settings: TfjsStepSettings, signal?: AbortSignal): Promise<TsneSteps> {
  const { dims, dof, method } = settings
  const { n, k } = graph.knn
  let entropy = 0
  for (const value of graph.p.values) if (value > 0) entropy += value * Math.log(value)
  const edges = uploadEdges(tf, n, k, graph.knn.indices, graph.conditional)
  const grid = method === 'grid' ? new GridRepulsion(tf, dims, dof, settings.grid) : undefined
  let y = tf.tensor2d(Float32Array.from(initial.subarray(0, n * dims)), [n, dims])
  let update: Tensor = tf.zeros([n, dims])
  let gains: Tensor = tf.ones([n, dims])
  let frame: Float32Array = Float32Array.from(initial.subarray(0, n * dims))
  return {
    async run(segment: Segment) {
      let completed = 0
      let kl: number | undefined
      for (let t = 0; t < segment.iterations && !signal?.aborted; t++) {
        const last = t === segment.iterations - 1
        const step = await gradientTfjs(tf, y, edges, { dof, exaggeration: segment.exaggeration, method, grid, entropy }, segment.reportKl && last)
        const [nextY, nextUpdate, nextGains] = tf.tidy(() => {
          const gradient = step.gradient
          const flipped = tf.notEqual(tf.greater(gradient, 0), tf.greater(update, 0))
          const g = tf.maximum(tf.where(flipped, tf.add(gains, 0.2), tf.mul(gains, 0.8)), segment.minGain)
          const u = tf.sub(tf.mul(update, segment.momentum), tf.mul(tf.mul(g, gradient), segment.learningRate))
          return [tf.add(y, u), u, g]
        })
        for (const tensor of [step.gradient, y, update, gains]) tensor.dispose()
        y = nextY as Tensor2D
        update = nextUpdate!
        gains = nextGains!
        completed++
        kl = step.kl
        // let abort signals and I/O in between iterations (tfjs ops run synchronously)
        if (!last) await new Promise((resolve) => setImmediate(resolve))
      }
      const centred = tf.tidy(() => tf.sub(y, tf.mean(y, 0, true))) as Tensor2D
      y.dispose()
      y = centred
      frame = await readFloat32(y)
      return { completed, kl }
    },
    resetMomentum() {
      update.dispose()
      gains.dispose()
      update = tf.zeros([n, dims])
      gains = tf.ones([n, dims])
    },
    frame: () => frame,
    dispose() {
      for (const tensor of [y, update, gains]) tensor.dispose()
      grid?.dispose()
      disposeEdges(edges)
    },
  }
}
