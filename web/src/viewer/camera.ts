/**
 * @module The viewer's camera and the projection it implies. A camera is resolution-independent (pan in
 * fractions of half the smaller canvas side, zoom as a multiplier of the fitted view, orbit angles), so it
 * can live in a URL and reopen the same view at any size. `projection()` turns it, the map's extent and
 * the canvas size into three affine rows mapping data coordinates to device pixels and depth; the WebGL
 * shader, the software rasteriser, picking and export all use those same rows.
 */
import { fitTransform, type Bounds } from './view-transform.ts'

export type ViewMode = '2d' | '3d'

export interface Camera {
  /** Pan, in fractions of half the smaller canvas side; +x shows what is right of centre, +y what is above. */
  x: number
  y: number
  /** 1 shows the whole map; 2 shows half of it across. */
  zoom: number
  /** 3-D orbit: rotation about the vertical axis, then the horizontal axis, radians. */
  yaw: number
  pitch: number
}

export const CAMERA_DEFAULT: Camera = { x: 0, y: 0, zoom: 1, yaw: 0.6, pitch: 0.35 }
export const ZOOM_LIMITS = { min: 0.25, max: 400 } as const

/** The part of the map the camera frames: its centre and scale, interpolated during transitions. */
export interface MapExtent {
  /** Bounds per dimension (2 or 3 entries). */
  bounds: Bounds
  /** Largest distance of a point from the bounds' centre (3-D fit; every rotation stays inside it). */
  radius: number
}

/**
 * Affine map from data (x, y, z) to device pixels: `px = rowX·[x, y, z, 1]`, `py = rowY·[...]` (y down),
 * `depth = rowZ·[...]` in [-1, 1], smaller is nearer. Each row is `[a, b, c, d]`.
 */
export interface Projection {
  rowX: [number, number, number, number]
  rowY: [number, number, number, number]
  rowZ: [number, number, number, number]
  width: number
  height: number
  /** Device pixels per fitted-view unit at zoom 1 (half the smaller side); pan unit. */
  half: number
}

/**
 * The projection of a map with `extent` into a `width` x `height` device-pixel canvas keeping `margin`
 * pixels free, seen through `camera` in `mode` (2-D uses the first two dimensions).
 */
export function projection(extent: MapExtent, mode: ViewMode, camera: Camera, width: number, height: number, margin: number): Projection {
  const { bounds } = extent
  const half = Math.max(1, Math.min(width, height) / 2)
  const centre = [0, 1, 2].map((k) => ((bounds.min[k] ?? 0) + (bounds.max[k] ?? 0)) / 2) as [number, number, number]
  let ex: [number, number, number]
  let ey: [number, number, number]
  let ed: [number, number, number]
  let fit: number
  let depthScale: number
  if (mode === '2d') {
    const box = { minX: bounds.min[0] ?? 0, maxX: bounds.max[0] ?? 0, minY: bounds.min[1] ?? 0, maxY: bounds.max[1] ?? 0 }
    fit = fitTransform(box, width, height, margin).scale
    ex = [1, 0, 0]
    ey = [0, 1, 0]
    ed = [0, 0, 0]
    centre[2] = 0
    depthScale = 0
  } else {
    const radius = extent.radius > 0 ? extent.radius : 1
    fit = Math.max(1e-9, half - margin) / radius
    const cy = Math.cos(camera.yaw)
    const sy = Math.sin(camera.yaw)
    const cp = Math.cos(camera.pitch)
    const sp = Math.sin(camera.pitch)
    // Yaw about the vertical axis, then pitch about the horizontal one (as orbit.ts's projectOrthographic).
    ex = [cy, 0, sy]
    ey = [sp * sy, cp, -sp * cy]
    ed = [cp * sy, -sp, -cp * cy]
    depthScale = 1 / (radius * 1.01)
  }
  const zoom = camera.zoom
  const sx = zoom * fit
  const dot = (row: [number, number, number]) => row[0] * centre[0] + row[1] * centre[1] + row[2] * centre[2]
  const rowX: Projection['rowX'] = [sx * ex[0], sx * ex[1], sx * ex[2], width / 2 - sx * dot(ex) - zoom * camera.x * half]
  const rowY: Projection['rowY'] = [-sx * ey[0], -sx * ey[1], -sx * ey[2], height / 2 + sx * dot(ey) + zoom * camera.y * half]
  const rowZ: Projection['rowZ'] = [depthScale * ed[0], depthScale * ed[1], depthScale * ed[2], -depthScale * dot(ed)]
  return { rowX, rowY, rowZ, width, height, half }
}

/** Device-pixel position of data point (x, y, z) under `p`. */
export function projectPoint(p: Projection, x: number, y: number, z = 0): [number, number] {
  return [p.rowX[0] * x + p.rowX[1] * y + p.rowX[2] * z + p.rowX[3], p.rowY[0] * x + p.rowY[1] * y + p.rowY[2] * z + p.rowY[3]]
}

/**
 * Projects row-major `coords` (n*dims) into `out` (n*2 device pixels), scaling by `scale` (device to CSS
 * pixels: 1/devicePixelRatio). O(n), allocates nothing.
 */
export function projectAll(p: Projection, coords: Float32Array, n: number, dims: number, out: Float32Array, scale = 1): Float32Array {
  const [ax, bx, cx, dx] = p.rowX
  const [ay, by, cy, dy] = p.rowY
  for (let i = 0; i < n; i++) {
    const x = coords[i * dims]!
    const y = coords[i * dims + 1]!
    const z = dims === 3 ? coords[i * dims + 2]! : 0
    out[i * 2] = (ax * x + bx * y + cx * z + dx) * scale
    out[i * 2 + 1] = (ay * x + by * y + cy * z + dy) * scale
  }
  return out
}

/** Pans a 2-D view by a drag of (dx, dy) device pixels. */
export function panCamera(camera: Camera, dx: number, dy: number, half: number): Camera {
  const unit = camera.zoom * Math.max(1, half)
  return { ...camera, x: camera.x - dx / unit, y: camera.y + dy / unit }
}

/**
 * Zooms by `factor` keeping the point under (px, py) (device pixels, canvas of width x height) in place.
 * Zoom stays within ZOOM_LIMITS.
 */
export function zoomCameraAt(camera: Camera, factor: number, px: number, py: number, width: number, height: number, half: number): Camera {
  const zoom = Math.min(ZOOM_LIMITS.max, Math.max(ZOOM_LIMITS.min, camera.zoom * factor))
  const h = Math.max(1, half)
  // u is the cursor's offset from the view centre in zoom-1 pixels, independent of the zoom level.
  const ux = (px - width / 2) / camera.zoom + camera.x * h
  const uy = (height / 2 - py) / camera.zoom + camera.y * h
  return { ...camera, zoom, x: (ux - (px - width / 2) / zoom) / h, y: (uy - (height / 2 - py) / zoom) / h }
}

/** Applies a drag of (dx, dy) CSS pixels to the orbit angles; 200 px turns about one radian. */
export function orbitCamera(camera: Camera, dx: number, dy: number): Camera {
  const limit = Math.PI / 2 - 0.01
  return { ...camera, yaw: camera.yaw + dx / 200, pitch: Math.max(-limit, Math.min(limit, camera.pitch + dy / 200)) }
}

/** Camera as short text for a URL: `x,y,zoom,yaw,pitch` with 4 significant decimals. */
export function cameraToText(camera: Camera): string {
  return [camera.x, camera.y, camera.zoom, camera.yaw, camera.pitch].map((v) => String(Number(v.toFixed(4)))).join(',')
}

/** Inverse of cameraToText; null when the text is not five finite numbers with a positive zoom. */
export function cameraFromText(text: string): Camera | null {
  const values = text.split(',').map(Number)
  if (values.length !== 5 || !values.every(Number.isFinite)) return null
  const [x, y, zoom, yaw, pitch] = values as [number, number, number, number, number]
  if (zoom <= 0) return null
  return { x, y, zoom: Math.min(ZOOM_LIMITS.max, Math.max(ZOOM_LIMITS.min, zoom)), yaw, pitch: Math.max(-1.56, Math.min(1.56, pitch)) }
}
