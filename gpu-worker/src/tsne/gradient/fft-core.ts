/**
 * @module tsne/gradient/fft-core — in-place radix-2 complex FFTs on split (re, im) float64 grids
 * of L x L, row-major: row transforms on contiguous rows and column transforms batched across a
 * slab of columns so the inner loop stays contiguous. Unnormalised in both directions.
 */

export interface FftTables {
  size: number
  cos: Float64Array
  sin: Float64Array
  reversed: Int32Array
}

const tableCache = new Map<number, FftTables>()

/** Twiddles and bit reversal for a power-of-two size. */
export function fftTables(size: number): FftTables {
  let tables = tableCache.get(size)
  if (!tables) {
    const cos = new Float64Array(size / 2)
    const sin = new Float64Array(size / 2)
    for (let k = 0; k < size / 2; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / size)
      sin[k] = Math.sin((2 * Math.PI * k) / size)
    }
    const bits = Math.log2(size)
    const reversed = new Int32Array(size)
    for (let i = 0; i < size; i++) {
      let r = 0
      for (let b = 0; b < bits; b++) if (i & (1 << b)) r |= 1 << (bits - 1 - b)
      reversed[i] = r
    }
    tables = { size, cos, sin, reversed }
    tableCache.set(size, tables)
  }
  return tables
}

/** Transforms rows [row0, row1) of an L x L grid; sign -1 forward, +1 inverse. */
export function fftRows(re: Float64Array, im: Float64Array, tables: FftTables, row0: number, row1: number, sign: number): void {
  const L = tables.size
  const { cos, sin, reversed } = tables
  for (let row = row0; row < row1; row++) {
    const o = row * L
    for (let i = 0; i < L; i++) {
      const r = reversed[i]!
      if (r > i) {
        let t = re[o + i]!
        re[o + i] = re[o + r]!
        re[o + r] = t
        t = im[o + i]!
        im[o + i] = im[o + r]!
        im[o + r] = t
      }
    }
    for (let half = 1; half < L; half <<= 1) {
      const step = L / (2 * half)
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!
        const wi = sign * sin[k * step]!
        for (let a = o + k; a < o + L; a += 2 * half) {
          const b = a + half
          const xr = re[b]! * wr - im[b]! * wi
          const xi = re[b]! * wi + im[b]! * wr
          re[b] = re[a]! - xr
          im[b] = im[a]! - xi
          re[a] = re[a]! + xr
          im[a] = im[a]! + xi
        }
      }
    }
  }
}

/** Transforms columns [col0, col1) of an L x L grid (all rows); sign -1 forward, +1 inverse. */
export function fftColumns(re: Float64Array, im: Float64Array, tables: FftTables, col0: number, col1: number, sign: number): void {
  const L = tables.size
  const { cos, sin, reversed } = tables
  for (let i = 0; i < L; i++) {
    const r = reversed[i]!
    if (r > i) {
      const a = i * L
      const b = r * L
      for (let c = col0; c < col1; c++) {
        let t = re[a + c]!
        re[a + c] = re[b + c]!
        re[b + c] = t
        t = im[a + c]!
        im[a + c] = im[b + c]!
        im[b + c] = t
      }
    }
  }
  for (let half = 1; half < L; half <<= 1) {
    const step = L / (2 * half)
    for (let k = 0; k < half; k++) {
      const wr = cos[k * step]!
      const wi = sign * sin[k * step]!
      for (let rowA = k; rowA < L; rowA += 2 * half) {
        const a = rowA * L
        const b = (rowA + half) * L
        for (let c = col0; c < col1; c++) {
          const br = re[b + c]!
          const bi = im[b + c]!
          const xr = br * wr - bi * wi
          const xi = br * wi + bi * wr
          const ar = re[a + c]!
          const ai = im[a + c]!
          re[b + c] = ar - xr
          im[b + c] = ai - xi
          re[a + c] = ar + xr
          im[a + c] = ai + xi
        }
      }
    }
  }
}
