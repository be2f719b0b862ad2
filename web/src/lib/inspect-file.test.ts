import { describe, expect, it } from 'vitest'
import { encodeNpyFloat32, encodeNpyInt32 } from '@constellate/shared'
import { inspectFile } from './inspect-file.ts'

const features = encodeNpyFloat32(new Float32Array(2000 * 64), [2000, 64])

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

  it('refuses text that is not UTF-8 as the edge does', async () => {
    const latin1 = new File([new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a])], 'labels.txt')
    expect((await inspectFile(latin1, 'labels')).problems).toEqual(['"labels.txt" is not valid UTF-8 (at byte 3); it may be Latin-1 or Windows-1252 text. Save it as UTF-8.'])
  })

  it('spots a .npy renamed to .csv', async () => {
    const summary = await inspectFile(new File([features.slice()], 'features.csv'), 'features')
    expect(summary.problems[0]).toMatch(/is a \.npy file/)
  })
})

describe('inspecting model jobs\' files', () => {
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
