import { describe, expect, it } from 'vitest'
import { LIMITS } from '@constellate/shared'
import {
  defaultParams,
  defaultSubsample,
  fittingPerplexity,
  firstParamProblem,
  paramForApiError,
  withServerError,
  subsampledPoints,
  subsampleRequest,
  validateParams,
  validateSubsample,
  type SubsampleValues,
} from './params.ts'

describe('parameter validation', () => {
  it('accepts the defaults for 2,000 points', () => {
    expect(defaultParams()).toEqual({ perplexity: 30, dims: 2, iterations: 750, seed: 42, pcaDims: 50 })
    expect(validateParams(defaultParams(), 2000)).toEqual({})
  })

  it('says how many points a perplexity needs and what to lower it to', () => {
    const errors = validateParams({ ...defaultParams(), perplexity: 50 }, 120)
    expect(errors.perplexity).toBe(
      'Perplexity 50 needs at least 151 points; the features have 120. Lower perplexity to 39 or less (or "auto", the largest that fits), or upload more points.',
    )
    expect(validateParams({ ...defaultParams(), perplexity: 39 }, 120)).toEqual({})
  })

  it('agrees with shared minPointsForPerplexity at the boundary', () => {
    expect(fittingPerplexity(91)).toBe(30)
    expect(validateParams(defaultParams(), 91)).toEqual({})
    expect(validateParams(defaultParams(), 90).perplexity).toBeDefined()
  })

  it('offers the largest perplexity up to 30 that fits as the one-click fix, and accepts auto for any point count', () => {
    for (const n of [5, 6, 7, 50, 90, 91, 92, 1000, 70_000]) {
      const fix = fittingPerplexity(n)
      expect(fix).toBe(Math.min(30, Math.max(1, Math.floor((n - 1) / 3))))
      expect(validateParams({ ...defaultParams(), perplexity: fix }, n)).toEqual({})
      if (fix < 30) expect(validateParams({ ...defaultParams(), perplexity: fix + 1 }, n).perplexity).toBeDefined()
      expect(validateParams({ ...defaultParams(), perplexity: 'auto' }, n)).toEqual({})
    }
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

  it('shows a server error at its field only while the field holds the value sent', () => {
    const server = { name: 'iterations' as const, message: 'iterations must be at most 10000', value: 20000 }
    const values = { ...defaultParams(), iterations: 20000 }
    expect(withServerError({}, server, values)).toEqual({ iterations: 'iterations must be at most 10000' })
    expect(withServerError({}, server, { ...values, iterations: 5000 })).toEqual({})
    expect(withServerError({ iterations: 'Iterations must be between 50 and 10,000.' }, server, values).iterations).toBe('Iterations must be between 50 and 10,000.')
    expect(withServerError({ seed: 'x' }, null, values)).toEqual({ seed: 'x' })
  })

  it('names the first parameter problem in the form\'s order, with the field to focus', () => {
    expect(firstParamProblem({})).toBeNull()
    expect(firstParamProblem({ seed: 'The seed must be a whole number.', iterations: 'Iterations must be between 50 and 10,000.' })).toEqual({
      message: 'Iterations must be between 50 and 10,000.',
      focus: 'param-iterations',
    })
    expect(firstParamProblem({ dims: 'Choose 2 or 3 dimensions.' })?.focus).toBe('param-perplexity')
  })
})

describe('subsampling fields', () => {
  const digits = { n: 2000, hasLabels: true, classCounts: Array(10).fill(200) as number[] }
  const values = (patch: Partial<SubsampleValues>): SubsampleValues => ({ ...defaultSubsample(), ...patch })

  it('is off by default and sends nothing then', () => {
    expect(validateSubsample(defaultSubsample(), digits)).toEqual({})
    expect(subsampleRequest(defaultSubsample())).toBeUndefined()
    expect(subsampledPoints(defaultSubsample(), digits)).toEqual({ points: 2000, exact: true })
  })

  it('random needs a size below N', () => {
    expect(validateSubsample(values({ method: 'random' }), digits).size).toMatch(/how many points to keep/)
    expect(validateSubsample(values({ method: 'random', size: 2000 }), digits).size).toBe(
      'A sample of 2,000 keeps all 2,000 points. Choose fewer than 2,000, or turn subsampling off.',
    )
    expect(validateSubsample(values({ method: 'random', size: 3 }), digits).size).toBe(`The sample size must be between 5 and ${LIMITS.maxPoints.toLocaleString('en-US')}.`)
    expect(validateSubsample(values({ method: 'random', size: 500 }), digits)).toEqual({})
    expect(subsampleRequest(values({ method: 'random', size: 500, perLabel: 9 }))).toEqual({ method: 'random', size: 500 })
    expect(subsampledPoints(values({ method: 'random', size: 500 }), digits)).toEqual({ points: 500, exact: true })
  })

  it('stratified needs labels, and a cap per label or a size', () => {
    expect(validateSubsample(values({ method: 'stratified', perLabel: 50 }), { ...digits, hasLabels: false }).method).toMatch(/needs a labels file/)
    expect(validateSubsample(values({ method: 'stratified' }), digits).perLabel).toMatch(/per label, a total size, or both/)
    expect(validateSubsample(values({ method: 'stratified', perLabel: 50 }), digits)).toEqual({})
    expect(subsampleRequest(values({ method: 'stratified', perLabel: 50 }))).toEqual({ method: 'stratified', perLabel: 50 })
    expect(subsampleRequest(values({ method: 'stratified', perLabel: 50, size: 300 }))).toEqual({ method: 'stratified', perLabel: 50, size: 300 })
  })

  it('works out the points a cap per label keeps from the label counts, as the worker does', () => {
    const uneven = { n: 1100, hasLabels: true, classCounts: [1000, 60, 40] }
    expect(subsampledPoints(values({ method: 'stratified', perLabel: 50 }), uneven)).toEqual({ points: 140, exact: true })
    expect(subsampledPoints(values({ method: 'stratified', perLabel: 50, size: 100 }), uneven)).toEqual({ points: 100, exact: true })
    expect(subsampledPoints(values({ method: 'stratified', perLabel: 50 }), { ...uneven, classCounts: null })).toEqual({ points: null, exact: false })
    expect(subsampledPoints(values({ method: 'stratified', size: 300 }), { ...uneven, classCounts: null })).toEqual({ points: 300, exact: true })
  })

  it('says when a cap keeps every point or too few', () => {
    expect(validateSubsample(values({ method: 'stratified', perLabel: 200 }), digits).perLabel).toMatch(/keeps every point \(the largest label has 200\)/)
    expect(validateSubsample(values({ method: 'stratified', perLabel: 0 }), digits).perLabel).toMatch(/between 1 and/)
    expect(validateSubsample(values({ method: 'stratified', perLabel: 3 }), { n: 4000, hasLabels: true, classCounts: [3998, 2] }).perLabel).toBeUndefined()
    expect(validateSubsample(values({ method: 'stratified', perLabel: 1 }), { n: 400, hasLabels: true, classCounts: [398, 2] }).perLabel).toBe(
      'This keeps only 2 points; t-SNE needs at least 5. Raise the cap per label.',
    )
  })

  it('checks perplexity against the points the subsample keeps', () => {
    const errors = validateParams(defaultParams(), 60, { subsampled: true, of: 400 })
    expect(errors.perplexity).toBe('Perplexity 30 needs at least 91 points; the subsample keeps 60 of 400. Lower perplexity to 19 or less (or "auto", the largest that fits), or keep more points (raise the sample size).')
  })
})
