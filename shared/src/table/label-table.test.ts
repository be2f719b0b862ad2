import { describe, expect, it } from 'vitest'
import { verificationCode } from '../../../tests/src/verification-code.ts'
import { scanLabelTable } from './label-table.ts'
import { TableFormatError } from './table-errors.ts'

function labels(text: string, format: 'csv' | 'tsv' | 'txt' = 'csv') {
  const bytes = new TextEncoder().encode(text)
  return scanLabelTable(bytes, 0, bytes.length, format, true)
}

describe('reading a label table', () => {
  it('reads one label per line, strings and delimiters allowed in .txt', () => {
    expect(labels('cat\ndog, large\n3\n', 'txt')).toEqual({ rows: 3, hasHeader: false, column: 0, allIntegers: false, values: ['cat', 'dog, large', '3'] })
    expect(labels('1\n2\n2\n')).toMatchObject({ rows: 3, allIntegers: true })
  })

  it('finds a header by a label-like name, by pandas\' empty first name, or by a name above numbers', () => {
    expect(labels('species\nsetosa\n')).toMatchObject({ rows: 1, hasHeader: true, values: ['setosa'] })
    expect(labels('id,label\n7,cat\n8,dog\n')).toMatchObject({ hasHeader: true, column: 1, values: ['cat', 'dog'] })
    expect(labels(',0\n0,cat\n1,dog\n')).toMatchObject({ hasHeader: true, column: 1, values: ['cat', 'dog'] })
    expect(labels('digit_id\n3\n5\n')).toMatchObject({ hasHeader: true, values: ['3', '5'] })
    expect(labels('cat\n3\n')).toMatchObject({ hasHeader: true, values: ['3'] })
    expect(labels('cat\ndog\n')).toMatchObject({ hasHeader: false, values: ['cat', 'dog'] })
  })

  it('refuses ragged rows, blank lines between labels and empty labels', () => {
    const ragged = (() => {
      try {
        labels('a,b\n1\n')
      } catch (error) {
        return error
      }
    })()
    expect(ragged).toBeInstanceOf(TableFormatError)
    expect((ragged as TableFormatError).problem).toMatchObject({ code: 'text_ragged_rows', line: 2, labels: true })
    expect(verificationCode(() => labels('cat\n\ndog\n', 'txt'))).toBe('text_blank_line')
    expect(verificationCode(() => labels('x,y\n1,\n'))).toBe('labels_missing_value')
  })
})
