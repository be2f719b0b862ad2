/** @module What a point-drawing backend (WebGL2 or the software rasteriser) offers the scatter renderer. */
import type { Projection } from '../camera.ts'

export interface DrawParams {
  /** Transition progress in [0, 1]: positions are `from + (to - from) * t`. */
  t: number
  /** Point diameter in device pixels. */
  size: number
}

export interface PointBackend {
  readonly kind: 'webgl2' | 'canvas'
  /** Sets the drawing surface size in device pixels. */
  resize(width: number, height: number): void
  /** Row-major positions of the previous and next frame (length n*dims each). */
  setPositions(from: Float32Array, to: Float32Array, n: number, dims: number): void
  /** RGBA per point (length n*4); alpha 0 hides a point. */
  setColors(rgba: Uint8Array): void
  /** Points drawn on top with a ring (selection, matches), and one hovered point (-1 for none). */
  setOverlay(indices: Uint32Array, hover: number): void
  draw(projection: Projection, params: DrawParams): void
  /** The surface holding the last drawing, for copying onto a 2-D canvas. */
  readonly canvas: HTMLCanvasElement | OffscreenCanvas
  dispose(): void
}
