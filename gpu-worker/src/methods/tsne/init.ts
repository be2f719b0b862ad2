/**
 * @module methods/tsne/init — initial embeddings: PCA (the leading components, scaled so the first has
 * standard deviation 1e-4, as openTSNE does), seeded Gaussian noise of the same scale, or a given layout
 * (another map's start, so several maps start alike).
 */
import { SeededRandom } from '../../compute/random.ts'

export const INIT_STD = 1e-4

/** Population standard deviation of column 0 of a row-major n x dims layout. */
function firstColumnStd(layout: Float64Array, n: number, dims: number): number {
  let mean = 0
  for (let i = 0; i < n; i++) mean += layout[i * dims]!
  mean /= n
  let variance = 0
  for (let i = 0; i < n; i++) variance += (layout[i * dims]! - mean) ** 2
  return Math.sqrt(variance / n)
}

/** Scales a layout in place so column 0 has standard deviation 1e-4 (a flat one is left as it is). */
function scaleToInitStd(layout: Float64Array, std: number): Float64Array {
  const scale = std > 0 ? INIT_STD / std : 1
  for (let t = 0; t < layout.length; t++) layout[t]! *= scale
  return layout
}

/**
 * Takes the first `dims` columns of PCA scores (row-major n x components) and rescales them so
 * column 0 has standard deviation 1e-4. Returns row-major n x dims float64.
 */
export function pcaInitialization(scores: Float32Array, n: number, components: number, dims: number): Float64Array {
  const out = new Float64Array(n * dims)
  for (let i = 0; i < n; i++) for (let c = 0; c < dims; c++) out[i * dims + c] = c < components ? scores[i * components + c]! : 0
  return scaleToInitStd(out, firstColumnStd(out, n, dims))
}

/** Gaussian noise with standard deviation 1e-4, from the seed. */
export function randomInitialization(n: number, dims: number, seed: number): Float64Array {
  const random = new SeededRandom(seed)
  const out = new Float64Array(n * dims)
  for (let t = 0; t < out.length; t++) out[t] = random.normal() * INIT_STD
  return out
}

/**
 * A given layout (row-major n x dims) as a float64 start. One already at the initial scale (another
 * map's `initial`) is taken bit for bit, so that maps sharing it start identically; any other is
 * rescaled like the PCA one.
 */
export function rescaledInitialization(layout: Float32Array | Float64Array, n: number, dims: number): Float64Array {
  if (layout.length !== n * dims) throw new RangeError(`initial layout holds ${layout.length} values; expected n x dims = ${n * dims}`)
  const out = Float64Array.from(layout)
  const std = firstColumnStd(out, n, dims)
  return std > 0 && Math.abs(std / INIT_STD - 1) < 1e-3 ? out : scaleToInitStd(out, std)
}

/** The start of an optimisation as every backend chooses it: a given layout, else PCA or random. */
export function startLayout(
  given: Float32Array | Float64Array | undefined,
  o: { initialization: 'pca' | 'random'; dims: number; seed: number },
  pca: { scores: Float32Array; components: number },
  n: number,
): Float64Array {
  if (given) return rescaledInitialization(given, n, o.dims)
  return o.initialization === 'pca' ? pcaInitialization(pca.scores, n, pca.components, o.dims) : randomInitialization(n, o.dims, o.seed)
}
