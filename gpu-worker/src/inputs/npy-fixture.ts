/** @module Test helper: builds `.npy` bytes for any supported dtype, byte order and memory order. */
import { NPY_MAGIC } from '@constellate/shared'

export interface NpyFixtureOptions {
  fortranOrder?: boolean
  /** .npy format version (1 uses a 2-byte header length, 2 and 3 a 4-byte one). */
  version?: 1 | 2 | 3
  /** Replace the header dict text entirely. */
  headerText?: string
  /** Bytes appended after the data (or a negative number: bytes cut from its end). */
  extraBytes?: number
}

/**
 * An `.npy` file holding `values` (given in C order, row-major) with dtype `descr` (e.g. "<f4", ">i8",
 * "|b1") and `shape`, laid out in Fortran order when asked, as numpy.save writes it.
 */
export function npyFile(descr: string, shape: number[], values: ArrayLike<number | bigint>, options: NpyFixtureOptions = {}): Uint8Array {
  const { fortranOrder = false, version = 1, extraBytes = 0 } = options
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
  let header = options.headerText ?? `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`
  const preamble = version === 1 ? 10 : 12
  header += ' '.repeat((64 - ((preamble + header.length + 1) % 64)) % 64) + '\n'
  const data = encodeElements(descr, fortranOrder ? toFortran(values, shape) : Array.from(values))
  const dataLength = data.length + extraBytes
  const out = new Uint8Array(preamble + header.length + Math.max(0, dataLength))
  out.set(NPY_MAGIC)
  out[6] = version
  const view = new DataView(out.buffer)
  if (version === 1) view.setUint16(8, header.length, true)
  else view.setUint32(8, header.length, true)
  for (let i = 0; i < header.length; i++) out[preamble + i] = header.charCodeAt(i)
  out.set(data.subarray(0, Math.min(data.length, Math.max(0, dataLength))), preamble + header.length)
  return out
}

function toFortran(values: ArrayLike<number | bigint>, shape: number[]): (number | bigint)[] {
  if (shape.length !== 2) return Array.from(values)
  const [rows, cols] = shape as [number, number]
  const out: (number | bigint)[] = []
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) out.push(values[r * cols + c]!)
  return out
}

/** Element bytes for a dtype descr; float16 values must be exactly representable. */
export function encodeElements(descr: string, values: (number | bigint)[]): Uint8Array {
  const little = descr[0] !== '>'
  const kind = descr[1]!
  const size = Number(descr.slice(2))
  const out = new Uint8Array(values.length * size)
  const view = new DataView(out.buffer)
  values.forEach((value, i) => {
    const at = i * size
    const v = Number(value)
    switch (`${kind}${size}`) {
      case 'f2': return view.setUint16(at, toHalf(v), little)
      case 'f4': return view.setFloat32(at, v, little)
      case 'f8': return view.setFloat64(at, v, little)
      case 'i1': return view.setInt8(at, v)
      case 'u1':
      case 'b1': return view.setUint8(at, v)
      case 'i2': return view.setInt16(at, v, little)
      case 'u2': return view.setUint16(at, v, little)
      case 'i4': return view.setInt32(at, v, little)
      case 'u4': return view.setUint32(at, v, little)
      case 'i8': return view.setBigInt64(at, BigInt(value), little)
      case 'u8': return view.setBigUint64(at, BigInt(value), little)
      default: throw new Error(`npyFile: no encoder for ${descr}`)
    }
  })
  return out
}

function toHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0
  const a = Math.abs(value)
  if (a === Infinity) return sign | 0x7c00
  if (a === 0) return sign
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24)
  const exponent = Math.floor(Math.log2(a))
  const fraction = Math.round((a / 2 ** exponent - 1) * 1024)
  return sign | ((exponent + 15) << 10) | fraction
}
