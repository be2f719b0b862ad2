/**
 * @module Software rasteriser for the 2-D canvas viewer: writes opaque round points straight into an
 * RGBA pixel buffer. No anti-aliasing, so every drawn pixel is exactly its class colour (pixel checks and
 * colour counting stay reliable) and a million points cost one pass.
 */
import { hexToRgb } from './palette.ts'

/** `#rrggbb` packed as the Uint32 a little-endian RGBA ImageData buffer stores (0xAABBGGRR). */
export function packColor(hex: string): number {
  const [r, g, b] = hexToRgb(hex)
  return ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0
}

export const WHITE = packColor('#ffffff')

/**
 * Horizontal extent of each row of a disc `side` pixels across: row dy covers [start[dy], end[dy]) as
 * offsets from the disc's left edge. Small sides (1, 2, 3) give full squares.
 */
export function discSpans(side: number): { start: Int32Array; end: Int32Array } {
  const start = new Int32Array(side)
  const end = new Int32Array(side)
  const half = (side - 1) / 2
  const radiusSquared = (side / 2) ** 2
  for (let dy = 0; dy < side; dy++) {
    const y = dy - half
    const width = Math.sqrt(Math.max(0, radiusSquared - y * y))
    start[dy] = Math.max(0, Math.round(half - width + 0.5))
    end[dy] = Math.min(side, Math.round(half + width + 0.5))
    if (end[dy]! <= start[dy]!) {
      start[dy] = Math.floor(half)
      end[dy] = start[dy]! + 1
    }
  }
  return { start, end }
}

/**
 * Draws n points as discs `size` pixels across centred on `xy` (pixel coordinates, row-major n*2) into
 * `pixels` (width*height, packed RGBA). `colors[i]` is point i's packed colour. Points are drawn in
 * `order` when given (back to front), else by index; later points cover earlier ones. O(n*size²).
 */
export function rasterisePoints(
  pixels: Uint32Array,
  width: number,
  height: number,
  xy: Float32Array,
  n: number,
  colors: Uint32Array,
  size: number,
  order?: Uint32Array,
): void {
  const side = Math.max(1, Math.round(size))
  if (side === 1) {
    // One pixel per point: the common case for very large maps; no span tables.
    for (let j = 0; j < n; j++) {
      const i = order ? order[j]! : j
      const x = Math.round(xy[i * 2]!)
      const y = Math.round(xy[i * 2 + 1]!)
      if (x >= 0 && x < width && y >= 0 && y < height) pixels[y * width + x] = colors[i]!
    }
    return
  }
  const half = (side - 1) / 2
  const { start, end } = discSpans(side)
  for (let j = 0; j < n; j++) {
    const i = order ? order[j]! : j
    const cx = xy[i * 2]!
    const cy = xy[i * 2 + 1]!
    if (!(cx > -side && cx < width + side && cy > -side && cy < height + side)) continue
    const x0 = Math.round(cx - half)
    const y0 = Math.round(cy - half)
    const color = colors[i]!
    for (let dy = 0; dy < side; dy++) {
      const y = y0 + dy
      if (y < 0 || y >= height) continue
      const row = y * width
      const xStart = Math.max(0, x0 + start[dy]!)
      const xEnd = Math.min(width, x0 + end[dy]!)
      for (let x = xStart; x < xEnd; x++) pixels[row + x] = color
    }
  }
}

/**
 * Indices 0..n-1 sorted so that larger `depth` comes first (drawn first, i.e. furthest away when depth
 * grows away from the viewer). Reuses `out` when it has length n.
 */
export function depthOrder(depth: Float32Array, n: number, out?: Uint32Array): Uint32Array {
  const order = out && out.length === n ? out : new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  order.sort((a, b) => depth[b]! - depth[a]!)
  return order
}

/**
 * Back-to-front order by depth in O(n): a counting sort into `buckets` slices of [min, max] depth, larger
 * depth first. Within a slice points keep index order, so it is exact up to 1/buckets of the depth range;
 * used where a full sort of a large 3-D map would cost too much per frame. Reuses `out` when it has length n.
 */
export function bucketDepthOrder(depth: Float32Array, n: number, out?: Uint32Array, buckets = 2048): Uint32Array {
  const order = out && out.length === n ? out : new Uint32Array(n)
  let low = Infinity
  let high = -Infinity
  for (let i = 0; i < n; i++) {
    const d = depth[i]!
    if (d < low) low = d
    if (d > high) high = d
  }
  const scale = high > low ? (buckets - 1) / (high - low) : 0
  const starts = new Uint32Array(buckets + 1)
  // Bucket 0 holds the largest depth (drawn first).
  const bucketOf = (d: number) => (Number.isFinite(d) ? buckets - 1 - Math.floor((d - low) * scale) : buckets - 1)
  for (let i = 0; i < n; i++) starts[bucketOf(depth[i]!) + 1]!++
  for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!
  for (let i = 0; i < n; i++) order[starts[bucketOf(depth[i]!)]!++] = i
  return order
}
