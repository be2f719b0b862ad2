/**
 * @module Reading and writing NumPy `.npy` files: the header parser used by the edge (to verify an upload
 * from its first bytes) and by the worker (to read the data), which accepts the headers numpy.load
 * accepts (py-literal.ts reads the dict, npy-dtype.ts the dtype), and a float32 writer for results.
 */
import { LIMITS } from '../limits.ts'
import { npyDescr, type NpyKind } from './npy-dtype.ts'
import { PyLiteralError, pyLiteralEval, type PyValue } from './py-literal.ts'
import { PyTokenizeError, filterPython2Longs } from './py-tokenize.ts'

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

export type { NpyKind }

export interface NpyHeader {
  /** numpy's name of the dtype, normalised as `dtype.str` ("<f4", ">i8", "|u1", "|b1"). */
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
  /**
   * Bytes numpy reads per array element: itemSize, or a sub-array dtype's whole group ("8f4": 32). numpy
   * reads whole elements while the file has them, so bytes after the data are ignored only when fewer
   * than this follow a sub-array dtype's data (its reshape fails otherwise); after a plain dtype, any.
   */
  elementBytes: number
}

/**
 * Bytes the edge must read to be sure the whole header is present: the 12-byte preamble of format
 * versions 2 and 3 (version 1 has 10) plus the largest header accepted.
 */
export const NPY_PREFIX_BYTES = 12 + LIMITS.maxNpyHeaderBytes

export function hasNpyMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && NPY_MAGIC.every((b, i) => bytes[i] === b)
}

const RESAVE = 'The file is damaged or was not written by numpy.save(); save the array again with numpy.save().'

function truncatedHeader(): never {
  throw new NpyFormatError('npy_truncated', 'The .npy file ends inside its header: it was cut short (an interrupted save or copy). Save the array again with numpy.save() and upload it again.')
}

function badHeader(message: string): never {
  throw new NpyFormatError('npy_bad_header', `${message} ${RESAVE}`)
}

/**
 * Parses the header of an `.npy` file from its first bytes (at least the whole header), accepting
 * exactly the headers numpy 1.24's `np.load(path, allow_pickle=False)` accepts (numpy.lib.format
 * `_read_array_header`: version 1.0, 2.0 or 3.0; the header a Python dict literal with exactly descr,
 * fortran_order and shape; Python 2 `L` suffixes in 1.0 and 2.0), except on purpose: negative dimensions
 * (numpy reads -1 as "whatever the data holds"; to us a damaged header), headers over
 * LIMITS.maxNpyHeaderBytes bytes (numpy counts characters), `\N{...}` escapes in its strings, and dtypes
 * that are not plain numbers (complex, text, records, objects...), refused with their own codes.
 * A sub-array dtype ("8f4") reads as its base dtype, as np.load returns it. Whether the data is all
 * there is the caller's check (verifyUpload, decodeNpyArray): numpy refuses
 * short data and ignores extra bytes, and so does Constellate (the upload info counts them).
 * Throws NpyFormatError saying what is wrong and how to fix it.
 */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  if (!hasNpyMagic(bytes)) {
    throw new NpyFormatError('npy_bad_magic', 'The file does not start with the .npy magic bytes (\\x93NUMPY). Save the array with numpy.save(), or upload it as .csv.')
  }
  if (bytes.length < 8) truncatedHeader()
  const major = bytes[6]!
  const minor = bytes[7]!
  if (major < 1 || major > 3 || minor !== 0) {
    throw new NpyFormatError('npy_bad_header', `.npy format version ${major}.${minor} is not one numpy reads (1.0, 2.0 and 3.0 are). ${RESAVE}`)
  }
  const headerStart = major === 1 ? 10 : 12
  if (bytes.length < headerStart) truncatedHeader()
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true)
  if (headerLength > LIMITS.maxNpyHeaderBytes) {
    throw new NpyFormatError('npy_too_large_header', `The .npy header is ${headerLength} bytes; at most ${LIMITS.maxNpyHeaderBytes} are accepted. Save a plain numeric array with numpy.save().`)
  }
  if (bytes.length < headerStart + headerLength) truncatedHeader()
  const headerBytes = bytes.subarray(headerStart, headerStart + headerLength)
  const fields = headerFields(decodeHeader(headerBytes, major), major)
  const descr = npyDescr(fields.descr)
  if (descr.status === 'invalid') badHeader(`The .npy header's dtype ${pyRepr(fields.descr)} is not one numpy can read (${descr.why}).`)
  if (fields.shape.some((d) => d < 0n)) badHeader(`The .npy header's shape ${pyRepr({ type: 'tuple', items: fields.shape.map((value) => ({ type: 'int', value })) })} has a negative dimension.`)
  // Dimensions past 2^63 - 1 do not fit numpy's element count (int64): numpy refuses the file.
  if (fields.shape.some((d) => d > 2n ** 63n - 1n)) badHeader('The .npy header declares a dimension larger than 2^63 - 1.')
  const shape = fields.shape.map(Number)
  const elements = fields.shape.reduce((a, b) => a * b, 1n)
  if (descr.status === 'object') {
    throw new NpyFormatError('npy_object_dtype', `The .npy array has dtype ${pyRepr(fields.descr)} (Python objects, stored with pickle), which is never loaded for safety. Convert it to numbers first, e.g. numpy.save(path, numpy.asarray(x, dtype="float32")).`)
  }
  if (descr.status === 'unsupported') {
    if (descr.what.startsWith('a record')) {
      throw new NpyFormatError('npy_unsupported_dtype', 'Structured (record) arrays are not supported. Save a plain 2-D numeric array, e.g. numpy.save(path, features.astype("float32")).')
    }
    throw new NpyFormatError('npy_unsupported_dtype', `The .npy dtype ${pyRepr(fields.descr)} (${descr.what}) is not supported. Use float16/32/64 or an integer dtype.`)
  }
  const { element, group } = descr
  const name = `${element.itemSize === 1 ? '|' : element.littleEndian ? '<' : '>'}${element.kind}${element.itemSize}`
  // A sub-array dtype ("8f4": 8 values per element) reads the same values as its base dtype, but only
  // when the shape holds whole elements (none at all for "0f4"); numpy's reshape fails otherwise.
  if (group === 0 ? elements !== 0n : elements % BigInt(group) !== 0n) {
    badHeader(`The .npy dtype ${pyRepr(fields.descr)} groups ${group} values per element, which does not divide the ${elements} values of shape (${shape.join(', ')}).`)
  }
  return {
    descr: name,
    kind: element.kind,
    itemSize: element.itemSize,
    littleEndian: element.littleEndian,
    fortranOrder: fields.fortranOrder,
    shape,
    dataOffset: headerStart + headerLength,
    dataBytes: Number(elements) * element.itemSize,
    elementBytes: element.itemSize * Math.max(1, group),
  }
}

/** The header text: latin-1 for versions 1 and 2 (by hand: Workers' TextDecoder need not know it), UTF-8 for 3. */
function decodeHeader(headerBytes: Uint8Array, major: number): string {
  if (major !== 3) {
    let text = ''
    for (let i = 0; i < headerBytes.length; i += 4096) text += String.fromCharCode(...headerBytes.subarray(i, i + 4096))
    return text
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes)
  } catch {
    return badHeader('The .npy header (format 3.0) is not valid UTF-8.')
  }
}

interface HeaderFields {
  descr: PyValue
  fortranOrder: boolean
  shape: bigint[]
}

/** numpy's checks on the header dict: exactly descr, fortran_order and shape; a tuple of ints; a bool. */
function headerFields(text: string, major: number): HeaderFields {
  let value: PyValue
  try {
    // Formats 1.0 and 2.0 may come from Python 2, whose longs numpy cleans up ("3L" -> "3").
    value = pyLiteralEval(major === 3 ? text : filterPython2Longs(text))
  } catch (err) {
    if (!(err instanceof PyLiteralError) && !(err instanceof PyTokenizeError)) throw err
    return badHeader(`The .npy header is not the Python dict numpy writes: ${err.message}.`)
  }
  if (value.type !== 'dict') badHeader(`The .npy header is a ${value.type}, not the dict numpy writes.`)
  const entries = new Map<string, PyValue>()
  const keys = value.entries.map(([key, item]) => {
    if (key.type === 'str') entries.set(key.value, item)
    return pyRepr(key)
  })
  const expected = ['descr', 'fortran_order', 'shape']
  if (keys.length !== 3 || !expected.every((key) => entries.has(key))) {
    const listed = keys.length > 6 ? `${keys.slice(0, 6).join(', ')} and ${keys.length - 6} more` : keys.join(', ') || 'none'
    badHeader(`The .npy header must have exactly the keys 'descr', 'fortran_order' and 'shape'; it has ${listed}.`)
  }
  const shape = entries.get('shape')!
  if (shape.type !== 'tuple' || !shape.items.every((d) => d.type === 'int')) badHeader(`The .npy header's shape ${pyRepr(shape)} is not a tuple of integers.`)
  const fortranOrder = entries.get('fortran_order')!
  if (fortranOrder.type !== 'bool') badHeader(`The .npy header's fortran_order ${pyRepr(fortranOrder)} is not True or False.`)
  return {
    descr: entries.get('descr')!,
    fortranOrder: fortranOrder.value,
    shape: shape.items.map((d) => (d as { value: bigint }).value),
  }
}

/** A Python-like spelling of a value for messages, cut at 80 characters. */
function pyRepr(value: PyValue): string {
  const text = fullRepr(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

function fullRepr(value: PyValue): string {
  switch (value.type) {
    case 'int': return String(value.value)
    case 'bool': return value.value ? 'True' : 'False'
    case 'str': return `'${value.value.replace(/[\\']/g, '\\$&').replace(/[^\x20-\x7e]/g, (c) => (c.charCodeAt(0) < 0x100 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))}'`
    case 'bytes': return `b'${value.value}'`
    case 'float':
    case 'complex': return value.text || value.type
    case 'none': return 'None'
    case 'ellipsis': return 'Ellipsis'
    case 'tuple': return `(${value.items.map(fullRepr).join(', ')}${value.items.length === 1 ? ',' : ''})`
    case 'list': return `[${value.items.map(fullRepr).join(', ')}]`
    case 'set': return value.items.length ? `{${value.items.map(fullRepr).join(', ')}}` : 'set()'
    case 'dict': return `{${value.entries.map(([k, v]) => `${fullRepr(k)}: ${fullRepr(v)}`).join(', ')}}`
  }
}

/**
 * Why numpy.load would refuse the data after this header when `held` bytes follow it (null: it reads
 * the declared array): short data, or a sub-array dtype followed by a whole element more (see elementBytes).
 */
export function npyDataProblem(header: NpyHeader, held: number): { code: 'npy_truncated' | 'npy_bad_header'; extra: number } | null {
  if (held < header.dataBytes) return { code: 'npy_truncated', extra: held - header.dataBytes }
  const extra = held - header.dataBytes
  if (header.elementBytes > header.itemSize && extra >= header.elementBytes) return { code: 'npy_bad_header', extra }
  return null
}

/** Human name of a header's dtype, e.g. "float32". */
export function npyDtypeName(header: Pick<NpyHeader, 'kind' | 'itemSize'>): string {
  const base = { f: 'float', i: 'int', u: 'uint', b: 'bool' }[header.kind]
  return header.kind === 'b' ? 'bool' : `${base}${header.itemSize * 8}`
}

/** A shape as numpy prints it: "(2000, 784)", "(2000,)", "()". */
export function npyShapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
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
