import { describe, expect, it } from 'vitest'
import { JobParams, TSNE_PARAM_DEFAULTS, largestPerplexity, minPointsForPerplexity, perplexityProblem, resolvePerplexity } from './job-params.ts'

describe('the perplexity rule', () => {
  it('fits exactly when N >= 3 x perplexity + 1, and names the largest that fits otherwise', () => {
    for (const n of [5, 6, 50, 90, 91, 92, 1000]) {
      for (const perplexity of [1, 1.5, 10, 16, 29.9, 30, 31]) {
        const fits = n >= Math.floor(3 * perplexity) + 1
        expect(perplexityProblem(perplexity, n) === null, `${perplexity} for ${n}`).toBe(fits)
        if (!fits) expect(perplexityProblem(perplexity, n)).toContain(`Lower perplexity to ${largestPerplexity(n)} or less`)
      }
      expect(perplexityProblem(largestPerplexity(n), n)).toBeNull()
      expect(minPointsForPerplexity(largestPerplexity(n))).toBeLessThanOrEqual(n)
    }
  })

  it('says where the points come from and what to change', () => {
    expect(perplexityProblem(30, 50)).toBe('Perplexity 30 needs at least 91 points; the features have 50. Lower perplexity to 16 or less (or "auto", the largest that fits), or upload more points.')
    expect(perplexityProblem(30, 40, { kind: 'subsample', of: 1000, raise: 'size', atMost: true })).toMatch(/the subsample keeps at most 40 of 1,000\. .* keep more points \(raise size\)\.$/)
    expect(perplexityProblem(30, 30, { kind: 'inputs', filename: 'x.zip' })).toMatch(/"x\.zip" holds 30 inputs\. .* or add inputs\.$/)
  })

  it('resolves "auto" to the largest up to the default that fits', () => {
    expect(resolvePerplexity('auto', 10_000)).toBe(TSNE_PARAM_DEFAULTS.perplexity)
    expect(resolvePerplexity('auto', 50)).toBe(16)
    expect(resolvePerplexity('auto', 5)).toBe(1)
    expect(resolvePerplexity(7.5, 5)).toBe(7.5)
  })

  it('fills the defaults from one place', () => {
    expect(JobParams.parse({})).toEqual(TSNE_PARAM_DEFAULTS)
  })
})
