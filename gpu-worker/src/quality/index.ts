/**
 * @module quality — map quality on a sample, cheap enough to run after every job (well under a
 * second at 70k points): trustworthiness and kNN recall@k against the input space, k-NN label
 * accuracy and per-label silhouette in the map.
 */
import { buildKdTree, kdTreeKnn } from './kd-tree.ts'
import { labelSilhouette, stratifiedSample } from './silhouette.ts'
import { neighbourhoodScores } from './trustworthiness.ts'
import { samplePoints } from './recall.ts'

export { knnLabelAccuracy } from './label-accuracy.ts'
export { embeddingRecall, samplePoints } from './recall.ts'
export { labelSilhouette, stratifiedSample } from './silhouette.ts'
export { neighbourhoodScores } from './trustworthiness.ts'

export interface QualityOptions {
  /** Integer label per point (length n). */
  labels?: ArrayLike<number>
  /** The input space the map should preserve (row-major n x d), e.g. the PCA scores. */
  highDim?: { points: Float32Array; d: number }
  /** Neighbours considered (k of trustworthiness, recall and label accuracy). */
  k?: number
  /** Sampled points for trustworthiness / recall (distance work is sample x n x d). */
  neighbourhoodSample?: number
  /** Sampled points for label accuracy and silhouette (stratified by label). */
  labelSample?: number
  seed?: number
}

export const QUALITY_DEFAULTS = { k: 10, neighbourhoodSample: 500, labelSample: 500, seed: 7 } satisfies Partial<QualityOptions>

export interface QualityReport {
  n: number
  dims: number
  k: number
  /** Present with highDim. */
  trustworthiness?: number
  recall?: number
  neighbourhoodSampled?: number
  /** Present with labels. */
  knnLabelAccuracy?: number
  silhouette?: number
  /** Label -> mean silhouette of its sampled points. */
  silhouettePerLabel?: Record<string, number>
  labelSampled?: number
  seconds: number
}

/**
 * Quality of an embedding (row-major n x dims) on seeded samples; every number is in the report
 * only when its inputs are given. Deterministic for a given seed.
 */
export async function computeQuality(embedding: Float32Array | Float64Array, n: number, dims: number, options: QualityOptions = {}): Promise<QualityReport> {
  const start = performance.now()
  const o = { ...QUALITY_DEFAULTS, ...options }
  const k = Math.min(o.k, Math.max(1, n - 1))
  const tree = buildKdTree(embedding, n, dims)
  const report: QualityReport = { n, dims, k, seconds: 0 }
  if (o.highDim) {
    const rows = samplePoints(n, o.neighbourhoodSample, o.seed)
    const scores = await neighbourhoodScores(o.highDim.points, o.highDim.d, embedding, dims, n, rows, k, tree)
    report.trustworthiness = scores.trustworthiness
    report.recall = scores.recall
    report.neighbourhoodSampled = scores.sampled
  }
  if (o.labels) {
    const rows = stratifiedSample(o.labels, n, o.labelSample, o.seed)
    const neighbours = kdTreeKnn(tree, rows, k)
    let correct = 0
    const votes = new Map<number, number>()
    for (let r = 0; r < rows.length; r++) {
      votes.clear()
      let best = -1
      let bestVotes = 0
      for (let t = 0; t < k; t++) {
        const label = o.labels[neighbours[r * k + t]!]!
        const v = (votes.get(label) ?? 0) + 1
        votes.set(label, v)
        if (v > bestVotes) {
          bestVotes = v
          best = label
        }
      }
      if (best === o.labels[rows[r]!]) correct++
    }
    report.knnLabelAccuracy = rows.length ? correct / rows.length : 0
    const silhouette = labelSilhouette(embedding, n, dims, o.labels, rows)
    report.silhouette = silhouette.overall
    report.silhouettePerLabel = Object.fromEntries([...silhouette.perLabel].map(([label, s]) => [String(label), s]))
    report.labelSampled = rows.length
  }
  report.seconds = (performance.now() - start) / 1000
  return report
}
