/**
 * @module pipeline/validate — the pipeline's first stage: checks the points and options every method needs
 * (shape, point count, map dimensions, iterations, frames, finite values) with the method's own checks in
 * between, and scales points of extreme magnitude into the range the float32 stages compute safely.
 */
import { LIMITS } from '@constellate/shared'
import { magnitudeScale, maxFiniteAbs } from '../inputs/magnitude.ts'
import type { OptionProblem } from '../methods/method.ts'

/** Inputs or options the engine cannot work with; `code` names the problem, the message says how to fix it. */
export class TsneInputError extends Error {
  override name = 'TsneInputError'
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * Checks inputs and options, throwing TsneInputError with a fix; `methodProblem` is the method's own
 * check of its options for n points.
 */
export function validate(
  points: Float32Array,
  n: number,
  d: number,
  o: { dims: number; iterations: number; frameEvery: number },
  methodProblem: (n: number) => OptionProblem | undefined,
): void {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 1) throw new TsneInputError('bad_shape', `n and d must be positive integers; got n=${n}, d=${d}.`)
  if (points.length < n * d) throw new TsneInputError('bad_shape', `points holds ${points.length} values but n*d = ${n * d}. Pass a row-major n x d array.`)
  if (n < LIMITS.minPoints) throw new TsneInputError('too_few_points', `t-SNE needs at least ${LIMITS.minPoints} points; got ${n}. Upload more points.`)
  if (o.dims !== 2 && o.dims !== 3) throw new TsneInputError('bad_dims', `dims must be 2 or 3; got ${o.dims}.`)
  const problem = methodProblem(n)
  if (problem) throw new TsneInputError(problem.code, problem.message)
  if (!Number.isInteger(o.iterations) || o.iterations < 0) throw new TsneInputError('bad_iterations', `iterations must be a non-negative integer; got ${o.iterations}.`)
  if (!(o.frameEvery >= 1)) throw new TsneInputError('bad_frame_every', `frameEvery must be at least 1; got ${o.frameEvery}.`)
  for (let t = 0; t < n * d; t++) {
    if (!Number.isFinite(points[t]!)) throw new TsneInputError('non_finite', `value ${t % d} of row ${Math.floor(t / d)} is ${points[t]}; remove or impute non-finite values.`)
  }
}

/**
 * The points themselves when their magnitude is one the float32 stages compute safely, else a copy
 * scaled by a power of two (the map does not change: every stage depends on distances only up to a
 * factor). Jobs arrive already scaled (map-inputs); this keeps direct callers safe too.
 */
export function withinSafeMagnitude(points: Float32Array): Float32Array {
  const scale = magnitudeScale(maxFiniteAbs(points))
  return scale === 1 ? points : points.map((v) => v * scale)
}
