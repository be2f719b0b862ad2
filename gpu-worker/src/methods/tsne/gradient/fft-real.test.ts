import { describe, expect, it } from 'vitest'
import { SeededRandom } from '../../../compute/random.ts'
import { fftTables, forward, inverse } from './fft-core.ts'
import { packRows, spectrumOrder, unpackRows } from './fft-real.ts'

describe('fft-real', () => {
  for (const L of [32, 48, 64, 96]) {
    it(`splits two real rows packed in one complex transform into their own spectra (L = ${L})`, () => {
      const random = new SeededRandom(L)
      const rows = [Float64Array.from({ length: L }, () => random.normal()), Float64Array.from({ length: L }, () => random.normal())]
      const order = spectrumOrder(L)
      const tables = fftTables(L)
      expect(order.width).toBe(L / 2 + 1)
      expect(new Set(order.half).size).toBe(L / 2 + 1)
      // packed: row 0 real, row 1 imaginary
      const re = Float64Array.from(rows[0]!)
      const im = Float64Array.from(rows[1]!)
      forward(re, im, tables, 0, 1, 1)
      const cRe = new Float64Array(2 * order.width)
      const cIm = new Float64Array(2 * order.width)
      unpackRows(re, im, cRe, cIm, order, 0, 1)
      // each row's own transform, at the compact columns' positions
      for (const [r, row] of rows.entries()) {
        const ownRe = Float64Array.from(row)
        const ownIm = new Float64Array(L)
        forward(ownRe, ownIm, tables, 0, 1, 1)
        for (let j = 0; j < order.width; j++) {
          expect(cRe[r * order.width + j]).toBeCloseTo(ownRe[order.half[j]!]!, 10)
          expect(cIm[r * order.width + j]).toBeCloseTo(ownIm[order.half[j]!]!, 10)
        }
      }
      // and back: pack, inverse, divide by L gives the two rows again
      const backRe = new Float64Array(L)
      const backIm = new Float64Array(L)
      packRows(cRe, cIm, backRe, backIm, order, 0, 1)
      inverse(backRe, backIm, tables, 0, 1, 1)
      for (let t = 0; t < L; t++) {
        expect(backRe[t]! / L).toBeCloseTo(rows[0]![t]!, 12)
        expect(backIm[t]! / L).toBeCloseTo(rows[1]![t]!, 12)
      }
    })
  }
})
