/**
 * @module compute/pool — a pool of worker_threads that run named SPMD kernels over shared memory.
 * Rank 0..size-1 each run the same kernel; with one thread the kernel runs in-process, so results
 * never depend on whether workers were used. The kernels come from the kernel modules the pool's
 * creator names (compute/kernels.ts).
 */
import { Worker } from 'node:worker_threads'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createBarrierState, makeBarrier } from './barrier.ts'
import { kernelTable, runKernel, type Kernel, type KernelModule } from './kernels.ts'

function workerEntry(): URL {
  const compiled = new URL('./kernel-worker.js', import.meta.url)
  if (existsSync(fileURLToPath(compiled))) return compiled
  return new URL('./kernel-worker-bootstrap.mjs', import.meta.url)
}

interface Pending {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}

class PooledWorker {
  readonly worker: Worker
  private pending: Pending | undefined
  constructor(modules: readonly string[]) {
    this.worker = new Worker(workerEntry(), { workerData: { modules } })
    this.worker.unref()
    this.worker.on('message', (message: { ok: boolean; value?: unknown; error?: string }) => {
      const pending = this.pending
      this.pending = undefined
      if (!pending) return
      if (message.ok) pending.resolve(message.value)
      else pending.reject(new Error(message.error))
    })
    this.worker.on('error', (error) => {
      const pending = this.pending
      this.pending = undefined
      pending?.reject(error)
    })
  }
  run(message: object): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject }
      this.worker.postMessage(message)
    })
  }
}

/** Runs SPMD kernels on `threads` threads (workers when threads > 1, in-process otherwise). */
export class KernelPool {
  private workers: PooledWorker[] = []
  private readonly table: Map<string, Kernel>
  /**
   * Starts the worker threads at once (unref'd): booting one (loading the kernels and
   * onnxruntime) takes about half a second, which then overlaps the caller's own work (PCA)
   * instead of delaying the first kernel.
   */
  constructor(
    readonly threads: number,
    readonly modules: readonly KernelModule[],
  ) {
    this.table = kernelTable(modules)
    if (threads > 1) this.start()
  }

  private start(): void {
    while (this.workers.length < this.threads) this.workers.push(new PooledWorker(this.modules.map((module) => module.url)))
  }

  /** Runs `kernel` on every rank with the same payload; resolves with each rank's return value. */
  async spmd(kernel: string, payload: object): Promise<unknown[]> {
    const size = this.threads
    if (size <= 1) return [await runKernel(this.table, kernel, payload, { rank: 0, size: 1, barrier: () => {} })]
    this.start()
    const barrierState = createBarrierState()
    return Promise.all(
      this.workers.slice(0, size).map((w, rank) => w.run({ kernel, payload, rank, size, barrierState })),
    )
  }

  /** Stops the workers (the pool can be reused; workers restart on demand). */
  async close(): Promise<void> {
    const workers = this.workers
    this.workers = []
    await Promise.all(workers.map((w) => w.worker.terminate()))
  }
}

export { makeBarrier }
