/**
 * @module Parsing numeric `.csv`/`.tsv` feature tables into row-major float32, in one pass over the bytes
 * with the dialect the edge verifies with (shared `scanDelimited`): header row optional, a pandas index
 * column dropped, quoted fields, CRLF, blank trailing lines, '#' comment lines at the top.
 */
import {
  LIMITS,
  MISSING_NUMBER,
  assertTextContent,
  classifyNumberField,
  decideFeatureHeader,
  featureDelimiter,
  fieldText,
  notNumericError,
  raggedRowsError,
  blankLineError,
  scanDelimited,
  tooManyFeatureColumnsError,
  tooManyFeatureRowsError,
  utf8BomLength,
  type FieldSink,
  type NumberClass,
  type UploadFormat,
} from '@constellate/shared'
import { InputError, asInputErrors } from './errors.ts'
import type { FeatureMatrix } from './npy-reader.ts'
import { float32Scale } from './magnitude.ts'

export interface FeatureTable extends FeatureMatrix {
  hasHeader: boolean
  /** Column names from the header row (index column excluded), or null without one. */
  columnNames: string[] | null
}

/**
 * Parses a numeric text table. Empty cells, nan, NA and inf are read as NaN/±Infinity (validateFeatures
 * reports them). O(bytes); no per-value allocation; numbers beyond 15 significant digits go through Number() on a slice.
 * @throws InputError: content_mismatch, text_encoding, text_not_numeric and text_ragged_rows (naming
 * line and column), text_blank_line, empty_file, too_many_points, too_many_dims.
 */
export function parseFeatureTable(bytes: Uint8Array, format: UploadFormat, filename = `features.${format}`): FeatureTable {
  return asInputErrors(() => {
    assertTextContent(bytes, bytes.length, false, filename, format)
    const start = utf8BomLength(bytes)
    const delimiter = featureDelimiter(bytes, start, bytes.length, format)
    const parse = (scale: number) => {
      const parser = new TableParser(bytes, countLines(bytes), scale)
      try {
        scanDelimited(bytes, start, bytes.length, delimiter, true, parser)
      } finally {
        latin1Source = null
        latin1Text = ''
      }
      return parser
    }
    let parser = parse(1)
    // Numbers beyond float32's range (read exactly as float64) are parsed again, scaled by a power of
    // two, rather than stored as Infinity or 0; ordinary tables are parsed once.
    const scale = float32Scale(parser.maxAbs)
    if (scale !== 1) parser = parse(scale)
    if (parser.rows === 0) throw new InputError('empty_file', `"${filename}" holds no rows of numbers.`)
    const { rows: n, cols: d } = parser
    const points = parser.values.length === n * d ? parser.values : parser.values.slice(0, n * d)
    return { points, n, d, scale, hasHeader: parser.hasHeader, columnNames: parser.columnNames }
  })
}

/** Upper bound on records: line breaks + 1 (LF, or CR for old Mac files). */
function countLines(bytes: Uint8Array): number {
  let lf = 0
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) lf++
  if (lf > 0) return lf + 1
  let cr = 0
  for (let i = bytes.indexOf(0x0d); i >= 0; i = bytes.indexOf(0x0d, i + 1)) cr++
  return cr + 1
}

// Read once: the hot loop should not go through module re-export getters.
const MAX_POINTS = LIMITS.maxPoints

class TableParser implements FieldSink {
  line = 0
  rows = 0
  cols = 0
  hasHeader = false
  columnNames: string[] | null = null
  values = new Float32Array(0)
  /** Largest finite |value| read, before scaling. */
  maxAbs = 0
  private expected = 0
  private field_ = 0
  private skipFirstField = false
  private first: { starts: number[]; ends: number[]; quoted: boolean[] } | null = { starts: [], ends: [], quoted: [] }
  private blank = 0

  constructor(
    private readonly bytes: Uint8Array,
    private readonly lineBound: number,
    /** Factor applied to every value before it is stored as float32. */
    private readonly scale: number,
  ) {}

  field(start: number, end: number, quoted: boolean): void {
    const column = this.field_++
    if (this.first) {
      this.first.starts.push(start)
      this.first.ends.push(end)
      this.first.quoted.push(quoted)
      return
    }
    if (column === 0 && this.skipFirstField) return
    this.store(column, start, end, quoted)
  }

  endRecord(line: number): void {
    if (this.blank) throw blankLineError(this.blank)
    if (this.first) {
      this.startTable(line)
    } else if (this.field_ !== this.expected) {
      throw raggedRowsError(line, this.field_, this.expected, this.hasHeader)
    } else {
      this.rows++
    }
    this.field_ = 0
  }

  blankLine(line: number): void {
    if (!this.blank) this.blank = line
  }

  /** Decides header and index column from the first record, then stores it unless it is a header. */
  private startTable(line: number): void {
    const { bytes } = this
    const { starts, ends, quoted } = this.first!
    this.first = null
    const classes: NumberClass[] = starts.map((s, k) => classifyNumberField(bytes, s, ends[k]!))
    const texts = starts.map((s, k) => fieldText(bytes, s, ends[k]!, quoted[k]!))
    const layout = decideFeatureHeader(texts, classes)
    this.hasHeader = layout.hasHeader
    this.skipFirstField = layout.dropIndexColumn
    this.expected = starts.length
    this.cols = starts.length - (layout.dropIndexColumn ? 1 : 0)
    if (this.cols > LIMITS.maxDims) throw tooManyFeatureColumnsError(this.cols)
    const dataRows = Math.max(1, this.lineBound - (this.hasHeader ? 1 : 0))
    this.values = new Float32Array(Math.min(dataRows, LIMITS.maxPoints + 1) * this.cols)
    if (this.hasHeader) {
      this.columnNames = texts.slice(layout.dropIndexColumn ? 1 : 0).map((t) => t.trim())
      return
    }
    this.line = line
    for (let k = layout.dropIndexColumn ? 1 : 0; k < starts.length; k++) this.store(k, starts[k]!, ends[k]!, quoted[k]!)
    this.rows = 1
  }

  private store(column: number, start: number, end: number, quoted: boolean): void {
    if (column >= this.expected) return // endRecord reports the ragged row
    if (this.rows >= MAX_POINTS) throw tooManyFeatureRowsError()
    const value = parseNumber(this.bytes, start, end)
    if (parseFailed) throw notNumericError(this.line, column + 1, fieldText(this.bytes, start, end, quoted))
    const index = this.rows * this.cols + column - (this.skipFirstField ? 1 : 0)
    if (index >= this.values.length) this.grow()
    const abs = value < 0 ? -value : value
    // abs - abs is NaN for NaN and Infinity: only finite values count towards the scale
    if (abs > this.maxAbs && abs - abs === 0) this.maxAbs = abs
    this.values[index] = this.scale === 1 ? value : value * this.scale
  }

  private grow(): void {
    const bigger = new Float32Array(Math.max(this.values.length * 2, this.cols * 1024))
    bigger.set(this.values)
    this.values = bigger
  }
}

/** Set by parseNumber when the field is not a number. */
let parseFailed = false

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k)
const MAX_EXACT = 2 ** 53

/**
 * Reads bytes[s, e) as a number: decimal with optional exponent, or empty/nan/NA/inf/infinity (any case).
 * Exact integer arithmetic on up to 15-16 significant digits with one correctly rounded scaling
 * (Clinger's fast path); other cases go through Number(), so results equal Number(text) exactly.
 * Sets `parseFailed` for anything else.
 */
export function parseNumber(bytes: Uint8Array, s: number, e: number): number {
  parseFailed = false
  let i = s
  let negative = false
  const sign = bytes[i]
  if (sign === 0x2d) {
    negative = true
    i++
  } else if (sign === 0x2b) {
    i++
  }
  let mantissa = 0
  let pendingZeros = 0
  let exponent = 0
  let digits = 0
  let exact = true
  let fraction = false
  for (; i < e; i++) {
    const c = bytes[i]!
    const digit = c - 0x30
    if (digit >= 0 && digit <= 9) {
      digits++
      if (fraction) exponent--
      if (digit === 0) {
        pendingZeros++
      } else {
        const scale = pendingZeros + 1
        if (mantissa === 0) mantissa = digit
        else if (scale > 22 || mantissa > (MAX_EXACT - 9) / POW10[scale]!) exact = false
        else mantissa = mantissa * POW10[scale]! + digit
        pendingZeros = 0
      }
    } else if (c === 0x2e && !fraction) {
      fraction = true
    } else {
      break
    }
  }
  if (digits === 0) return parseWord(bytes, s, e)
  if (i < e) {
    if ((bytes[i]! | 0x20) !== 0x65) return invalid()
    i++
    let exponentNegative = false
    if (bytes[i] === 0x2d || bytes[i] === 0x2b) exponentNegative = bytes[i++] === 0x2d
    const first = i
    let power = 0
    for (; i < e; i++) {
      const digit = bytes[i]! - 0x30
      if (digit < 0 || digit > 9) return invalid()
      if (power < 100000) power = power * 10 + digit
    }
    if (i === first) return invalid()
    exponent += exponentNegative ? -power : power
  }
  exponent += pendingZeros
  if (mantissa === 0 && exact) return negative ? -0 : 0
  if (exact && exponent >= -22 && exponent <= 22) {
    const value = exponent >= 0 ? mantissa * POW10[exponent]! : mantissa / POW10[-exponent]!
    return negative ? -value : value
  }
  return Number(latin1(bytes).slice(s, e))
}

// The whole buffer as a latin-1 string, made once (a memcpy) the first time a number needs Number().
let latin1Source: Uint8Array | null = null
let latin1Text = ''

function latin1(bytes: Uint8Array): string {
  if (latin1Source !== bytes) {
    latin1Source = bytes
    latin1Text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1')
  }
  return latin1Text
}

function parseWord(bytes: Uint8Array, s: number, e: number): number {
  const cls = classifyNumberField(bytes, s, e)
  if (cls !== MISSING_NUMBER) return invalid()
  let i = s
  const negative = bytes[i] === 0x2d
  if (negative || bytes[i] === 0x2b) i++
  return (bytes[i]! | 0x20) === 0x69 ? (negative ? -Infinity : Infinity) : NaN
}

function invalid(): number {
  parseFailed = true
  return NaN
}


