/**
 * @module A `.npy` tensor batch [N, ...] as model input: any numeric dtype and byte order read as
 * row-major float32, served to inference as a SampleSource.
 */
import { LIMITS, NpyFormatError, hasNpyMagic, npyShapeText, parseNpyHeader } from '@constellate/shared'
import { ModelError } from './errors.ts'
import type { SampleSource } from './run.ts'

export interface NpySamples extends SampleSource {
  /** Row-major, length n * product(sampleShape). */
  data: Float32Array
}

/**
 * Reads an `.npy` whose first dimension counts the inputs. Fortran order is transposed to C order.
 * @throws ModelError too_few_inputs / too_many_inputs / model_input_unsupported for bad files
 */
export function readNpySamples(bytes: Uint8Array, filename = 'inputs.npy'): NpySamples {
  if (!hasNpyMagic(bytes)) throw new ModelError('model_input_unsupported', `"${filename}" is not a .npy file. Save the input batch with numpy.save(path, x).`)
  let header
  try {
    header = parseNpyHeader(bytes)
  } catch (err) {
    if (err instanceof NpyFormatError) throw new ModelError('model_input_unsupported', err.message)
    throw err
  }
  const shape = header.shape
  if (shape.length < 1) throw new ModelError('model_input_unsupported', `"${filename}" holds a single number; the inputs must be a batch [N, ...].`)
  const n = shape[0]!
  if (n < LIMITS.minPoints) throw new ModelError('too_few_inputs', `"${filename}" has shape ${npyShapeText(shape)}: ${n} inputs; a map needs at least ${LIMITS.minPoints}.`)
  if (n > LIMITS.maxModelInputs) throw new ModelError('too_many_inputs', `"${filename}" has ${n} inputs; a model job runs at most ${LIMITS.maxModelInputs}. Subsample them first.`)
  const sampleShape = shape.slice(1)
  const count = shape.reduce((a, b) => a * b, 1)
  if (bytes.length - header.dataOffset < header.dataBytes) throw new ModelError('model_input_unsupported', `"${filename}" is shorter than its header declares; save it again.`)
  const data = decode(bytes, header, count)
  const c = header.fortranOrder ? toCOrder(data, shape) : data
  const sampleSize = count / n
  return {
    n,
    sampleShape,
    data: c,
    describe: `the inputs in "${filename}"`,
    fill(start, rows, out) {
      out.set(c.subarray(start * sampleSize, (start + rows) * sampleSize), 0)
    },
  }
}

function decode(bytes: Uint8Array, header: ReturnType<typeof parseNpyHeader>, count: number): Float32Array {
  const start = bytes.byteOffset + header.dataOffset
  const { kind, itemSize, littleEndian } = header
  if (kind === 'f' && itemSize === 4 && littleEndian && start % 4 === 0) return new Float32Array(bytes.buffer, start, count)
  const view = new DataView(bytes.buffer, start, count * itemSize)
  const out = new Float32Array(count)
  const le = littleEndian
  for (let k = 0; k < count; k++) {
    const at = k * itemSize
    let v: number
    if (kind === 'f') v = itemSize === 8 ? view.getFloat64(at, le) : itemSize === 4 ? view.getFloat32(at, le) : half(view.getUint16(at, le))
    else if (kind === 'b') v = view.getUint8(at) ? 1 : 0
    else if (itemSize === 1) v = kind === 'i' ? view.getInt8(at) : view.getUint8(at)
    else if (itemSize === 2) v = kind === 'i' ? view.getInt16(at, le) : view.getUint16(at, le)
    else if (itemSize === 4) v = kind === 'i' ? view.getInt32(at, le) : view.getUint32(at, le)
    else v = Number(kind === 'i' ? view.getBigInt64(at, le) : view.getBigUint64(at, le))
    out[k] = v
  }
  return out
}

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >> 10) & 0x1f
  const fraction = bits & 0x3ff
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024)
  if (exponent === 31) return fraction ? Number.NaN : sign * Infinity
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024)
}

/** Fortran (column-major) data of `shape` to C (row-major) order. */
function toCOrder(data: Float32Array, shape: number[]): Float32Array {
  const out = new Float32Array(data.length)
  const rank = shape.length
  const index = new Array<number>(rank).fill(0)
  const fStrides = new Array<number>(rank)
  let s = 1
  for (let k = 0; k < rank; k++) {
    fStrides[k] = s
    s *= shape[k]!
  }
  for (let c = 0; c < data.length; c++) {
    let f = 0
    for (let k = 0; k < rank; k++) f += index[k]! * fStrides[k]!
    out[c] = data[f]!
    for (let k = rank - 1; k >= 0; k--) {
      if (++index[k]! < shape[k]!) break
      index[k] = 0
    }
  }
  return out
}
