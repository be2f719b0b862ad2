/**
 * @module compute/kernel-worker — the worker_threads side of the pool: runs one SPMD kernel per
 * message and replies with its return value.
 */
import { parentPort } from 'node:worker_threads'
import { makeBarrier } from './barrier.ts'
import { runKernel, type KernelName } from './kernels.ts'

parentPort!.on('message', async (message: { kernel: KernelName; payload: object; rank: number; size: number; barrierState: Int32Array }) => {
  try {
    const barrier = makeBarrier(message.barrierState, message.size)
    const value = await runKernel(message.kernel, message.payload, { rank: message.rank, size: message.size, barrier })
    parentPort!.postMessage({ ok: true, value })
  } catch (error) {
    parentPort!.postMessage({ ok: false, error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) })
  }
})
