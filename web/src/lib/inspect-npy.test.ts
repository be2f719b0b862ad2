import { describe, expect, it } from 'vitest'
import { encodeNpyFloat32 } from '@constellate/shared'
import { inspectNpy } from './inspect-npy.ts'

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

describe('inspecting a model job\'s inputs batch', () => {
  it('reads an inputs batch [N, ...] and refuses a 1-D array', () => {
    const batch = encodeNpyFloat32(new Float32Array(40 * 784), [40, 1, 28, 28])
    const summary = inspectNpy(batch, batch.length, 'inputs')
    expect(summary.problems).toEqual([])
    expect(summary.shape).toEqual([40, 1, 28, 28])
    expect(summary.rows).toBe(40)
    const flat = encodeNpyFloat32(new Float32Array(40), [40])
    expect(inspectNpy(flat, flat.length, 'inputs').problems[0]).toMatch(/batch \[N, \.\.\.\]/)
  })
})
