import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../../../compute/random.ts'
import { fftSizes, fftTables, forward, inverse } from './fft-core.ts'

describe('FFT core', () => {
  for (const size of [4, 8, 6, 12, 48, 96, 128, 192]) {
    it(`convolves circularly through forward, pointwise product and inverse at size ${size}`, () => {
      const random = new SeededRandom(size)
      const signal = Float64Array.from({ length: size }, () => random.normal())
      const kernel = Float64Array.from({ length: size }, () => random.normal())
      const expected = new Float64Array(size)
      for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) expected[i]! += signal[j]! * kernel[(i - j + size) % size]!
      const tables = fftTables(size)
      const [sr, si, kr, ki] = [Float64Array.from(signal), new Float64Array(size), Float64Array.from(kernel), new Float64Array(size)]
      forward(sr, si, tables, 0, 1, 1)
      forward(kr, ki, tables, 0, 1, 1)
      for (let t = 0; t < size; t++) {
        const re = sr[t]! * kr[t]! - si[t]! * ki[t]!
        si[t] = sr[t]! * ki[t]! + si[t]! * kr[t]!
        sr[t] = re
      }
      inverse(sr, si, tables, 0, 1, 1)
      for (let i = 0; i < size; i++) {
        expect(sr[i]! / size).toBeCloseTo(expected[i]!, 10)
        expect(Math.abs(si[i]! / size)).toBeLessThan(1e-10)
      }
    })
  }

  it('transforms strided columns like single vectors', () => {
    const size = 24
    const columns = 5
    const random = new SeededRandom(3)
    const re = Float64Array.from({ length: size * columns }, () => random.normal())
    const im = Float64Array.from({ length: size * columns }, () => random.normal())
    const byColumn = [...Array(columns).keys()].map((c) => {
      const r = Float64Array.from({ length: size }, (_, j) => re[j * columns + c]!)
      const i = Float64Array.from({ length: size }, (_, j) => im[j * columns + c]!)
      forward(r, i, fftTables(size), 0, 1, 1)
      return r
    })
    forward(re, im, fftTables(size), 0, columns, columns)
    for (let c = 0; c < columns; c++) for (let j = 0; j < size; j++) expect(re[j * columns + c]).toBe(byColumn[c]![j])
  })

  it('lists the supported sizes between two bounds', () => {
    expect(fftSizes(16, 200)).toEqual([16, 24, 32, 48, 64, 96, 128, 192])
    expect(() => fftTables(40)).toThrow(/power of two/)
  })
})
