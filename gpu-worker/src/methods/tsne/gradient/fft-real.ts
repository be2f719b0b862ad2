/**
 * @module methods/tsne/gradient/fft-real — a real L x L grid convolved for half the work of a complex one:
 * rows 2r and 2r+1 travel as the real and imaginary parts of one complex row, whose transform splits
 * into the two rows' spectra (each Hermitian: X[L-f] = conj(X[f])); only the L/2 + 1 frequencies
 * f <= L/2 of each row go on to the column transforms, in a compact grid L rows x (L/2 + 1) columns;
 * on the way back the pairs are packed again and one complex inverse gives both real rows. Works on
 * fft-core's scrambled (bit-reversed) order throughout: the frequency of each position is read off the
 * transform of an impulse, so no reordering pass is needed.
 */
import { forward, fftTables } from './fft-core.ts'

export interface SpectrumOrder {
  size: number
  /** Compact width L/2 + 1. */
  width: number
  /** Position (in a forward transform's output) of the frequency L - f(q), for every position q. */
  mirror: Int32Array
  /** Positions q with f(q) <= L/2, ascending: compact column j holds position half[j]. */
  half: Int32Array
  /** Compact column of position q, or -1 when f(q) > L/2 (read its mirror, conjugated). */
  compact: Int32Array
}

const orders = new Map<number, SpectrumOrder>()

/** Where each frequency lands in fft-core's forward output for size L, and the compact columns. */
export function spectrumOrder(size: number): SpectrumOrder {
  let order = orders.get(size)
  if (order) return order
  // the transform of an impulse at 1 is e^(-2 pi i f / L): its phase names the frequency at each position
  const re = new Float64Array(size)
  const im = new Float64Array(size)
  re[1 % size] = 1
  forward(re, im, fftTables(size), 0, 1, 1)
  const frequency = new Int32Array(size)
  const position = new Int32Array(size)
  for (let q = 0; q < size; q++) {
    const f = (((Math.round((-Math.atan2(im[q]!, re[q]!) * size) / (2 * Math.PI)) % size) + size) % size) | 0
    frequency[q] = f
    position[f] = q
  }
  const width = size / 2 + 1
  const mirror = new Int32Array(size)
  const compact = new Int32Array(size).fill(-1)
  const half = new Int32Array(width)
  let j = 0
  for (let q = 0; q < size; q++) {
    const f = frequency[q]!
    mirror[q] = position[(size - f) % size]!
    if (f <= size / 2) {
      half[j] = q
      compact[q] = j++
    }
  }
  order = { size, width, mirror, half, compact }
  orders.set(size, order)
  return order
}

/**
 * Packed rows [row0, row1) of (re, im), each already forward-transformed along the row, split into the
 * spectra of their two real rows: compact rows 2r and 2r + 1 of (cRe, cIm), `width` columns each.
 */
export function unpackRows(re: Float64Array, im: Float64Array, cRe: Float64Array, cIm: Float64Array, order: SpectrumOrder, row0: number, row1: number): void {
  const { size: L, width: W, half, mirror } = order
  for (let r = row0; r < row1; r++) {
    const row = r * L
    const even = 2 * r * W
    const odd = even + W
    for (let j = 0; j < W; j++) {
      const q = half[j]!
      const m = mirror[q]!
      const zr = re[row + q]!
      const zi = im[row + q]!
      const mr = re[row + m]!
      const mi = im[row + m]!
      // X_even = (Z[f] + conj Z[L-f]) / 2, X_odd = (Z[f] - conj Z[L-f]) / 2i
      cRe[even + j] = 0.5 * (zr + mr)
      cIm[even + j] = 0.5 * (zi - mi)
      cRe[odd + j] = 0.5 * (zi + mi)
      cIm[odd + j] = -0.5 * (zr - mr)
    }
  }
}

/** The inverse of unpackRows: compact rows 2r, 2r + 1 into packed row r of (re, im), all L positions, for r in [row0, row1). */
export function packRows(cRe: Float64Array, cIm: Float64Array, re: Float64Array, im: Float64Array, order: SpectrumOrder, row0: number, row1: number): void {
  const { size: L, width: W, compact, mirror } = order
  for (let r = row0; r < row1; r++) {
    const row = r * L
    const even = 2 * r * W
    const odd = even + W
    for (let q = 0; q < L; q++) {
      let j = compact[q]!
      let sign = 1
      if (j < 0) {
        // f > L/2: the conjugate of the stored L - f
        j = compact[mirror[q]!]!
        sign = -1
      }
      const er = cRe[even + j]!
      const ei = sign * cIm[even + j]!
      const or = cRe[odd + j]!
      const oi = sign * cIm[odd + j]!
      // Z = X_even + i X_odd
      re[row + q] = er - oi
      im[row + q] = ei + or
    }
  }
}
