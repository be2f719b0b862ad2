import { describe, expect, it } from 'vitest'
import { encodeNpyFloat32, encodeNpyInt32 } from '@constellate/shared'
import { inspectFile, inspectMetadata, inspectNpy, inspectText, LineCounter } from './inspect-file.ts'

function npyWithHeader(header: string, dataBytes = 0): Uint8Array {
  let text = header
  text += ' '.repeat((64 - ((10 + text.length + 1) % 64)) % 64) + '\n'
  const out = new Uint8Array(10 + text.length + dataBytes)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0])
  new DataView(out.buffer).setUint16(8, text.length, true)
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i)
  return out
}

const features = encodeNpyFloat32(new Float32Array(2000 * 64), [2000, 64])

describe('inspecting a .npy before upload', () => {
  it('reads shape and dtype of a features matrix', () => {
    const summary = inspectNpy(features.subarray(0, 200), features.length, 'features')
    expect(summary).toMatchObject({ rows: 2000, cols: 64, dtype: 'float32', rowsExact: true, problems: [] })
  })

  it('says the file is truncated when the header declares more data than it holds', () => {
    const summary = inspectNpy(features.subarray(0, 200), 5000, 'features')
    expect(summary.problems[0]).toMatch(/truncated/)
    expect(summary.problems[0]).toContain('(2000, 64)')
  })

  it('refuses pickled object arrays in the words the edge uses', () => {
    const summary = inspectNpy(npyWithHeader("{'descr': '|O', 'fortran_order': False, 'shape': (10,), }"), 200, 'labels')
    expect(summary.problems[0]).toMatch(/pickle/)
  })

  it('rejects a file that is not .npy at all', () => {
    const summary = inspectNpy(new TextEncoder().encode('1,2,3\n4,5,6\n'), 12, 'features')
    expect(summary.problems[0]).toMatch(/magic/)
  })

  it('asks for a 2-D features array and a 1-D labels array', () => {
    const vector = npyWithHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (100,), }", 800)
    expect(inspectNpy(vector, vector.length, 'features').problems[0]).toMatch(/2-D array \[N, D\]/)
    expect(inspectNpy(vector, vector.length, 'labels')).toMatchObject({ rows: 100, dtype: 'int64', problems: [] })
  })

  it('notes Fortran order and flags fewer than five points', () => {
    const tiny = npyWithHeader("{'descr': '<f8', 'fortran_order': True, 'shape': (3, 2), }", 48)
    const summary = inspectNpy(tiny, tiny.length, 'features')
    expect(summary.fortranOrder).toBe(true)
    expect(summary.problems[0]).toBe('t-SNE needs at least 5 points; this file has 3.')
  })
})

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

describe('inspecting a File', () => {
  it('refuses a file type that is not accepted', async () => {
    const summary = await inspectFile(new File(['x'], 'model.onnx'), 'features')
    expect(summary.problems[0]).toBe('"model.onnx" is not a file type accepted for features. Use .npy, .csv, .tsv.')
  })

  it('refuses an empty file', async () => {
    expect((await inspectFile(new File([], 'x.csv'), 'features')).problems).toContain('"x.csv" is empty.')
  })

  it('reads a whole .npy File', async () => {
    const summary = await inspectFile(new File([features.slice()], 'features.npy'), 'features')
    expect(summary).toMatchObject({ rows: 2000, cols: 64, problems: [] })
  })

  it('spots a .npy renamed to .csv', async () => {
    const summary = await inspectFile(new File([features.slice()], 'features.csv'), 'features')
    expect(summary.problems[0]).toMatch(/is a \.npy file/)
  })
})

describe('inspecting model jobs\' files', () => {
  it('reads an inputs batch [N, ...] and refuses a 1-D array', () => {
    const batch = encodeNpyFloat32(new Float32Array(40 * 784), [40, 1, 28, 28])
    const summary = inspectNpy(batch, batch.length, 'inputs')
    expect(summary.problems).toEqual([])
    expect(summary.shape).toEqual([40, 1, 28, 28])
    expect(summary.rows).toBe(40)
    const flat = encodeNpyFloat32(new Float32Array(40), [40])
    expect(inspectNpy(flat, flat.length, 'inputs').problems[0]).toMatch(/batch \[N, \.\.\.\]/)
  })
  it('checks that a model and an archive are what their names say', async () => {
    const blob = (bytes: number[], name: string) => ({ name, size: bytes.length, slice: (a?: number, b?: number) => new Blob([new Uint8Array(bytes).slice(a, b)]) })
    expect((await inspectFile(blob([0x08, 0x07, 0x12, 0x04], 'model.onnx'), 'model')).problems).toEqual([])
    expect((await inspectFile(blob([0x50, 0x4b, 0x03, 0x04], 'model.onnx'), 'model')).problems[0]).toMatch(/ZIP archive.*torch\.onnx\.export/)
    expect((await inspectFile(blob([0x50, 0x4b, 0x03, 0x04], 'images.zip'), 'inputs')).notes[0]).toMatch(/folder names/)
    expect((await inspectFile(blob([0x08, 0x01], 'images.zip'), 'inputs')).problems[0]).toMatch(/not a ZIP archive/)
    expect((await inspectFile(blob([1, 2, 3], 'images.tar'), 'inputs')).problems[0]).toMatch(/tar -cf/)
  })
})

describe('inspecting a metadata table', () => {
  it('lists the columns with their types and counts the rows after the header', async () => {
    const table = 'split,confidence,model\ntrain,0.9,resnet\ntest,0.4,"vit, large"\ntrain,NA,resnet\n'
    const summary = await inspectFile(new File([table], 'metadata.csv'), 'metadata')
    expect(summary).toMatchObject({ format: 'csv', rows: 3, rowsExact: true, cols: 3, hasHeader: true, problems: [] })
    expect(summary.columns).toEqual([
      { name: 'split', numeric: false },
      { name: 'confidence', numeric: true },
      { name: 'model', numeric: false },
    ])
  })

  it('says which line has the wrong number of cells, as the edge would', () => {
    const bytes = new TextEncoder().encode('a\tb\n1\t2\n3\n')
    const summary = inspectMetadata(bytes, { format: 'tsv', complete: true, totalLines: 3, totalExact: true })
    expect(summary.problems[0]).toMatch(/line 3/i)
  })

  it('refuses .npy and .txt as metadata', async () => {
    expect((await inspectFile(new File(['x'], 'meta.txt'), 'metadata')).problems[0]).toMatch(/not a file type accepted for metadata/)
  })
})

describe('counting points per label', () => {
  it('reads an integer .npy whole and counts each class, largest first', async () => {
    const codes = Int32Array.from({ length: 70 }, (_, i) => (i < 40 ? 3 : i < 60 ? 1 : 7))
    const summary = await inspectFile(new File([encodeNpyInt32(codes, [70]).slice()], 'labels.npy'), 'labels')
    expect(summary.classCounts).toEqual([40, 20, 10])
    expect(summary.distinctLabels).toBe(3)
  })

  it('counts text labels the way the edge reads them (header skipped)', async () => {
    const summary = await inspectFile(new File(['label\ncat\ndog\ncat\n cat\n'], 'labels.csv'), 'labels')
    expect(summary.classCounts).toEqual([3, 1])
    expect(summary).toMatchObject({ rows: 4, rowsExact: true, hasHeader: true })
    // A header the sample heuristic does not know ("species") is still found, so the count is right.
    expect(await inspectFile(new File(['species\nsetosa\nversicolor\n'], 'labels.csv'), 'labels')).toMatchObject({ rows: 2, hasHeader: true, classCounts: [1, 1] })
  })
})
