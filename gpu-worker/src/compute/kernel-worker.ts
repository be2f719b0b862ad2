/**
 * @module compute/kernel-worker — the worker_threads side of the pool: imports the kernel modules named
 * in its workerData, then runs one SPMD kernel per message and replies with its return value.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { makeBarrier } from './barrier.ts'
import { importKernels, runKernel } from './kernels.ts'

// a message that arrives while the modules load waits for them; a module that fails to load fails each
// message with its error (marked handled here so that it does not end the thread first)
const table = importKernels((workerData as { modules: string[] }).modules)
table.catch(() => undefined)

parentPort!.on('message', async (message: { kernel: string; payload: object; rank: number; size: number; barrierState: Int32Array }) => {
  try {
    const barrier = makeBarrier(message.barrierState, message.size)
    const value = await runKernel(await table, message.kernel, message.payload, { rank: message.rank, size: message.size, barrier })
    parentPort!.postMessage({ ok: true, value })
  } catch (error) {
    parentPort!.postMessage({ ok: false, error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) })
  }
})
