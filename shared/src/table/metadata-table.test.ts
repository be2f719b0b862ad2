import { describe, expect, it } from 'vitest'
import { verificationCode } from '../../../tests/src/verification-code.ts'
import { CreateJobRequest } from '../schemas.ts'
import { JobParams } from '../job-params.ts'
import { verifyUpload } from '../upload/verify-upload.ts'
import { decodeNpyArray, encodeNpyFloat32, encodeNpyInt32 } from '../npy/npy.ts'
import { LIMITS } from '../limits.ts'

function verifyMetadata(content: string, filename = 'meta.csv') {
  const head = new TextEncoder().encode(content)
  return verifyUpload({ kind: 'metadata', filename, declaredSize: head.length, actualSize: head.length, head, complete: true })
}

describe('metadata uploads', () => {
  it('are verified as a header row plus one row per point', () => {
    expect(verifyMetadata('split,score\ntrain,1\ntest,\n')).toEqual({ format: 'csv', rows: 2, cols: 2, dtype: null, hasHeader: true })
    expect(verifyMetadata('a\tb\n1\t2\n', 'meta.tsv')).toMatchObject({ format: 'tsv', rows: 1, cols: 2 })
  })

  it('are refused when ragged, header-only, too wide or not .csv/.tsv', () => {
    expect(verificationCode(() => verifyMetadata('a,b\n1,2\n3\n'))).toBe('text_ragged_rows')
    expect(verificationCode(() => verifyMetadata('a,b\n'))).toBe('empty_file')
    expect(verificationCode(() => verifyMetadata(Array.from({ length: LIMITS.maxMetadataColumns + 1 }, (_, k) => `c${k}`).join(',') + '\n1\n'))).toBe('metadata_too_many_columns')
    expect(verificationCode(() => verifyMetadata('a\n1\n', 'meta.txt'))).toBe('unsupported_format')
  })
})

describe('job requests for map data', () => {
  it('accept one features id or a list of them, and metadata', () => {
    expect(CreateJobRequest.parse({ features: 'upl_a' }).features).toBe('upl_a')
    expect(CreateJobRequest.parse({ features: ['upl_a', 'upl_b'], metadata: 'upl_m' })).toMatchObject({ features: ['upl_a', 'upl_b'], metadata: 'upl_m' })
    expect(CreateJobRequest.safeParse({ features: [] }).success).toBe(false)
    expect(CreateJobRequest.safeParse({ features: Array.from({ length: LIMITS.maxFeatureFiles + 1 }, (_, i) => `upl_${i}`) }).success).toBe(false)
  })

  it('check subsample parameters with messages that say what is missing', () => {
    const message = (subsample: unknown) => {
      const result = JobParams.safeParse({ subsample })
      return result.success ? 'accepted' : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    }
    expect(message({ method: 'random', size: 100 })).toBe('accepted')
    expect(message({ method: 'stratified', perLabel: 10 })).toBe('accepted')
    expect(message({ method: 'stratified', perLabel: 10, size: 50 })).toBe('accepted')
    expect(message({ method: 'random' })).toMatch(/subsample\.size: random subsampling needs size/)
    expect(message({ method: 'random', size: 10, perLabel: 3 })).toMatch(/perLabel applies to stratified/)
    expect(message({ method: 'stratified' })).toMatch(/needs perLabel/)
    expect(message({ method: 'stratified', perLabel: 0 })).toMatch(/perLabel/)
    expect(message({ method: 'random', size: 2 })).toMatch(/size/)
    expect(message({ method: 'systematic', size: 10 })).toMatch(/method/)
  })
})

describe('npy round trips', () => {
  it('decodes the int32 and float32 files the worker writes', () => {
    const ints = decodeNpyArray(encodeNpyInt32(Int32Array.from([1, -2, 3, 4, 5, 6]), [3, 2]))
    expect(ints.shape).toEqual([3, 2])
    expect(ints.data).toEqual(Int32Array.from([1, -2, 3, 4, 5, 6]))
    const floats = decodeNpyArray(encodeNpyFloat32(Float32Array.from([0.5, 1]), [2]))
    expect(floats.data).toEqual(Float32Array.from([0.5, 1]))
  })
})
