import { describe, expect, it } from 'vitest'
import { UploadVerificationError, verifyUpload } from '@constellate/shared'
import { seededRandom } from '../../../tests/src/seeded-random.ts'
import { inspectMetadata, inspectText, LineCounter } from './inspect-text.ts'

describe('inspecting CSV and text before upload', () => {
  const options = { format: 'csv' as const, kind: 'features' as const, complete: true, totalExact: true }

  it('detects a header row and counts data rows', () => {
    const text = 'a,b,c\n1,2,3\n4,5,6\n7,8,9\n1,1,1\n2,2,2\n'
    expect(inspectText(text, { ...options, totalLines: 6 })).toMatchObject({ rows: 5, cols: 3, hasHeader: true, problems: [] })
  })

  it('names the line and column holding NaN', () => {
    const text = '1,2\n3,NaN\n5,6\n7,8\n9,10\n'
    expect(inspectText(text, { ...options, totalLines: 5 }).problems[0]).toBe(
      'Line 2, column 2 is NaN. Features must be finite numbers (no NaN or Inf); fill or drop those rows.',
    )
  })

  it('names a ragged row', () => {
    const text = '1,2,3\n4,5\n6,7,8\n1,1,1\n2,2,2\n'
    expect(inspectText(text, { ...options, totalLines: 5 }).problems[0]).toMatch(/Line 2 has 2 values; the first row has 3/)
  })

  it('reads tab-separated values from a .tsv', () => {
    const text = '1\t2\n3\t4\n5\t6\n7\t8\n9\t0\n'
    expect(inspectText(text, { ...options, format: 'tsv', totalLines: 5 })).toMatchObject({ cols: 2, rows: 5, problems: [] })
  })

  it('counts string labels and their classes, recognising a "label" header', () => {
    const text = 'label\ncat\ndog\ncat\nbird\n'
    const summary = inspectText(text, { format: 'txt', kind: 'labels', complete: true, totalLines: 5, totalExact: true })
    expect(summary).toMatchObject({ rows: 4, hasHeader: true, distinctLabels: 3, dtype: 'text' })
  })

  it('counts lines across chunks, with CRLF and a missing final newline', () => {
    const counter = new LineCounter()
    const bytes = new TextEncoder().encode('a\r\nb\r\n\r\nc')
    counter.push(bytes.subarray(0, 4))
    counter.push(bytes.subarray(4))
    expect(counter.count).toBe(3)
  })
})

describe('reading a table as the edge and the worker read it', () => {
  const features = { format: 'csv' as const, kind: 'features' as const, complete: true, totalLines: 0, totalExact: true }

  it('reads a .csv separated by tabs or blanks, pandas\' index column, quotes and comment lines', () => {
    expect(inspectText('1\t2\n3\t4\n5\t6\n7\t8\n9\t0\n', features)).toMatchObject({ cols: 2, rows: 5, hasHeader: false, problems: [], notes: [] })
    expect(inspectText('# x y\n1 2\n3 4\n5 6\n7 8\n9 0\n', features)).toMatchObject({ cols: 2, rows: 5, problems: [] })
    expect(inspectText(',0,1\n0,"1",2\n1,3,4\n2,5,6\n3,7,8\n4,9,0\n', features)).toMatchObject({ cols: 2, rows: 5, hasHeader: true, problems: [] })
  })

  it('notes semicolons, which no reader splits on', () => {
    expect(inspectText('1;2\n3;4\n', features).notes).toEqual(['Only one column was found: separate values with commas or tabs, not semicolons.'])
  })

  it('refuses labels the edge refuses, in the edge\'s words', () => {
    const labels = { ...features, kind: 'labels' as const }
    expect(inspectText('cat\n\ndog\n', { ...labels, format: 'txt' }).problems).toEqual(['Line 2 is blank but more rows follow it. Remove blank lines between rows (one row per point).'])
    expect(inspectText('a,b\n1\n', labels).problems[0]).toMatch(/^Line 2 has 1 column but the first line has 2\. Quote labels/)
  })

  it('agrees with the edge\'s verification on seeded random feature tables', () => {
    const random = seededRandom(5)
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
    for (let k = 0; k < 300; k++) {
      const cols = 1 + Math.floor(random() * 4)
      const lines: string[] = []
      if (random() < 0.2) lines.push('# comment')
      if (random() < 0.4) lines.push(Array.from({ length: cols }, (_, c) => `f${c}`).join(','))
      const rows = Math.floor(random() * 8)
      for (let r = 0; r < rows; r++) {
        const width = random() < 0.05 ? cols + 1 : cols
        lines.push(Array.from({ length: width }, () => pick(['1', '-2.5', '3e4', '"7"', 'nan', '', 'x', ' 4 '])).join(pick([',', ',', ', '])))
      }
      if (random() < 0.1) lines.splice(1, 0, '')
      const text = lines.join(pick(['\n', '\r\n'])) + pick(['\n', '', '\n\n'])
      const bytes = new TextEncoder().encode(text)
      const form = inspectText(text, features)
      let edge: ReturnType<typeof verifyUpload> | UploadVerificationError
      try {
        edge = verifyUpload({ kind: 'features', filename: 'f.csv', declaredSize: bytes.length, actualSize: bytes.length, head: bytes, complete: true })
      } catch (error) {
        if (!(error instanceof UploadVerificationError)) throw error
        edge = error
      }
      if (edge instanceof UploadVerificationError) {
        // Tables the edge refuses are refused by the form before the upload (an empty one says it has no rows).
        expect(form.problems.length, text).toBeGreaterThan(0)
      } else {
        expect({ rows: form.rows, cols: form.cols, hasHeader: form.hasHeader }, text).toEqual({ rows: edge.rows, cols: edge.cols, hasHeader: edge.hasHeader })
      }
    }
  })
})

describe('inspecting a metadata table sample', () => {
  it('says which line has the wrong number of cells, as the edge would', () => {
    const bytes = new TextEncoder().encode('a\tb\n1\t2\n3\n')
    const summary = inspectMetadata(bytes, { format: 'tsv', complete: true, totalLines: 3, totalExact: true })
    expect(summary.problems[0]).toMatch(/line 3/i)
  })
})
