import { describe, expect, it } from 'vitest'
import { LIMITS } from '@constellate/shared'
import { InputError } from './errors.ts'
import { npyFile } from './npy-fixture.ts'
import { readNpyFeatures, readNpyLabelValues } from './npy-reader.ts'

function inputError(run: () => unknown): InputError {
  try {
    run()
  } catch (err) {
    if (err instanceof InputError) return err
    throw err
  }
  throw new Error('expected an InputError')
}

// A 3x2 matrix whose values every dtype holds exactly.
const MATRIX = [1, -2, 3, 100, 0, 7]
const UNSIGNED = [1, 2, 3, 100, 0, 7]

describe('readNpyFeatures', () => {
  it.each(['<f2', '<f4', '<f8', '>f2', '>f4', '>f8', '|i1', '<i2', '<i4', '<i8', '>i2', '>i4', '>i8'])(
    'reads %s in C and Fortran order to the same row-major float32',
    (descr) => {
      for (const fortranOrder of [false, true]) {
        const { points, n, d } = readNpyFeatures(npyFile(descr, [3, 2], MATRIX, { fortranOrder }))
        expect([n, d]).toEqual([3, 2])
        expect(Array.from(points)).toEqual(MATRIX)
      }
    },
  )

  it.each(['|u1', '<u2', '<u4', '<u8', '>u2', '>u4', '>u8', '|b1'])('reads unsigned and bool dtype %s', (descr) => {
    const values = descr === '|b1' ? [1, 0, 1, 1, 0, 0] : UNSIGNED
    expect(Array.from(readNpyFeatures(npyFile(descr, [2, 3], values)).points)).toEqual(values)
  })

  it('keeps float32 values bit for bit, and rounds float64 to float32 as numpy astype does', () => {
    const values = [0.1, -1e-30, 3.4e38, 1 / 3, Number.MIN_VALUE * 2 ** 1000, -0]
    expect(readNpyFeatures(npyFile('<f4', [2, 3], values)).points).toEqual(Float32Array.from(values))
    expect(readNpyFeatures(npyFile('<f8', [2, 3], values)).points).toEqual(Float32Array.from(values))
  })

  it('reads float16 specials and subnormals', () => {
    const values = [65504, -(2 ** -24), 2 ** -14, Infinity, -0, 0.5]
    expect(readNpyFeatures(npyFile('<f2', [3, 2], values)).points).toEqual(Float32Array.from(values))
    expect(readNpyFeatures(npyFile('<f2', [1, 1], [NaN])).points[0]).toBeNaN()
  })

  it('reads 64-bit integers beyond 32 bits exactly (to float32 rounding)', () => {
    const values = [2n ** 40n + 1n, -(2n ** 40n), 5n, -1n]
    expect(Array.from(readNpyFeatures(npyFile('<i8', [2, 2], values)).points)).toEqual(values.map((v) => Math.fround(Number(v))))
    expect(Array.from(readNpyFeatures(npyFile('<u8', [1, 2], [2n ** 63n, 3n])).points)).toEqual([2 ** 63, 3])
  })

  it('reads format version 2 headers and data that starts at an odd offset', () => {
    expect(Array.from(readNpyFeatures(npyFile('<f8', [3, 2], MATRIX, { version: 2 })).points)).toEqual(MATRIX)
    const file = npyFile('<f8', [3, 2], MATRIX)
    const shifted = new Uint8Array(file.length + 1).subarray(1)
    shifted.set(file)
    expect(Array.from(readNpyFeatures(shifted).points)).toEqual(MATRIX)
  })

  it('transposes a large Fortran-order matrix correctly', () => {
    const n = 300
    const d = 70
    const values = Array.from({ length: n * d }, (_, i) => i)
    const { points } = readNpyFeatures(npyFile('<f4', [n, d], values, { fortranOrder: true }))
    expect(points).toEqual(Float32Array.from(values))
  })

  it('refuses 1-D features and says how to reshape', () => {
    const err = inputError(() => readNpyFeatures(npyFile('<f4', [6], MATRIX)))
    expect(err.code).toBe('npy_bad_shape')
    expect(err.message).toMatch(/1-D array.*reshape\(-1, 1\)/)
  })

  it('refuses a header that declares more data than the file holds', () => {
    const err = inputError(() => readNpyFeatures(npyFile('<f4', [3, 2], MATRIX, { extraBytes: -8 })))
    expect(err.code).toBe('npy_truncated')
    expect(err.message).toMatch(/shape \(3, 2\) float32 = 24 bytes of data but the file holds only 16/)
  })

  it('ignores bytes after the array, refuses pickled objects and files that are not .npy', () => {
    // bytes after the array are ignored, as numpy.load ignores them
    expect(Array.from(readNpyFeatures(npyFile('<f4', [3, 2], MATRIX, { extraBytes: 4 })).points)).toEqual(MATRIX)
    const pickled = inputError(() => readNpyFeatures(npyFile('|u1', [2], [1, 2], { headerText: "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }" })))
    expect(pickled.code).toBe('npy_object_dtype')
    expect(pickled.message).toMatch(/pickle/)
    const text = inputError(() => readNpyFeatures(new TextEncoder().encode('1,2\n3,4\n')))
    expect(text.code).toBe('content_mismatch')
    expect(text.message).toMatch(/looks like CSV/)
  })

  it('reads 70000 x 784 float32 as a view of the file (no copy), and float64 into one float32 array', () => {
    const n = 70000
    const d = 784
    const header = (descr: string) => `{'descr': '${descr}', 'fortran_order': False, 'shape': (${n}, ${d}), }`
    const file = npyFile('<f4', [1, 1], [0], { headerText: header('<f4'), extraBytes: n * d * 4 - 4 })
    new Float32Array(file.buffer, file.length - n * d * 4, n * d).fill(0.25, 1000, 2000)
    const { points } = readNpyFeatures(file)
    expect(points.buffer).toBe(file.buffer)
    expect([points.length, points[999], points[1000], points[1999], points[2000]]).toEqual([n * d, 0, 0.25, 0.25, 0])

    const wide = npyFile('<f8', [1, 1], [0], { headerText: header('<f8'), extraBytes: n * d * 8 - 8 })
    new Float64Array(wide.buffer, wide.length - n * d * 8, n * d).fill(-0.5, 5, 7)
    const read = readNpyFeatures(wide)
    expect([read.points.length, read.points[4], read.points[5], read.points[6], read.points[7], read.scale]).toEqual([n * d, 0, -0.5, -0.5, 0, 1])
  })

  it('scales float64 values beyond float32 range by a power of two instead of storing Infinity, and says by how much', () => {
    const values = [1e300, -2e300, 3, 0, 5e299, 1e-300]
    const read = readNpyFeatures(npyFile('<f8', [2, 3], values))
    expect(read.scale).toBe(2 ** -997)
    expect(Array.from(read.points)).toEqual(values.map((v) => Math.fround(v * 2 ** -997)))
    expect(read.points.every(Number.isFinite)).toBe(true)
    // Infinity stays Infinity (validateFeatures names it), the finite values around it are still scaled
    const withInfinity = readNpyFeatures(npyFile('<f8', [1, 2], [Infinity, 1e300]))
    expect(Array.from(withInfinity.points)).toEqual([Infinity, Math.fround(1e300 * withInfinity.scale)])
  })
})

describe('readNpyLabelValues', () => {
  it('reads integer labels of every width and order, 1-D or [N, 1]', () => {
    for (const descr of ['|i1', '<i2', '>i4', '<i8', '>u8', '|u1']) {
      expect(Array.from(readNpyLabelValues(npyFile(descr, [4], [3, 0, 9, 3])).values)).toEqual([3, 0, 9, 3])
      expect(Array.from(readNpyLabelValues(npyFile(descr, [4, 1], [3, 0, 9, 3])).values)).toEqual([3, 0, 9, 3])
    }
    expect(readNpyLabelValues(npyFile('|b1', [2], [1, 0]))).toMatchObject({ bool: true })
  })

  it('reads any non-zero bool byte as 1, as numpy does', () => {
    const file = npyFile('|b1', [4], [1, 0, 1, 1])
    file.set([2, 0, 255, 1], file.length - 4)
    expect(Array.from(readNpyLabelValues(file).values)).toEqual([1, 0, 1, 1])
    const matrix = npyFile('|b1', [2, 2], [1, 0, 1, 1])
    matrix.set([0, 7, 128, 0], matrix.length - 4)
    expect(Array.from(readNpyFeatures(matrix).points)).toEqual([0, 1, 1, 0])
  })

  it('refuses float labels with the astype(int) fix', () => {
    const err = inputError(() => readNpyLabelValues(npyFile('<f4', [3], [1, 2, 3])))
    expect(err.code).toBe('labels_not_integer')
    expect(err.message).toMatch(/astype\(int\)/)
  })

  it('refuses int64 labels too large to be exact', () => {
    const err = inputError(() => readNpyLabelValues(npyFile('<i8', [2], [1n, 2n ** 60n])))
    expect(err.code).toBe('labels_out_of_range')
    expect(err.message).toMatch(/Label 1 \(0-based\)/)
  })

  it('refuses more labels than the point limit', () => {
    const header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${LIMITS.maxPoints + 1},), }`
    const err = inputError(() => readNpyLabelValues(npyFile('|u1', [1], [0], { headerText: header, extraBytes: LIMITS.maxPoints })))
    expect(err.code).toBe('too_many_points')
  })
})
