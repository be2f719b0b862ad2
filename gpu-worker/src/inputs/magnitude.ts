/**
 * @module Bringing feature values of any finite magnitude into the range the float32 pipeline computes
 * safely. Squared distances, Gram products and PCA sums of values near 1e19 overflow float32 (and of
 * values near 1e-30 underflow it), which used to turn a map into NaN; float64 values beyond float32's
 * range became Infinity on conversion. Every stage after the reader (PCA, kNN, perplexity calibration,
 * quality metrics) depends on distances only up to a common factor, so scaling all values by one power
 * of two changes no map: it is exact in binary floating point, and data already inside the safe band
 * (pixels, activations, embeddings) is left untouched, so its maps stay byte-identical.
 */

/** Largest finite |value| kept unscaled: squares summed over 65,536 columns stay far below float32's 3.4e38. */
export const SAFE_MAX_ABS = 2 ** 20
/** Smallest largest-|value| kept unscaled: squared differences stay normal float32 numbers (above 1.2e-38). */
export const SAFE_MIN_ABS = 2 ** -20

/** Largest |value| over the finite entries (NaN and ±Infinity are skipped: validateFeatures names them). */
export function maxFiniteAbs(values: ArrayLike<number>): number {
  // NaN never compares greater; Infinity does, and then (rarely) a second pass skips it
  let max = 0
  for (let i = 0; i < values.length; i++) {
    const abs = Math.abs(values[i]!)
    if (abs > max) max = abs
  }
  if (max !== Infinity) return max
  max = 0
  for (let i = 0; i < values.length; i++) {
    const abs = Math.abs(values[i]!)
    if (abs > max && abs !== Infinity) max = abs
  }
  return max
}

/**
 * The power of two that brings `maxAbs` into [1, 2), or 1 when it already lies in the safe band (or is 0:
 * an all-zero matrix has nothing to scale). A power of two multiplies every float exactly.
 */
export function magnitudeScale(maxAbs: number): number {
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs)) return 1
  if (maxAbs >= SAFE_MIN_ABS && maxAbs <= SAFE_MAX_ABS) return 1
  // Math.log2 may round across an integer near powers of two: correct the exponent by one either way
  let exponent = Math.floor(Math.log2(maxAbs))
  if (maxAbs * 2 ** -exponent < 1) exponent--
  else if (maxAbs * 2 ** -exponent >= 2) exponent++
  // float64 subnormals (below 2^-1022) would need a factor beyond float64's range: lift them as far as it allows
  return 2 ** -Math.max(-1022, exponent)
}

/**
 * The factor for storing float64 values as float32 without turning a finite value into Infinity or a
 * large share of them into 0: 1 while the largest |value| is a normal float32 number (the values are
 * then stored as numpy's astype(float32) would), else magnitudeScale's power of two. The band itself is
 * applied later, to float32 data of every origin alike (combineFeatureScales).
 */
export function float32Scale(maxAbs: number): number {
  return maxAbs === 0 || (maxAbs >= FLOAT32_MIN_NORMAL && maxAbs <= FLOAT32_MAX) ? 1 : magnitudeScale(maxAbs)
}

const FLOAT32_MIN_NORMAL = 2 ** -126
const FLOAT32_MAX = 3.4028234663852886e38

/**
 * Scales `points` in place by one power of two when their largest finite |value| lies outside the safe
 * band, and returns the factor applied (1: unchanged). O(length), no allocation.
 */
export function normaliseMagnitude(points: Float32Array): number {
  return combineFeatureScales([{ points, scale: 1 }])
}

/**
 * Brings the parts of one map (feature files, each read with its own `scale`: values = original x scale)
 * to one common factor chosen from their largest original |value|, scaling each part in place, and
 * returns that factor. One file with float32 values of 1e19 and another of 1 end up on the same scale,
 * so their relative geometry is kept.
 */
export function combineFeatureScales(parts: { points: Float32Array; scale: number }[]): number {
  let largest = 0
  for (const part of parts) largest = Math.max(largest, maxFiniteAbs(part.points) / part.scale)
  const common = magnitudeScale(largest)
  for (const part of parts) {
    const factor = common / part.scale
    if (factor === 1) continue
    for (let i = 0; i < part.points.length; i++) part.points[i] = part.points[i]! * factor
    part.scale = common
  }
  return common
}
