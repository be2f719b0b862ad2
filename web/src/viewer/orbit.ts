/**
 * @module Orthographic projection of 3-D embeddings for a simple orbit view: rotate about the vertical
 * axis (yaw) and then the horizontal axis (pitch), drop depth.
 */

export interface Orbit {
  /** Rotation about the vertical axis, radians. */
  yaw: number
  /** Rotation about the horizontal axis, radians, kept within ±π/2. */
  pitch: number
}

export const ORBIT_DEFAULT: Orbit = { yaw: 0.6, pitch: 0.35 }

/**
 * Projects row-major 3-D `coords` (length n*3) around `centre` into `out` (length n*2, x right, y up).
 * When `depth` (length n) is given it receives each point's distance away from the viewer (larger is
 * further), for back-to-front drawing. Returns `out`. Allocates nothing.
 */
export function projectOrthographic(
  coords: Float32Array,
  n: number,
  centre: readonly [number, number, number],
  orbit: Orbit,
  out: Float32Array,
  depth?: Float32Array,
): Float32Array {
  const cy = Math.cos(orbit.yaw)
  const sy = Math.sin(orbit.yaw)
  const cp = Math.cos(orbit.pitch)
  const sp = Math.sin(orbit.pitch)
  for (let i = 0; i < n; i++) {
    const x = coords[i * 3]! - centre[0]
    const y = coords[i * 3 + 1]! - centre[1]
    const z = coords[i * 3 + 2]! - centre[2]
    // Yaw about the y axis, then pitch about the x axis.
    const x1 = cy * x + sy * z
    const z1 = -sy * x + cy * z
    const y2 = cp * y - sp * z1
    out[i * 2] = x1
    out[i * 2 + 1] = y2
    if (depth) depth[i] = -(sp * y + cp * z1)
  }
  return out
}

/** Applies a pointer drag of (dx, dy) CSS pixels to an orbit; 200 px turns about one radian. */
export function dragOrbit(orbit: Orbit, dx: number, dy: number): Orbit {
  const limit = Math.PI / 2 - 0.01
  return { yaw: orbit.yaw + dx / 200, pitch: Math.max(-limit, Math.min(limit, orbit.pitch + dy / 200)) }
}

/** Radius of the sphere around the box centre that holds the whole box: it fits every rotation. */
export function boundingRadius(min: readonly number[], max: readonly number[]): number {
  let sum = 0
  for (let k = 0; k < 3; k++) sum += (((max[k] ?? 0) - (min[k] ?? 0)) / 2) ** 2
  return Math.sqrt(sum)
}

/** Largest distance of any point of row-major 3-D `coords` from `centre`: it bounds every rotation. O(n). */
export function farthestDistance(coords: Float32Array, n: number, centre: readonly [number, number, number]): number {
  let largest = 0
  for (let i = 0; i < n; i++) {
    const dx = coords[i * 3]! - centre[0]
    const dy = coords[i * 3 + 1]! - centre[1]
    const dz = coords[i * 3 + 2]! - centre[2]
    const squared = dx * dx + dy * dy + dz * dz
    if (squared > largest) largest = squared
  }
  return Math.sqrt(largest)
}
