/**
 * @module Metadata tables (upload kind "metadata"): parsing a `.csv`/`.tsv` with a header row into typed
 * columns (continuous or categorical, missing values allowed), the `source` column of a map made from
 * several feature files, selecting the rows a subsample kept, and the compact columnar metadata.json.
 */
import {
  LIMITS,
  assertTextContent,
  fieldText,
  isMissingMetadataValue,
  metadataDelimiter,
  scanDelimited,
  scanMetadataTable,
  utf8BomLength,
  type FieldSink,
  type JobMetadata,
  type UploadFormat,
} from '@constellate/shared'
import { InputError, asInputErrors } from './errors.ts'
import { compareLabels } from './labels.ts'

export type MetadataColumnData =
  | { name: string; type: 'continuous'; /** length n; NaN where missing */ values: Float64Array }
  | { name: string; type: 'categorical'; categories: string[]; /** length n; -1 where missing */ codes: Int32Array }

/** Parsed metadata: every column has one entry per row. */
export interface MetadataTable {
  n: number
  columns: MetadataColumnData[]
  skipped: { name: string; reason: string }[]
}

/**
 * Parses a metadata table in two passes over the bytes: the shared scan (header, row count, which columns
 * are all numbers), then the values. Column names are trimmed, cut to LIMITS.maxMetadataTextLength and made
 * unique ("x", "x_2"); empty names become "column_<k>" (1-based). Categorical columns with more than
 * LIMITS.maxMetadataCategories distinct values are skipped and listed in `skipped`. O(bytes + n log C).
 * @throws InputError (content_mismatch, text_encoding, text_ragged_rows, text_blank_line,
 * metadata_too_many_columns, metadata_no_columns, empty_file, unsupported_format)
 */
export function parseMetadata(bytes: Uint8Array, format: UploadFormat, filename = `metadata.${format}`): MetadataTable {
  if (format !== 'csv' && format !== 'tsv') {
    throw new InputError('unsupported_format', `Metadata cannot be read from a .${format} file; use a .csv or .tsv with a header row.`)
  }
  return asInputErrors(() => {
    assertTextContent(bytes, bytes.length, false, filename, format)
    const start = utf8BomLength(bytes)
    const scan = scanMetadataTable(bytes, start, bytes.length, format)
    if (scan.rows === 0) throw new InputError('empty_file', `"${filename}" holds a header but no rows; it needs one row per point.`)
    const names = uniqueNames(scan.names)
    const n = scan.rows
    const numbers = names.map((_, k) => (scan.numeric[k] ? new Float64Array(n).fill(Number.NaN) : null))
    const texts = names.map((_, k) => (scan.numeric[k] ? null : new Map<string, number>()))
    const codes = names.map((_, k) => (scan.numeric[k] ? null : new Int32Array(n).fill(-1)))
    const overflow = names.map(() => false)
    let row = -1
    let column = 0
    const sink: FieldSink = {
      field(s, e, quoted) {
        const k = column++
        if (row < 0 || isMissingMetadataValue(bytes, s, e)) return
        const values = numbers[k]
        if (values) {
          values[row] = Number(fieldText(bytes, s, e, quoted))
          return
        }
        if (overflow[k]) return
        const dictionary = texts[k]!
        const text = clip(fieldText(bytes, s, e, quoted).trim())
        let code = dictionary.get(text)
        if (code === undefined) {
          if (dictionary.size >= LIMITS.maxMetadataCategories) {
            overflow[k] = true
            return
          }
          dictionary.set(text, (code = dictionary.size))
        }
        codes[k]![row] = code
      },
      endRecord() {
        row++
        column = 0
      },
      blankLine() {},
      line: 0,
    }
    scanDelimited(bytes, start, bytes.length, metadataDelimiter(format), true, sink)
    const columns: MetadataColumnData[] = []
    const skipped: { name: string; reason: string }[] = []
    names.forEach((name, k) => {
      if (numbers[k]) return columns.push({ name, type: 'continuous', values: numbers[k]! })
      if (overflow[k]) {
        return skipped.push({ name, reason: `more than ${LIMITS.maxMetadataCategories} distinct values (an id or free-text column?); categorical columns may hold at most ${LIMITS.maxMetadataCategories}` })
      }
      columns.push(sortedCategorical(name, texts[k]!, codes[k]!))
    })
    return { n, columns, skipped }
  })
}

function clip(text: string): string {
  return text.length > LIMITS.maxMetadataTextLength ? text.slice(0, LIMITS.maxMetadataTextLength) : text
}

function uniqueNames(raw: string[]): string[] {
  const seen = new Set<string>()
  return raw.map((name, k) => {
    const base = clip(name) || `column_${k + 1}`
    let unique = base
    for (let suffix = 2; seen.has(unique); suffix++) unique = `${base}_${suffix}`
    seen.add(unique)
    return unique
  })
}

/** Recodes a first-seen dictionary so categories are in natural order (compareLabels). */
function sortedCategorical(name: string, dictionary: Map<string, number>, firstSeenCodes: Int32Array): MetadataColumnData {
  const categories = [...dictionary.keys()].sort(compareLabels)
  const recode = new Int32Array(categories.length)
  categories.forEach((category, sorted) => (recode[dictionary.get(category)!] = sorted))
  const codes = firstSeenCodes.map((code) => (code < 0 ? -1 : recode[code]!))
  return { name, type: 'categorical', categories, codes }
}

/** Checks one metadata row per point. @throws InputError metadata_count_mismatch naming both counts */
export function checkMetadataCount(rows: number, n: number): void {
  if (rows === n) return
  const hint = rows === n - 1 ? ' The first line of the metadata is read as column names: add a header row.' : ''
  throw new InputError('metadata_count_mismatch', `The metadata has ${rows} rows (after its header) but the features have ${n} points; they must match one to one.${hint}`)
}

/**
 * The `source` column of a map made from several feature files: the file each row came from. Names that
 * repeat get " (2)", " (3)"; categories keep the files' order. `name` is "source", or "source_file" when
 * `taken` (the uploaded metadata's names) already has "source".
 */
export function sourceColumn(filenames: string[], rowCounts: number[], taken: string[] = []): MetadataColumnData {
  const seen = new Map<string, number>()
  const categories = filenames.map((filename) => {
    const count = (seen.get(filename) ?? 0) + 1
    seen.set(filename, count)
    return count === 1 ? filename : `${filename} (${count})`
  })
  const codes = new Int32Array(rowCounts.reduce((a, b) => a + b, 0))
  let at = 0
  rowCounts.forEach((count, file) => {
    codes.fill(file, at, at + count)
    at += count
  })
  let name = 'source'
  for (let suffix = 2; taken.includes(name); suffix++) name = suffix === 2 ? 'source_file' : `source_file_${suffix}`
  return { name, type: 'categorical', categories, codes }
}

/** The rows `indices` names (a subsample), in that order; categories are kept even when none remain. */
export function selectMetadataRows(table: MetadataTable, indices: Int32Array): MetadataTable {
  const columns = table.columns.map((column): MetadataColumnData =>
    column.type === 'continuous'
      ? { ...column, values: Float64Array.from(indices, (i) => column.values[i]!) }
      : { ...column, codes: Int32Array.from(indices, (i) => column.codes[i]!) },
  )
  return { n: indices.length, columns, skipped: table.skipped }
}

/** The JSON document served at GET /jobs/:id/metadata (shared JobMetadata): columnar, counts and ranges included. */
export function metadataDocument(table: MetadataTable): JobMetadata {
  const columns = table.columns.map((column): JobMetadata['columns'][number] => {
    if (column.type === 'categorical') {
      const counts = new Array<number>(column.categories.length).fill(0)
      let missing = 0
      for (const code of column.codes) {
        if (code < 0) missing++
        else counts[code]!++
      }
      return { name: column.name, type: 'categorical', categories: column.categories, counts, missing, codes: Array.from(column.codes) }
    }
    let min = Infinity
    let max = -Infinity
    let missing = 0
    const values: (number | null)[] = new Array(column.values.length)
    column.values.forEach((v, i) => {
      if (Number.isNaN(v)) {
        missing++
        values[i] = null
        return
      }
      values[i] = v
      if (v < min) min = v
      if (v > max) max = v
    })
    const any = missing < column.values.length
    return { name: column.name, type: 'continuous', min: any ? min : null, max: any ? max : null, missing, values }
  })
  return { version: 1, n: table.n, columns, skipped: table.skipped }
}
