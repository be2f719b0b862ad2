/**
 * @module tsne/gradient/fft-core — complex FFTs of power-of-two size L on split (re, im) float64
 * grids, for convolutions: the forward transform is radix-4 decimation in frequency (natural order
 * in, bit-reversed out) and the inverse radix-4 decimation in time (bit-reversed in, natural out),
 * so no bit-reversal pass is ever run and a pointwise product in between needs the kernel's
 * transform in the same bit-reversed order (which `forward` gives it). Radix-4 fuses two radix-2
 * stages: half the memory passes and a quarter fewer multiplies; one radix-2 stage runs when log2 L
 * is odd. Row transforms run on contiguous rows; column transforms run the same butterflies across
 * a slab of columns so the inner loop streams contiguous memory. Unnormalised in both directions.
 */

export interface FftTables {
  size: number
  /** Quarter spans of the radix-4 stages, largest first (decimation in frequency order). */
  quarters: number[]
  /** Per quarter span h: [w^k, w^2k, w^3k] as (cos, sin) pairs for k < h, w = e^(-2 pi i / 4h). */
  twiddles: Map<number, Float64Array>
  /** Whether a radix-2 stage of span 2 completes the transform (log2 L odd). */
  radix2: boolean
}

const tableCache = new Map<number, FftTables>()

/** Twiddles for a power-of-two size. */
export function fftTables(size: number): FftTables {
  let tables = tableCache.get(size)
  if (!tables) {
    const bits = Math.round(Math.log2(size))
    if (2 ** bits !== size) throw new Error(`FFT size must be a power of two; got ${size}`)
    const radix2 = bits % 2 === 1
    const quarters: number[] = []
    const twiddles = new Map<number, Float64Array>()
    for (let h = size / 4; h >= 1; h /= 4) {
      if (radix2 && h < 2) break
      quarters.push(h)
      const table = new Float64Array(6 * h)
      for (let k = 0; k < h; k++) {
        for (let m = 1; m <= 3; m++) {
          const angle = (-2 * Math.PI * m * k) / (4 * h)
          table[6 * k + 2 * (m - 1)] = Math.cos(angle)
          table[6 * k + 2 * (m - 1) + 1] = Math.sin(angle)
        }
      }
      twiddles.set(h, table)
    }
    tables = { size, quarters, twiddles, radix2 }
    tableCache.set(size, tables)
  }
  return tables
}

/**
 * Forward transform (e^-2pi i jk/L) of `count` interleaved vectors re/im[offset + j*stride + v],
 * j < L, v < count; output in bit-reversed order.
 */
export function forward(re: Float64Array, im: Float64Array, tables: FftTables, offset: number, stride: number, count: number): void {
  const L = tables.size
  for (const h of tables.quarters) {
    const w = tables.twiddles.get(h)!
    const span = 4 * h
    for (let k = 0; k < h; k++) {
      const w1r = w[6 * k]!
      const w1i = w[6 * k + 1]!
      const w2r = w[6 * k + 2]!
      const w2i = w[6 * k + 3]!
      const w3r = w[6 * k + 4]!
      const w3i = w[6 * k + 5]!
      for (let base = k; base < L; base += span) {
        const i0 = offset + base * stride
        const i1 = i0 + h * stride
        const i2 = i1 + h * stride
        const i3 = i2 + h * stride
        for (let v = 0; v < count; v++) {
          const ar = re[i0 + v]!
          const ai = im[i0 + v]!
          const br = re[i1 + v]!
          const bi = im[i1 + v]!
          const cr = re[i2 + v]!
          const ci = im[i2 + v]!
          const dr = re[i3 + v]!
          const di = im[i3 + v]!
          const sr = ar + cr
          const si = ai + ci
          const tr = ar - cr
          const ti = ai - ci
          const ur = br + dr
          const ui = bi + di
          // -i (b - d)
          const vr = bi - di
          const vi = dr - br
          re[i0 + v] = sr + ur
          im[i0 + v] = si + ui
          let xr = sr - ur
          let xi = si - ui
          re[i1 + v] = xr * w2r - xi * w2i
          im[i1 + v] = xr * w2i + xi * w2r
          xr = tr + vr
          xi = ti + vi
          re[i2 + v] = xr * w1r - xi * w1i
          im[i2 + v] = xr * w1i + xi * w1r
          xr = tr - vr
          xi = ti - vi
          re[i3 + v] = xr * w3r - xi * w3i
          im[i3 + v] = xr * w3i + xi * w3r
        }
      }
    }
  }
  if (tables.radix2) radix2Stage(re, im, L, offset, stride, count)
}

function radix2Stage(re: Float64Array, im: Float64Array, L: number, offset: number, stride: number, count: number): void {
  for (let j = 0; j < L; j += 2) {
    const a = offset + j * stride
    const b = a + stride
    for (let v = 0; v < count; v++) {
      const ar = re[a + v]!
      const ai = im[a + v]!
      const br = re[b + v]!
      const bi = im[b + v]!
      re[a + v] = ar + br
      im[a + v] = ai + bi
      re[b + v] = ar - br
      im[b + v] = ai - bi
    }
  }
}

/**
 * Inverse transform (e^+2pi i jk/L, unnormalised) of `count` interleaved vectors laid out as in
 * `forward`, from bit-reversed input to natural order.
 */
export function inverse(re: Float64Array, im: Float64Array, tables: FftTables, offset: number, stride: number, count: number): void {
  const L = tables.size
  if (tables.radix2) radix2Stage(re, im, L, offset, stride, count)
  for (let q = tables.quarters.length - 1; q >= 0; q--) {
    const h = tables.quarters[q]!
    const w = tables.twiddles.get(h)!
    const span = 4 * h
    for (let k = 0; k < h; k++) {
      // conjugate twiddles
      const w1r = w[6 * k]!
      const w1i = -w[6 * k + 1]!
      const w2r = w[6 * k + 2]!
      const w2i = -w[6 * k + 3]!
      const w3r = w[6 * k + 4]!
      const w3i = -w[6 * k + 5]!
      for (let base = k; base < L; base += span) {
        const i0 = offset + base * stride
        const i1 = i0 + h * stride
        const i2 = i1 + h * stride
        const i3 = i2 + h * stride
        for (let v = 0; v < count; v++) {
          const ar = re[i0 + v]!
          const ai = im[i0 + v]!
          let xr = re[i1 + v]!
          let xi = im[i1 + v]!
          const br = xr * w2r - xi * w2i
          const bi = xr * w2i + xi * w2r
          xr = re[i2 + v]!
          xi = im[i2 + v]!
          const cr = xr * w1r - xi * w1i
          const ci = xr * w1i + xi * w1r
          xr = re[i3 + v]!
          xi = im[i3 + v]!
          const dr = xr * w3r - xi * w3i
          const di = xr * w3i + xi * w3r
          const sr = ar + br
          const si = ai + bi
          const tr = ar - br
          const ti = ai - bi
          const ur = cr + dr
          const ui = ci + di
          // +i (c - d)
          const vr = di - ci
          const vi = cr - dr
          re[i0 + v] = sr + ur
          im[i0 + v] = si + ui
          re[i2 + v] = sr - ur
          im[i2 + v] = si - ui
          re[i1 + v] = tr + vr
          im[i1 + v] = ti + vi
          re[i3 + v] = tr - vr
          im[i3 + v] = ti - vi
        }
      }
    }
  }
}

/** Columns are transformed in slabs this wide: a slab of a 1024-row grid stays within L2. */
const SLAB = 16

/** Forward-transforms rows [row0, row1) of a grid with row length L (output bit-reversed). */
export function forwardRows(re: Float64Array, im: Float64Array, tables: FftTables, row0: number, row1: number): void {
  for (let row = row0; row < row1; row++) forward(re, im, tables, row * tables.size, 1, 1)
}

/** Forward-transforms columns [col0, col1) of an L x L grid (output rows bit-reversed). */
export function forwardColumns(re: Float64Array, im: Float64Array, tables: FftTables, col0: number, col1: number): void {
  for (let c = col0; c < col1; c += SLAB) forward(re, im, tables, c, tables.size, Math.min(SLAB, col1 - c))
}

/** Inverse-transforms rows [row0, row1) (bit-reversed input, natural output). */
export function inverseRows(re: Float64Array, im: Float64Array, tables: FftTables, row0: number, row1: number): void {
  for (let row = row0; row < row1; row++) inverse(re, im, tables, row * tables.size, 1, 1)
}

/** Inverse-transforms columns [col0, col1) of an L x L grid (bit-reversed rows in, natural out). */
export function inverseColumns(re: Float64Array, im: Float64Array, tables: FftTables, col0: number, col1: number): void {
  for (let c = col0; c < col1; c += SLAB) inverse(re, im, tables, c, tables.size, Math.min(SLAB, col1 - c))
}

/** Index of bit-reversed position j for size L (tests and reordering). */
export function bitReverse(j: number, size: number): number {
  const bits = Math.round(Math.log2(size))
  let r = 0
  for (let b = 0; b < bits; b++) if (j & (1 << b)) r |= 1 << (bits - 1 - b)
  return r
}
