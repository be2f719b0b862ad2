/**
 * @module Smooth motion between consecutive frames: blend coordinates and estimate how long a transition
 * should last from how often frames arrive.
 */

/**
 * Writes `from + (to - from) * t` into `out` (all row-major, same length). Allocates nothing.
 * `t` is clamped to [0, 1].
 */
export function lerpCoords(from: Float32Array, to: Float32Array, t: number, out: Float32Array): Float32Array {
  const clamped = t <= 0 ? 0 : t >= 1 ? 1 : t
  const length = Math.min(from.length, to.length, out.length)
  for (let i = 0; i < length; i++) {
    const a = from[i]!
    out[i] = a + (to[i]! - a) * clamped
  }
  return out
}

/** Bounds on a transition's length, milliseconds. */
export const TRANSITION_LIMITS = { minMs: 60, maxMs: 1200, initialMs: 300 } as const

/**
 * Tracks the gap between frame arrivals as an exponential moving average so a transition lasts about
 * one frame interval: motion then looks continuous instead of jumping and pausing.
 */
export class FrameIntervalEstimator {
  #lastArrival: number | null = null
  #averageMs: number = TRANSITION_LIMITS.initialMs

  /** Records a frame arriving at `now` (ms) and returns the transition length to use for it. */
  arrive(now: number): number {
    if (this.#lastArrival !== null) {
      const gap = now - this.#lastArrival
      // A long pause (worker busy, tab hidden) should not make the next transitions crawl.
      if (gap > 0 && gap < 5000) this.#averageMs = this.#averageMs * 0.7 + gap * 0.3
    }
    this.#lastArrival = now
    return this.durationMs
  }

  get durationMs(): number {
    return Math.min(TRANSITION_LIMITS.maxMs, Math.max(TRANSITION_LIMITS.minMs, this.#averageMs))
  }
}

/** Progress of a transition that started at `start` and lasts `duration`, in [0, 1]. */
export function transitionProgress(now: number, start: number, duration: number): number {
  if (duration <= 0) return 1
  const t = (now - start) / duration
  return t <= 0 ? 0 : t >= 1 ? 1 : t
}
