/**
 * @module The per-point files every map leaves beside its embedding: `neighbours.npy` (int32 [N, k], each
 * point's nearest neighbours in the input or PCA space, from the kNN graph t-SNE used) and
 * `quality-points.npy` (float32 [N], each point's kNN preservation in the map), k = min(10, graph k, N-1).
 * A job with several maps (model jobs, one per layer) computes them once per map; run/map-results.ts
 * stores them with the map's other files.
 */
import { LIMITS } from '@constellate/shared'
import { sharedPool, type EmbedResult } from './engine.ts'
import { exactKnn } from './neighbours/knn.ts'
import { approximateKnn } from './neighbours/knn-ivf.ts'
import { firstNeighbours, mean, pointQuality } from './quality/point-quality.ts'

/** Above this many points the fallback kNN (backends that return no graph) is approximate, as in the engine. */
const EXACT_FALLBACK_UP_TO = 8000

/** What manifest.json records under `neighbours`, and metrics.json under `pointQuality`. */
export interface MapExtrasSummary {
  /** Neighbours per point in neighbours.npy and the k of quality-points.npy. */
  k: number
  /** The space neighbours were found in: the input itself, or its PCA scores when PCA reduced it. */
  space: 'input' | 'pca'
  /** `tsne`: the first k of the kNN graph t-SNE used (k = 3 x perplexity); `worker`: found here (the backend returned no graph). */
  source: 'tsne' | 'worker'
  /** Whether that graph is exact or from the approximate (inverted-file) index. */
  exact: boolean
  /** Mean of quality-points.npy: recall@k of the map against `space`. */
  meanQuality: number
}

export interface MapExtras {
  neighbours: Int32Array
  quality: Float32Array
  summary: MapExtrasSummary
}

/**
 * Computes neighbours and per-point quality for a finished map. `input` (row-major n x d, the points t-SNE
 * was given) is needed only when `result.neighbours` is missing.
 */
export async function computeMapExtras(result: Pick<EmbedResult, 'embedding' | 'n' | 'dims' | 'neighbours' | 'resolved'>, input?: { points: Float32Array; d: number }): Promise<MapExtras> {
  const { n, dims } = result
  let graph: { k: number; indices: Int32Array; space: 'input' | 'pca' }
  let source: MapExtrasSummary['source'] = 'tsne'
  let exact = result.resolved.knn !== 'approximate'
  if (result.neighbours) {
    graph = result.neighbours
  } else {
    if (!input) throw new Error('computeMapExtras: the result has no kNN graph; pass the input points')
    const k = Math.min(LIMITS.mapNeighbours, n - 1)
    exact = n <= EXACT_FALLBACK_UP_TO
    const found = exact ? await exactKnn(sharedPool(0), input.points, n, input.d, k) : await approximateKnn(sharedPool(0), input.points, n, input.d, k)
    graph = { k, indices: found.indices, space: 'input' }
    source = 'worker'
  }
  const k = Math.min(LIMITS.mapNeighbours, graph.k, n - 1)
  const neighbours = firstNeighbours(graph.indices, n, graph.k, k)
  const quality = pointQuality(result.embedding, n, dims, neighbours, k)
  return { neighbours, quality, summary: { k, space: graph.space, source, exact, meanQuality: mean(quality) } }
}
