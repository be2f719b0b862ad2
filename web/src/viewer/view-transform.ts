/**
 * @module Bounds of an embedding and the transform that fits them into a canvas with margins, keeping one
 * data unit the same length on both axes (t-SNE distances mean the same in x and y).
 */

/** Per-dimension extent, length `dims` each. */
export interface Bounds {
  min: number[]
  max: number[]
}

/** Maps data (x, y) to canvas pixels: `px = offsetX + x*scale`, `py = offsetY - y*scale` (y up). */
export interface ViewTransform {
  scale: number
  offsetX: number
  offsetY: number
}

/**
 * Min and max per dimension of row-major `coords` (length n*dims), ignoring non-finite values.
 * O(n*dims). An empty or all-NaN dimension gets [0, 0].
 */
export function computeBounds(coords: ArrayLike<number>, n: number, dims: number): Bounds {
  const min = new Array<number>(dims).fill(0)
  const max = new Array<number>(dims).fill(0)
  for (let k = 0; k < dims; k++) {
    // One pass per dimension with local accumulators: fast on million-point frames.
    let low = Infinity
    let high = -Infinity
    for (let i = k; i < n * dims; i += dims) {
      const v = coords[i]!
      if (v < low) low = v
      if (v > high) high = v
    }
    if (low <= high) {
      min[k] = low
      max[k] = high
    }
  }
  return { min, max }
}

/** Linear blend of two bounds of the same dims; t in [0, 1]. */
export function lerpBounds(from: Bounds, to: Bounds, t: number): Bounds {
  return {
    min: to.min.map((v, k) => (from.min[k] ?? v) + (v - (from.min[k] ?? v)) * t),
    max: to.max.map((v, k) => (from.max[k] ?? v) + (v - (from.max[k] ?? v)) * t),
  }
}

/**
 * The transform that centres the 2-D box [minX, maxX] x [minY, maxY] in a `width` x `height` canvas
 * leaving `margin` pixels on every side, with equal scale on both axes. A zero-size box (one point, or
 * all points equal) is treated as one unit wide so it lands in the middle.
 */
export function fitTransform(
  box: { minX: number; maxX: number; minY: number; maxY: number },
  width: number,
  height: number,
  margin: number,
): ViewTransform {
  const spanX = box.maxX - box.minX
  const spanY = box.maxY - box.minY
  const innerWidth = Math.max(1, width - 2 * margin)
  const innerHeight = Math.max(1, height - 2 * margin)
  const largest = Math.max(spanX, spanY)
  const safeX = spanX > 0 ? spanX : largest > 0 ? largest : 1
  const safeY = spanY > 0 ? spanY : largest > 0 ? largest : 1
  const scale = Math.min(innerWidth / safeX, innerHeight / safeY)
  const centreX = (box.minX + box.maxX) / 2
  const centreY = (box.minY + box.maxY) / 2
  return { scale, offsetX: width / 2 - centreX * scale, offsetY: height / 2 + centreY * scale }
}

/** The 2-D box of the first two dimensions of bounds. */
export function box2d(bounds: Bounds): { minX: number; maxX: number; minY: number; maxY: number } {
  return { minX: bounds.min[0] ?? 0, maxX: bounds.max[0] ?? 0, minY: bounds.min[1] ?? 0, maxY: bounds.max[1] ?? 0 }
}

/**
 * Side length in CSS pixels of a point's square: larger when there are few points, never below 1.
 * Aims for the points to cover a modest share of the plot area.
 */
export function pointSize(n: number, width: number, height: number): number {
  if (n <= 0) return 3
  const area = width * height
  const size = Math.sqrt((area * 0.08) / n)
  return Math.max(1, Math.min(6, size))
}
