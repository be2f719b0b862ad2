/**
 * @module Labels, one per point, from `.npy` integers/bools or `.csv`/`.tsv`/`.txt` text (strings
 * allowed), as class names in natural order plus a class code per point.
 */
import { assertTextContent, scanLabelTable, utf8BomLength, type UploadFormat } from '@constellate/shared'
import { InputError, asInputErrors } from './errors.ts'
import { readNpyLabelValues } from './npy-reader.ts'

export interface Labels {
  /** Distinct labels, naturally sorted: numbers in numeric order first, then text ("class2" < "class10"). */
  classes: string[]
  /** Per point, an index into `classes`; length N. */
  codes: Int32Array
}

/**
 * Parses a labels file. Numeric text labels are normalised ("3", "3.0" and "3.000000e+00" are one class,
 * "3"). O(N log C) for C classes.
 * @throws InputError (npy_* codes, labels_not_integer, content_mismatch, text_encoding, text_ragged_rows,
 * text_blank_line, labels_missing_value, empty_file, unsupported_format)
 */
export function parseLabels(bytes: Uint8Array, format: UploadFormat, filename = `labels.${format}`): Labels {
  if (format === 'npy') {
    const { values, bool } = readNpyLabelValues(bytes, filename)
    return bool ? encode(Array.from(values, (v) => (v ? 'True' : 'False'))) : encodeNumbers(values)
  }
  const table = asInputErrors(() => {
    assertTextContent(bytes, bytes.length, false, filename, format)
    return scanLabelTable(bytes, utf8BomLength(bytes), bytes.length, format, true)
  })
  if (table.rows === 0) throw new InputError('empty_file', `"${filename}" holds no labels.`)
  return encode(table.values!.map(normaliseLabel))
}

/** "3.0" -> "3", " cat " -> "cat"; non-numbers stay as written. */
function normaliseLabel(text: string): string {
  const trimmed = text.trim()
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return trimmed
  const value = Number(trimmed)
  return Number.isFinite(value) ? String(value) : trimmed
}

function encodeNumbers(values: Float64Array): Labels {
  const distinct = Float64Array.from(new Set(values)).sort()
  const codeOf = new Map<number, number>()
  distinct.forEach((v, k) => codeOf.set(v, k))
  const codes = new Int32Array(values.length)
  for (let i = 0; i < values.length; i++) codes[i] = codeOf.get(values[i]!)!
  return { classes: Array.from(distinct, (v) => String(v)), codes }
}

function encode(texts: string[]): Labels {
  const classes = [...new Set(texts)].sort(compareLabels)
  const codeOf = new Map<string, number>()
  classes.forEach((c, k) => codeOf.set(c, k))
  const codes = new Int32Array(texts.length)
  for (let i = 0; i < texts.length; i++) codes[i] = codeOf.get(texts[i]!)!
  return { classes, codes }
}

/** Natural order: numbers (by value) before text; text compares digit runs by value ("a2" < "a10"). */
export function compareLabels(a: string, b: string): number {
  const x = Number(a)
  const y = Number(b)
  const aNumber = a !== '' && Number.isFinite(x)
  const bNumber = b !== '' && Number.isFinite(y)
  if (aNumber && bNumber) return x - y || (a < b ? -1 : a > b ? 1 : 0)
  if (aNumber !== bNumber) return aNumber ? -1 : 1
  const chunks = /(\d+)|(\D+)/g
  const left = a.match(chunks) ?? []
  const right = b.match(chunks) ?? []
  for (let k = 0; k < Math.min(left.length, right.length); k++) {
    const l = left[k]!
    const r = right[k]!
    const lDigits = l.charCodeAt(0) >= 48 && l.charCodeAt(0) <= 57
    const rDigits = r.charCodeAt(0) >= 48 && r.charCodeAt(0) <= 57
    if (lDigits && rDigits) {
      const lt = l.replace(/^0+(?=\d)/, '')
      const rt = r.replace(/^0+(?=\d)/, '')
      if (lt.length !== rt.length) return lt.length - rt.length
      if (lt !== rt) return lt < rt ? -1 : 1
    } else if (l !== r) {
      return l < r ? -1 : 1
    }
  }
  if (left.length !== right.length) return left.length - right.length
  return a < b ? -1 : a > b ? 1 : 0
}
