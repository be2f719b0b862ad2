import { describe, expect, it } from 'vitest'
import { defaultParams, maxPerplexityFor, paramForApiError, validateParams } from './params.ts'

describe('parameter validation', () => {
  it('accepts the defaults for 2,000 points', () => {
    expect(defaultParams()).toEqual({ perplexity: 30, dims: 2, iterations: 750, seed: 42, pcaDims: 50 })
    expect(validateParams(defaultParams(), 2000)).toEqual({})
  })

  it('says how many points a perplexity needs and what to lower it to', () => {
    const errors = validateParams({ ...defaultParams(), perplexity: 50 }, 120)
    expect(errors.perplexity).toBe(
      'Perplexity 50 needs at least 151 points; the features have 120. Lower perplexity to 39 or less, or upload more points.',
    )
    expect(validateParams({ ...defaultParams(), perplexity: 39 }, 120)).toEqual({})
  })

  it('agrees with shared minPointsForPerplexity at the boundary', () => {
    expect(maxPerplexityFor(91)).toBe(30)
    expect(validateParams(defaultParams(), 91)).toEqual({})
    expect(validateParams(defaultParams(), 90).perplexity).toBeDefined()
  })

  it('rejects empty and out-of-range fields with plain words', () => {
    const errors = validateParams({ perplexity: Number.NaN, dims: 2, iterations: 10, seed: 1.5, pcaDims: 1000 }, null)
    expect(errors.perplexity).toMatch(/Enter a number/)
    expect(errors.iterations).toBe('Iterations must be between 50 and 10,000.')
    expect(errors.seed).toBe('The seed must be a whole number.')
    expect(errors.pcaDims).toBe('PCA dimensions must be between 2 and 512.')
  })

  it('routes API errors to the field they are about', () => {
    expect(paramForApiError('perplexity_too_large', 'x')).toBe('perplexity')
    expect(paramForApiError('invalid_request', 'iterations must be at most 10000')).toBe('iterations')
    expect(paramForApiError('label_count_mismatch', 'labels have 3 rows')).toBeNull()
  })
})
