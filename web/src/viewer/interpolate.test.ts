import { describe, expect, it } from 'vitest'
import { FrameIntervalEstimator, lerpCoords, TRANSITION_LIMITS, transitionProgress } from './interpolate.ts'

describe('interpolating frames', () => {
  it('moves each coordinate the same fraction of the way', () => {
    const out = new Float32Array(4)
    lerpCoords(new Float32Array([0, 0, 10, -10]), new Float32Array([10, 20, 10, 10]), 0.25, out)
    expect([...out]).toEqual([2.5, 5, 10, -5])
  })

  it('clamps t so an overdue transition lands exactly on the new frame', () => {
    const to = new Float32Array([1, 2, 3])
    expect([...lerpCoords(new Float32Array(3), to, 7, new Float32Array(3))]).toEqual([1, 2, 3])
    expect([...lerpCoords(new Float32Array(3), to, -1, new Float32Array(3))]).toEqual([0, 0, 0])
  })

  it('reports transition progress from start and duration', () => {
    expect(transitionProgress(150, 100, 100)).toBe(0.5)
    expect(transitionProgress(500, 100, 100)).toBe(1)
    expect(transitionProgress(100, 100, 0)).toBe(1)
  })
})

describe('frame interval estimate', () => {
  it('settles near the real gap between frames', () => {
    const estimator = new FrameIntervalEstimator()
    for (let i = 0; i < 30; i++) estimator.arrive(i * 200)
    expect(estimator.durationMs).toBeGreaterThan(190)
    expect(estimator.durationMs).toBeLessThan(210)
  })

  it('ignores a long pause and stays within limits', () => {
    const estimator = new FrameIntervalEstimator()
    estimator.arrive(0)
    estimator.arrive(60_000)
    expect(estimator.durationMs).toBe(TRANSITION_LIMITS.initialMs)
    for (let i = 0; i < 50; i++) estimator.arrive(60_000 + i * 5)
    expect(estimator.durationMs).toBe(TRANSITION_LIMITS.minMs)
  })
})
