/**
 * @module Which delimiter each kind of table is read with (feature, label and metadata tables), so the edge,
 * the worker and the web form split a file's fields the same way.
 */
import type { UploadFormat } from '../schemas.ts'
import { LINE_DELIMITER, WHITESPACE_DELIMITER, firstRecordStart } from './scan-delimited.ts'

const LF = 0x0a
const CR = 0x0d
const TAB = 0x09
const COMMA = 0x2c

/**
 * The delimiter of a feature table: for .csv a comma if the first record has one, else a tab, else runs
 * of blanks (numpy.savetxt's default); for .tsv a tab first, then a comma, then blanks.
 */
export function featureDelimiter(bytes: Uint8Array, start: number, end: number, format: UploadFormat): number {
  const first = firstRecordStart(bytes, start, end)
  if (first < 0) return WHITESPACE_DELIMITER
  let comma = false
  let tab = false
  for (let j = first; j < end && bytes[j] !== LF && bytes[j] !== CR; j++) {
    if (bytes[j] === COMMA) comma = true
    else if (bytes[j] === TAB) tab = true
  }
  if (format === 'tsv') return tab ? TAB : comma ? COMMA : WHITESPACE_DELIMITER
  return comma ? COMMA : tab ? TAB : WHITESPACE_DELIMITER
}

/** The delimiter of a label table: each whole line for .txt, comma for .csv, tab for .tsv. */
export function labelDelimiter(format: UploadFormat): number {
  return format === 'txt' ? LINE_DELIMITER : format === 'tsv' ? TAB : COMMA
}

/** The field delimiter of a metadata table: comma for .csv, tab for .tsv. */
export function metadataDelimiter(format: UploadFormat): number {
  return labelDelimiter(format)
}
