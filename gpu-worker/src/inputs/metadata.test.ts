import { describe, expect, it } from 'vitest'
import { JobMetadata, LIMITS } from '@constellate/shared'
import { InputError } from './errors.ts'
import { checkMetadataCount, metadataDocument, parseMetadata, selectMetadataRows, sourceColumn } from './metadata.ts'

const text = (s: string) => new TextEncoder().encode(s)

function errorOf(work: () => unknown): InputError {
  try {
    work()
  } catch (err) {
    if (err instanceof InputError) return err
    throw err
  }
  throw new Error('expected an InputError')
}

describe('metadata tables', () => {
  it('types all-numeric columns as continuous and the rest as categorical, with missing values', () => {
    const table = parseMetadata(text('split,confidence,"site, city",score\ntrain,0.5,"Oslo, NO",1\ntest,,Rome,NA\ntrain,1.5e0,,3\nval,-2,Oslo,x\n'), 'csv')
    expect(table.n).toBe(4)
    expect(table.columns.map((c) => [c.name, c.type])).toEqual([
      ['split', 'categorical'],
      ['confidence', 'continuous'],
      ['site, city', 'categorical'],
      ['score', 'categorical'],
    ])
    const doc = JobMetadata.parse(metadataDocument(table))
    expect(doc.columns[0]).toEqual({ name: 'split', type: 'categorical', categories: ['test', 'train', 'val'], counts: [1, 2, 1], missing: 0, codes: [1, 0, 1, 2] })
    expect(doc.columns[1]).toEqual({ name: 'confidence', type: 'continuous', min: -2, max: 1.5, missing: 1, values: [0.5, null, 1.5, -2] })
    expect(doc.columns[2]).toMatchObject({ categories: ['Oslo', 'Oslo, NO', 'Rome'], codes: [1, 2, -1, 0], missing: 1 })
    // one non-number makes the column categorical; numbers sort first, by value
    expect(doc.columns[3]).toMatchObject({ categories: ['1', '3', 'x'], codes: [0, -1, 1, 2] })
  })

  it('reads tab-separated tables and makes empty and repeated column names unique', () => {
    const table = parseMetadata(text('a\t\ta\n1\tx\ty\n2\ty\tz\n'), 'tsv')
    expect(table.columns.map((c) => c.name)).toEqual(['a', 'column_2', 'a_2'])
    expect(table.columns[0]!.type).toBe('continuous')
  })

  it('names the line of a ragged row, and refuses a header with no rows', () => {
    expect(errorOf(() => parseMetadata(text('a,b\n1,2\n3\n'), 'csv')).message).toMatch(/Line 3 has 1 column but the header line has 2/)
    expect(errorOf(() => parseMetadata(text('a,b\n'), 'csv')).code).toBe('empty_file')
    expect(errorOf(() => parseMetadata(text('a\n1\n'), 'txt')).code).toBe('unsupported_format')
  })

  it(`refuses more than ${LIMITS.maxMetadataColumns} columns and skips categorical columns with too many values`, () => {
    const wide = Array.from({ length: LIMITS.maxMetadataColumns + 1 }, (_, k) => `c${k}`).join(',')
    expect(errorOf(() => parseMetadata(text(`${wide}\n`), 'csv')).code).toBe('metadata_too_many_columns')
    const rows = Array.from({ length: LIMITS.maxMetadataCategories + 1 }, (_, i) => `id${i},${i % 2 ? 'a' : 'b'}`)
    const table = parseMetadata(text(`id,group\n${rows.join('\n')}\n`), 'csv')
    expect(table.columns.map((c) => c.name)).toEqual(['group'])
    expect(table.skipped).toEqual([{ name: 'id', reason: expect.stringMatching(/distinct values/) }])
  })

  it('says both counts when the rows do not match the points, with a hint for a missing header', () => {
    expect(() => checkMetadataCount(10, 10)).not.toThrow()
    const error = errorOf(() => checkMetadataCount(99, 100))
    expect(error.code).toBe('metadata_count_mismatch')
    expect(error.message).toMatch(/99 rows.*100 points/)
    expect(error.message).toMatch(/header row/)
  })

  it('builds a source column from file names, renaming repeats and avoiding a taken name', () => {
    const column = sourceColumn(['a.npy', 'b.npy', 'a.npy'], [2, 1, 3], ['source'])
    expect(column).toMatchObject({ name: 'source_file', type: 'categorical', categories: ['a.npy', 'b.npy', 'a.npy (2)'] })
    expect(Array.from((column as { codes: Int32Array }).codes)).toEqual([0, 0, 1, 2, 2, 2])
    expect(sourceColumn(['x.npy', 'y.npy'], [1, 1]).name).toBe('source')
  })

  it('selects the rows a subsample kept, keeping every category', () => {
    const table = parseMetadata(text('g,v\na,1\nb,2\nc,3\na,4\n'), 'csv')
    const doc = metadataDocument(selectMetadataRows(table, Int32Array.from([1, 3])))
    expect(doc.n).toBe(2)
    expect(doc.columns[0]).toMatchObject({ categories: ['a', 'b', 'c'], codes: [1, 0], counts: [1, 1, 0] })
    expect(doc.columns[1]).toMatchObject({ values: [2, 4], min: 2, max: 4 })
  })
})
