import { describe, expect, it } from 'vitest'
import { LIMITS, encodeNpyFloat32 } from '@constellate/shared'
import { InputError } from './errors.ts'
import { checkLabelCount, loadFeatures, loadLabels, validateFeatures } from './features.ts'
import { mnistSample } from './mnist-fixture.ts'
import { npyFile } from './npy-fixture.ts'

function inputError(run: () => unknown): InputError {
  try {
    run()
  } catch (err) {
    if (err instanceof InputError) return err
    throw err
  }
  throw new Error('expected an InputError')
}

describe('loadFeatures', () => {
  it('reads the same MNIST digits from float32 .npy, uint8 Fortran .npy and CSV', () => {
    const { points, n, d } = mnistSample(10)
    const fromNpy = loadFeatures(encodeNpyFloat32(points, [n, d]), 'npy')
    expect(fromNpy).toEqual({ points, n, d, scale: 1 })
    const bytes = Array.from(points, (v) => Math.round(v * 255))
    const fromUint8 = loadFeatures(npyFile('|u1', [n, d], bytes, { fortranOrder: true }), 'npy')
    expect(fromUint8.points).toEqual(Float32Array.from(bytes))
    const csv = Array.from({ length: n }, (_, i) => Array.from(points.subarray(i * d, (i + 1) * d)).join(',')).join('\n')
    expect(loadFeatures(new TextEncoder().encode(csv), 'csv')).toEqual({ points, n, d, scale: 1 })
  })

  it('refuses a .txt features file', () => {
    expect(inputError(() => loadFeatures(new TextEncoder().encode('1 2\n'), 'txt')).code).toBe('unsupported_format')
  })

  it('loads labels through the same entry', () => {
    expect(loadLabels(new TextEncoder().encode('b\na\n'), 'txt').classes).toEqual(['a', 'b'])
  })
})

describe('validateFeatures', () => {
  const grid = (n: number, d: number) => Float32Array.from({ length: n * d }, (_, i) => i)

  it('accepts finite features', () => {
    expect(() => validateFeatures(grid(5, 3), 5, 3)).not.toThrow()
  })

  it('names row and column of the first NaN and counts the rest', () => {
    const points = grid(20, 4)
    points[17 * 4 + 3] = NaN
    points[19 * 4 + 0] = NaN
    const err = inputError(() => validateFeatures(points, 20, 4))
    expect(err.code).toBe('non_finite_features')
    expect(err.message).toMatch(/NaN.* at row 17, column 3 \(0-based\) \(2 non-finite values in all\)\. Replace or drop non-finite values/)
  })

  it('names Infinity and -Infinity', () => {
    const points = grid(6, 2)
    points[5] = -Infinity
    expect(inputError(() => validateFeatures(points, 6, 2)).message).toMatch(/-Infinity at row 2, column 1/)
    points[5] = Infinity
    expect(inputError(() => validateFeatures(points, 6, 2)).message).toMatch(/contain Infinity at row 2, column 1/)
  })

  it('refuses fewer points than t-SNE needs', () => {
    const err = inputError(() => validateFeatures(grid(4, 2), 4, 2))
    expect(err.code).toBe('too_few_points')
    expect(err.message).toMatch(`hold 4 points; t-SNE needs at least ${LIMITS.minPoints}`)
  })
})

describe('checkLabelCount', () => {
  it('accepts one label per point', () => {
    expect(() => checkLabelCount(2000, 2000)).not.toThrow()
  })

  it('says both counts when they differ, with a header hint for one extra', () => {
    const err = inputError(() => checkLabelCount(1999, 2000))
    expect(err.code).toBe('label_count_mismatch')
    expect(err.message).toBe('Labels has 1999 rows but features has 2000 points; they must match one to one.')
    expect(inputError(() => checkLabelCount(2001, 2000)).message).toMatch(/name it "label"/)
  })
})
