/**
 * @module backends/cpu/pool — the CPU backend's worker threads: one long-lived pool per thread count, which
 * runs the kNN and t-SNE kernels (and the tfjs backend's perplexity calibration), so worker start-up is
 * paid once per process.
 */
import { KernelPool } from '../../compute/pool.ts'
import neighbourKernels from '../../neighbours/kernel-module.ts'
import tsneKernels from '../../methods/tsne/kernel-module.ts'

/** Every kernel module the CPU backend runs; its pools' worker threads load them as they start. */
export const CPU_KERNELS = [neighbourKernels, tsneKernels] as const

const pools = new Map<number, KernelPool>()

/** The pool for `threads` worker threads (started on first use, kept for the next job). */
export function sharedPool(threads: number): KernelPool {
  let pool = pools.get(threads)
  if (!pool) pools.set(threads, (pool = new KernelPool(threads, CPU_KERNELS)))
  return pool
}

/** Stops every pool's worker threads (tests and graceful shutdown); a later sharedPool starts afresh. */
export async function closePools(): Promise<void> {
  const all = [...pools.values()]
  pools.clear()
  await Promise.all(all.map((pool) => pool.close()))
}
