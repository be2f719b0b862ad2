import { describe, expect, it } from 'vitest'
import { FINITE_NUMBER, MISSING_NUMBER, NOT_A_NUMBER } from './number-field.ts'
import { decideFeatureHeader, scanFeatureTable } from './feature-table.ts'
import { TableFormatError, type TableProblem } from './table-errors.ts'

function scanText(text: string, format: 'csv' | 'tsv' = 'csv') {
  const bytes = new TextEncoder().encode(text)
  return scanFeatureTable(bytes, 0, bytes.length, format)
}

function problemOf(text: string): TableProblem {
  try {
    scanText(text)
  } catch (error) {
    if (error instanceof TableFormatError) return error.problem
    throw error
  }
  throw new Error('expected a TableFormatError')
}

describe('deciding a feature table\'s header', () => {
  it('takes a first record holding text as a header, and pandas\' index layout as header and index column', () => {
    expect(decideFeatureHeader(['1', '2'], [FINITE_NUMBER, FINITE_NUMBER])).toEqual({ hasHeader: false, dropIndexColumn: false })
    expect(decideFeatureHeader(['nan', '2'], [MISSING_NUMBER, FINITE_NUMBER])).toEqual({ hasHeader: false, dropIndexColumn: false })
    expect(decideFeatureHeader(['x', 'y'], [NOT_A_NUMBER, NOT_A_NUMBER])).toEqual({ hasHeader: true, dropIndexColumn: false })
    expect(decideFeatureHeader(['', '0', '1'], [MISSING_NUMBER, FINITE_NUMBER, FINITE_NUMBER])).toEqual({ hasHeader: true, dropIndexColumn: true })
    expect(decideFeatureHeader(['', '0', '2'], [MISSING_NUMBER, FINITE_NUMBER, FINITE_NUMBER])).toEqual({ hasHeader: false, dropIndexColumn: false })
  })
})

describe('scanning a feature table', () => {
  it('counts rows and columns, without the header and pandas\' index column', () => {
    expect(scanText('a,b\n1,2\n3,4\n')).toEqual({ rows: 2, cols: 2, hasHeader: true, firstMissing: null })
    expect(scanText(',0,1\n0,1,2\n1,3,4\n2,5,6\n')).toMatchObject({ rows: 3, cols: 2, hasHeader: true })
    expect(scanText('1\t2\n3\t4\n', 'tsv')).toMatchObject({ rows: 2, cols: 2, hasHeader: false })
  })

  it('finds the first missing or non-finite cell (the worker refuses them), outside an index column', () => {
    expect(scanText('1,2\n3,inf\n,4\n').firstMissing).toEqual({ line: 2, column: 2, text: 'inf' })
    expect(scanText('NaN,2\n3,4\n').firstMissing).toEqual({ line: 1, column: 1, text: 'NaN' })
    expect(scanText('a,b\n1,\n').firstMissing).toEqual({ line: 2, column: 2, text: '' })
    expect(scanText(',0,1\n,1,2\n').firstMissing).toBeNull()
  })

  it('refuses text cells, ragged rows and blank lines, with the facts behind the message', () => {
    expect(problemOf('a,b\n1,2\n3,x\n')).toEqual({ code: 'text_not_numeric', line: 3, column: 2, text: 'x' })
    expect(problemOf('1,2\n3\n')).toEqual({ code: 'text_ragged_rows', line: 2, got: 1, expected: 2, afterHeader: false, labels: false })
    expect(problemOf('a,b\n1,2,3\n')).toMatchObject({ code: 'text_ragged_rows', afterHeader: true })
    expect(problemOf('1,2\n\n3,4\n')).toEqual({ code: 'text_blank_line', line: 2 })
  })
})
