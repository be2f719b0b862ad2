/**
 * @module The t-SNE parameter form's values and their validation, including the checks that depend on the
 * data (perplexity versus the number of points), worded so the user knows what to change.
 */
import { LIMITS, minPointsForPerplexity, TSNE_PARAM_DEFAULTS } from '@constellate/shared'

export interface ParamValues {
  perplexity: number
  dims: 2 | 3
  iterations: number
  seed: number
  pcaDims: number
}

export type ParamName = keyof ParamValues
export type ParamErrors = Partial<Record<ParamName, string>>

export function defaultParams(): ParamValues {
  return { ...TSNE_PARAM_DEFAULTS }
}

/** Bounds of each numeric field, mirroring the `JobParams` schema in shared/. */
export const PARAM_BOUNDS = {
  perplexity: { min: 1, max: LIMITS.maxPerplexity },
  iterations: { min: 50, max: LIMITS.maxIterations },
  seed: { min: 0, max: 2 ** 31 - 1 },
  pcaDims: { min: 2, max: 512 },
} as const

/** Largest perplexity usable with `n` points (k = 3*perplexity neighbours must exist). */
export function maxPerplexityFor(n: number): number {
  return Math.floor((n - 1) / 3)
}

function checkInteger(value: number, label: string, bounds: { min: number; max: number }): string | undefined {
  if (!Number.isFinite(value)) return `Enter a whole number for ${label}.`
  if (!Number.isInteger(value)) return `${capitalise(label)} must be a whole number.`
  if (value < bounds.min || value > bounds.max) {
    return `${capitalise(label)} must be between ${bounds.min.toLocaleString('en-US')} and ${bounds.max.toLocaleString('en-US')}.`
  }
  return undefined
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/**
 * Errors per field; empty when the values can be submitted. `n` (points) is known once the features file
 * has been inspected; null skips the data-dependent checks.
 */
export function validateParams(values: ParamValues, n: number | null): ParamErrors {
  const errors: ParamErrors = {}
  const { perplexity } = values
  if (!Number.isFinite(perplexity)) errors.perplexity = 'Enter a number for perplexity (30 is a good start).'
  else if (perplexity <= 0) errors.perplexity = 'Perplexity must be greater than 0.'
  else if (perplexity > PARAM_BOUNDS.perplexity.max) errors.perplexity = `Perplexity can be at most ${PARAM_BOUNDS.perplexity.max}.`
  else if (n !== null && n >= LIMITS.minPoints && n < minPointsForPerplexity(perplexity)) {
    const highest = maxPerplexityFor(n)
    errors.perplexity =
      `Perplexity ${perplexity} needs at least ${minPointsForPerplexity(perplexity).toLocaleString('en-US')} points; ` +
      `the features have ${n.toLocaleString('en-US')}. Lower perplexity to ${highest} or less, or upload more points.`
  }
  if (values.dims !== 2 && values.dims !== 3) errors.dims = 'Choose 2 or 3 dimensions.'
  const iterations = checkInteger(values.iterations, 'iterations', PARAM_BOUNDS.iterations)
  if (iterations) errors.iterations = iterations
  const seed = checkInteger(values.seed, 'the seed', PARAM_BOUNDS.seed)
  if (seed) errors.seed = seed
  const pcaDims = checkInteger(values.pcaDims, 'PCA dimensions', PARAM_BOUNDS.pcaDims)
  if (pcaDims) errors.pcaDims = pcaDims
  return errors
}

/** Which field an API error is about, from its code or message, so it can be shown next to that field. */
export function paramForApiError(code: string, message: string): ParamName | null {
  const text = `${code} ${message}`.toLowerCase()
  if (text.includes('perplexity')) return 'perplexity'
  if (text.includes('iteration')) return 'iterations'
  if (text.includes('pca')) return 'pcaDims'
  if (text.includes('seed')) return 'seed'
  if (/\bdims\b|dimension/.test(text)) return 'dims'
  return null
}
