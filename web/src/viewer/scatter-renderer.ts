/**
 * @module Draws an embedding and animates it: each new frame is reached by blending from what is on screen
 * over about one frame interval. Points are drawn by WebGL2 (gl-points.ts) when the browser has it, else by
 * the software rasteriser (soft-points.ts); either way the picture ends up on the visible 2-D canvas, so it
 * can be read back pixel by pixel. Owns the camera (2-D pan/zoom, 3-D orbit/zoom/auto-rotate) and answers
 * where points are on screen (hover, lasso, tests). Free of Svelte.
 */
import type { Frame } from '@constellate/shared'
import { CAMERA_DEFAULT, orbitCamera, panCamera, projection, zoomCameraAt, type Camera, type MapExtent, type Projection, type ViewMode } from './camera.ts'
import { FrameIntervalEstimator, lerpCoords, transitionProgress } from './interpolate.ts'
import { farthestDistance } from './orbit.ts'
import { pointColors, type PointStyle } from './point-style.ts'
import type { PointBackend } from './render/backend.ts'
import { GlPoints } from './render/gl-points.ts'
import { SoftPoints } from './render/soft-points.ts'
import { computeBounds, lerpBounds, pointSize, type Bounds } from './view-transform.ts'

/** Pixels kept free around the map, CSS pixels. */
export const MAP_MARGIN = 16
/** Auto-rotation speed of 3-D views, radians per second. */
export const AUTO_ROTATE_SPEED = 0.25

export type RendererKind = 'webgl2' | 'canvas'
/** 'auto' takes WebGL2 when the GPU runs it, else the CPU rasteriser (faster than WebGL in software). */
export type RendererChoice = RendererKind | 'auto'

/** Extent of row-major coords: bounds and the farthest distance from the bounds' centre. O(n*dims). */
export function mapExtent(coords: Float32Array, n: number, dims: number): MapExtent {
  const bounds = computeBounds(coords, n, dims)
  if (dims !== 3) return { bounds, radius: 0 }
  const centre: [number, number, number] = [0, 1, 2].map((k) => (bounds.min[k]! + bounds.max[k]!) / 2) as [number, number, number]
  return { bounds, radius: farthestDistance(coords, n, centre) }
}

function lerpExtent(from: MapExtent, to: MapExtent, t: number): MapExtent {
  return { bounds: lerpBounds(from.bounds, to.bounds, t), radius: from.radius + (to.radius - from.radius) * t }
}

export class ScatterRenderer {
  readonly #canvas: HTMLCanvasElement
  readonly #context: CanvasRenderingContext2D
  readonly #backend: PointBackend
  #cssWidth = 0
  #cssHeight = 0
  #pixelRatio = 1

  #dims: 2 | 3 = 2
  #n = 0
  #from: Float32Array = new Float32Array(0)
  #to: Float32Array = new Float32Array(0)
  #fromExtent: MapExtent = { bounds: { min: [], max: [] }, radius: 0 }
  #toExtent: MapExtent = { bounds: { min: [], max: [] }, radius: 0 }
  #transitionStart = 0
  #transitionMs = 0
  #t = 1
  readonly #intervals = new FrameIntervalEstimator()
  #colors: Uint8Array = new Uint8Array(0)
  #style: PointStyle = { codes: null, palette: [], hidden: new Set(), fadeOthers: false }

  #camera: Camera = { ...CAMERA_DEFAULT }
  #mode: ViewMode = '2d'
  autoRotate = true
  /** False jumps straight to each new frame (for users who ask for reduced motion). */
  smooth = true
  #lastTick: number | null = null
  #dirty = true
  /** Bumped on every draw; screen positions are cached per version. */
  #version = 0
  #screenVersion = -1
  #screen: Float32Array = new Float32Array(0)
  #projection: Projection | null = null
  /** Called after every draw (overlays such as class names follow the map). */
  onDraw: (() => void) | null = null
  /** Called when the camera changes through user input (drag, wheel, keys). */
  onCameraChange: ((camera: Camera) => void) | null = null

  /**
   * `auto` uses WebGL2 when it is hardware-accelerated, `webgl2` whenever it exists (even in software),
   * `canvas` always the CPU rasteriser; without WebGL2 every choice falls back to the rasteriser.
   */
  constructor(canvas: HTMLCanvasElement, prefer: RendererChoice = 'auto') {
    this.#canvas = canvas
    let backend: PointBackend | null = null
    if (prefer !== 'canvas') {
      try {
        backend = new GlPoints(document.createElement('canvas'), prefer === 'auto')
      } catch {
        backend = null
      }
    }
    if (backend) {
      const context = canvas.getContext('2d', { alpha: false })
      if (!context) throw new Error('This browser cannot draw on a canvas.')
      this.#context = context
      this.#backend = backend
    } else {
      this.#backend = new SoftPoints(canvas)
      this.#context = canvas.getContext('2d')!
    }
  }

  get kind(): RendererKind {
    return this.#backend.kind
  }
  get dims(): 2 | 3 {
    return this.#dims
  }
  get n(): number {
    return this.#n
  }
  get hasData(): boolean {
    return this.#n > 0
  }
  get mode(): ViewMode {
    return this.#mode
  }
  get camera(): Camera {
    return this.#camera
  }
  get cssSize(): { width: number; height: number; pixelRatio: number } {
    return { width: this.#cssWidth, height: this.#cssHeight, pixelRatio: this.#pixelRatio }
  }
  /** Positions the view is heading to (the newest frame), row-major n*dims. */
  get targetCoords(): Float32Array {
    return this.#to
  }
  /** Colours as drawn, RGBA per point. */
  get colors(): Uint8Array {
    return this.#colors
  }

  set camera(camera: Camera) {
    this.#camera = camera
    this.#dirty = true
  }

  /** Chooses 2-D (first two dimensions, pan/zoom) or 3-D (orbit); 3-D needs a 3-D frame. */
  setMode(mode: ViewMode): void {
    this.#mode = mode
    this.#dirty = true
  }

  /** Sets the canvas size in CSS pixels and the device pixel ratio. */
  resize(cssWidth: number, cssHeight: number, pixelRatio: number): void {
    const width = Math.max(1, Math.round(cssWidth * pixelRatio))
    const height = Math.max(1, Math.round(cssHeight * pixelRatio))
    this.#cssWidth = cssWidth
    this.#cssHeight = cssHeight
    this.#pixelRatio = pixelRatio
    if (this.#canvas.width !== width) this.#canvas.width = width
    if (this.#canvas.height !== height) this.#canvas.height = height
    this.#backend.resize(width, height)
    this.#dirty = true
  }

  /**
   * Shows a new frame. With the same point count and dims as the current one it animates there over
   * about the observed frame interval (or `durationMs`); otherwise it jumps.
   */
  setFrame(frame: Frame, now: number, durationMs?: number): void {
    const length = frame.n * frame.dims
    const estimated = this.#intervals.arrive(now)
    const duration = durationMs ?? estimated
    if (frame.n !== this.#n || frame.dims !== this.#dims || this.#to.length !== length) {
      this.#dims = frame.dims
      this.#n = frame.n
      this.#from = frame.coords.slice()
      this.#to = frame.coords.slice()
      this.#toExtent = mapExtent(frame.coords, frame.n, frame.dims)
      this.#fromExtent = this.#toExtent
      this.#transitionMs = 0
      this.#t = 1
      if (frame.dims === 2) this.#mode = '2d'
      this.#rebuildColors()
    } else {
      // Start from what is on screen now, so a frame arriving mid-transition bends the path smoothly.
      const t = this.#progress(now)
      this.#fromExtent = lerpExtent(this.#fromExtent, this.#toExtent, t)
      lerpCoords(this.#from, this.#to, t, this.#from)
      // Reuse the buffer: no 8 MB allocation per frame at a million points.
      this.#to.set(frame.coords)
      this.#toExtent = mapExtent(frame.coords, frame.n, frame.dims)
      this.#transitionStart = now
      this.#transitionMs = this.smooth ? duration : 0
      this.#t = this.#transitionMs > 0 ? 0 : 1
    }
    this.#backend.setPositions(this.#from, this.#to, this.#n, this.#dims)
    this.#dirty = true
  }

  /** Sets how points are coloured, hidden and faded (see point-style.ts). */
  setStyle(style: PointStyle): void {
    this.#style = style
    this.#rebuildColors()
    this.#dirty = true
  }

  #rebuildColors(): void {
    this.#colors = pointColors(this.#n, this.#style, this.#colors)
    this.#backend.setColors(this.#colors)
  }

  /** Points drawn on top with a ring, and the hovered point (-1 for none). */
  setOverlay(indices: Uint32Array, hover: number): void {
    this.#backend.setOverlay(indices, hover >= 0 && hover < this.#n ? hover : -1)
    this.#dirty = true
  }

  /** Rotates a 3-D view (drag of dx, dy CSS pixels) or pans a 2-D one; stops auto-rotation. */
  drag(dx: number, dy: number): void {
    if (this.#mode === '3d') {
      this.#camera = orbitCamera(this.#camera, dx, dy)
      this.autoRotate = false
    } else {
      this.#camera = panCamera(this.#camera, dx * this.#pixelRatio, dy * this.#pixelRatio, this.#half())
    }
    this.#dirty = true
    this.onCameraChange?.(this.#camera)
  }

  /** Zooms by `factor` about (x, y) in CSS pixels from the canvas' top left (default: the centre). */
  zoom(factor: number, x = this.#cssWidth / 2, y = this.#cssHeight / 2): void {
    const r = this.#pixelRatio
    this.#camera = zoomCameraAt(this.#camera, factor, x * r, y * r, this.#canvas.width, this.#canvas.height, this.#half())
    this.#dirty = true
    this.onCameraChange?.(this.#camera)
  }

  /** Back to the whole map (keeps the orbit angles). */
  resetView(): void {
    this.#camera = { ...this.#camera, x: 0, y: 0, zoom: 1 }
    this.#dirty = true
    this.onCameraChange?.(this.#camera)
  }

  #half(): number {
    return Math.max(1, Math.min(this.#canvas.width, this.#canvas.height) / 2)
  }

  /** Marks the view for redrawing on the next tick. */
  invalidate(): void {
    this.#dirty = true
  }

  #progress(now: number): number {
    return transitionProgress(now, this.#transitionStart, this.#transitionMs)
  }

  /** Point diameter in device pixels for the current size and zoom. */
  pointDiameter(): number {
    const base = pointSize(this.#n, this.#cssWidth, this.#cssHeight)
    return base * this.#pixelRatio * Math.min(3, Math.sqrt(Math.max(1, this.#camera.zoom)))
  }

  /** The projection of the current draw, device pixels. */
  currentProjection(): Projection {
    const extent = lerpExtent(this.#fromExtent, this.#toExtent, this.#t)
    const mode = this.#dims === 3 ? this.#mode : '2d'
    const margin = MAP_MARGIN * this.#pixelRatio + this.pointDiameter() / 2
    return projection(extent, mode, this.#camera, this.#canvas.width, this.#canvas.height, margin)
  }

  /** Draws if anything changed; returns whether another animation frame is needed. */
  tick(now: number): boolean {
    const elapsed = this.#lastTick === null ? 0 : Math.min(100, now - this.#lastTick)
    this.#lastTick = now
    const t = this.#progress(now)
    const moving = t < 1 && this.#transitionMs > 0
    const rotating = this.#dims === 3 && this.#mode === '3d' && this.autoRotate && this.#n > 0
    if (rotating) this.#camera = { ...this.#camera, yaw: this.#camera.yaw + (AUTO_ROTATE_SPEED * elapsed) / 1000 }
    if (moving || rotating || this.#dirty || this.#t !== t) {
      this.#t = this.#transitionMs > 0 ? t : 1
      this.draw()
    }
    if (!moving && !rotating) this.#lastTick = null
    return moving || rotating
  }

  /** Draws now with the current state. */
  draw(): void {
    this.#dirty = false
    const projection = this.currentProjection()
    this.#projection = projection
    this.#backend.draw(projection, { t: this.#t, size: this.pointDiameter() })
    if (this.#backend.kind === 'webgl2') this.#context.drawImage(this.#backend.canvas as HTMLCanvasElement, 0, 0)
    this.#version++
    this.onDraw?.()
  }

  /** Frees the WebGL context (browsers allow only a few at a time). */
  dispose(): void {
    this.#backend.dispose()
  }

  /** CSS-pixel positions of all points as last drawn (row-major n*2). Cached until the next draw. */
  screenPositions(): Float32Array {
    if (this.#screenVersion === this.#version && this.#screen.length === this.#n * 2) return this.#screen
    const p = this.#projection ?? this.currentProjection()
    if (this.#screen.length !== this.#n * 2) this.#screen = new Float32Array(this.#n * 2)
    const dims = this.#dims
    const t = this.#t
    const from = this.#from
    const to = this.#to
    const inv = 1 / this.#pixelRatio
    const [ax, bx, cx, dx] = p.rowX
    const [ay, by, cy, dy] = p.rowY
    for (let i = 0; i < this.#n; i++) {
      let x = to[i * dims]!
      let y = to[i * dims + 1]!
      let z = dims === 3 ? to[i * dims + 2]! : 0
      if (t < 1) {
        x = from[i * dims]! + (x - from[i * dims]!) * t
        y = from[i * dims + 1]! + (y - from[i * dims + 1]!) * t
        if (dims === 3) z = from[i * dims + 2]! + (z - from[i * dims + 2]!) * t
      }
      this.#screen[i * 2] = (ax * x + bx * y + cx * z + dx) * inv
      this.#screen[i * 2 + 1] = (ay * x + by * y + cy * z + dy) * inv
    }
    this.#screenVersion = this.#version
    return this.#screen
  }

  /** CSS-pixel position of data coordinates under the current view. */
  projectData(x: number, y: number, z = 0): [number, number] {
    const p = this.#projection ?? this.currentProjection()
    const inv = 1 / this.#pixelRatio
    return [(p.rowX[0] * x + p.rowX[1] * y + p.rowX[2] * z + p.rowX[3]) * inv, (p.rowY[0] * x + p.rowY[1] * y + p.rowY[2] * z + p.rowY[3]) * inv]
  }

  /** Whether point i is drawn (its class is not hidden). */
  isVisible(i: number): boolean {
    return this.#colors[i * 4 + 3]! >= 128
  }

  /**
   * The visible point nearest to (x, y) CSS pixels within `radius` CSS pixels, or -1. In 3-D the nearest
   * on screen wins; ties go to the point drawn on top (higher index in 2-D). O(n) over cached positions.
   */
  pick(x: number, y: number, radius: number): number {
    const screen = this.screenPositions()
    let best = -1
    let bestDistance = radius * radius
    for (let i = 0; i < this.#n; i++) {
      const dx = screen[i * 2]! - x
      const dy = screen[i * 2 + 1]! - y
      const d = dx * dx + dy * dy
      if (d <= bestDistance && this.#colors[i * 4 + 3]! >= 128) {
        bestDistance = d
        best = i
      }
    }
    return best
  }
}
