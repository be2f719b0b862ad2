import { describe, expect, it } from 'vitest'
import { boundingRadius, dragOrbit, projectOrthographic } from './orbit.ts'

describe('orthographic orbit projection', () => {
  it('shows x to the right and y up when not rotated', () => {
    const out = new Float32Array(4)
    const depth = new Float32Array(2)
    projectOrthographic(new Float32Array([1, 2, 3, -1, 0, 0]), 2, [0, 0, 0], { yaw: 0, pitch: 0 }, out, depth)
    expect([...out]).toEqual([1, 2, -1, 0])
    // Positive z faces the viewer, so it is nearer (smaller depth).
    expect(depth[0]).toBeLessThan(depth[1]!)
  })

  it('turns x into depth after a quarter turn of yaw', () => {
    const out = new Float32Array(2)
    projectOrthographic(new Float32Array([1, 0, 0]), 1, [0, 0, 0], { yaw: Math.PI / 2, pitch: 0 }, out)
    expect(out[0]).toBeCloseTo(0)
    expect(out[1]).toBeCloseTo(0)
  })

  it('keeps every point within the bounding radius at any angle', () => {
    const coords = new Float32Array([0, 0, 0, 4, 2, 6, 2, 1, 3])
    const radius = boundingRadius([0, 0, 0], [4, 2, 6])
    const out = new Float32Array(6)
    for (const yaw of [0, 0.7, 2, 4]) {
      projectOrthographic(coords, 3, [2, 1, 3], { yaw, pitch: 0.4 }, out)
      for (let i = 0; i < 3; i++) expect(Math.hypot(out[i * 2]!, out[i * 2 + 1]!)).toBeLessThanOrEqual(radius + 1e-6)
    }
  })

  it('turns with a drag and never flips over the poles', () => {
    const turned = dragOrbit({ yaw: 0, pitch: 0 }, 200, 0)
    expect(turned.yaw).toBeCloseTo(1)
    expect(dragOrbit({ yaw: 0, pitch: 0 }, 0, 10_000).pitch).toBeLessThan(Math.PI / 2)
  })
})
