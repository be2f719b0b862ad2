/**
 * @module backends/cpu/backend — the CPU backend's kernels for the pipeline: PCA through onnxruntime-node,
 * exact or inverted-file kNN and t-SNE's calibration and optimiser steps on the shared pool's worker threads
 * (pool.ts). Deterministic: the same job gives byte-identical maps for any thread count.
 */
import type { TsneKernels } from '../../methods/tsne/kernels.ts'
import { calibrate } from '../../methods/tsne/affinities.ts'
import { cpuSteps } from '../../methods/tsne/cpu-steps.ts'
import { approximateKnn } from '../../neighbours/knn-ivf.ts'
import { exactKnn } from '../../neighbours/knn.ts'
import { pca } from '../../pca/pca.ts'
import type { Backend } from '../../pipeline/backend.ts'
import type { KernelPool } from '../../compute/pool.ts'
import { sharedPool } from './pool.ts'

/** ORT's thread count for PCA is fixed: a different split of the products would change the last bits. */
const PCA_THREADS = 2
/** Above this many points the inverted-file index replaces exact kNN (recall >= 0.97). */
const APPROXIMATE_KNN_ABOVE = 8000
/** From this many points FFT interpolation replaces Barnes-Hut repulsion, in 2D and in 3D. */
const FFT_2D_FROM = 4000
const FFT_3D_FROM = 4000

/** t-SNE's kernels on a pool. */
export function cpuTsneKernels(pool: KernelPool): TsneKernels {
  return {
    calibrate: (knn, perplexity) => calibrate(pool, knn, perplexity),
    steps: async (graph, initial, settings, signal) => cpuSteps(pool, graph.p, initial, settings, signal),
  }
}

export const cpuKernels: Backend = {
  name: 'cpu',
  choose: (n, o) => ({
    knn: o.knn !== 'auto' ? o.knn : n > APPROXIMATE_KNN_ABOVE ? 'approximate' : 'exact',
    gradient: o.gradient !== 'auto' ? o.gradient : n < (o.dims === 3 ? FFT_3D_FROM : FFT_2D_FROM) ? 'bh' : 'fft',
  }),
  open(o) {
    // the pool's threads start now, while PCA runs
    const pool = sharedPool(o.threads)
    return {
      pca: (points, n, d, options) => pca(points, n, d, { ...options, threads: PCA_THREADS }),
      knn: (points, n, d, k, { metric, method, seed }) => (method === 'exact' ? exactKnn(pool, points, n, d, k, metric) : approximateKnn(pool, points, n, d, k, metric, { seed })),
      tsne: cpuTsneKernels(pool),
    }
  },
}
