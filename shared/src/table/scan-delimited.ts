/**
 * @module The one delimited-text scanner every table reader uses (edge verification, the worker's parsers,
 * the web form's file inspection), so a table reads the same everywhere. The dialect: records end at LF,
 * CRLF or CR. Fields are separated by the delimiter; blanks around a field are ignored; a field may be
 * "double-quoted" ("" inside stands for "), and a quoted field may hold delimiters and line breaks. Lines
 * holding only blanks are allowed at the end, not between records. Lines starting with '#' before the first
 * record are comments (numpy.savetxt(header=...) writes one).
 */

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
 * Start of the line holding the first record in bytes[start, end) (blank and '#' comment lines skipped),
 * or -1 when there is none.
 */
export function firstRecordStart(bytes: Uint8Array, start: number, end: number): number {
  let i = start
  for (;;) {
    let j = i
    while (j < end && (bytes[j] === SPACE || bytes[j] === TAB)) j++
    if (j < end && bytes[j] !== HASH && bytes[j] !== LF && bytes[j] !== CR) return i
    while (j < end && bytes[j] !== LF && bytes[j] !== CR) j++
    if (j >= end) return -1
    i = skipLineEnd(bytes, j, end)
  }
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
