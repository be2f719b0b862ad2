/** @module compute/test-kernels — a kernel module for the pool's own tests: ranks meet at a barrier and read each other's writes. */
import type { SpmdContext } from './barrier.ts'
import { defineKernels } from './kernels.ts'

/** Each rank writes rank + 1, meets the others, then returns the sum of every rank's value. */
function sumRanks(payload: { slots: Int32Array }, ctx: SpmdContext): number {
  payload.slots[ctx.rank] = ctx.rank + 1
  ctx.barrier()
  let sum = 0
  for (let r = 0; r < ctx.size; r++) sum += payload.slots[r]!
  return sum
}

export default defineKernels(import.meta.url, { 'sum-ranks': sumRanks })
