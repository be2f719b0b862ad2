import { afterAll, describe, expect, it } from 'vitest'
import { defineKernels, kernelTable } from './kernels.ts'
import { KernelPool } from './pool.ts'
import testKernels from './test-kernels.ts'

describe('KernelPool', () => {
  const pools = [new KernelPool(1, [testKernels]), new KernelPool(3, [testKernels])]
  afterAll(() => Promise.all(pools.map((pool) => pool.close())))

  it('runs a named kernel from the modules it was given, in-process and on worker threads that import them', async () => {
    for (const pool of pools) {
      const slots = new Int32Array(new SharedArrayBuffer(4 * pool.threads))
      const sums = await pool.spmd('sum-ranks', { slots })
      // every rank saw every other rank's write after the barrier: 1 + 2 + ... + threads
      expect(sums).toEqual(Array(pool.threads).fill((pool.threads * (pool.threads + 1)) / 2))
    }
  })

  it('names the kernels it has when asked for one it lacks, in-process and on workers', async () => {
    for (const pool of pools) await expect(pool.spmd('optimize', {})).rejects.toThrow(/unknown kernel optimize: the pool was started with sum-ranks/)
  })

  it('refuses two modules that define the same kernel name', () => {
    const again = defineKernels('file:///elsewhere.ts', { 'sum-ranks': () => 0 })
    expect(() => kernelTable([testKernels, again])).toThrow('kernel sum-ranks is defined twice (again in file:///elsewhere.ts)')
  })
})
