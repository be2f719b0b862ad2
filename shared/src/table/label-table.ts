/**
 * @module Label tables (.txt one label per line, .csv/.tsv one column of several): header detection, which
 * column holds the labels, and the labels themselves, read the same way by the edge, the worker and the web
 * form.
 */
import { LIMITS } from '../limits.ts'
import type { UploadFormat } from '../schemas.ts'
import { failUpload } from '../upload/errors.ts'
import { labelDelimiter } from './delimiters.ts'
import { FINITE_NUMBER, NOT_A_NUMBER, classifyNumberField, type NumberClass } from './number-field.ts'
import { fieldText, scanDelimited, type FieldSink } from './scan-delimited.ts'
import { blankLineError, missingLabelError, raggedRowsError } from './table-errors.ts'

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
  if (rows > LIMITS.maxPoints) failUpload('too_many_points', `The labels file holds ${rows} labels; at most ${LIMITS.maxPoints} points are accepted.`)
  return { rows, hasHeader, column, allIntegers: allIntegers && rows > 0, values: collect ? values : null }
}

function isIntegerText(text: string): boolean {
  const t = text.trim()
  return t !== '' && Number.isInteger(Number(t)) && !/^[+-]?(0x|0b|0o)/i.test(t)
}
