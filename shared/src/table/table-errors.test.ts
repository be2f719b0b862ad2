import { describe, expect, it } from 'vitest'
import { UploadVerificationError } from '../upload/errors.ts'
import { blankLineError, missingLabelError, notNumericError, raggedRowsError, tooManyFeatureColumnsError } from './table-errors.ts'

describe('table problems', () => {
  it('are upload errors carrying their facts, worded with where and how to fix', () => {
    const error = notNumericError(3, 2, 'x'.repeat(50))
    expect(error).toBeInstanceOf(UploadVerificationError)
    expect(error.code).toBe('text_not_numeric')
    expect(error.problem).toEqual({ code: 'text_not_numeric', line: 3, column: 2, text: 'x'.repeat(50) })
    expect(error.message).toBe(`Line 3, column 2 (counting from 1) holds "${'x'.repeat(40)}...", which is not a number. Features must be numeric; only the first line may be a header.`)
    expect(raggedRowsError(4, 1, 3, true).message).toBe('Line 4 has 1 column but the header line has 3. Every row needs the same number of values.')
    expect(raggedRowsError(2, 3, 2, false, true).message).toBe('Line 2 has 3 columns but the first line has 2. Quote labels that contain the delimiter, or use a .txt file with one label per line.')
    expect(blankLineError(5).message).toMatch(/^Line 5 is blank but more rows follow it/)
    expect(missingLabelError(6).message).toMatch(/^Line 6 has an empty label/)
    expect(tooManyFeatureColumnsError(70_000)).toMatchObject({ code: 'too_many_dims', message: expect.stringMatching(/70000 columns; at most 65536/) })
  })
})
