/**
 * @module Verifying an uploaded file when its upload completes (edge, Web APIs only), and the text-table
 * dialect (delimiters, quotes, header and index-column rules) that the worker's parsers share with it, so
 * a file the edge accepts is read the same way by the worker.
 */
import { ACCEPTED_FORMATS, formatFromFilename } from './file-kinds.ts'
import { LIMITS } from './limits.ts'
import { NpyFormatError, hasNpyMagic, npyDataProblem, npyDtypeName, parseNpyHeader, type NpyHeader } from './npy.ts'
import type { UploadFormat, UploadInfo, UploadKind } from './schemas.ts'
import type { OnnxModelErrorCode } from './onnx-model.ts'
import { verifyModelJobUpload } from './onnx-uploads.ts'
import { scanMetadataTable } from './metadata-table.ts'

export type UploadVerificationCode =
  | 'upload_size_mismatch'
  | 'unsupported_format'
  | 'content_mismatch'
  | 'text_encoding'
  | 'empty_file'
  | NpyFormatError['code']
  | 'npy_bad_shape'
  | 'labels_not_integer'
  | 'too_many_points'
  | 'too_many_dims'
  | 'text_ragged_rows'
  | 'text_not_numeric'
  | 'text_blank_line'
  | 'labels_missing_value'
  | 'metadata_too_many_columns'
  | 'metadata_no_columns'
  | OnnxModelErrorCode

/** An upload that cannot be used; `message` says what is wrong and how to fix it. */
export class UploadVerificationError extends Error {
  override name = 'UploadVerificationError'
  constructor(
    /** Machine-readable reason, used as the API error code. */
    readonly code: UploadVerificationCode,
    message: string,
  ) {
    super(message)
  }
}

export interface UploadToVerify {
  kind: UploadKind
  filename: string
  /** Size the client announced when it created the upload, bytes. */
  declaredSize: number
  /** Size of the object in storage, bytes. */
  actualSize: number
  /** The object's first bytes: at least NPY_PREFIX_BYTES for `.npy`, up to LIMITS.maxScannedTextBytes for text. */
  head: Uint8Array
  /** True when `head` is the whole file. */
  complete: boolean
}

/**
 * Checks an uploaded object against what its name and kind promise and returns what it holds.
 * `.npy`: magic, header, dtype, shape and exact data size. Text: no binary content, UTF-8, and when
 * `complete`, rows, columns, header and (features) that every cell is a number. Non-finite values are the
 * worker's to find. O(head.length) time; allocates only for labels' distinct header candidates.
 * @throws UploadVerificationError
 */
export function verifyUpload(upload: UploadToVerify): UploadInfo {
  const { kind, filename, declaredSize, actualSize, head, complete } = upload
  if (complete && head.length !== actualSize) throw new RangeError(`verifyUpload: complete head must hold all ${actualSize} bytes; got ${head.length}`)
  if (actualSize !== declaredSize) {
    fail('upload_size_mismatch', `The stored file is ${actualSize} bytes but the upload declared ${declaredSize}. The transfer was cut short or a different file was sent; upload the file again.`)
  }
  if (actualSize === 0) fail('empty_file', `"${filename}" is empty (0 bytes). Upload the file that holds the ${kind}.`)
  const format = formatFromFilename(filename)
  if (!format || !ACCEPTED_FORMATS[kind].includes(format)) fail('unsupported_format', unsupportedFormatMessage(kind, filename))
  if (kind === 'model' || kind === 'inputs') return verifyModelJobUpload(kind, format, filename, actualSize, head)
  return format === 'npy' ? verifyNpy(kind, filename, actualSize, head) : verifyText(kind, format, filename, head, complete)
}

function fail(code: UploadVerificationCode, message: string): never {
  throw new UploadVerificationError(code, message)
}

function unsupportedFormatMessage(kind: UploadKind, filename: string): string {
  const ext = /\.([^./\\]+)$/.exec(filename)?.[1]?.toLowerCase()
  const accepted = ACCEPTED_FORMATS[kind].map((f) => `.${f}`).join(', ')
  const hints: Record<string, string> = {
    npz: 'An .npz holds several arrays; save the one you need with numpy.save(path, array).',
    pt: 'Convert the tensor first: numpy.save(path, tensor.detach().cpu().numpy()).',
    pth: 'Convert the tensor first: numpy.save(path, tensor.detach().cpu().numpy()).',
    xlsx: 'Export the sheet as CSV (File > Save As > CSV UTF-8).',
    xls: 'Export the sheet as CSV (File > Save As > CSV UTF-8).',
    gz: 'Decompress the file first and upload the plain file.',
    zip: 'Unpack the archive and upload the plain file.',
    txt: 'Comma, tab or space separated numbers are read from a .csv file: rename it to .csv.',
    parquet: 'Write it as CSV (DataFrame.to_csv(path, index=False)) or as .npy.',
    h5: 'Read the dataset and save it with numpy.save(path, array).',
    pkl: 'Pickles are never loaded; save the array with numpy.save(path, array).',
    onnx: 'A model is uploaded with kind "model"; a job then names it in model: {upload, inputs}.',
  }
  const got = ext ? `".${ext}"` : 'no extension'
  const hint = ext && hints[ext] ? ` ${hints[ext]}` : ''
  return `"${filename}" has ${got}; ${kind} must be ${accepted}.${hint}`
}

// ---------------------------------------------------------------------------------------------------
// .npy

function verifyNpy(kind: UploadKind, filename: string, actualSize: number, head: Uint8Array): UploadInfo {
  if (!hasNpyMagic(head)) {
    fail('content_mismatch', `"${filename}" says .npy but its content ${describeContent(head)}. Save the array with numpy.save(path, array), or give the file the extension that matches its content.`)
  }
  let header: NpyHeader
  try {
    header = parseNpyHeader(head)
  } catch (err) {
    if (!(err instanceof NpyFormatError)) throw err
    const labelsHint = kind === 'labels' && (err.code === 'npy_object_dtype' || err.code === 'npy_unsupported_dtype')
      ? ' For text labels, write one per line instead: numpy.savetxt("labels.txt", labels, fmt="%s").'
      : ''
    fail(err.code, err.message + labelsHint)
  }
  const shape = npyShapeText(header.shape)
  const dtype = npyDtypeName(header)
  const held = actualSize - header.dataOffset
  const problem = npyDataProblem(header, held)
  if (problem?.code === 'npy_truncated') {
    fail('npy_truncated', `The .npy header declares shape ${shape} ${dtype} = ${header.dataBytes} bytes of data but the file holds only ${held}. The file was cut short (an interrupted save or copy); save it again with numpy.save() and upload it again.`)
  }
  if (problem) fail(problem.code, subArrayTrailingMessage(header, shape, problem.extra))
  const info = kind === 'features' ? npyFeaturesInfo(header, shape, dtype) : npyLabelsInfo(header, shape, dtype)
  // numpy.load reads the declared array and ignores what follows it; so does every reader here, and the
  // info says how much was ignored (e.g. a second array saved into the same file)
  return held > header.dataBytes ? { ...info, trailingBytes: held - header.dataBytes } : info
}

/** Why a sub-array dtype's file with a whole element after its data does not load (numpy's reshape fails). */
export function subArrayTrailingMessage(header: NpyHeader, shape: string, extra: number): string {
  return `The .npy dtype groups ${header.elementBytes / header.itemSize} values per element and ${extra} bytes follow the data of shape ${shape}, so numpy.load reads more values than the shape holds and refuses the file. Save a plain array, e.g. numpy.save(path, x.astype("float32")).`
}

/** A shape as numpy prints it: "(2000, 784)", "(2000,)", "()". */
export function npyShapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
}

function npyFeaturesInfo(header: NpyHeader, shape: string, dtype: string): UploadInfo {
  const dims = header.shape.length
  if (dims === 0) fail('npy_bad_shape', `The features .npy holds a single number (shape ()); features must be a 2-D array [points, dimensions].`)
  if (dims === 1) {
    fail('npy_bad_shape', `The features .npy has shape ${shape}, a 1-D array; features must be 2-D [points, dimensions]. If each point has a single value, save x.reshape(-1, 1).`)
  }
  if (dims > 2) {
    fail('npy_bad_shape', `The features .npy has shape ${shape}; features must be 2-D [points, dimensions]. Flatten each point first: numpy.save(path, x.reshape(len(x), -1)).`)
  }
  const [rows, cols] = header.shape as [number, number]
  checkPointCount(rows, 'features', shape)
  if (cols === 0) fail('empty_file', `The features .npy has shape ${shape}: its points have no dimensions.`)
  if (cols > LIMITS.maxDims) fail('too_many_dims', `The features have ${cols} dimensions; at most ${LIMITS.maxDims} are accepted. Reduce them first (e.g. PCA) or pick a smaller layer.`)
  return { format: 'npy', rows, cols, dtype, fortranOrder: header.fortranOrder }
}

function npyLabelsInfo(header: NpyHeader, shape: string, dtype: string): UploadInfo {
  const s = header.shape
  if (!(s.length === 1 || (s.length === 2 && s[1] === 1))) {
    const oneHot = s.length === 2 ? ' If the rows are one-hot or scores, save labels.argmax(axis=1).' : ''
    fail('npy_bad_shape', `The labels .npy has shape ${shape}; labels must be 1-D, one per point (shape (N,) or (N, 1)).${oneHot}`)
  }
  if (header.kind === 'f') {
    fail('labels_not_integer', `The labels .npy has dtype ${dtype}; labels must be integers, booleans or text. Save labels.astype(int), or write text labels one per line to a .txt file.`)
  }
  checkPointCount(s[0]!, 'labels', shape)
  return { format: 'npy', rows: s[0]!, cols: null, dtype, fortranOrder: header.fortranOrder }
}

function checkPointCount(rows: number, kind: UploadKind, shape: string): void {
  if (rows === 0) fail('empty_file', `The ${kind} .npy has shape ${shape}: it holds no points.`)
  if (rows > LIMITS.maxPoints) fail('too_many_points', `The ${kind} hold ${rows} points; at most ${LIMITS.maxPoints} are accepted. Subsample them first.`)
}

// ---------------------------------------------------------------------------------------------------
// Content sniffing and encoding

const SIGNATURES: [number[], string][] = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x49, 0x49, 0x2a, 0x00], 'a TIFF image'],
  [[0x4d, 0x4d, 0x00, 0x2a], 'a TIFF image'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive; .npz, .xlsx and PyTorch .pt files are ZIP archives'],
  [[0x50, 0x4b, 0x05, 0x06], 'an empty ZIP archive'],
  [[0x1f, 0x8b], 'gzip-compressed data'],
  [[0x42, 0x5a, 0x68], 'bzip2-compressed data'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz-compressed data'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd-compressed data'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'a 7-Zip archive'],
  [[0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], 'a NumPy .npy array; rename it to .npy'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 'an HDF5 file'],
  [[0x50, 0x41, 0x52, 0x31], 'a Parquet file'],
  [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'a legacy Office document (.xls)'],
]

/** What a binary head looks like ("a PNG image"), or null when no known signature matches. */
export function sniffBinaryFormat(head: Uint8Array): string | null {
  for (const [magic, name] of SIGNATURES) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return name
  }
  // Python pickle, protocol 2 or later: PROTO opcode then the protocol number.
  if (head.length >= 2 && head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) return 'a Python pickle'
  return null
}

/** Controls that text files hold: tab, LF, VT, FF, CR, and SUB (0x1a, DOS end-of-file). */
function isTextControl(b: number): boolean {
  return b === 0x09 || b === 0x0a || b === 0x0b || b === 0x0c || b === 0x0d || b === 0x1a
}

/** True when the bytes hold a control character that text files never contain (NUL and friends). */
function hasBinaryControl(bytes: Uint8Array, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!
    if (b < 0x20 && !isTextControl(b)) return true
  }
  return false
}

/** "is binary (looks like a PNG image)" / "is text (looks like CSV)": for content_mismatch messages. */
function describeContent(head: Uint8Array): string {
  const known = sniffBinaryFormat(head)
  if (known) return `is binary (looks like ${known})`
  const sample = Math.min(head.length, 4096)
  if (hasBinaryControl(head, sample)) return 'is binary'
  const firstLine = head.subarray(0, sample)
  if (firstLine.includes(0x2c)) return 'is text (looks like CSV)'
  if (firstLine.includes(0x09)) return 'is text (looks like TSV)'
  return 'is text'
}

/**
 * Byte offset of the first invalid UTF-8 sequence in bytes[0, end), or -1. A sequence cut off by `end`
 * counts as valid when `truncated` (the file goes on past the head).
 */
export function findInvalidUtf8(bytes: Uint8Array, end: number, truncated: boolean): number {
  let i = 0
  while (i < end) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    let min: number
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80]
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800]
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000]
    else return i
    if (i + need >= end) {
      if (!truncated) return i
      for (let k = i + 1; k < end; k++) if ((bytes[k]! & 0xc0) !== 0x80) return i
      return -1
    }
    let code = b & (0x3f >> need)
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!
      if ((c & 0xc0) !== 0x80) return i
      code = (code << 6) | (c & 0x3f)
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i
    i += need + 1
  }
  return -1
}

/** Length of a UTF-8 byte-order mark at the start, 0 or 3. */
export function utf8BomLength(bytes: Uint8Array): number {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
}

/**
 * Throws unless bytes[0, end) look like UTF-8 text: content_mismatch for binary content (naming what it
 * looks like), text_encoding for UTF-16 or non-UTF-8 text.
 */
export function assertTextContent(bytes: Uint8Array, end: number, truncated: boolean, filename: string, format: UploadFormat): void {
  const known = sniffBinaryFormat(bytes)
  const fix = known?.includes('.npy') ? '' : ` Upload a plain-text .${format} file, or give the file the extension that matches its content.`
  if (known) fail('content_mismatch', `"${filename}" says .${format} but its content is binary (looks like ${known}).${fix}`)
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    fail('text_encoding', `"${filename}" is UTF-16 text; save it as UTF-8 (in Excel: Save As > CSV UTF-8).`)
  }
  // One pass: printable ASCII is the common case; controls and UTF-8 sequences are checked as they come.
  let bad = -1
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!
    if (b >= 0x20 && b < 0x80) continue
    if (b < 0x20) {
      if (isTextControl(b)) continue
      fail('content_mismatch', `"${filename}" says .${format} but its content is binary.${fix}`)
    }
    bad = findInvalidUtf8(bytes.subarray(i, end), end - i, truncated)
    if (bad >= 0) bad += i
    if (hasBinaryControl(bytes.subarray(i), end - i)) fail('content_mismatch', `"${filename}" says .${format} but its content is binary.${fix}`)
    break
  }
  if (bad >= 0) {
    fail('text_encoding', `"${filename}" is not valid UTF-8 (at byte ${bad}); it may be Latin-1 or Windows-1252 text. Save it as UTF-8.`)
  }
}

// ---------------------------------------------------------------------------------------------------
// Text verification

function verifyText(kind: UploadKind, format: UploadFormat, filename: string, head: Uint8Array, complete: boolean): UploadInfo {
  // Without the whole file, check only the complete lines we hold.
  const end = complete ? head.length : head.lastIndexOf(0x0a) + 1
  assertTextContent(head, head.length, !complete, filename, format)
  const start = utf8BomLength(head)
  if (kind === 'metadata') {
    const table = scanMetadataTable(head, start, end, format)
    if (complete && table.rows === 0) fail('empty_file', `"${filename}" holds a header but no rows; it needs one row per point.`)
    return { format, rows: complete ? table.rows : null, cols: table.names.length, dtype: null, hasHeader: true }
  }
  if (kind === 'features') {
    const table = scanFeatureTable(head, start, end, format)
    if (complete && table.rows === 0) fail('empty_file', `"${filename}" holds no rows of numbers.`)
    return { format, rows: complete ? table.rows : null, cols: table.cols || null, dtype: null, hasHeader: table.hasHeader }
  }
  const labels = scanLabelTable(head, start, end, format, false)
  if (complete && labels.rows === 0) fail('empty_file', `"${filename}" holds no labels.`)
  return { format, rows: complete ? labels.rows : null, cols: null, dtype: labels.allIntegers ? 'int' : 'string', hasHeader: labels.hasHeader }
}

function scanFeatureTable(bytes: Uint8Array, start: number, end: number, format: UploadFormat) {
  const delimiter = featureDelimiter(bytes, start, end, format)
  let rows = 0
  let cols = 0
  let hasHeader = false
  let first: { texts: string[]; classes: NumberClass[] } | null = { texts: [], classes: [] }
  let fields = 0
  let expected = 0
  let blankLine = 0
  const sink: FieldSink = {
    field(s, e, quoted) {
      fields++
      const cls = classifyNumberField(bytes, s, e)
      if (first) {
        first.texts.push(fieldText(bytes, s, e, quoted))
        first.classes.push(cls)
      } else if (cls === NOT_A_NUMBER) {
        throw notNumericError(sink.line, fields, fieldText(bytes, s, e, quoted))
      }
    },
    endRecord(line) {
      if (blankLine) throw blankLineError(blankLine)
      if (first) {
        const layout = decideFeatureHeader(first.texts, first.classes)
        hasHeader = layout.hasHeader
        cols = fields - (layout.dropIndexColumn ? 1 : 0)
        const bad = first.classes.indexOf(NOT_A_NUMBER)
        if (!hasHeader && bad >= 0) throw notNumericError(line, bad + 1, first.texts[bad]!)
        if (!hasHeader) rows++
        expected = fields
        first = null
      } else {
        if (fields !== expected) throw raggedRowsError(line, fields, expected, hasHeader)
        rows++
        if (rows > LIMITS.maxPoints) fail('too_many_points', `The features hold more than ${LIMITS.maxPoints} rows; at most ${LIMITS.maxPoints} points are accepted. Subsample them first.`)
      }
      fields = 0
    },
    blankLine(line) {
      if (!blankLine) blankLine = line
    },
    line: 0,
  }
  scanDelimited(bytes, start, end, delimiter, true, sink)
  if (cols > LIMITS.maxDims) fail('too_many_dims', `The features have ${cols} columns; at most ${LIMITS.maxDims} are accepted. Reduce them first (e.g. PCA).`)
  return { rows, cols, hasHeader }
}

// ---------------------------------------------------------------------------------------------------
// Text-table dialect, shared with the worker's parsers.
//
// Records end at LF, CRLF or CR. Fields are separated by the delimiter; blanks around a field are ignored;
// a field may be "double-quoted" ("" inside stands for "), and a quoted field may hold delimiters and line
// breaks. Lines holding only blanks are allowed at the end, not between records. Lines starting with '#'
// before the first record are comments (numpy.savetxt(header=...) writes one).

/** Pass as the delimiter to split fields on runs of spaces and tabs (numpy.savetxt's default). */
export const WHITESPACE_DELIMITER = -1
/** Pass as the delimiter to take each whole line as one field. */
export const LINE_DELIMITER = -2

const LF = 0x0a
const CR = 0x0d
const TAB = 0x09
const SPACE = 0x20
const QUOTE = 0x22
const HASH = 0x23

/** Receives the fields of a table as scanDelimited finds them. */
export interface FieldSink {
  /** One field: its content is bytes[start, end), quotes and surrounding blanks removed. */
  field(start: number, end: number, quoted: boolean): void
  /** The record that began on 1-based physical `line` has ended. */
  endRecord(line: number): void
  /** A line holding only blanks. */
  blankLine(line: number): void
  /** Set by scanDelimited to the 1-based line of the record being scanned, for error messages. */
  line: number
}

function isBlank(c: number, delimiter: number): boolean {
  return c === SPACE || (c === TAB && delimiter !== TAB)
}

function isFieldEnd(c: number, delimiter: number): boolean {
  return c === LF || c === CR || c === delimiter || (delimiter === WHITESPACE_DELIMITER && (c === SPACE || c === TAB))
}

function skipLineEnd(bytes: Uint8Array, i: number, end: number): number {
  if (i < end && bytes[i] === CR) i++
  if (i < end && bytes[i] === LF) i++
  return i
}

/**
 * Scans bytes[start, end) as a delimited table, calling `sink` per field and record. One pass, no
 * allocation. `delimiter` is a byte (',' or '\t'), WHITESPACE_DELIMITER or LINE_DELIMITER; `quotes`
 * turns double-quote handling on.
 */
export function scanDelimited(bytes: Uint8Array, start: number, end: number, delimiter: number, quotes: boolean, sink: FieldSink): void {
  let i = start
  let line = 1
  let seenRecord = false
  while (i < end) {
    let j = i
    while (j < end && (bytes[j] === SPACE || bytes[j] === TAB)) j++
    const head = j < end ? bytes[j]! : LF
    if (head === LF || head === CR) {
      sink.blankLine(line)
      i = skipLineEnd(bytes, j, end)
      line++
      continue
    }
    if (!seenRecord && head === HASH) {
      while (j < end && bytes[j] !== LF && bytes[j] !== CR) j++
      i = skipLineEnd(bytes, j, end)
      line++
      continue
    }
    seenRecord = true
    const recordLine = line
    sink.line = recordLine
    for (;;) {
      while (i < end && isBlank(bytes[i]!, delimiter)) i++
      let fieldStart = i
      let fieldEnd: number
      let quoted = false
      if (quotes && i < end && bytes[i] === QUOTE) {
        quoted = true
        fieldStart = ++i
        for (;;) {
          if (i >= end) {
            fieldEnd = end
            break
          }
          const c = bytes[i]!
          if (c === QUOTE) {
            if (i + 1 < end && bytes[i + 1] === QUOTE) {
              i += 2
              continue
            }
            fieldEnd = i++
            break
          }
          if (c === LF || (c === CR && bytes[i + 1] !== LF)) line++
          i++
        }
        while (i < end && isBlank(bytes[i]!, delimiter)) i++
        if (i < end && !isFieldEnd(bytes[i]!, delimiter)) {
          // Text after the closing quote ("1"2): keep the field as written so it reads as what it is.
          quoted = false
          fieldStart--
          while (i < end && !isFieldEnd(bytes[i]!, delimiter)) i++
          fieldEnd = i
        }
      } else {
        while (i < end && !isFieldEnd(bytes[i]!, delimiter)) i++
        fieldEnd = i
        while (fieldEnd > fieldStart && (bytes[fieldEnd - 1] === SPACE || bytes[fieldEnd - 1] === TAB)) fieldEnd--
      }
      sink.field(fieldStart, fieldEnd, quoted)
      if (i >= end) break
      const c = bytes[i]!
      if (c === LF || c === CR) break
      if (delimiter === WHITESPACE_DELIMITER) {
        while (i < end && (bytes[i] === SPACE || bytes[i] === TAB)) i++
        if (i >= end || bytes[i] === LF || bytes[i] === CR) break
      } else {
        i++
      }
    }
    sink.endRecord(recordLine)
    i = skipLineEnd(bytes, i, end)
    line++
  }
}

/**
 * The delimiter of a feature table: for .csv a comma if the first record has one, else a tab, else runs
 * of blanks (numpy.savetxt's default); for .tsv a tab first, then a comma, then blanks.
 */
export function featureDelimiter(bytes: Uint8Array, start: number, end: number, format: UploadFormat): number {
  let i = start
  // Skip leading blank and comment lines.
  for (;;) {
    let j = i
    while (j < end && (bytes[j] === SPACE || bytes[j] === TAB)) j++
    if (j < end && bytes[j] !== HASH && bytes[j] !== LF && bytes[j] !== CR) break
    while (j < end && bytes[j] !== LF && bytes[j] !== CR) j++
    if (j >= end) return WHITESPACE_DELIMITER
    i = skipLineEnd(bytes, j, end)
  }
  let comma = false
  let tab = false
  for (let j = i; j < end && bytes[j] !== LF && bytes[j] !== CR; j++) {
    if (bytes[j] === 0x2c) comma = true
    else if (bytes[j] === TAB) tab = true
  }
  if (format === 'tsv') return tab ? TAB : comma ? 0x2c : WHITESPACE_DELIMITER
  return comma ? 0x2c : tab ? TAB : WHITESPACE_DELIMITER
}

/** The delimiter of a label table: each whole line for .txt, comma for .csv, tab for .tsv. */
export function labelDelimiter(format: UploadFormat): number {
  return format === 'txt' ? LINE_DELIMITER : format === 'tsv' ? TAB : 0x2c
}

export type NumberClass = 0 | 1 | 2
/** Not a number: a header name or a typo. */
export const NOT_A_NUMBER = 0
/** A finite decimal number: 3, -0.5, 1e-3, .5, 2. */
export const FINITE_NUMBER = 1
/** A missing or non-finite value: empty, nan, NA, inf, -Infinity (any case). Read as NaN or ±Infinity. */
export const MISSING_NUMBER = 2

function lower(c: number): number {
  return c | 0x20
}

function matchesWord(bytes: Uint8Array, s: number, e: number, word: string): boolean {
  if (e - s !== word.length) return false
  for (let k = 0; k < word.length; k++) if (lower(bytes[s + k]!) !== word.charCodeAt(k)) return false
  return true
}

/** Classifies bytes[s, e) as a number, a missing/non-finite value, or text. */
export function classifyNumberField(bytes: Uint8Array, s: number, e: number): NumberClass {
  if (s === e) return MISSING_NUMBER
  let i = s
  if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++
  const c = lower(bytes[i] ?? 0)
  if (c === 0x6e || c === 0x69) {
    const word = matchesWord(bytes, i, e, 'nan') || matchesWord(bytes, i, e, 'inf') || matchesWord(bytes, i, e, 'infinity') || (i === s && matchesWord(bytes, i, e, 'na'))
    return word ? MISSING_NUMBER : NOT_A_NUMBER
  }
  let digits = 0
  while (i < e && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) { i++; digits++ }
  if (i < e && bytes[i] === 0x2e) {
    i++
    while (i < e && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) { i++; digits++ }
  }
  if (digits === 0) return NOT_A_NUMBER
  if (i < e && lower(bytes[i]!) === 0x65) {
    i++
    if (i < e && (bytes[i] === 0x2b || bytes[i] === 0x2d)) i++
    const expStart = i
    while (i < e && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) i++
    if (i === expStart) return NOT_A_NUMBER
  }
  return i === e ? FINITE_NUMBER : NOT_A_NUMBER
}

const utf8 = new TextDecoder()

/** The text of a field (UTF-8; "" inside a quoted field becomes "). */
export function fieldText(bytes: Uint8Array, s: number, e: number, quoted: boolean): string {
  let text = ''
  let ascii = e - s <= 64
  for (let k = s; ascii && k < e; k++) if (bytes[k]! >= 0x80) ascii = false
  if (ascii) for (let k = s; k < e; k++) text += String.fromCharCode(bytes[k]!)
  else text = utf8.decode(bytes.subarray(s, e))
  return quoted && text.includes('""') ? text.replaceAll('""', '"') : text
}

/**
 * Whether a feature table's first record is a header, and whether its first column is a pandas index.
 * Header: any field is not a number, or pandas' index layout (an empty first name, then 0, 1, 2, ... as
 * written by DataFrame(x).to_csv()). A header whose first name is empty marks an index column (the row
 * numbers pandas writes unless index=False): it is dropped.
 */
export function decideFeatureHeader(texts: readonly string[], classes: readonly NumberClass[]): { hasHeader: boolean; dropIndexColumn: boolean } {
  const firstEmpty = texts.length >= 2 && texts[0]!.trim() === ''
  const pandasRange = firstEmpty && texts.slice(1).every((t, k) => t.trim() === String(k))
  const hasHeader = classes.includes(NOT_A_NUMBER) || pandasRange
  return { hasHeader, dropIndexColumn: hasHeader && firstEmpty }
}

/** The column named most like a label column (earlier in LABEL_HEADER_NAMES wins), or -1. */
function labelColumnByName(names: readonly string[]): number {
  let best = -1
  let bestRank = Infinity
  names.forEach((name, column) => {
    const rank = LABEL_HEADER_NAMES.indexOf(name)
    if (rank >= 0 && rank < bestRank) [best, bestRank] = [column, rank]
  })
  return best
}

/** Column names (lower case) that mark the first line of a label file as a header, most label-like first. */
export const LABEL_HEADER_NAMES: readonly string[] = [
  'label', 'labels', 'class', 'classes', 'target', 'targets', 'y', 'category', 'categories', 'cluster',
  'clusters', 'group', 'groups', 'species', 'digit', 'cell_type', 'celltype', 'type', 'tag', 'tags',
  'annotation', 'name', 'names',
]

export interface LabelTable {
  /** Labels read (header excluded). */
  rows: number
  hasHeader: boolean
  /** 0-based column the labels were taken from. */
  column: number
  /** Every label is an integer number. */
  allIntegers: boolean
  /** The label texts in order, when asked to collect them. */
  values: string[] | null
}

/**
 * Reads a label table: one label per line (.txt: the whole line; .csv/.tsv: one column). Strings are
 * allowed. The first line is a header when a name in it is a known label column name (label, class, y,
 * ...), when it starts with an empty name (pandas' index column), or when a column holds a non-number
 * there and numbers below it. With several columns the labels come from the column named like a label,
 * else the one after a pandas index, else the first.
 * @throws UploadVerificationError for ragged rows, blank lines between labels or a missing label.
 */
export function scanLabelTable(bytes: Uint8Array, start: number, end: number, format: UploadFormat, collect: boolean): LabelTable {
  const delimiter = labelDelimiter(format)
  const values: string[] = []
  let first: { texts: string[]; classes: NumberClass[]; line: number } | null = null
  let inFirst = true
  /** Per column: the first line holds a non-number and every later line a number (so line 1 is a header). */
  let numbersBelowName: boolean[] = []
  let fieldIndex = 0
  let column = 0
  let namedHeader = false
  let rows = 0
  let allIntegers = true
  let blankLine = 0
  let emptyLine = 0
  const firstTexts: string[] = []
  const firstClasses: NumberClass[] = []
  const sink: FieldSink = {
    field(s, e, quoted) {
      const k = fieldIndex++
      if (inFirst) {
        firstTexts.push(fieldText(bytes, s, e, quoted))
        firstClasses.push(classifyNumberField(bytes, s, e))
        return
      }
      if (numbersBelowName[k] && classifyNumberField(bytes, s, e) !== FINITE_NUMBER) numbersBelowName[k] = false
      if (k !== column) return
      if (s === e) {
        if (!emptyLine) emptyLine = sink.line
        return
      }
      if (collect || allIntegers) {
        const text = fieldText(bytes, s, e, quoted)
        if (collect) values.push(text)
        if (allIntegers && !isIntegerText(text)) allIntegers = false
      }
    },
    endRecord(line) {
      if (blankLine) throw blankLineError(blankLine)
      if (inFirst) {
        const names = firstTexts.map((t) => t.trim().toLowerCase())
        const named = labelColumnByName(names)
        const pandasIndex = names.length >= 2 && names[0] === ''
        namedHeader = named >= 0 || pandasIndex
        column = named >= 0 ? named : pandasIndex ? 1 : 0
        numbersBelowName = firstClasses.map((c) => c === NOT_A_NUMBER)
        first = { texts: firstTexts, classes: firstClasses, line }
        inFirst = false
      } else {
        if (fieldIndex !== first!.texts.length) throw raggedRowsError(line, fieldIndex, first!.texts.length, false, true)
        rows++
      }
      fieldIndex = 0
    },
    blankLine(line) {
      if (!blankLine) blankLine = line
    },
    line: 0,
  }
  scanDelimited(bytes, start, end, delimiter, format !== 'txt', sink)
  if (!first) return { rows: 0, hasHeader: false, column: 0, allIntegers: false, values: collect ? [] : null }
  const { texts, line } = first as { texts: string[]; line: number }
  const hasHeader = namedHeader || (rows > 0 && numbersBelowName.some(Boolean))
  if (!hasHeader) {
    const text = texts[column]!
    if (text.trim() === '') throw missingLabelError(line)
    if (collect) values.unshift(text)
    if (!isIntegerText(text)) allIntegers = false
    rows++
  }
  if (emptyLine) throw missingLabelError(emptyLine)
  if (rows > LIMITS.maxPoints) fail('too_many_points', `The labels file holds ${rows} labels; at most ${LIMITS.maxPoints} points are accepted.`)
  return { rows, hasHeader, column, allIntegers: allIntegers && rows > 0, values: collect ? values : null }
}

function isIntegerText(text: string): boolean {
  const t = text.trim()
  return t !== '' && Number.isInteger(Number(t)) && !/^[+-]?(0x|0b|0o)/i.test(t)
}

// Error messages shared by the edge's checks and the worker's parsers.

export function notNumericError(line: number, column: number, text: string): UploadVerificationError {
  const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text
  return new UploadVerificationError('text_not_numeric', `Line ${line}, column ${column} (counting from 1) holds "${shown}", which is not a number. Features must be numeric; only the first line may be a header.`)
}

export function raggedRowsError(line: number, got: number, expected: number, afterHeader: boolean, labels = false): UploadVerificationError {
  const first = afterHeader ? 'the header line' : 'the first line'
  const hint = labels ? ' Quote labels that contain the delimiter, or use a .txt file with one label per line.' : ' Every row needs the same number of values.'
  return new UploadVerificationError('text_ragged_rows', `Line ${line} has ${got} ${got === 1 ? 'column' : 'columns'} but ${first} has ${expected}.${hint}`)
}

export function blankLineError(line: number): UploadVerificationError {
  return new UploadVerificationError('text_blank_line', `Line ${line} is blank but more rows follow it. Remove blank lines between rows (one row per point).`)
}

export function missingLabelError(line: number): UploadVerificationError {
  return new UploadVerificationError('labels_missing_value', `Line ${line} has an empty label; every point needs one. Fill it in (e.g. "unknown").`)
}
