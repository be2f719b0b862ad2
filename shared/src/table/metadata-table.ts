/**
 * @module The metadata table dialect (kind "metadata"): a `.csv` (comma) or `.tsv` (tab) with a header row
 * of column names, then one row per point. Quoting, CRLF and '#' comment lines at the top follow the
 * shared text-table dialect (scan-delimited.ts). A column whose present values are all finite numbers is
 * continuous; any other is categorical. Missing values: an empty cell, NA, N/A, NaN, null or None (any case).
 * The edge checks the table with this scan at completion; the worker uses it as its first pass.
 */
import { LIMITS } from '../limits.ts'
import type { UploadFormat } from '../schemas.ts'
import { UploadVerificationError } from '../upload/errors.ts'
import { metadataDelimiter } from './delimiters.ts'
import { FINITE_NUMBER, classifyNumberField } from './number-field.ts'
import { fieldText, scanDelimited, type FieldSink } from './scan-delimited.ts'
import { blankLineError, raggedRowsError } from './table-errors.ts'

export interface MetadataTableScan {
  /** Data rows (the header excluded). */
  rows: number
  /** Column names as written in the header (trimmed, not yet made unique). */
  names: string[]
  /** Per column: every present value is a finite number (false for a column with no values at all). */
  numeric: boolean[]
  /** Per column: values present (not missing). */
  present: number[]
}

const MISSING_WORDS = ['na', 'n/a', 'nan', 'null', 'none']

/** True for an empty cell or NA, N/A, NaN, null, None in any case (bytes[s, e), already trimmed). */
export function isMissingMetadataValue(bytes: Uint8Array, s: number, e: number): boolean {
  const length = e - s
  if (length === 0) return true
  if (length > 4) return false
  let word = ''
  for (let k = s; k < e; k++) word += String.fromCharCode(bytes[k]! | 0x20)
  return MISSING_WORDS.includes(word)
}

/**
 * Scans a metadata table in bytes[start, end): header, row count, column types. O(bytes), allocating only
 * the header's names.
 * @throws UploadVerificationError text_ragged_rows (naming the line), text_blank_line,
 * metadata_too_many_columns, metadata_no_columns, too_many_points
 */
export function scanMetadataTable(bytes: Uint8Array, start: number, end: number, format: UploadFormat): MetadataTableScan {
  const names: string[] = []
  let numeric: boolean[] = []
  let present: number[] = []
  let inHeader = true
  let fieldIndex = 0
  let rows = 0
  let blankLine = 0
  const sink: FieldSink = {
    field(s, e, quoted) {
      const k = fieldIndex++
      if (inHeader) {
        if (k >= LIMITS.maxMetadataColumns) {
          throw new UploadVerificationError(
            'metadata_too_many_columns',
            `The metadata header has more than ${LIMITS.maxMetadataColumns} columns; at most ${LIMITS.maxMetadataColumns} are accepted. Keep the columns you want to colour or filter by.`,
          )
        }
        names.push(fieldText(bytes, s, e, quoted).trim())
        return
      }
      if (k >= names.length) return // counted, reported as ragged at the record's end
      if (isMissingMetadataValue(bytes, s, e)) return
      present[k]!++
      if (numeric[k] && classifyNumberField(bytes, s, e) !== FINITE_NUMBER) numeric[k] = false
    },
    endRecord(line) {
      if (blankLine) throw blankLineError(blankLine)
      if (inHeader) {
        inHeader = false
        numeric = names.map(() => true)
        present = names.map(() => 0)
      } else {
        if (fieldIndex !== names.length) throw raggedRowsError(line, fieldIndex, names.length, true, true)
        rows++
        if (rows > LIMITS.maxPoints) {
          throw new UploadVerificationError('too_many_points', `The metadata holds more than ${LIMITS.maxPoints} rows; at most ${LIMITS.maxPoints} points are accepted.`)
        }
      }
      fieldIndex = 0
    },
    blankLine(line) {
      if (!blankLine) blankLine = line
    },
    line: 0,
  }
  scanDelimited(bytes, start, end, metadataDelimiter(format), true, sink)
  if (names.length === 0) {
    throw new UploadVerificationError('metadata_no_columns', 'The metadata file has no header row. Its first line must name the columns (e.g. "split,confidence"), then one row per point.')
  }
  return { rows, names, numeric: numeric.map((isNumber, k) => isNumber && present[k]! > 0), present }
}
