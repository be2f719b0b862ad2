/**
 * @module What numpy makes of an `.npy` header's `descr` (numpy 1.24 `descr_to_dtype`, which calls
 * `numpy.dtype`): the element type for the numeric dtypes Constellate reads (float16/32/64, int8..64,
 * uint8..64, bool), or whether numpy knows the dtype at all. Follows numpy's C parser of dtype strings
 * (`_convert_from_str`: byte-order mark, one-letter type codes, kind + size read with C `strtol`, the
 * names in `numpy.sctypeDict`), its comma strings (`'f4,'`, `'8f4'`, `'(2,)f4'`) and (dtype, shape) tuples.
 */
import { PyLiteralError, pyLiteralEval, type PyValue } from './py-literal.ts'

export type NpyKind = 'f' | 'i' | 'u' | 'b'

/** One stored value. */
export interface NpyElement {
  kind: NpyKind
  /** Bytes per value. */
  itemSize: number
  littleEndian: boolean
}

export type NpyDescr =
  /** A numeric dtype; `group` values per numpy element (a sub-array dtype such as '8f4'; 1 when plain, 0 for '0f4'). */
  | { status: 'numeric'; element: NpyElement; group: number }
  /** numpy knows the dtype but it is not a plain number (complex, text, dates, records, float128...). */
  | { status: 'unsupported'; what: string }
  /** Python objects: stored with pickle, never loaded. */
  | { status: 'object' }
  /** numpy cannot make a dtype of it (np.load refuses the file). */
  | { status: 'invalid'; why: string }

const el = (kind: NpyKind, itemSize: number): NpyElement => ({ kind, itemSize, littleEndian: true })
const OBJECT = 'object'
type Known = NpyElement | typeof OBJECT | string

/**
 * One-character type codes (numpy's `_letter_to_num`), and characters below 24, which numpy takes as a
 * type number. Strings name a dtype numpy has but Constellate does not read.
 */
const TYPE_CODES: Record<string, Known> = {
  '\x00': el('b', 1), '\x01': el('i', 1), '\x02': el('u', 1), '\x03': el('i', 2), '\x04': el('u', 2), '\x05': el('i', 4),
  '\x06': el('u', 4), '\x07': el('i', 8), '\x08': el('u', 8), '\t': el('i', 8), '\n': el('u', 8), '\x0b': el('f', 4),
  '\x0c': el('f', 8), '\r': 'float128', '\x0e': 'complex64', '\x0f': 'complex128', '\x10': 'complex256', '\x11': OBJECT,
  '\x12': 'bytes', '\x13': 'str', '\x14': 'void', '\x15': 'datetime64', '\x16': 'timedelta64', '\x17': el('f', 2),
  '\x1a': 'bytes',
  '?': el('b', 1), b: el('i', 1), B: el('u', 1), h: el('i', 2), H: el('u', 2), i: el('i', 4), I: el('u', 4),
  l: el('i', 8), L: el('u', 8), q: el('i', 8), Q: el('u', 8), p: el('i', 8), P: el('u', 8),
  e: el('f', 2), f: el('f', 4), d: el('f', 8), g: 'float128',
  F: 'complex64', D: 'complex128', G: 'complex256', O: OBJECT, S: 'bytes', a: 'bytes', c: 'bytes', U: 'str', V: 'void',
  M: 'datetime64', m: 'timedelta64',
}

/** `numpy.sctypeDict` names (x86-64 Linux, numpy 1.24) that are not reached as a type code or kind + size. */
const TYPE_NAMES: Record<string, Known> = {
  bool: el('b', 1), bool8: el('b', 1), bool_: el('b', 1),
  byte: el('i', 1), int8: el('i', 1), short: el('i', 2), int16: el('i', 2), intc: el('i', 4), int32: el('i', 4),
  int: el('i', 8), int_: el('i', 8), int0: el('i', 8), int64: el('i', 8), intp: el('i', 8), long: el('i', 8), longlong: el('i', 8),
  ubyte: el('u', 1), uint8: el('u', 1), ushort: el('u', 2), uint16: el('u', 2), uintc: el('u', 4), uint32: el('u', 4),
  uint: el('u', 8), uint0: el('u', 8), uint64: el('u', 8), uintp: el('u', 8), ulong: el('u', 8), ulonglong: el('u', 8),
  half: el('f', 2), float16: el('f', 2), single: el('f', 4), float32: el('f', 4),
  float: el('f', 8), float_: el('f', 8), double: el('f', 8), float64: el('f', 8),
  float128: 'float128', longdouble: 'float128', longfloat: 'float128',
  complex64: 'complex64', csingle: 'complex64', singlecomplex: 'complex64',
  complex: 'complex128', complex_: 'complex128', complex128: 'complex128', cdouble: 'complex128', cfloat: 'complex128',
  complex256: 'complex256', clongdouble: 'complex256', clongfloat: 'complex256', longcomplex: 'complex256',
  object: OBJECT, object0: OBJECT, object_: OBJECT,
  bytes: 'bytes', bytes0: 'bytes', bytes_: 'bytes', string_: 'bytes',
  str: 'str', str0: 'str', str_: 'str', unicode: 'str', unicode_: 'str',
  void: 'void', void0: 'void', datetime64: 'datetime64', timedelta64: 'timedelta64', M8: 'datetime64', m8: 'timedelta64',
}

/** numpy's `PyArray_TypestrConvert`: kind letter + size in bytes. */
function kindAndSize(kind: string, size: number): Known | null {
  switch (kind) {
    case 'b': return size === 1 ? el('b', 1) : null
    case 'i':
    case 'u': return [1, 2, 4, 8].includes(size) ? el(kind, size) : null
    case 'f': return [2, 4, 8].includes(size) ? el('f', size) : size === 16 ? 'float128' : null
    case 'c': return size === 8 ? 'complex64' : size === 16 ? 'complex128' : size === 32 ? 'complex256' : null
    case 'O': return size === 4 || size === 8 ? OBJECT : null
    case 'M': return size === 8 ? 'datetime64' : null
    case 'm': return size === 8 ? 'timedelta64' : null
    default: return null
  }
}

/** C `strtol(text, &end, 10)` that must read all of `text`, cast to a C int as numpy does; null when it stops early. */
function strtolInt(text: string): number | null {
  const match = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(text)
  if (!match) return null
  let value = BigInt(match[2]!) * (match[1] === '-' ? -1n : 1n)
  const longMax = 2n ** 63n - 1n
  if (value > longMax) value = longMax
  if (value < -longMax - 1n) value = -longMax - 1n
  return Number(BigInt.asIntN(32, value))
}

const isByteOrder = (c: number | undefined): boolean => c === 0x3c || c === 0x3e || c === 0x7c || c === 0x3d // < > | =
const isDigitByte = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39

/** numpy's `_check_for_commastring`, on the UTF-8 bytes of the string. */
function isCommaString(bytes: Uint8Array): boolean {
  const n = bytes.length
  if (isDigitByte(bytes[0]) || (n > 1 && isByteOrder(bytes[0]) && isDigitByte(bytes[1]))) return true
  if ((n > 1 && bytes[0] === 0x28 && bytes[1] === 0x29) || (n > 3 && isByteOrder(bytes[0]) && bytes[1] === 0x28 && bytes[2] === 0x29)) return true
  let brackets = 0
  for (const b of bytes) {
    if (b === 0x2c && brackets === 0) return true
    if (b === 0x5b) brackets++
    if (b === 0x5d) brackets--
  }
  return false
}

// numpy.core._internal's format_re, sep_re and space_re; `\s` there is Python's (str.isspace) whitespace.
const PY_SPACE = String.raw`[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]`
const FORMAT = /([<>|=]?)( *[(]?[ ,0-9]*[)]? *)([<>|=]?)([A-Za-z0-9.?]*(?:\[[a-zA-Z0-9,.]+\])?)/y
const SEPARATOR = new RegExp(`${PY_SPACE}*,${PY_SPACE}*`, 'y')
const SPACE_TO_END = new RegExp(`${PY_SPACE}+$`, 'y')

type CommaItem = string | { base: string; shape: PyValue }

/** numpy's `_commastring`: 'f4, (2,)i8' -> ['f4', ('i8', (2,))]. */
function commaItems(text: string): CommaItem[] | string {
  const items: CommaItem[] = []
  let index = 0
  while (index < text.length) {
    FORMAT.lastIndex = index
    const match = FORMAT.exec(text)!
    const [, order1, repeats, order2, dtype] = match as unknown as [string, string, string, string, string]
    index = FORMAT.lastIndex
    if (index < text.length) {
      SPACE_TO_END.lastIndex = index
      if (SPACE_TO_END.test(text)) index = text.length
      else {
        SEPARATOR.lastIndex = index
        if (!SEPARATOR.test(text)) return `format number ${items.length + 1} of "${text}" is not recognized`
        index = SEPARATOR.lastIndex
      }
    }
    const native = (order: string): string => (order === '=' ? '<' : order)
    if (order1 && order2 && native(order1) !== native(order2)) return `inconsistent byte-order specification ${order1} and ${order2}`
    let order = order2 ? (order1 ? native(order1) : order2) : order1
    if (order === '|' || order === '=' || order === '<') order = ''
    if (repeats === '') items.push(order + dtype)
    else {
      try {
        items.push({ base: order + dtype, shape: pyLiteralEval(repeats) })
      } catch (err) {
        if (err instanceof PyLiteralError) return `the repeat count "${repeats}" is not a number or shape`
        throw err
      }
    }
  }
  return items
}

function known(value: Known, bigEndian: boolean): NpyDescr {
  if (value === OBJECT) return { status: 'object' }
  if (typeof value === 'string') return { status: 'unsupported', what: value }
  return { status: 'numeric', element: { ...value, littleEndian: !bigEndian || value.itemSize === 1 }, group: 1 }
}

/** numpy's `_convert_from_str`. */
function fromString(text: string): NpyDescr {
  if (/[\ud800-\udfff]/.test(text)) return { status: 'invalid', why: 'it is not valid text' }
  const bytes = new TextEncoder().encode(text)
  if (bytes.length === 0) return { status: 'invalid', why: 'it is empty' }
  if (isCommaString(bytes)) {
    const items = commaItems(text)
    if (typeof items === 'string') return { status: 'invalid', why: items }
    if (items.length === 1) {
      const item = items[0]!
      return typeof item === 'string' ? fromString(item) : withShape(fromString(item.base), item.shape)
    }
    // Several fields: a record dtype, as long as every field is a dtype.
    for (const item of items) {
      const field = typeof item === 'string' ? fromString(item) : withShape(fromString(item.base), item.shape)
      if (field.status === 'invalid') return field
    }
    return { status: 'unsupported', what: 'a record (structured) dtype' }
  }
  // A leading byte-order mark (when more follows); only '>' differs from this machine's order.
  const hasByteOrder = bytes.length > 1 && isByteOrder(bytes[0])
  const type = hasByteOrder ? text.slice(1) : text
  const bigEndian = hasByteOrder && text[0] === '>'
  if (/^(M8|m8|datetime64|timedelta64)/.test(type)) return { status: 'unsupported', what: type.startsWith('m') || type.startsWith('t') ? 'timedelta64' : 'datetime64' }
  const typeBytes = new TextEncoder().encode(type)
  if (typeBytes.length === 1) {
    if (Object.hasOwn(TYPE_CODES, type)) return known(TYPE_CODES[type]!, bigEndian)
  } else if (typeBytes.length > 1) {
    const size = strtolInt(type.slice(1))
    const kind = type[0]!
    if (size !== null) {
      if (kind === 'S' || kind === 'a' || kind === 'U' || kind === 'V') return { status: 'unsupported', what: kind === 'U' ? 'str' : kind === 'V' ? 'void' : 'bytes' }
      const value = size === 0 ? null : kindAndSize(kind, size)
      if (value !== null) return known(value, bigEndian)
    }
  }
  const name = Object.hasOwn(TYPE_NAMES, text) ? TYPE_NAMES[text] : Object.hasOwn(TYPE_CODES, text) ? TYPE_CODES[text] : undefined
  if (name !== undefined) return known(name, false)
  return { status: 'invalid', why: 'numpy has no such dtype' }
}

/** numpy's `_convert_from_tuple` for (dtype, shape): a sub-array of `shape` values per element. */
function withShape(base: NpyDescr, shape: PyValue): NpyDescr {
  if (base.status === 'invalid') return base
  let dims: bigint[]
  if (shape.type === 'int') dims = [shape.value]
  else if (shape.type === 'tuple' && shape.items.every((item) => item.type === 'int')) dims = shape.items.map((item) => (item as { value: bigint }).value)
  else return { status: 'unsupported', what: 'a (dtype, ...) tuple that is not (dtype, shape)' }
  if (dims.length > 32) return { status: 'invalid', why: 'its sub-array has more than 32 dimensions' }
  if (dims.some((d) => d < 0n)) return { status: 'invalid', why: 'its sub-array shape has a negative dimension' }
  if (dims.some((d) => d > 2n ** 31n - 1n)) return { status: 'invalid', why: 'its sub-array dimension does not fit in a C int' }
  const group = dims.reduce((a, b) => a * b, 1n)
  if (base.status !== 'numeric') return base
  if (group * BigInt(base.element.itemSize * base.group) > 2n ** 31n - 1n) return { status: 'invalid', why: 'its sub-array is larger than 2 GiB' }
  return { ...base, group: base.group * Number(group) }
}

/**
 * What numpy 1.24 makes of a header's `descr` value: numpy.save writes a dtype string ('<f4'); older
 * writers or hand-made headers may hold any spelling numpy.dtype accepts.
 */
export function npyDescr(descr: PyValue): NpyDescr {
  if (descr.type === 'str') return fromString(descr.value)
  // numpy reads any other iterable as the fields of a record dtype (a dict by its keys, even when empty).
  if (descr.type === 'list' || descr.type === 'dict' || descr.type === 'set') return { status: 'unsupported', what: 'a record (structured) dtype' }
  if (descr.type === 'tuple') {
    // descr_to_dtype((base, shape, ...)) == numpy.dtype((descr_to_dtype(base), shape)).
    const [base, shape] = descr.items
    if (base === undefined || shape === undefined) return { status: 'invalid', why: 'a (dtype, shape) tuple needs two items' }
    return withShape(npyDescr(base), shape)
  }
  return { status: 'invalid', why: `a ${descr.type} is not a dtype` }
}
