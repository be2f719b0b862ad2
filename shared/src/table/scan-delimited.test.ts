import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../../tests/src/seeded-random.ts'
import { LINE_DELIMITER, WHITESPACE_DELIMITER, fieldText, firstRecordStart, scanDelimited, type FieldSink } from './scan-delimited.ts'

const COMMA = 0x2c
const TAB = 0x09

/** What scanDelimited reports: each record's line and field texts, and the blank lines. */
function scan(text: string, delimiter = COMMA, quotes = true): { records: { line: number; fields: string[] }[]; blank: number[] } {
  const bytes = new TextEncoder().encode(text)
  const records: { line: number; fields: string[] }[] = []
  const blank: number[] = []
  let fields: string[] = []
  const sink: FieldSink = {
    field: (s, e, quoted) => fields.push(fieldText(bytes, s, e, quoted)),
    endRecord: (line) => {
      records.push({ line, fields })
      fields = []
    },
    blankLine: (line) => blank.push(line),
    line: 0,
  }
  scanDelimited(bytes, 0, bytes.length, delimiter, quotes, sink)
  return { records, blank }
}

describe('scanning delimited text', () => {
  it('splits records at LF, CRLF and CR, trimming blanks around fields', () => {
    expect(scan('1, 2 ,3\r\n4,5,6\r7,8,9\n').records).toEqual([
      { line: 1, fields: ['1', '2', '3'] },
      { line: 2, fields: ['4', '5', '6'] },
      { line: 3, fields: ['7', '8', '9'] },
    ])
  })

  it('reads quoted fields with delimiters, doubled quotes and line breaks, counting the lines they span', () => {
    const { records } = scan('"a,b","say ""hi""","two\nlines"\nnext,"",x\n')
    expect(records).toEqual([
      { line: 1, fields: ['a,b', 'say "hi"', 'two\nlines'] },
      { line: 3, fields: ['next', '', 'x'] },
    ])
  })

  it('keeps text after a closing quote as written', () => {
    expect(scan('"1"2,3\n').records[0]!.fields).toEqual(['"1"2', '3'])
  })

  it('skips comment lines before the first record only, and reports blank lines', () => {
    const { records, blank } = scan('# x y\n\n1,2\n# not a comment\n\n')
    expect(records).toEqual([
      { line: 3, fields: ['1', '2'] },
      { line: 4, fields: ['# not a comment'] },
    ])
    expect(blank).toEqual([2, 5])
  })

  it('splits on runs of blanks, on tabs keeping spaces, or takes whole lines', () => {
    expect(scan('  1   2\t3  \n', WHITESPACE_DELIMITER).records[0]!.fields).toEqual(['1', '2', '3'])
    expect(scan('a b\tc d\n', TAB).records[0]!.fields).toEqual(['a b', 'c d'])
    expect(scan('a, "b"\n', LINE_DELIMITER, false).records[0]!.fields).toEqual(['a, "b"'])
  })

  it('finds the line of the first record past blank and comment lines', () => {
    const bytes = new TextEncoder().encode('# header\n  \n1,2\n')
    expect(firstRecordStart(bytes, 0, bytes.length)).toBe(12)
    const none = new TextEncoder().encode('# only\n\n')
    expect(firstRecordStart(none, 0, none.length)).toBe(-1)
  })

  it('reads the same fields as Python\'s csv module on seeded random quoted tables', () => {
    const random = seededRandom(7)
    const alphabet = ['a', 'b', '1', '.', ',', '"', '\n', 'é', '-', 'x']
    const tables: string[][][] = []
    for (let t = 0; t < 200; t++) {
      const rows = 1 + Math.floor(random() * 5)
      const cols = 1 + Math.floor(random() * 4)
      tables.push(Array.from({ length: rows }, () => Array.from({ length: cols }, () => {
        const length = Math.floor(random() * 6)
        return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('')
      })))
    }
    // Every field quoted: an empty unquoted field on a one-column row would be a blank line to both readers.
    const texts = tables.map((rows) => rows.map((row) => row.map((field) => `"${field.replaceAll('"', '""')}"`).join(',')).join('\r\n') + '\r\n')
    const script = 'import csv, io, json, sys\nprint(json.dumps([list(csv.reader(io.StringIO(t, newline=""))) for t in json.load(sys.stdin)]))'
    const python = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(texts) }).toString()) as string[][][]
    expect(python).toEqual(tables)
    expect(texts.map((text) => scan(text).records.map((record) => record.fields))).toEqual(python)
  })
})
