/**
 * @module Draws an embedding on a 2-D canvas and animates it: each new frame is reached by interpolating
 * from what is on screen over about one frame interval; 3-D frames are shown as a rotating orthographic
 * projection. Kept free of Svelte so a WebGL renderer can replace it behind the same methods.
 */
import type { Frame } from '@constellate/shared'
import { FrameIntervalEstimator, lerpCoords, transitionProgress } from './interpolate.ts'
import { boundingRadius, dragOrbit, farthestDistance, ORBIT_DEFAULT, projectOrthographic, type Orbit } from './orbit.ts'
import { depthOrder, packColor, rasterisePoints, WHITE } from './raster.ts'
import { UNLABELLED_COLOR } from './palette.ts'
import { box2d, computeBounds, fitTransform, lerpBounds, pointSize, type Bounds } from './view-transform.ts'

/** Pixels kept free around the map, CSS pixels. */
export const MAP_MARGIN = 16
/** Auto-rotation speed of 3-D views, radians per second. */
export const AUTO_ROTATE_SPEED = 0.25
/** Above this many points, 3-D views skip back-to-front sorting (too slow per frame). */
const DEPTH_SORT_LIMIT = 60_000

export class ScatterRenderer {
  readonly #canvas: HTMLCanvasElement
  readonly #context: CanvasRenderingContext2D
  #cssWidth = 0
  #cssHeight = 0
  #pixelRatio = 1
  #image: ImageData | null = null
  #pixels: Uint32Array | null = null

  #dims: 2 | 3 = 2
  #n = 0
  #from: Float32Array = new Float32Array(0)
  #to: Float32Array = new Float32Array(0)
  #shown: Float32Array = new Float32Array(0)
  #fromBounds: Bounds = { min: [], max: [] }
  #toBounds: Bounds = { min: [], max: [] }
  #transitionStart = 0
  #transitionMs = 0
  readonly #intervals = new FrameIntervalEstimator()

  #projected: Float32Array = new Float32Array(0)
  #depth: Float32Array = new Float32Array(0)
  #order: Uint32Array = new Uint32Array(0)
  #colors: Uint32Array = new Uint32Array(0)
  #codes: ArrayLike<number> | null = null
  #palette: string[] = []

  orbit: Orbit = { ...ORBIT_DEFAULT }
  autoRotate = true
  /** False jumps straight to each new frame (for users who ask for reduced motion). */
  smooth = true
  #lastTick: number | null = null
  #dirty = true

  constructor(canvas: HTMLCanvasElement) {
    this.#canvas = canvas
    const context = canvas.getContext('2d', { alpha: false, willReadFrequently: false })
    if (!context) throw new Error('This browser cannot draw on a canvas.')
    this.#context = context
  }

  get dims(): 2 | 3 {
    return this.#dims
  }

  get hasData(): boolean {
    return this.#n > 0
  }

  /** Sets the canvas size in CSS pixels and the device pixel ratio. */
  resize(cssWidth: number, cssHeight: number, pixelRatio: number): void {
    const width = Math.max(1, Math.round(cssWidth * pixelRatio))
    const height = Math.max(1, Math.round(cssHeight * pixelRatio))
    this.#cssWidth = cssWidth
    this.#cssHeight = cssHeight
    this.#pixelRatio = pixelRatio
    if (this.#canvas.width !== width || this.#canvas.height !== height || !this.#image) {
      this.#canvas.width = width
      this.#canvas.height = height
      this.#image = this.#context.createImageData(width, height)
      this.#pixels = new Uint32Array(this.#image.data.buffer)
    }
    this.#dirty = true
  }

  /**
   * Shows a new frame. With the same point count and dims as the current one it animates there over
   * about the observed frame interval; otherwise it jumps.
   */
  setFrame(frame: Frame, now: number): void {
    const length = frame.n * frame.dims
    const duration = this.#intervals.arrive(now)
    if (frame.n !== this.#n || frame.dims !== this.#dims || this.#shown.length !== length) {
      this.#dims = frame.dims
      this.#n = frame.n
      this.#from = frame.coords.slice()
      this.#to = frame.coords.slice()
      this.#shown = frame.coords.slice()
      this.#toBounds = computeBounds(frame.coords, frame.n, frame.dims)
      this.#fromBounds = this.#toBounds
      this.#transitionMs = 0
      this.#projected = new Float32Array(frame.n * 2)
      this.#depth = new Float32Array(frame.n)
      this.#rebuildColors()
    } else {
      // Start from what is on screen now, so a frame arriving mid-transition bends the path smoothly.
      this.#fromBounds = lerpBounds(this.#fromBounds, this.#toBounds, this.#progress(now))
      this.#from.set(this.#shown)
      this.#to = frame.coords.slice()
      this.#toBounds = computeBounds(frame.coords, frame.n, frame.dims)
      this.#transitionStart = now
      this.#transitionMs = this.smooth ? duration : 0
    }
    this.#dirty = true
  }

  /** Colours points by class: `codes[i]` indexes `palette`; null codes draw every point in one colour. */
  setColors(codes: ArrayLike<number> | null, palette: string[]): void {
    this.#codes = codes
    this.#palette = palette
    this.#rebuildColors()
    this.#dirty = true
  }

  #rebuildColors(): void {
    const n = this.#n
    if (this.#colors.length !== n) this.#colors = new Uint32Array(n)
    const packed = this.#palette.map(packColor)
    const fallback = packColor(UNLABELLED_COLOR)
    const codes = this.#codes && this.#codes.length === n ? this.#codes : null
    for (let i = 0; i < n; i++) {
      const code = codes ? codes[i]! : -1
      this.#colors[i] = codes && code >= 0 && code < packed.length ? packed[code]! : codes ? packColor('#9aa0a6') : fallback
    }
  }

  /** Rotates a 3-D view by a pointer drag in CSS pixels and stops auto-rotation. */
  drag(dx: number, dy: number): void {
    this.orbit = dragOrbit(this.orbit, dx, dy)
    this.autoRotate = false
    this.#dirty = true
  }

  /** Marks the view for redrawing on the next tick. */
  invalidate(): void {
    this.#dirty = true
  }

  #progress(now: number): number {
    return transitionProgress(now, this.#transitionStart, this.#transitionMs)
  }

  /** Draws if anything changed; returns whether another animation frame is needed. */
  tick(now: number): boolean {
    const elapsed = this.#lastTick === null ? 0 : Math.min(100, now - this.#lastTick)
    this.#lastTick = now
    const t = this.#progress(now)
    const moving = t < 1
    const rotating = this.#dims === 3 && this.autoRotate && this.#n > 0
    if (rotating) this.orbit = { ...this.orbit, yaw: this.orbit.yaw + (AUTO_ROTATE_SPEED * elapsed) / 1000 }
    if (moving || rotating || this.#dirty) {
      this.#draw(t)
      this.#dirty = false
    }
    if (!moving && !rotating) this.#lastTick = null
    return moving || rotating
  }

  #draw(t: number): void {
    const image = this.#image
    const pixels = this.#pixels
    if (!image || !pixels) return
    pixels.fill(WHITE)
    const n = this.#n
    if (n > 0) {
      lerpCoords(this.#from, this.#to, t, this.#shown)
      const bounds = lerpBounds(this.#fromBounds, this.#toBounds, t)
      const ratio = this.#pixelRatio
      const width = image.width
      const height = image.height
      const margin = MAP_MARGIN * ratio
      const size = pointSize(n, this.#cssWidth, this.#cssHeight) * ratio
      const xy = this.#projected
      let order: Uint32Array | undefined
      if (this.#dims === 2) {
        const transform = fitTransform(box2d(bounds), width, height, margin + size / 2)
        for (let i = 0; i < n; i++) {
          xy[i * 2] = transform.offsetX + this.#shown[i * 2]! * transform.scale
          xy[i * 2 + 1] = transform.offsetY - this.#shown[i * 2 + 1]! * transform.scale
        }
      } else {
        const centre: [number, number, number] = [0, 1, 2].map((k) => ((bounds.min[k] ?? 0) + (bounds.max[k] ?? 0)) / 2) as [number, number, number]
        // The farthest point from the centre bounds every rotation and fits tighter than the box corners.
        const radius = farthestDistance(this.#shown, n, centre) || boundingRadius(bounds.min, bounds.max) || 1
        projectOrthographic(this.#shown, n, centre, this.orbit, xy, this.#depth)
        const transform = fitTransform({ minX: -radius, maxX: radius, minY: -radius, maxY: radius }, width, height, margin + size / 2)
        for (let i = 0; i < n; i++) {
          xy[i * 2] = transform.offsetX + xy[i * 2]! * transform.scale
          xy[i * 2 + 1] = transform.offsetY - xy[i * 2 + 1]! * transform.scale
        }
        if (n <= DEPTH_SORT_LIMIT) order = this.#order = depthOrder(this.#depth, n, this.#order)
      }
      rasterisePoints(pixels, width, height, xy, n, this.#colors, size, order)
    }
    this.#context.putImageData(image, 0, 0)
  }
}
