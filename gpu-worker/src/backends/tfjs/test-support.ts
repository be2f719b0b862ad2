/**
 * @module backends/tfjs/test-support — fixtures shared by the tfjs backend's tests: the pure-JS
 * tfjs runtime, seeded blobs, and a small affinity problem solved by the CPU engine's modules.
 */
import { KernelPool } from '../../compute/pool.ts'
import { CPU_KERNELS } from '../cpu/pool.ts'
import { SeededRandom } from '../../compute/random.ts'
import { calibrate, symmetrize, type SparseAffinities } from '../../methods/tsne/affinities.ts'
import { exactKnn, type KnnGraph } from '../../neighbours/knn.ts'
import type { Tf } from './tf.ts'

let runtime: Promise<Tf> | undefined

/** `@tensorflow/tfjs` on its CPU backend, quiet. */
export function jsTf(): Promise<Tf> {
  runtime ??= (async () => {
    const tf = (await import('@tensorflow/tfjs')) as unknown as Tf
    tf.enableProdMode()
    await tf.setBackend('cpu')
    await tf.ready()
    return tf
  })()
  return runtime
}

/** n points in d dimensions around `clusters` centres (row-major float32) and their labels. */
export function blobs(n: number, d: number, clusters: number, seed: number, spread = 1, separation = 6): { points: Float32Array; labels: Int32Array } {
  const random = new SeededRandom(seed)
  const centres = Float64Array.from({ length: clusters * d }, () => random.normal() * separation)
  const points = new Float32Array(n * d)
  const labels = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const c = i % clusters
    labels[i] = c
    for (let j = 0; j < d; j++) points[i * d + j] = centres[c * d + j]! + random.normal() * spread
  }
  return { points, labels }
}

/** A t-SNE-like map: Gaussian blobs of unit spread around centres spread over `width`. */
export function clusteredMap(n: number, dims: number, width: number, seed: number): Float64Array {
  const random = new SeededRandom(seed)
  const centres = Array.from({ length: 10 * dims }, () => (random.next() - 0.5) * width)
  const y = new Float64Array(n * dims)
  for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) y[i * dims + c] = centres[(i % 10) * dims + c]! + random.normal() * 1.5
  return y
}

/** kNN graph, conditional rows and the symmetric P of the CPU engine for `points`. */
export async function cpuAffinities(points: Float32Array, n: number, d: number, perplexity: number): Promise<{ graph: KnnGraph; conditional: Float32Array; p: SparseAffinities }> {
  const pool = new KernelPool(1, CPU_KERNELS)
  const graph = await exactKnn(pool, points, n, d, Math.floor(3 * perplexity))
  const { conditional } = await calibrate(pool, graph, perplexity)
  return { graph, conditional, p: symmetrize(graph, conditional) }
}

/** Relative L2 error ||a - b|| / ||b||. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0
  let den = 0
  for (let t = 0; t < b.length; t++) {
    num += (a[t]! - b[t]!) ** 2
    den += b[t]! ** 2
  }
  return Math.sqrt(num / den)
}
