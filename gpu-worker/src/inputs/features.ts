/**
 * @module The worker's entry to its inputs: load features and labels by format, and the checks that need
 * the data itself (non-finite values, point counts, label count).
 */
import { LIMITS, type UploadFormat } from '@constellate/shared'
import { InputError } from './errors.ts'
import { parseLabels, type Labels } from './labels.ts'
import { readNpyFeatures, type FeatureMatrix } from './npy-reader.ts'
import { parseFeatureTable } from './text-table.ts'

/**
 * Reads a features file (`.npy`, `.csv` or `.tsv`) into a row-major float32 matrix. Does not look at the
 * values: call validateFeatures next.
 * @throws InputError
 */
export function loadFeatures(bytes: Uint8Array, format: UploadFormat, filename = `features.${format}`): FeatureMatrix {
  if (format === 'npy') return readNpyFeatures(bytes, filename)
  if (format === 'csv' || format === 'tsv') {
    const { points, n, d, scale } = parseFeatureTable(bytes, format, filename)
    return { points, n, d, scale }
  }
  throw new InputError('unsupported_format', `Features cannot be read from a .${format} file; use .npy, .csv or .tsv.`)
}

/**
 * Reads a labels file (`.npy` integers, or `.csv`/`.tsv`/`.txt` one label per line).
 * @throws InputError
 */
export function loadLabels(bytes: Uint8Array, format: UploadFormat, filename = `labels.${format}`): Labels {
  return parseLabels(bytes, format, filename)
}

/**
 * Checks the point count against LIMITS and that every value is finite; O(n*d), allocation-free.
 * @param points row-major, length n*d
 * @throws InputError too_few_points, too_many_points, too_many_dims, non_finite_features
 */
export function validateFeatures(points: Float32Array, n: number, d: number): void {
  if (points.length !== n * d) throw new RangeError(`validateFeatures: points has ${points.length} values; expected n*d = ${n * d}`)
  if (n < LIMITS.minPoints) {
    throw new InputError('too_few_points', `The features hold ${n} ${n === 1 ? 'point' : 'points'}; t-SNE needs at least ${LIMITS.minPoints}. Upload more points.`)
  }
  if (n > LIMITS.maxPoints) throw new InputError('too_many_points', `The features hold ${n} points; at most ${LIMITS.maxPoints} are accepted. Subsample them first.`)
  if (d > LIMITS.maxDims) throw new InputError('too_many_dims', `The features have ${d} dimensions; at most ${LIMITS.maxDims} are accepted.`)
  let first = -1
  let count = 0
  for (let i = 0; i < points.length; i++) {
    const v = points[i]!
    // v - v is NaN exactly when v is NaN or ±Infinity.
    if (v - v !== 0) {
      if (first < 0) first = i
      count++
    }
  }
  if (first < 0) return
  const value = points[first]!
  const what = Number.isNaN(value) ? 'NaN (a missing or not-a-number value)' : value > 0 ? 'Infinity' : '-Infinity'
  const more = count > 1 ? ` (${count} non-finite values in all)` : ''
  throw new InputError(
    'non_finite_features',
    `Features contain ${what} at row ${Math.floor(first / d)}, column ${first % d} (0-based)${more}. Replace or drop non-finite values before uploading.`,
  )
}

/** Checks that there is one label per point. @throws InputError label_count_mismatch */
export function checkLabelCount(nLabels: number, n: number): void {
  if (nLabels === n) return
  const hint = nLabels === n + 1 ? ' If the first line of the labels is a column name, name it "label" so it is read as a header.' : ''
  throw new InputError('label_count_mismatch', `Labels has ${nLabels} rows but features has ${n} points; they must match one to one.${hint}`)
}
