/**
 * @module The last check before a job may succeed: its map, KL divergence and quality numbers are all
 * finite. A map that is NaN somewhere is never stored as a success: the job fails with a message instead.
 */

/** A finished run whose numbers are not all finite; the job fails with this code and message. */
export class ResultCheckError extends Error {
  override name = 'ResultCheckError'
  readonly code = 'result_not_finite'
}

/**
 * Throws ResultCheckError unless every coordinate of `embedding` (row-major n x dims), the KL divergence
 * and every number inside `metrics` (nested objects and arrays; null means "not computed") are finite.
 * `what` names the map in the message (e.g. `layer "fc1"`).
 */
export function checkFiniteResult(result: { embedding: Float32Array; n: number; dims: number; kl: number }, metrics: unknown, what = 'the map'): void {
  const { embedding, n, dims, kl } = result
  let bad = 0
  let first = -1
  for (let t = 0; t < n * dims; t++) {
    const v = embedding[t]!
    if (v - v !== 0) {
      if (first < 0) first = t
      bad++
    }
  }
  const problems: string[] = []
  if (embedding.length < n * dims) problems.push(`${what} holds ${embedding.length} coordinates, not n x dims = ${n * dims}`)
  if (bad > 0) problems.push(`${bad} of ${n * dims} coordinates of ${what} are not finite (the first at point ${Math.floor(first / dims)})`)
  if (!Number.isFinite(kl)) problems.push(`its KL divergence is ${kl}`)
  const metric = nonFiniteNumber(metrics, 'metrics')
  if (metric) problems.push(`${metric} is not finite`)
  if (problems.length === 0) return
  throw new ResultCheckError(
    `The run finished but ${problems.join('; ')}, so no map was stored. This is a fault of the service, not of your data: ` +
      'report it with the job id. Meanwhile, rescaling or standardising the features, or another seed, may avoid it.',
  )
}

/** The path of the first number in `value` that is not finite (NaN, ±Infinity), or null. */
function nonFiniteNumber(value: unknown, path: string): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${path} (${value})`
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nonFiniteNumber(value[i], `${path}[${i}]`)
      if (found) return found
    }
    return null
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = nonFiniteNumber(inner, `${path}.${key}`)
      if (found) return found
    }
  }
  return null
}
