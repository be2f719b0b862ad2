/**
 * @module What the browser can tell about a chosen file before uploading it: the `.npy` header (shape,
 * dtype, order) or the first lines of a CSV/TSV/TXT (columns, header row, row count), a metadata table's
 * columns, the points per label, and the problems the edge would reject it for, worded the same way so the
 * user can fix them before waiting for an upload.
 */
import {
  ACCEPTED_FORMATS,
  formatFromFilename,
  LIMITS,
  NPY_PREFIX_BYTES,
  NpyFormatError,
  npyDataProblem,
  npyDtypeName,
  parseNpyHeader,
  scanLabelTable,
  scanMetadataTable,
  UploadVerificationError,
  utf8BomLength,
  type NpyHeader,
  type UploadFormat,
  type UploadKind,
} from '@constellate/shared'

export interface FileSummary {
  format: UploadFormat | null
  /** Points (features) or labels; null when unknown. */
  rows: number | null
  /** False when `rows` was estimated from a sample of a large text file. */
  rowsExact: boolean
  /** Feature columns (D); null for labels. */
  cols: number | null
  /** e.g. "float32", "numbers", "text". */
  dtype: string | null
  /** `.npy` shape as written in the header. */
  shape?: number[]
  fortranOrder?: boolean
  hasHeader?: boolean
  /** A few distinct label values seen, for display. */
  sampleLabels?: string[]
  /** Distinct labels seen in the sample (a lower bound when the sample is partial). */
  distinctLabels?: number
  /** Points per distinct label (labels read whole; largest first), for stratified subsampling. */
  classCounts?: number[]
  /** A metadata table's columns: name, and whether every value seen is a number (continuous). */
  columns?: { name: string; numeric: boolean }[]
  /** Reasons the upload would be refused; the form will not submit while there are any. */
  problems: string[]
  /** Worth knowing, not blocking. */
  notes: string[]
}

/** Text files up to this size have their rows counted exactly; larger ones are estimated. */
export const EXACT_ROW_COUNT_BYTES = 256 * 1024 ** 2
/** Labels files up to this size are read whole to count the points of each label. */
export const LABEL_COUNT_BYTES = 64 * 1024 ** 2
/** Bytes of a text file parsed to find columns and a header. */
export const TEXT_SAMPLE_BYTES = 256 * 1024

const HEADER_WORDS = new Set(['label', 'labels', 'class', 'classes', 'target', 'targets', 'y', 'name', 'category', 'digit'])

function emptySummary(format: UploadFormat | null): FileSummary {
  return { format, rows: null, rowsExact: false, cols: null, dtype: null, problems: [], notes: [] }
}

function plural(count: number, word: string): string {
  return `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`
}

/** Checks that don't need the file's content: extension, emptiness, size. */
export function inspectName(filename: string, size: number, kind: UploadKind): FileSummary {
  const format = formatFromFilename(filename)
  const summary = emptySummary(format)
  const accepted = ACCEPTED_FORMATS[kind]
  if (!format || !accepted.includes(format)) {
    const list = accepted.map((f) => '.' + f).join(', ')
    summary.problems.push(`"${filename}" is not a file type accepted for ${kind}. Use ${list}.`)
  }
  if (size === 0) summary.problems.push(`"${filename}" is empty.`)
  if (kind === 'model' && size > LIMITS.maxModelBytes) {
    summary.problems.push(`"${filename}" is ${formatBytes(size)}; models up to ${formatBytes(LIMITS.maxModelBytes)} are accepted.`)
  }
  if (size > LIMITS.maxUploadBytes) {
    summary.problems.push(`"${filename}" is ${formatBytes(size)}; the largest accepted file is ${formatBytes(LIMITS.maxUploadBytes)}.`)
  }
  return summary
}

/**
 * Inspects a `.npy` file from its first bytes (`prefix`, at least the header; `NPY_PREFIX_BYTES` is
 * enough) and its total size.
 */
export function inspectNpy(prefix: Uint8Array, fileSize: number, kind: UploadKind): FileSummary {
  const summary = emptySummary('npy')
  let header
  try {
    header = parseNpyHeader(prefix)
  } catch (error) {
    if (error instanceof NpyFormatError) {
      summary.problems.push(error.message)
      return summary
    }
    throw error
  }
  summary.shape = header.shape
  summary.fortranOrder = header.fortranOrder
  summary.dtype = npyDtypeName(header)
  const shapeText = `(${header.shape.join(', ')}${header.shape.length === 1 ? ',' : ''})`
  const declared = header.dataOffset + header.dataBytes
  if (declared > fileSize) {
    summary.problems.push(
      `The .npy header declares shape ${shapeText} (${formatBytes(declared)}), but the file holds only ${formatBytes(fileSize)}. The file is truncated; save it again with numpy.save().`,
    )
  } else if (npyDataProblem(header, fileSize - header.dataOffset)) {
    summary.problems.push(`The .npy dtype groups several values per element and ${formatBytes(fileSize - declared)} follow the array's data, so numpy.load refuses it. Save a plain array with numpy.save().`)
  } else if (declared < fileSize) {
    summary.notes.push(`The file has ${formatBytes(fileSize - declared)} after the array's data, which will be ignored (as numpy.load ignores it).`)
  }
  if (kind === 'inputs') {
    // A model's input batch [N, ...]: whether the rest fits the model is checked against its input (model-form.ts).
    if (header.shape.length < 2) {
      summary.problems.push(`Model inputs must be a batch [N, ...] with one example per row; this one has shape ${shapeText}.`)
    } else {
      summary.rows = header.shape[0]!
      summary.rowsExact = true
      if (summary.rows < LIMITS.minPoints) summary.problems.push(`t-SNE needs at least ${LIMITS.minPoints} inputs; this file has ${summary.rows}.`)
      if (summary.rows > LIMITS.maxModelInputs) {
        summary.problems.push(`This batch has ${plural(summary.rows, 'input')}; at most ${LIMITS.maxModelInputs.toLocaleString('en-US')} are run through a model. Subsample it first.`)
      }
    }
  } else if (kind === 'features') {
    if (header.shape.length !== 2) {
      summary.problems.push(
        `Features must be a 2-D array [N, D]; this one has shape ${shapeText}. Reshape it, e.g. numpy.save(path, x.reshape(len(x), -1)).`,
      )
    } else {
      summary.rows = header.shape[0]!
      summary.cols = header.shape[1]!
      summary.rowsExact = true
      checkFeatureShape(summary, summary.rows, summary.cols)
    }
  } else {
    const [first, second] = header.shape
    if (header.shape.length === 1 || (header.shape.length === 2 && second === 1)) {
      summary.rows = first!
      summary.rowsExact = true
    } else {
      summary.problems.push(`Labels must be a 1-D array with one label per point; this one has shape ${shapeText}.`)
    }
    if (header.kind === 'f') summary.notes.push(`Labels are stored as ${summary.dtype}; integer class ids are expected.`)
  }
  return summary
}

function checkFeatureShape(summary: FileSummary, rows: number, cols: number): void {
  if (rows < LIMITS.minPoints) {
    summary.problems.push(`t-SNE needs at least ${LIMITS.minPoints} points; this file has ${rows}.`)
  }
  if (rows > LIMITS.maxPoints) {
    summary.problems.push(`This file has ${plural(rows, 'point')}; at most ${LIMITS.maxPoints.toLocaleString('en-US')} are accepted. Subsample it first.`)
  }
  if (cols < 1) summary.problems.push('Features have no columns (D = 0).')
  if (cols > LIMITS.maxDims) {
    summary.problems.push(`Features have ${cols.toLocaleString('en-US')} columns; at most ${LIMITS.maxDims.toLocaleString('en-US')} are accepted.`)
  }
}

/** Splits text into lines, dropping blank ones; when `complete` is false the last (maybe cut) line is dropped. */
export function sampleLines(text: string, complete: boolean): string[] {
  const lines = text.split(/\r?\n/)
  if (!complete) lines.pop()
  return lines.filter((line) => line.trim().length > 0)
}

function isNumber(field: string): boolean {
  const value = field.trim()
  if (value === '') return false
  return !Number.isNaN(Number(value)) || /^[+-]?(nan|inf|infinity)$/i.test(value)
}

function isFiniteNumber(field: string): boolean {
  const value = field.trim()
  return value !== '' && Number.isFinite(Number(value))
}

/**
 * Inspects a delimited text sample. `text` is the start of the file (the whole file when `complete`);
 * `totalRows` is the exact or estimated count of non-blank lines in the whole file.
 */
export function inspectText(
  text: string,
  options: { format: UploadFormat; kind: UploadKind; complete: boolean; totalLines: number; totalExact: boolean },
): FileSummary {
  const summary = emptySummary(options.format)
  const lines = sampleLines(text, options.complete)
  if (lines.length === 0) {
    summary.problems.push('The file has no rows.')
    return summary
  }
  return options.kind === 'features' ? inspectFeatureText(summary, lines, options) : inspectLabelText(summary, lines, options)
}

function inspectFeatureText(
  summary: FileSummary,
  lines: string[],
  options: { format: UploadFormat; totalLines: number; totalExact: boolean },
): FileSummary {
  const delimiter = options.format === 'tsv' ? '\t' : ','
  const first = lines[0]!.split(delimiter)
  const hasHeader = first.some((field) => !isNumber(field))
  summary.hasHeader = hasHeader
  const dataLines = hasHeader ? lines.slice(1) : lines
  const cols = first.length
  summary.cols = cols
  summary.dtype = 'numbers'
  summary.rows = Math.max(0, options.totalLines - (hasHeader ? 1 : 0))
  summary.rowsExact = options.totalExact
  if (cols === 1 && options.format === 'csv' && /[\t;]/.test(lines[0]!)) {
    summary.notes.push('Only one column was found: values must be separated by commas in a .csv (use .tsv for tabs).')
  }
  const rowOffset = hasHeader ? 2 : 1
  for (let row = 0; row < dataLines.length && summary.problems.length < 3; row++) {
    const fields = dataLines[row]!.split(delimiter)
    if (fields.length !== cols) {
      summary.problems.push(`Line ${row + rowOffset} has ${fields.length} values; the first ${hasHeader ? 'header' : 'row'} has ${cols}. Every row needs the same number of columns.`)
      continue
    }
    for (let col = 0; col < fields.length; col++) {
      const field = fields[col]!
      if (!isNumber(field)) {
        summary.problems.push(`Line ${row + rowOffset}, column ${col + 1} is "${field.trim().slice(0, 30)}", not a number. Features must be numeric.`)
        break
      }
      if (!isFiniteNumber(field)) {
        summary.problems.push(`Line ${row + rowOffset}, column ${col + 1} is ${field.trim()}. Features must be finite numbers (no NaN or Inf); fill or drop those rows.`)
        break
      }
    }
  }
  if (summary.rowsExact) checkFeatureShape(summary, summary.rows, cols)
  return summary
}

function inspectLabelText(
  summary: FileSummary,
  lines: string[],
  options: { format: UploadFormat; totalLines: number; totalExact: boolean },
): FileSummary {
  const firstValue = lines[0]!.trim().toLowerCase()
  const hasHeader = HEADER_WORDS.has(firstValue.replace(/^["']|["']$/g, ''))
  summary.hasHeader = hasHeader
  const values = (hasHeader ? lines.slice(1) : lines).map((line) => line.trim())
  const distinct = new Set(values)
  summary.distinctLabels = distinct.size
  summary.sampleLabels = [...distinct].slice(0, 6)
  summary.dtype = values.every(isNumber) ? 'numbers' : 'text'
  summary.rows = Math.max(0, options.totalLines - (hasHeader ? 1 : 0))
  summary.rowsExact = options.totalExact
  return summary
}

/**
 * Counts non-blank lines across chunks of bytes (LF or CRLF), without decoding text. Push chunks in
 * order, then read `count`.
 */
export class LineCounter {
  #count = 0
  #lineHasContent = false

  push(chunk: Uint8Array): void {
    let count = this.#count
    let content = this.#lineHasContent
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!
      if (byte === 0x0a) {
        if (content) count++
        content = false
      } else if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) {
        content = true
      }
    }
    this.#count = count
    this.#lineHasContent = content
  }

  /** Lines so far, counting a last line without a trailing newline. */
  get count(): number {
    return this.#count + (this.#lineHasContent ? 1 : 0)
  }
}

/** Readable size, e.g. "1.5 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`
}

/** Anything with a name and Blob's reading methods: a browser File, or a Node File/Blob in tests. */
export interface NamedBlob {
  name: string
  size: number
  slice(start?: number, end?: number): Blob
}

/** Reads what is needed from `file` and inspects it. Never throws for bad content; reports problems. */
export async function inspectFile(file: NamedBlob, kind: UploadKind): Promise<FileSummary> {
  const byName = inspectName(file.name, file.size, kind)
  if (byName.problems.length > 0 || !byName.format) return byName
  const format = byName.format
  if (format === 'onnx' || format === 'zip' || format === 'tar') {
    const head = new Uint8Array(await file.slice(0, Math.min(file.size, 512)).arrayBuffer())
    return inspectBinaryHead(head, format, file.name)
  }
  if (format === 'npy') {
    const prefix = new Uint8Array(await file.slice(0, Math.min(file.size, NPY_PREFIX_BYTES)).arrayBuffer())
    const summary = inspectNpy(prefix, file.size, kind)
    if (kind === 'labels' && summary.problems.length === 0 && summary.rows !== null && file.size <= LABEL_COUNT_BYTES) {
      const whole = new Uint8Array(await file.slice(0, file.size).arrayBuffer())
      setClassCounts(summary, npyLabelCounts(whole, parseNpyHeader(whole)))
    }
    return summary
  }
  const sampleBytes = new Uint8Array(await file.slice(0, Math.min(file.size, TEXT_SAMPLE_BYTES)).arrayBuffer())
  if (sampleBytes.length >= 6 && sampleBytes[0] === 0x93 && sampleBytes[1] === 0x4e) {
    const summary = emptySummary(format)
    summary.problems.push(`"${file.name}" is a .npy file, not ${format.toUpperCase()} text. Rename it to end in .npy.`)
    return summary
  }
  if (sampleBytes.subarray(0, 4096).includes(0)) {
    const summary = emptySummary(format)
    summary.problems.push(`"${file.name}" is binary, not ${format.toUpperCase()} text. Upload a text file, or a .npy saved with numpy.save().`)
    return summary
  }
  const complete = sampleBytes.length === file.size
  const text = new TextDecoder('utf-8').decode(sampleBytes)
  let totalLines: number
  let totalExact: boolean
  if (complete) {
    totalLines = sampleLines(text, true).length
    totalExact = true
  } else if (file.size <= EXACT_ROW_COUNT_BYTES) {
    const counter = new LineCounter()
    const chunk = 8 * 1024 ** 2
    for (let start = 0; start < file.size; start += chunk) {
      counter.push(new Uint8Array(await file.slice(start, Math.min(file.size, start + chunk)).arrayBuffer()))
    }
    totalLines = counter.count
    totalExact = true
  } else {
    const lines = sampleLines(text, false).length
    totalLines = Math.round((lines / sampleBytes.length) * file.size)
    totalExact = false
  }
  if (kind === 'metadata') return inspectMetadata(sampleBytes, { format, complete, totalLines, totalExact })
  const summary = inspectText(text, { format, kind, complete, totalLines, totalExact })
  if (kind === 'labels' && summary.problems.length === 0 && file.size <= LABEL_COUNT_BYTES) {
    const bytes = complete ? sampleBytes : new Uint8Array(await file.slice(0, file.size).arrayBuffer())
    const read = readTextLabels(bytes, format)
    if (read) {
      // Read whole with the edge's own reader: its header decision and count replace the sample's guess.
      summary.rows = read.rows
      summary.rowsExact = true
      summary.hasHeader = read.hasHeader
      setClassCounts(summary, read.classCounts)
    }
  }
  return summary
}

/**
 * Inspects the start of a metadata table (`bytes`; the whole file when `complete`): its column names and
 * types with the shared scanner the edge uses, and its data rows (lines after the header).
 */
export function inspectMetadata(
  bytes: Uint8Array,
  options: { format: UploadFormat; complete: boolean; totalLines: number; totalExact: boolean },
): FileSummary {
  const summary = emptySummary(options.format)
  const end = options.complete ? bytes.length : bytes.lastIndexOf(0x0a) + 1
  try {
    const table = scanMetadataTable(bytes, utf8BomLength(bytes), end, options.format)
    summary.columns = table.names.map((name, k) => ({ name, numeric: table.numeric[k]! }))
    summary.cols = table.names.length
    summary.hasHeader = true
    summary.dtype = 'table'
    summary.rows = options.complete ? table.rows : Math.max(0, options.totalLines - 1)
    summary.rowsExact = options.totalExact
    if (options.complete && table.rows === 0) summary.problems.push('The file holds a header but no rows; it needs one row per point.')
  } catch (error) {
    if (!(error instanceof UploadVerificationError)) throw error
    summary.problems.push(error.message)
  }
  return summary
}

/**
 * A text labels file read whole as the edge reads it (header, column): labels, header, and points per label;
 * null when the edge would refuse it (it then says why).
 */
export function readTextLabels(bytes: Uint8Array, format: UploadFormat): { rows: number; hasHeader: boolean; classCounts: number[] } | null {
  try {
    const table = scanLabelTable(bytes, utf8BomLength(bytes), bytes.length, format, true)
    return { rows: table.rows, hasHeader: table.hasHeader, classCounts: countValues(table.values!.map((value) => value.trim())) }
  } catch (error) {
    if (error instanceof UploadVerificationError) return null
    throw error
  }
}

/**
 * Points per label of an integer (or bool) `.npy` labels file, given the whole file; null for float labels.
 * O(n).
 */
export function npyLabelCounts(bytes: Uint8Array, header: NpyHeader): number[] | null {
  if (header.kind === 'f' || bytes.length < header.dataOffset + header.dataBytes) return null
  const view = new DataView(bytes.buffer, bytes.byteOffset + header.dataOffset, header.dataBytes)
  const size = header.itemSize
  const little = header.littleEndian
  const signed = header.kind === 'i'
  const counts = new Map<number, number>()
  for (let at = 0; at < header.dataBytes; at += size) {
    let value: number
    if (size === 1) value = signed ? view.getInt8(at) : view.getUint8(at)
    else if (size === 2) value = signed ? view.getInt16(at, little) : view.getUint16(at, little)
    else if (size === 4) value = signed ? view.getInt32(at, little) : view.getUint32(at, little)
    else value = Number(signed ? view.getBigInt64(at, little) : view.getBigUint64(at, little))
    counts.set(value, (counts.get(value) ?? 0) + 1)
  }
  return [...counts.values()].sort((a, b) => b - a)
}

function countValues(values: string[]): number[] {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return [...counts.values()].sort((a, b) => b - a)
}

function setClassCounts(summary: FileSummary, counts: number[] | null): void {
  if (!counts) return
  summary.classCounts = counts
  summary.distinctLabels = counts.length
}

/**
 * What the first bytes of a model or image archive say: whether the content is what the name claims
 * (the edge checks it again, fully). An ONNX model is a protobuf whose first field is its IR version.
 */
export function inspectBinaryHead(head: Uint8Array, format: 'onnx' | 'zip' | 'tar', filename: string): FileSummary {
  const summary = emptySummary(format)
  const zip = head[0] === 0x50 && head[1] === 0x4b
  const npy = head[0] === 0x93 && head[1] === 0x4e
  const tar = head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar'
  if (format === 'onnx') {
    summary.dtype = 'ONNX model'
    if (zip || npy || head[0] !== 0x08) {
      summary.problems.push(`"${filename}" does not start like an ONNX model${zip ? ' (it is a ZIP archive)' : npy ? ' (it is a .npy array)' : ''}. Export the model with torch.onnx.export and upload that one .onnx file.`)
    }
  } else if (format === 'zip') {
    summary.dtype = 'ZIP of images'
    if (!zip) summary.problems.push(`"${filename}" is not a ZIP archive. Create it with "zip -r images.zip folder/" (one folder per class).`)
    else summary.notes.push('Labels come from the folder names (one folder per class).')
  } else {
    summary.dtype = 'tar of images'
    if (!tar) summary.problems.push(`"${filename}" is not an (uncompressed) tar archive. Create it with "tar -cf images.tar folder/".`)
    else summary.notes.push('Labels come from the folder names (one folder per class).')
  }
  return summary
}
