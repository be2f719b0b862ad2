/**
 * @module Reading whole `.npy` files into typed arrays: features as row-major float32 [n, d], labels as
 * integer values. Headers and shapes are checked by the same code the edge runs at upload.
 */
import { parseNpyHeader, verifyUpload, type NpyHeader, type UploadKind } from '@constellate/shared'
import { InputError, asInputErrors } from './errors.ts'
import { float32Scale, maxFiniteAbs } from './magnitude.ts'

/**
 * A feature matrix: `points` is row-major, length n*d. It may be a view into the bytes it was read from
 * (see readNpyFeatures), so mind `points.byteOffset` when handing `points.buffer` to anything.
 */
export interface FeatureMatrix {
  points: Float32Array
  n: number
  d: number
  /**
   * The power of two the file's values were multiplied by to fit float32 (1: stored as read). Only
   * float64 files beyond float32's range are scaled here (float32Scale); combineFeatureScales
   * brings several files to one factor.
   */
  scale: number
}

/**
 * Reads a 2-D `.npy` (float16/32/64, int8..64, uint8..64 or bool; either byte order; C or Fortran
 * order) as row-major float32. Little-endian C-order float32, the common case, costs nothing: `points`
 * is then a view into `bytes` (numpy pads headers so the data is aligned), else the data is converted
 * with typed-array copies (one memcpy-like pass per step, no per-element objects).
 * @throws InputError (npy_* codes, content_mismatch, too_many_points/dims, empty_file)
 */
export function readNpyFeatures(bytes: Uint8Array, filename = 'features.npy'): FeatureMatrix {
  const header = checkedHeader(bytes, 'features', filename)
  const [n, d] = header.shape as [number, number]
  const start = bytes.byteOffset + header.dataOffset
  if (header.littleEndian && header.kind === 'f' && header.itemSize === 4 && !header.fortranOrder && start % 4 === 0) {
    return { points: new Float32Array(bytes.buffer, start, n * d), n, d, scale: 1 }
  }
  const points = new Float32Array(n * d)
  if (!header.fortranOrder) {
    const scale = decodeInto(points, bytes, header)
    return { points, n, d, scale }
  }
  // Fortran order stores column after column; decode, then transpose to rows.
  const columns = new Float32Array(n * d)
  const scale = decodeInto(columns, bytes, header)
  transpose(columns, d, n, points)
  return { points, n, d, scale }
}

/** Integer labels from a `.npy`: values exact as float64 (|v| < 2^53), `bool` when the dtype was bool. */
export interface NpyLabelValues {
  values: Float64Array
  bool: boolean
}

/**
 * Reads a 1-D (or [N, 1]) integer or bool `.npy` of labels.
 * @throws InputError (npy_* codes, labels_not_integer, labels_out_of_range, ...)
 */
export function readNpyLabelValues(bytes: Uint8Array, filename = 'labels.npy'): NpyLabelValues {
  const header = checkedHeader(bytes, 'labels', filename)
  const values = new Float64Array(header.shape[0]!)
  decodeInto(values, bytes, header)
  if (header.itemSize === 8) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isSafeInteger(values[i]!)) {
        throw new InputError('labels_out_of_range', `Label ${i} (0-based) is about ${values[i]}, beyond the integers a label can be (magnitude below 2^53). Renumber the classes, e.g. numpy.unique(labels, return_inverse=True)[1].`)
      }
    }
  }
  return { values, bool: header.kind === 'b' }
}

function checkedHeader(bytes: Uint8Array, kind: UploadKind, filename: string): NpyHeader {
  return asInputErrors(() => {
    verifyUpload({ kind, filename, declaredSize: bytes.length, actualSize: bytes.length, head: bytes, complete: true })
    return parseNpyHeader(bytes)
  })
}

/**
 * Converts the array's elements, in storage order, into `out` (which has one slot per element). Float64
 * values going into float32 are first scaled by a power of two when they lie beyond float32's range
 * (float32Scale), so that no finite value becomes Infinity; returns that factor (1 otherwise).
 */
function decodeInto(out: Float32Array | Float64Array, bytes: Uint8Array, header: NpyHeader): number {
  const { kind, itemSize, littleEndian, dataOffset, dataBytes } = header
  const count = out.length
  let data = bytes.subarray(dataOffset, dataOffset + dataBytes)
  if (out instanceof Float32Array && kind === 'f' && itemSize === 4 && littleEndian) {
    new Uint8Array(out.buffer, out.byteOffset, dataBytes).set(data)
    return 1
  }
  if (!littleEndian && itemSize > 1) data = byteSwapped(data, itemSize)
  else if (data.byteOffset % itemSize !== 0) data = data.slice()
  const { buffer, byteOffset } = data
  switch (`${kind}${itemSize}`) {
    case 'f2': {
      const halves = new Uint16Array(buffer, byteOffset, count)
      const table = halfTable()
      for (let i = 0; i < count; i++) out[i] = table[halves[i]!]!
      return 1
    }
    case 'f4': out.set(new Float32Array(buffer, byteOffset, count)); return 1
    case 'f8': {
      const values = new Float64Array(buffer, byteOffset, count)
      const scale = out instanceof Float32Array ? float32Scale(maxFiniteAbs(values)) : 1
      if (scale === 1) out.set(values)
      else for (let i = 0; i < count; i++) out[i] = values[i]! * scale
      return scale
    }
    case 'i1': out.set(new Int8Array(buffer, byteOffset, count)); return 1
    case 'i2': out.set(new Int16Array(buffer, byteOffset, count)); return 1
    case 'i4': out.set(new Int32Array(buffer, byteOffset, count)); return 1
    case 'u1': out.set(new Uint8Array(buffer, byteOffset, count)); return 1
    case 'b1': {
      // numpy reads any non-zero byte as True (1), as np.load(...).astype(int) shows.
      const flags = new Uint8Array(buffer, byteOffset, count)
      for (let i = 0; i < count; i++) out[i] = flags[i] === 0 ? 0 : 1
      return 1
    }
    case 'u2': out.set(new Uint16Array(buffer, byteOffset, count)); return 1
    case 'u4': out.set(new Uint32Array(buffer, byteOffset, count)); return 1
    case 'i8':
    case 'u8': {
      // Little-endian 64-bit: low word then high word; exact while |value| < 2^53.
      const low = new Uint32Array(buffer, byteOffset, count * 2)
      const high = kind === 'i' ? new Int32Array(buffer, byteOffset, count * 2) : low
      for (let i = 0; i < count; i++) out[i] = high[2 * i + 1]! * 4294967296 + low[2 * i]!
      return 1
    }
    default:
      throw new InputError('npy_unsupported_dtype', `The .npy dtype "${header.descr}" is not supported. Use float16/32/64 or an integer dtype.`)
  }
}

/** A copy of `data` with each `itemSize`-byte element's bytes reversed (big- to little-endian). */
function byteSwapped(data: Uint8Array, itemSize: number): Uint8Array {
  const out = new Uint8Array(data.length)
  for (let i = 0; i < data.length; i += itemSize) {
    for (let k = 0; k < itemSize; k++) out[i + k] = data[i + itemSize - 1 - k]!
  }
  return out
}

/** Writes the transpose of `source` ([rows, cols] row-major) into `target` ([cols, rows] row-major). */
function transpose(source: Float32Array, rows: number, cols: number, target: Float32Array): void {
  const block = 64
  for (let r0 = 0; r0 < rows; r0 += block) {
    const r1 = Math.min(rows, r0 + block)
    for (let c0 = 0; c0 < cols; c0 += block) {
      const c1 = Math.min(cols, c0 + block)
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) target[c * rows + r] = source[r * cols + c]!
      }
    }
  }
}

let halves: Float32Array | null = null

/** float16 bit pattern -> value, for all 65536 patterns (built once). */
function halfTable(): Float32Array {
  if (halves) return halves
  halves = new Float32Array(65536)
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1
    const exponent = (bits >> 10) & 0x1f
    const fraction = bits & 0x3ff
    halves[bits] = exponent === 0
      ? sign * fraction * 2 ** -24
      : exponent === 31
        ? (fraction ? NaN : sign * Infinity)
        : sign * (1 + fraction / 1024) * 2 ** (exponent - 15)
  }
  return halves
}
