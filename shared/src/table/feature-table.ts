/**
 * @module Feature tables (.csv/.tsv of numbers): whether the first record is a header and whether the first
 * column is a pandas index (one decision for every reader), and the counting scan the edge verifies with and
 * the web form inspects with. The worker's parser (gpu-worker/src/inputs/text-table.ts) makes the same
 * decisions while it stores the values.
 */
import { LIMITS } from '../limits.ts'
import type { UploadFormat } from '../schemas.ts'
import { featureDelimiter } from './delimiters.ts'
import { MISSING_NUMBER, NOT_A_NUMBER, classifyNumberField, type NumberClass } from './number-field.ts'
import { fieldText, scanDelimited, type FieldSink } from './scan-delimited.ts'
import { blankLineError, notNumericError, raggedRowsError, tooManyFeatureRowsError } from './table-errors.ts'

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

export interface FeatureTableScan {
  /** Data rows (a header excluded). */
  rows: number
  /** Feature columns (a pandas index column excluded). */
  cols: number
  hasHeader: boolean
  /**
   * The first missing or non-finite value (empty, nan, NA, inf) outside an index column, which the worker
   * reads as NaN or Infinity and then refuses; null when there is none. Line and column count from 1.
   */
  firstMissing: { line: number; column: number; text: string } | null
}

/**
 * Scans a feature table in bytes[start, end) with the shared dialect: header and index-column decision,
 * rows, columns, and that every cell is a number. Does not check the column count against LIMITS.maxDims
 * (callers word that limit themselves). O(bytes); allocates only the first record's texts.
 * @throws TableFormatError text_not_numeric, text_ragged_rows, text_blank_line;
 * UploadVerificationError too_many_points
 */
export function scanFeatureTable(bytes: Uint8Array, start: number, end: number, format: UploadFormat): FeatureTableScan {
  const delimiter = featureDelimiter(bytes, start, end, format)
  let rows = 0
  let cols = 0
  let hasHeader = false
  let indexColumn = false
  let firstMissing: FeatureTableScan['firstMissing'] = null
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
      } else if (cls === MISSING_NUMBER && firstMissing === null && !(indexColumn && fields === 1)) {
        firstMissing = { line: sink.line, column: fields, text: fieldText(bytes, s, e, quoted) }
      }
    },
    endRecord(line) {
      if (blankLine) throw blankLineError(blankLine)
      if (first) {
        const layout = decideFeatureHeader(first.texts, first.classes)
        hasHeader = layout.hasHeader
        indexColumn = layout.dropIndexColumn
        cols = fields - (layout.dropIndexColumn ? 1 : 0)
        const bad = first.classes.indexOf(NOT_A_NUMBER)
        if (!hasHeader && bad >= 0) throw notNumericError(line, bad + 1, first.texts[bad]!)
        if (!hasHeader) {
          rows++
          const missing = first.classes.indexOf(MISSING_NUMBER)
          if (missing >= 0) firstMissing = { line, column: missing + 1, text: first.texts[missing]! }
        }
        expected = fields
        first = null
      } else {
        if (fields !== expected) throw raggedRowsError(line, fields, expected, hasHeader)
        rows++
        if (rows > LIMITS.maxPoints) throw tooManyFeatureRowsError()
      }
      fields = 0
    },
    blankLine(line) {
      if (!blankLine) blankLine = line
    },
    line: 0,
  }
  scanDelimited(bytes, start, end, delimiter, true, sink)
  return { rows, cols, hasHeader, firstMissing }
}
