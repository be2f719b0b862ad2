import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../../pipeline/options.ts'
import { cpuKernels } from './backend.ts'

describe('the CPU backend', () => {
  const choose = (n: number, options: Parameters<typeof resolveOptions>[1] = {}) => cpuKernels.choose(n, resolveOptions(n, options))

  it('picks Barnes-Hut below 4,000 points and FFT interpolation from there, in 2D and 3D', () => {
    expect([choose(3999).gradient, choose(4000).gradient]).toEqual(['bh', 'fft'])
    expect([choose(3999, { dims: 3 }).gradient, choose(4000, { dims: 3 }).gradient]).toEqual(['bh', 'fft'])
  })

  it('picks exact kNN up to 8,000 points and the inverted-file index above', () => {
    expect([choose(8000).knn, choose(8001).knn]).toEqual(['exact', 'approximate'])
  })

  it('keeps what the job asked for, uses every option and adds nothing to the resolved ones', () => {
    expect(choose(100_000, { gradient: 'exact', knn: 'exact' })).toEqual({ knn: 'exact', gradient: 'exact' })
    expect(choose(10, { gradient: 'fft', knn: 'approximate' })).toEqual({ knn: 'approximate', gradient: 'fft' })
  })
})
