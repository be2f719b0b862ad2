/**
 * @module The job parameters: their schema, defaults and the rules that depend on the data (perplexity
 * against the number of points), each with the one message every layer shows (the upload form, the edge,
 * the worker and the engine).
 */
import { z } from 'zod'
import { LIMITS } from './limits.ts'

/** The defaults of the parameters a job request may set (the engine's own options extend them). */
export const TSNE_PARAM_DEFAULTS = {
  perplexity: 30,
  dims: 2 as 2 | 3,
  iterations: 750,
  seed: 42,
  pcaDims: 50,
}

/**
 * `params.subsample`: the worker embeds a seeded subset of the points (seed: params.seed) and records it in
 * manifest.json; `indices.npy` maps each map point back to its input row.
 * - `random`: `size` points drawn uniformly without replacement.
 * - `stratified` (needs labels): each label keeps at most `perLabel` points; with `size` as well (or alone),
 *   the per-label quotas are then scaled to `size` in proportion (largest remainder).
 * Kept points stay in input order. A size at or above N keeps every point.
 */
export const SubsampleParams = z
  .object({
    method: z.enum(['random', 'stratified']),
    size: z.number().int().min(LIMITS.minPoints).max(LIMITS.maxPoints).optional(),
    perLabel: z.number().int().min(1).max(LIMITS.maxPoints).optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.method === 'random' && value.size === undefined) {
      ctx.addIssue({ code: 'custom', path: ['size'], message: 'random subsampling needs size (the number of points to keep), e.g. {"method": "random", "size": 10000}' })
    }
    if (value.method === 'random' && value.perLabel !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['perLabel'], message: 'perLabel applies to stratified subsampling only; use {"method": "stratified", "perLabel": ...}' })
    }
    if (value.method === 'stratified' && value.size === undefined && value.perLabel === undefined) {
      ctx.addIssue({ code: 'custom', path: ['perLabel'], message: 'stratified subsampling needs perLabel (most points per label), size (points in all), or both' })
    }
  })
export type SubsampleParams = z.infer<typeof SubsampleParams>

export const JobParams = z.object({
  /**
   * Effective number of neighbours t-SNE balances per point (k = 3 x perplexity are used). `"auto"`: the
   * largest up to 30 that the map's points allow (resolvePerplexity; the manifest records the value used).
   */
  perplexity: z.union([z.number().positive().max(LIMITS.maxPerplexity), z.literal('auto')]).default(TSNE_PARAM_DEFAULTS.perplexity),
  dims: z.union([z.literal(2), z.literal(3)]).default(TSNE_PARAM_DEFAULTS.dims),
  iterations: z.number().int().min(50).max(LIMITS.maxIterations).default(TSNE_PARAM_DEFAULTS.iterations),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(TSNE_PARAM_DEFAULTS.seed),
  pcaDims: z.number().int().min(2).max(512).default(TSNE_PARAM_DEFAULTS.pcaDims),
  /** Compute backend: `auto` (GPU when the worker has one), `cpu` or `tfjs`. Omitted: the worker's default. */
  backend: z.enum(['auto', 'cpu', 'tfjs']).optional(),
  /** Embed a subset of the points, chosen by the worker (see SubsampleParams). */
  subsample: SubsampleParams.optional(),
})
export type JobParams = z.infer<typeof JobParams>

/** Smallest N for a perplexity: k = 3*perplexity neighbours must exist. */
export function minPointsForPerplexity(perplexity: number): number {
  return Math.floor(3 * perplexity) + 1
}

/** The largest whole perplexity that n points allow (at least 1): its 3 x perplexity neighbours exist. */
export function largestPerplexity(n: number): number {
  return Math.max(1, Math.floor((n - 1) / 3))
}

/** The largest perplexity `"auto"` picks: the default. */
export const AUTO_PERPLEXITY_CAP = TSNE_PARAM_DEFAULTS.perplexity

/** A requested perplexity for n points: a number as given, `"auto"` as the largest up to 30 that fits n. */
export function resolvePerplexity(requested: number | 'auto', n: number): number {
  return requested === 'auto' ? Math.min(AUTO_PERPLEXITY_CAP, largestPerplexity(n)) : requested
}

/** Where the points a perplexity is checked against come from, for the message and its advice. */
export type PointsSource =
  | { kind: 'features' }
  /** `atMost`: the count is an upper bound (a stratified sample's size, before its per-label caps). */
  | { kind: 'subsample'; of: number; raise: string; atMost?: boolean }
  | { kind: 'inputs'; filename: string }

/**
 * Why `perplexity` cannot be used with `points` points (the message says what to change), or null when
 * it fits. The one perplexity rule: N must be at least 3 x perplexity + 1.
 */
export function perplexityProblem(perplexity: number, points: number, source: PointsSource = { kind: 'features' }): string | null {
  const needed = minPointsForPerplexity(perplexity)
  if (points >= needed) return null
  const count = points.toLocaleString('en-US')
  const have =
    source.kind === 'subsample' ? `the subsample keeps ${source.atMost ? 'at most ' : ''}${count} of ${source.of.toLocaleString('en-US')}` : source.kind === 'inputs' ? `"${source.filename}" holds ${count} inputs` : `the features have ${count}`
  const more = source.kind === 'subsample' ? `keep more points (raise ${source.raise})` : source.kind === 'inputs' ? 'add inputs' : 'upload more points'
  return `Perplexity ${perplexity} needs at least ${needed.toLocaleString('en-US')} points; ${have}. Lower perplexity to ${largestPerplexity(points)} or less (or "auto", the largest that fits), or ${more}.`
}
