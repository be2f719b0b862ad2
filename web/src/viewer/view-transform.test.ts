import { describe, expect, it } from 'vitest'
import { box2d, computeBounds, fitTransform, lerpBounds, pointSize } from './view-transform.ts'

describe('bounds', () => {
  it('finds min and max per dimension and skips NaN', () => {
    const coords = new Float32Array([0, 5, -2, 1, Number.NaN, 3, 4, -1])
    expect(computeBounds(coords, 4, 2)).toEqual({ min: [-2, -1], max: [4, 5] })
  })

  it('gives an empty embedding a zero box instead of infinities', () => {
    expect(computeBounds(new Float32Array(0), 0, 3)).toEqual({ min: [0, 0, 0], max: [0, 0, 0] })
  })

  it('blends bounds halfway', () => {
    expect(lerpBounds({ min: [0, 0], max: [10, 10] }, { min: [-10, 2], max: [30, 4] }, 0.5)).toEqual({ min: [-5, 1], max: [20, 7] })
  })
})

describe('fitting the map into the canvas', () => {
  const corners = (box: { minX: number; maxX: number; minY: number; maxY: number }, width: number, height: number, margin: number) => {
    const t = fitTransform(box, width, height, margin)
    return {
      left: t.offsetX + box.minX * t.scale,
      right: t.offsetX + box.maxX * t.scale,
      top: t.offsetY - box.maxY * t.scale,
      bottom: t.offsetY - box.minY * t.scale,
    }
  }

  it('keeps every point inside the margins of a wide canvas, centred', () => {
    const c = corners({ minX: -50, maxX: 50, minY: -20, maxY: 20 }, 800, 400, 16)
    expect(c.left).toBeCloseTo(16)
    expect(c.right).toBeCloseTo(784)
    expect(c.top).toBeGreaterThanOrEqual(16)
    expect(c.bottom).toBeLessThanOrEqual(384)
    expect((c.top + c.bottom) / 2).toBeCloseTo(200)
  })

  it('uses one scale for both axes so clusters keep their shape', () => {
    const c = corners({ minX: 0, maxX: 10, minY: 0, maxY: 10 }, 800, 400, 0)
    expect(c.right - c.left).toBeCloseTo(c.bottom - c.top)
    expect(c.bottom - c.top).toBeCloseTo(400)
  })

  it('draws y upwards, as in a matplotlib scatter', () => {
    const t = fitTransform({ minX: 0, maxX: 1, minY: 0, maxY: 1 }, 100, 100, 0)
    expect(t.offsetY - 1 * t.scale).toBeLessThan(t.offsetY - 0 * t.scale)
  })

  it('puts a single point (zero-size box) in the middle', () => {
    const t = fitTransform(box2d({ min: [3, 7], max: [3, 7] }), 200, 100, 10)
    expect(t.offsetX + 3 * t.scale).toBeCloseTo(100)
    expect(t.offsetY - 7 * t.scale).toBeCloseTo(50)
  })
})

describe('point size', () => {
  it('shrinks as points grow in number but never below one pixel', () => {
    expect(pointSize(100, 800, 600)).toBeGreaterThan(pointSize(10_000, 800, 600))
    expect(pointSize(1_000_000, 800, 600)).toBe(1)
    expect(pointSize(10, 800, 600)).toBeLessThanOrEqual(6)
  })
})
