import { describe, expect, it } from 'vitest'
import { ResultCheckError, checkFiniteResult } from './result-check.ts'

const finite = { embedding: Float32Array.from([0, 1, -2, 3.5]), n: 2, dims: 2, kl: 1.2 }

describe('checkFiniteResult', () => {
  it('passes a finite map with finite KL and metrics (null metrics are "not computed")', () => {
    expect(() => checkFiniteResult(finite, { trustworthiness: 0.9, knnLabelAccuracy10: null, perLabel: { a: 0.2 }, list: [1, 2] })).not.toThrow()
  })

  it('refuses NaN or Infinity in the map, the KL or any metric, and says where', () => {
    const nanMap = { ...finite, embedding: Float32Array.from([0, 1, NaN, NaN]) }
    expect(() => checkFiniteResult(nanMap, {})).toThrow(/2 of 4 coordinates of the map are not finite \(the first at point 1\)/)
    expect(() => checkFiniteResult({ ...finite, kl: NaN }, {})).toThrow(/KL divergence is NaN/)
    expect(() => checkFiniteResult(finite, { silhouettePerLabel: { cat: Infinity } }, 'the map of layer "fc"')).toThrow(/metrics\.silhouettePerLabel\.cat \(Infinity\)/)
    expect(() => checkFiniteResult({ ...finite, embedding: new Float32Array(3) }, {})).toThrow(/holds 3 coordinates/)
    try {
      checkFiniteResult(nanMap, {})
    } catch (err) {
      expect(err).toBeInstanceOf(ResultCheckError)
      expect((err as ResultCheckError).code).toBe('result_not_finite')
      expect((err as Error).message).toMatch(/report it with the job id/)
    }
  })
})
