/**
 * @module compute/kernels — the registry of SPMD kernels a pool can run by name (the same table is
 * loaded in-process and inside every worker thread).
 */
import type { SpmdContext } from './barrier.ts'
import { exactKnnKernel } from '../neighbours/knn.ts'
import { ivfKnnKernel } from '../neighbours/knn-ivf.ts'
import { calibrateKernel } from '../methods/tsne/affinities.ts'
import { optimizeKernel } from '../methods/tsne/optimizer.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Kernel = (payload: any, ctx: SpmdContext) => unknown

const KERNELS = {
  'exact-knn': exactKnnKernel,
  'ivf-knn': ivfKnnKernel,
  calibrate: calibrateKernel,
  optimize: optimizeKernel,
} satisfies Record<string, Kernel>

export type KernelName = keyof typeof KERNELS

/** Runs the named kernel for one rank. */
export function runKernel(name: KernelName, payload: object, ctx: SpmdContext): unknown {
  const kernel: Kernel | undefined = KERNELS[name]
  if (!kernel) throw new Error(`unknown kernel ${name}`)
  return kernel(payload, ctx)
}
