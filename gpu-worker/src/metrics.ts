/**
 * @module The quality numbers stored with every job (metrics.json), from the engine's `computeQuality`:
 * 10-NN label accuracy and silhouette per label (with labels), trustworthiness and kNN recall against the
 * input space (when it is narrow enough to measure cheaply; see HIGH_DIM_LIMIT).
 */
import { computeQuality } from './quality/index.ts'

/** Inputs wider than this are not compared neighbour by neighbour (sample x n x d work). */
export const HIGH_DIM_LIMIT = 64

export interface JobMetrics {
  n: number
  dims: number
  /** Share of sampled points whose 10 nearest map neighbours mostly share their label; null without labels. */
  knnLabelAccuracy10: number | null
  silhouette?: number
  /** Class name -> mean silhouette of its sampled points. */
  silhouettePerLabel?: Record<string, number>
  trustworthiness?: number
  recall?: number
  /** Seconds spent computing these numbers. */
  seconds: number
}

export async function computeMetrics(
  embedding: Float32Array,
  n: number,
  dims: number,
  labels?: { classes: string[]; codes: Int32Array },
  input?: { points: Float32Array; d: number },
): Promise<JobMetrics> {
  const report = await computeQuality(embedding, n, dims, {
    labels: labels?.codes,
    highDim: input && input.d <= HIGH_DIM_LIMIT ? input : undefined,
  })
  const perLabel = report.silhouettePerLabel
    ? Object.fromEntries(Object.entries(report.silhouettePerLabel).map(([code, value]) => [labels?.classes[Number(code)] ?? code, value]))
    : undefined
  return {
    n,
    dims,
    knnLabelAccuracy10: report.knnLabelAccuracy ?? null,
    ...(report.silhouette !== undefined ? { silhouette: report.silhouette, silhouettePerLabel: perLabel } : {}),
    ...(report.trustworthiness !== undefined ? { trustworthiness: report.trustworthiness, recall: report.recall } : {}),
    seconds: report.seconds,
  }
}
