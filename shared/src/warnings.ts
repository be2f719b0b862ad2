/**
 * @module The warnings a finished map carries when it may mislead (manifest.json `warnings`, the job's
 * `warnings`): what each means for reading the map and what to change is in its message; `numbers` holds
 * the measurements behind it, for scripts.
 */
import { z } from 'zod'

export const MAP_WARNING_CODES = [
  /** Each point's neighbourhood (3 x perplexity) covers a large share of all points. */
  'perplexity_near_limit',
  /** Many points are exact copies of another point. */
  'duplicate_points',
  /** Most feature columns hold one value for every point. */
  'constant_columns',
  /** One label holds almost every point. */
  'dominant_class',
  /** The KL divergence was still falling fast when the optimisation stopped. */
  'not_converged',
  /** The map shows a subsample of the uploaded points. */
  'subsampled',
] as const

export const MapWarningCode = z.enum(MAP_WARNING_CODES)
export type MapWarningCode = z.infer<typeof MapWarningCode>

export const MapWarning = z.object({
  code: MapWarningCode,
  /** What the warning means for reading the map, and what to change; one or two sentences. */
  message: z.string(),
  /** The measurements behind it (e.g. `{duplicates: 812, share: 0.081}`). */
  numbers: z.record(z.string(), z.number()),
  /** For a model job with several layers: the layer whose map it concerns. */
  layer: z.string().optional(),
})
export type MapWarning = z.infer<typeof MapWarning>
