/**
 * @module Verifying a text upload (.csv/.tsv/.txt features, labels or metadata) at completion with the
 * shared table scanners, so the edge refuses exactly what the worker's parsers would.
 */
import { LIMITS } from '../limits.ts'
import type { UploadFormat, UploadInfo, UploadKind } from '../schemas.ts'
import { scanFeatureTable } from '../table/feature-table.ts'
import { scanLabelTable } from '../table/label-table.ts'
import { scanMetadataTable } from '../table/metadata-table.ts'
import { tooManyFeatureColumnsError } from '../table/table-errors.ts'
import { failUpload } from './errors.ts'
import { assertTextContent, utf8BomLength } from './text-content.ts'

/**
 * Checks a text upload (features, labels or metadata) from its head: UTF-8 text, then the table read with the
 * shared scanners. Without the whole file (`complete` false) only the complete lines held are checked, and
 * the row count is left unknown.
 * @throws UploadVerificationError
 */
export function verifyText(kind: UploadKind, format: UploadFormat, filename: string, head: Uint8Array, complete: boolean): UploadInfo {
  const end = complete ? head.length : head.lastIndexOf(0x0a) + 1
  assertTextContent(head, head.length, !complete, filename, format)
  const start = utf8BomLength(head)
  if (kind === 'metadata') {
    const table = scanMetadataTable(head, start, end, format)
    if (complete && table.rows === 0) failUpload('empty_file', `"${filename}" holds a header but no rows; it needs one row per point.`)
    return { format, rows: complete ? table.rows : null, cols: table.names.length, dtype: null, hasHeader: true }
  }
  if (kind === 'features') {
    const table = scanFeatureTable(head, start, end, format)
    if (table.cols > LIMITS.maxDims) throw tooManyFeatureColumnsError(table.cols)
    if (complete && table.rows === 0) failUpload('empty_file', `"${filename}" holds no rows of numbers.`)
    return { format, rows: complete ? table.rows : null, cols: table.cols || null, dtype: null, hasHeader: table.hasHeader }
  }
  const labels = scanLabelTable(head, start, end, format, false)
  if (complete && labels.rows === 0) failUpload('empty_file', `"${filename}" holds no labels.`)
  return { format, rows: complete ? labels.rows : null, cols: null, dtype: labels.allIntegers ? 'int' : 'string', hasHeader: labels.hasHeader }
}
