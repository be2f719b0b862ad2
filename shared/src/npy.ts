/**
 * @module Reading and writing NumPy `.npy` files: the header parser used by the edge (to verify an upload
 * from its first bytes) and by the worker (to read the data), and a float32 writer for results.
 */
import { LIMITS } from './limits.ts'

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY

export class NpyFormatError extends Error {
  override name = 'NpyFormatError'
  constructor(
    /** Machine-readable reason, used as the API error code. */
    readonly code: 'npy_bad_magic' | 'npy_bad_header' | 'npy_object_dtype' | 'npy_unsupported_dtype' | 'npy_truncated' | 'npy_too_large_header',
    message: string,
  ) {
    super(message)
  }
}

export type NpyKind = 'f' | 'i' | 'u' | 'b'

export interface NpyHeader {
  /** numpy descr, e.g. "<f4". */
  descr: string
  kind: NpyKind
  /** Bytes per element. */
  itemSize: number
  littleEndian: boolean
  fortranOrder: boolean
  shape: number[]
  /** Byte offset where the data starts. */
  dataOffset: number
  /** Bytes of data the header declares (product of shape times itemSize). */
  dataBytes: number
}

const SUPPORTED: Record<string, number[]> = { f: [2, 4, 8], i: [1, 2, 4, 8], u: [1, 2, 4, 8], b: [1] }

/**
 * Bytes the edge must read to be sure the whole header is present: the 12-byte preamble of format
 * versions 2 and 3 (version 1 has 10) plus the largest header accepted.
 */
export const NPY_PREFIX_BYTES = 12 + LIMITS.maxNpyHeaderBytes

export function hasNpyMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && NPY_MAGIC.every((b, i) => bytes[i] === b)
}

/**
 * Parses the header of an `.npy` file from its first bytes (at least the whole header).
 * Throws NpyFormatError saying what is wrong and how to fix it.
 */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  if (!hasNpyMagic(bytes)) {
    throw new NpyFormatError('npy_bad_magic', 'The file does not start with the .npy magic bytes (\\x93NUMPY). Save the array with numpy.save(), or upload it as .csv.')
  }
  if (bytes.length < 10) throw new NpyFormatError('npy_truncated', 'The .npy file ends inside its header.')
  const major = bytes[6]!
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let headerLength: number
  let headerStart: number
  if (major === 1) {
    headerLength = view.getUint16(8, true)
    headerStart = 10
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyFormatError('npy_truncated', 'The .npy file ends inside its header.')
    headerLength = view.getUint32(8, true)
    headerStart = 12
  } else {
    throw new NpyFormatError('npy_bad_header', `.npy format version ${major} is not supported (1, 2 or 3 are). Save with numpy.save().`)
  }
  if (headerLength > LIMITS.maxNpyHeaderBytes) {
    throw new NpyFormatError('npy_too_large_header', `The .npy header is ${headerLength} bytes; at most ${LIMITS.maxNpyHeaderBytes} are accepted. Save a plain numeric array with numpy.save().`)
  }
  if (bytes.length < headerStart + headerLength) throw new NpyFormatError('npy_truncated', 'The .npy file ends inside its header.')
  const headerBytes = bytes.subarray(headerStart, headerStart + headerLength)
  // Versions 1 and 2 are latin-1; decode by hand because Workers' TextDecoder need not know latin-1.
  const text = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : String.fromCharCode(...headerBytes)
  const descrMatch = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(text)
  if (!descrMatch) {
    if (/['"]descr['"]\s*:\s*\[/.test(text)) {
      throw new NpyFormatError('npy_unsupported_dtype', 'Structured (record) arrays are not supported. Save a plain 2-D numeric array, e.g. numpy.save(path, features.astype("float32")).')
    }
    throw new NpyFormatError('npy_bad_header', 'The .npy header has no readable "descr" (dtype). Save the array with numpy.save().')
  }
  const descr = descrMatch[2]!
  const fortranMatch = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)
  if (!fortranMatch || !shapeMatch) throw new NpyFormatError('npy_bad_header', 'The .npy header is missing "fortran_order" or "shape". Save the array with numpy.save().')
  const dtype = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr)
  if (!dtype || dtype[2] === 'O') {
    if (descr.includes('O')) {
      throw new NpyFormatError('npy_object_dtype', `The .npy array has dtype "${descr}" (Python objects, stored with pickle), which is never loaded for safety. Convert it to numbers first, e.g. numpy.save(path, numpy.asarray(x, dtype="float32")).`)
    }
    throw new NpyFormatError('npy_unsupported_dtype', `The .npy dtype "${descr}" is not supported. Use float16/32/64 or an integer dtype.`)
  }
  const kind = dtype[2]! as NpyKind
  const itemSize = Number(dtype[3])
  if (!SUPPORTED[kind]?.includes(itemSize)) {
    throw new NpyFormatError('npy_unsupported_dtype', `The .npy dtype "${descr}" is not supported. Use float16/32/64 or an integer dtype.`)
  }
  const shape = shapeMatch[1]!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const value = Number(s.replace(/L$/, ''))
      if (!Number.isSafeInteger(value) || value < 0) throw new NpyFormatError('npy_bad_header', `The .npy shape has an invalid dimension "${s}".`)
      return value
    })
  const elements = shape.reduce((a, b) => a * b, 1)
  return {
    descr,
    kind,
    itemSize,
    littleEndian: dtype[1] !== '>' || itemSize === 1,
    fortranOrder: fortranMatch[1] === 'True',
    shape,
    dataOffset: headerStart + headerLength,
    dataBytes: elements * itemSize,
  }
}

/** Human name of a header's dtype, e.g. "float32". */
export function npyDtypeName(header: Pick<NpyHeader, 'kind' | 'itemSize'>): string {
  const base = { f: 'float', i: 'int', u: 'uint', b: 'bool' }[header.kind]
  return header.kind === 'b' ? 'bool' : `${base}${header.itemSize * 8}`
}

/** Writes a float32 C-order `.npy` file for a row-major array of the given shape. */
export function encodeNpyFloat32(data: Float32Array, shape: number[]): Uint8Array {
  return encodeNpy(data, '<f4', shape)
}

/** Writes an int32 C-order `.npy` file for a row-major array of the given shape. */
export function encodeNpyInt32(data: Int32Array, shape: number[]): Uint8Array {
  return encodeNpy(data, '<i4', shape)
}

function encodeNpy(data: Float32Array | Int32Array, descr: '<f4' | '<i4', shape: number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`
  // Pad so the data starts on a 64-byte boundary, as numpy does.
  const total = 10 + header.length + 1
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n'
  const out = new Uint8Array(10 + header.length + data.byteLength)
  out.set(NPY_MAGIC, 0)
  out[6] = 1
  out[7] = 0
  new DataView(out.buffer).setUint16(8, header.length, true)
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i)
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length)
  return out
}

/**
 * Reads a little-endian C-order float32 or int32 `.npy` (the result files a job writes: embedding,
 * indices, neighbours, quality-points) into a typed array; other dtypes throw NpyFormatError.
 * The data is copied, so the array is aligned whatever the input's offset.
 */
export function decodeNpyArray(bytes: Uint8Array): { shape: number[]; data: Float32Array | Int32Array } {
  const header = parseNpyHeader(bytes)
  if (header.fortranOrder || !header.littleEndian || header.itemSize !== 4 || (header.kind !== 'f' && header.kind !== 'i')) {
    throw new NpyFormatError('npy_unsupported_dtype', `Expected a little-endian C-order float32 or int32 .npy; got ${header.descr}${header.fortranOrder ? ' (Fortran order)' : ''}.`)
  }
  if (bytes.byteLength - header.dataOffset < header.dataBytes) {
    throw new NpyFormatError('npy_truncated', `The .npy declares ${header.dataBytes} bytes of data but holds ${bytes.byteLength - header.dataOffset}.`)
  }
  const copy = bytes.slice(header.dataOffset, header.dataOffset + header.dataBytes).buffer
  return { shape: header.shape, data: header.kind === 'f' ? new Float32Array(copy) : new Int32Array(copy) }
}
