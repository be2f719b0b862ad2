import { describe, expect, it } from 'vitest'
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

describe('inspecting a metadata table sample', () => {
  it('says which line has the wrong number of cells, as the edge would', () => {
    const bytes = new TextEncoder().encode('a\tb\n1\t2\n3\n')
    const summary = inspectMetadata(bytes, { format: 'tsv', complete: true, totalLines: 3, totalExact: true })
    expect(summary.problems[0]).toMatch(/line 3/i)
  })
})
