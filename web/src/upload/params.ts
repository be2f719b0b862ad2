/**
 * @module The t-SNE parameter form's values and their validation, including the checks that depend on the
 * data (perplexity versus the number of points), worded so the user knows what to change.
 */
import { LIMITS, perplexityProblem, resolvePerplexity, TSNE_PARAM_DEFAULTS, type SubsampleParams } from '@constellate/shared'

export interface ParamValues {
  /** A number, or `"auto"`: the largest up to 30 that the map's points allow (resolved by the worker). */
  perplexity: number | 'auto'
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

/** The perplexity the form's one-click fix sets for `n` points: what `"auto"` resolves to. */
export function fittingPerplexity(n: number): number {
  return resolvePerplexity('auto', n)
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
 * Errors per field; empty when the values can be submitted. `n` (points in the map) is known once the
 * features file has been inspected; null skips the data-dependent checks. `subsampled`: n is what a
 * subsample keeps (at most) out of `of` input points, and the message says so.
 */
export function validateParams(values: ParamValues, n: number | null, options: { subsampled?: boolean; of?: number | null } = {}): ParamErrors {
  const errors: ParamErrors = {}
  const { perplexity } = values
  if (perplexity === 'auto') {
    // always fits: the worker picks the largest up to 30 that the points allow
  } else if (!Number.isFinite(perplexity)) errors.perplexity = 'Enter a number for perplexity (30 is a good start), or choose Auto.'
  else if (perplexity <= 0) errors.perplexity = 'Perplexity must be greater than 0.'
  else if (perplexity > PARAM_BOUNDS.perplexity.max) errors.perplexity = `Perplexity can be at most ${PARAM_BOUNDS.perplexity.max}.`
  else if (n !== null && n >= LIMITS.minPoints) {
    const problem = perplexityProblem(perplexity, n, options.subsampled ? { kind: 'subsample', of: options.of ?? n, raise: 'the sample size' } : { kind: 'features' })
    if (problem) errors.perplexity = problem
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

/** A parameter error the server gave, shown at its field while the field still holds the value sent. */
export interface ServerParamError {
  name: ParamName
  message: string
  value: unknown
}

/** The form's errors plus the server's, unless the field has its own error or was changed since. */
export function withServerError(errors: ParamErrors, server: ServerParamError | null, values: ParamValues): ParamErrors {
  const merged = { ...errors }
  if (server && !merged[server.name] && values[server.name] === server.value) merged[server.name] = server.message
  return merged
}

/** The control that shows each parameter (focused when its value stops the form). */
export const PARAM_FIELD_IDS: Record<ParamName, string> = {
  perplexity: 'param-perplexity',
  dims: 'param-perplexity',
  iterations: 'param-iterations',
  seed: 'param-seed',
  pcaDims: 'param-pca',
}

/** The first parameter error in the form's order, with the control to focus; null when there is none. */
export function firstParamProblem(errors: ParamErrors): { message: string; focus: string } | null {
  for (const name of Object.keys(PARAM_FIELD_IDS) as ParamName[]) {
    const message = errors[name]
    if (message) return { message, focus: PARAM_FIELD_IDS[name] }
  }
  return null
}

/** `none`: embed every point; otherwise the worker keeps a seeded subset (see SubsampleParams in shared/). */
export type SubsampleMethod = 'none' | SubsampleParams['method']

/** The subsampling fields as typed; an empty number field is null or undefined. */
export interface SubsampleValues {
  method: SubsampleMethod
  /** Points to keep in all (random: required; stratified: optional). */
  size: number | null | undefined
  /** Most points kept of each label (stratified). */
  perLabel: number | null | undefined
}

export type SubsampleErrors = Partial<Record<keyof SubsampleValues, string>>

export function defaultSubsample(): SubsampleValues {
  return { method: 'none', size: null, perLabel: null }
}

/** What the subsampling checks know of the data. */
export interface SubsampleContext {
  /** Input points, all feature files together; null while unknown. */
  n: number | null
  /** A labels file is chosen (stratified subsampling needs one). */
  hasLabels: boolean
  /** Points per label, when the labels file was read whole; null otherwise. */
  classCounts: number[] | null
}

function isBlank(value: number | null | undefined): value is null | undefined {
  return value === null || value === undefined || Number.isNaN(value)
}

/** Per label, the points a stratified subsample keeps (the worker's rule: the cap, then scaled to `size`). */
function stratifiedKeeps(counts: number[], perLabel: number | null, size: number | null): number {
  const capped = counts.reduce((sum, count) => sum + Math.min(count, perLabel ?? count), 0)
  return size === null ? capped : Math.min(capped, size)
}

/**
 * Points the map will have: every input point without subsampling; with it, the exact count where it can
 * be worked out (stratified needs the label counts), else an upper bound (`exact` false), else null.
 */
export function subsampledPoints(values: SubsampleValues, context: SubsampleContext): { points: number | null; exact: boolean } {
  const { n } = context
  if (values.method === 'none' || n === null) return { points: n, exact: n !== null }
  const size = isBlank(values.size) || values.size <= 0 ? null : Math.floor(values.size)
  const perLabel = values.method === 'stratified' && !isBlank(values.perLabel) && values.perLabel > 0 ? Math.floor(values.perLabel) : null
  if (values.method === 'random') return size === null ? { points: n, exact: false } : { points: Math.min(size, n), exact: true }
  if (context.classCounts) return { points: stratifiedKeeps(context.classCounts, perLabel, size), exact: true }
  if (size !== null) return { points: Math.min(size, n), exact: perLabel === null }
  return { points: null, exact: false }
}

/** Errors per subsampling field; empty when it is off or can be submitted. */
export function validateSubsample(values: SubsampleValues, context: SubsampleContext): SubsampleErrors {
  const errors: SubsampleErrors = {}
  if (values.method === 'none') return errors
  const { n } = context
  if (values.method === 'stratified' && !context.hasLabels) {
    errors.method = 'Stratified subsampling keeps up to a number of points per label, so it needs a labels file. Choose one, or subsample at random.'
    return errors
  }
  const sizeBounds = { min: LIMITS.minPoints, max: LIMITS.maxPoints }
  if (isBlank(values.size)) {
    if (values.method === 'random') errors.size = 'Enter how many points to keep, e.g. 10,000.'
  } else {
    const problem = checkInteger(values.size, 'the sample size', sizeBounds)
    if (problem) errors.size = problem
    else if (n !== null && values.size >= n) {
      errors.size = `A sample of ${values.size.toLocaleString('en-US')} keeps all ${n.toLocaleString('en-US')} points. Choose fewer than ${n.toLocaleString('en-US')}, or turn subsampling off.`
    }
  }
  if (values.method !== 'stratified') return errors
  if (isBlank(values.perLabel)) {
    if (isBlank(values.size)) errors.perLabel = 'Enter the most points to keep per label, a total size, or both.'
    return errors
  }
  const problem = checkInteger(values.perLabel, 'points per label', { min: 1, max: LIMITS.maxPoints })
  if (problem) {
    errors.perLabel = problem
    return errors
  }
  const counts = context.classCounts
  if (counts && counts.length > 0) {
    const largest = Math.max(...counts)
    const kept = stratifiedKeeps(counts, values.perLabel, errors.size || isBlank(values.size) ? null : values.size)
    if (values.perLabel >= largest && isBlank(values.size)) {
      errors.perLabel =
        `A cap of ${values.perLabel.toLocaleString('en-US')} per label keeps every point (the largest label has ${largest.toLocaleString('en-US')}). ` +
        'Lower the cap, or turn subsampling off.'
    } else if (kept < LIMITS.minPoints) {
      errors.perLabel = `This keeps only ${kept} points; t-SNE needs at least ${LIMITS.minPoints}. Raise the cap per label.`
    }
  }
  return errors
}

/** The `params.subsample` to send, or undefined when subsampling is off. Call after validateSubsample passes. */
export function subsampleRequest(values: SubsampleValues): SubsampleParams | undefined {
  if (values.method === 'none') return undefined
  const size = isBlank(values.size) ? undefined : values.size
  if (values.method === 'random') return { method: 'random', size }
  const perLabel = isBlank(values.perLabel) ? undefined : values.perLabel
  return { method: 'stratified', ...(size !== undefined ? { size } : {}), ...(perLabel !== undefined ? { perLabel } : {}) }
}
