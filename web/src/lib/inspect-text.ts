/**
 * @module Inspecting the start of a text upload (.csv/.tsv/.txt features or labels, metadata tables) with the
 * shared table scanners the edge and the worker read it with, and counting its lines.
 */
import {
  featureDelimiter,
  firstRecordStart,
  scanFeatureTable,
  scanLabelTable,
  scanMetadataTable,
  TableFormatError,
  UploadVerificationError,
  utf8BomLength,
  WHITESPACE_DELIMITER,
  type UploadFormat,
  type UploadKind,
} from '@constellate/shared'
import { checkFeatureShape, countValues, emptySummary, setClassCounts, type FileSummary } from './file-summary.ts'

/** How a text sample relates to its file: whole or a start, and the file's non-blank lines (exact or estimated). */
export interface TextSampleOptions {
  format: UploadFormat
  kind: UploadKind
  /** The sample is the whole file. */
  complete: boolean
  /** Non-blank lines in the whole file, for the row count of a partial sample. */
  totalLines: number
  totalExact: boolean
}

/**
 * Inspects a features or labels text sample (`sample`: the start of the file, the whole file when
 * `complete`) with the shared scanners, so the form reads the table exactly as the edge and the worker do.
 * A partial sample is read up to its last complete line.
 */
export function inspectText(sample: string | Uint8Array, options: TextSampleOptions): FileSummary {
  const bytes = typeof sample === 'string' ? new TextEncoder().encode(sample) : sample
  const summary = emptySummary(options.format)
  const start = utf8BomLength(bytes)
  const end = options.complete ? bytes.length : bytes.lastIndexOf(0x0a) + 1
  if (firstRecordStart(bytes, start, end) < 0) {
    summary.problems.push('The file has no rows.')
    return summary
  }
  try {
    if (options.kind === 'features') inspectFeatureText(summary, bytes, start, end, options)
    else inspectLabelText(summary, bytes, start, end, options)
  } catch (error) {
    if (!(error instanceof UploadVerificationError)) throw error
    summary.problems.push(options.kind === 'features' ? featureProblemText(error) : error.message)
  }
  return summary
}

/** The form's shorter words for a feature table's ragged row or text cell; other problems keep the edge's message. */
function featureProblemText(error: UploadVerificationError): string {
  if (!(error instanceof TableFormatError)) return error.message
  const problem = error.problem
  if (problem.code === 'text_ragged_rows') {
    return `Line ${problem.line} has ${problem.got} values; the first ${problem.afterHeader ? 'header' : 'row'} has ${problem.expected}. Every row needs the same number of columns.`
  }
  if (problem.code === 'text_not_numeric') {
    return `Line ${problem.line}, column ${problem.column} is "${problem.text.trim().slice(0, 30)}", not a number. Features must be numeric.`
  }
  return error.message
}

function inspectFeatureText(summary: FileSummary, bytes: Uint8Array, start: number, end: number, options: TextSampleOptions): void {
  summary.dtype = 'numbers'
  if (featureDelimiter(bytes, start, end, options.format) === WHITESPACE_DELIMITER && firstLineHas(bytes, start, end, 0x3b)) {
    summary.notes.push('Only one column was found: separate values with commas or tabs, not semicolons.')
  }
  const table = scanFeatureTable(bytes, start, end, options.format)
  summary.hasHeader = table.hasHeader
  summary.cols = table.cols
  summary.rows = options.complete ? table.rows : Math.max(0, options.totalLines - (table.hasHeader ? 1 : 0))
  summary.rowsExact = options.complete || options.totalExact
  const missing = table.firstMissing
  if (missing) {
    // The edge leaves non-finite values to the worker, which refuses them; say so before the upload.
    summary.problems.push(`Line ${missing.line}, column ${missing.column} is ${missing.text.trim() || 'empty'}. Features must be finite numbers (no NaN or Inf); fill or drop those rows.`)
  }
  if (summary.rowsExact) checkFeatureShape(summary, summary.rows, table.cols)
}

/** Whether the first record's line holds the byte `c`. */
function firstLineHas(bytes: Uint8Array, start: number, end: number, c: number): boolean {
  for (let i = Math.max(start, firstRecordStart(bytes, start, end)); i < end && bytes[i] !== 0x0a && bytes[i] !== 0x0d; i++) {
    if (bytes[i] === c) return true
  }
  return false
}

function inspectLabelText(summary: FileSummary, bytes: Uint8Array, start: number, end: number, options: TextSampleOptions): void {
  const table = scanLabelTable(bytes, start, end, options.format, true)
  const values = table.values!.map((value) => value.trim())
  summary.hasHeader = table.hasHeader
  summary.dtype = table.allIntegers ? 'numbers' : 'text'
  summary.rows = options.complete ? table.rows : Math.max(0, options.totalLines - (table.hasHeader ? 1 : 0))
  summary.rowsExact = options.complete || options.totalExact
  const distinct = new Set(values)
  summary.distinctLabels = distinct.size
  summary.sampleLabels = [...distinct].slice(0, 6)
  if (options.complete) setClassCounts(summary, countValues(values))
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
