/**
 * @module methods/tsne/gradient/fft-core — complex FFTs of size L = 2^a or 3 * 2^a on split (re, im)
 * float64 grids, for convolutions (the factor 3 gives grid sizes between the powers of two): the forward transform is radix-4 decimation in frequency (natural order
 * in, bit-reversed out) and the inverse radix-4 decimation in time (bit-reversed in, natural out),
 * so no bit-reversal pass is ever run and a pointwise product in between needs the kernel's
 * transform in the same bit-reversed order (which `forward` gives it). Radix-4 fuses two radix-2
 * stages: half the memory passes and a quarter fewer multiplies; one radix-2 stage runs when log2 L
 * is odd. Row transforms run on contiguous rows; column transforms run the same butterflies across
 * a slab of columns so the inner loop streams contiguous memory. A size 3 * 2^a starts the forward
 * transform with one radix-3 decimation-in-frequency stage over the whole vector (then transforms
 * its three thirds) and ends the inverse with the matching decimation-in-time stage; the output
 * order is then "third m, bit-reversed k" for frequency 3k + m, again only ever undone by `inverse`.
 * Unnormalised in both directions.
 */

export interface FftTables {
  size: number
  /** Quarter spans of the radix-4 stages, largest first (decimation in frequency order). */
  quarters: number[]
  /** Per quarter span h: [w^k, w^2k, w^3k] as (cos, sin) pairs for k < h, w = e^(-2 pi i / 4h). */
  twiddles: Map<number, Float64Array>
  /** Whether a radix-2 stage of span 2 completes the transform (log2 L odd). */
  radix2: boolean
  /** For L = 3 * 2^a: [W^j, W^2j] as (cos, sin) pairs for j < L/3 (W = e^(-2 pi i / L)), and the tables of L/3. */
  radix3?: { twiddles: Float64Array; third: FftTables }
}

/** Whether `size` is a supported transform size (2^a or 3 * 2^a). */
export function isFftSize(size: number): boolean {
  const odd = size % 3 === 0 ? size / 3 : size
  return Number.isInteger(odd) && odd >= 1 && 2 ** Math.round(Math.log2(odd)) === odd
}

/** Supported sizes in [min, max], ascending: powers of two and three times powers of two. */
export function fftSizes(min: number, max: number): number[] {
  const sizes: number[] = []
  for (let power = 1; power <= max; power *= 2) {
    if (power >= min) sizes.push(power)
    if (3 * power >= min && 3 * power <= max) sizes.push(3 * power)
  }
  return sizes.sort((a, b) => a - b)
}

const tableCache = new Map<number, FftTables>()

/** Twiddles for a power-of-two size. */
export function fftTables(size: number): FftTables {
  let tables = tableCache.get(size)
  if (!tables && size % 3 === 0 && isFftSize(size)) {
    const third = size / 3
    const twiddles = new Float64Array(4 * third)
    for (let j = 0; j < third; j++) {
      for (let m = 1; m <= 2; m++) {
        const angle = (-2 * Math.PI * m * j) / size
        twiddles[4 * j + 2 * (m - 1)] = Math.cos(angle)
        twiddles[4 * j + 2 * (m - 1) + 1] = Math.sin(angle)
      }
    }
    tables = { size, quarters: [], twiddles: new Map(), radix2: false, radix3: { twiddles, third: fftTables(third) } }
    tableCache.set(size, tables)
  }
  if (!tables) {
    const bits = Math.round(Math.log2(size))
    if (2 ** bits !== size) throw new Error(`FFT size must be a power of two or three times one; got ${size}`)
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
  if (tables.radix3) {
    radix3Forward(re, im, tables.size / 3, tables.radix3.twiddles, offset, stride, count)
    const third = tables.radix3.third
    for (let m = 0; m < 3; m++) forward(re, im, third, offset + m * third.size * stride, stride, count)
    return
  }
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
  if (tables.radix3) {
    const third = tables.radix3.third
    for (let m = 0; m < 3; m++) inverse(re, im, third, offset + m * third.size * stride, stride, count)
    radix3Inverse(re, im, tables.size / 3, tables.radix3.twiddles, offset, stride, count)
    return
  }
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

const HALF_SQRT3 = Math.sqrt(3) / 2

/** Radix-3 decimation in frequency: x_m = a[j + mM] -> third m at j holds (sum_r x_r w3^(mr)) W^(mj). */
function radix3Forward(re: Float64Array, im: Float64Array, M: number, twiddles: Float64Array, offset: number, stride: number, count: number): void {
  for (let j = 0; j < M; j++) {
    const w1r = twiddles[4 * j]!
    const w1i = twiddles[4 * j + 1]!
    const w2r = twiddles[4 * j + 2]!
    const w2i = twiddles[4 * j + 3]!
    const i0 = offset + j * stride
    const i1 = i0 + M * stride
    const i2 = i1 + M * stride
    for (let v = 0; v < count; v++) {
      const ar = re[i0 + v]!
      const ai = im[i0 + v]!
      const br = re[i1 + v]!
      const bi = im[i1 + v]!
      const cr = re[i2 + v]!
      const ci = im[i2 + v]!
      const sr = br + cr
      const si = bi + ci
      const dr = (br - cr) * HALF_SQRT3
      const di = (bi - ci) * HALF_SQRT3
      const tr = ar - 0.5 * sr
      const ti = ai - 0.5 * si
      re[i0 + v] = ar + sr
      im[i0 + v] = ai + si
      // y1 = t - i c d, y2 = t + i c d, then the twiddles
      let xr = tr + di
      let xi = ti - dr
      re[i1 + v] = xr * w1r - xi * w1i
      im[i1 + v] = xr * w1i + xi * w1r
      xr = tr - di
      xi = ti + dr
      re[i2 + v] = xr * w2r - xi * w2i
      im[i2 + v] = xr * w2i + xi * w2r
    }
  }
}

/** Radix-3 decimation in time, undoing radix3Forward (conjugate twiddles, unnormalised). */
function radix3Inverse(re: Float64Array, im: Float64Array, M: number, twiddles: Float64Array, offset: number, stride: number, count: number): void {
  for (let j = 0; j < M; j++) {
    const w1r = twiddles[4 * j]!
    const w1i = -twiddles[4 * j + 1]!
    const w2r = twiddles[4 * j + 2]!
    const w2i = -twiddles[4 * j + 3]!
    const i0 = offset + j * stride
    const i1 = i0 + M * stride
    const i2 = i1 + M * stride
    for (let v = 0; v < count; v++) {
      const ar = re[i0 + v]!
      const ai = im[i0 + v]!
      let xr = re[i1 + v]!
      let xi = im[i1 + v]!
      const br = xr * w1r - xi * w1i
      const bi = xr * w1i + xi * w1r
      xr = re[i2 + v]!
      xi = im[i2 + v]!
      const cr = xr * w2r - xi * w2i
      const ci = xr * w2i + xi * w2r
      const sr = br + cr
      const si = bi + ci
      const dr = (br - cr) * HALF_SQRT3
      const di = (bi - ci) * HALF_SQRT3
      const tr = ar - 0.5 * sr
      const ti = ai - 0.5 * si
      re[i0 + v] = ar + sr
      im[i0 + v] = ai + si
      // x[j + M] = t + i c d, x[j + 2M] = t - i c d
      re[i1 + v] = tr - di
      im[i1 + v] = ti + dr
      re[i2 + v] = tr + di
      im[i2 + v] = ti - dr
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
