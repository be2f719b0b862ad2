/**
 * @module The software backend: projects and rasterises points on the CPU into an ImageData (raster.ts),
 * for browsers without WebGL2 and for exports at any size. Same inputs and look as gl-points.ts.
 */
import type { Projection } from '../camera.ts'
import { bucketDepthOrder, depthOrder, rasterisePoints, WHITE } from '../raster.ts'
import type { DrawParams, PointBackend } from './backend.ts'

/** Above this many points, 3-D views order points by depth buckets instead of a full sort (per frame cost). */
export const DEPTH_SORT_LIMIT = 60_000
const RING = ((255 << 24) | (0x30 << 16) | (0x24 << 8) | 0x1c) >>> 0

export class SoftPoints implements PointBackend {
  readonly kind = 'canvas'
  readonly canvas: HTMLCanvasElement | OffscreenCanvas
  readonly #context: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D
  #image: ImageData | null = null
  #pixels: Uint32Array | null = null
  #from: Float32Array = new Float32Array(0)
  #to: Float32Array = new Float32Array(0)
  #n = 0
  #dims = 2
  #packed: Uint32Array = new Uint32Array(0)
  #visible: Uint8Array = new Uint8Array(0)
  #overlay: Uint32Array = new Uint32Array(0)
  #hover = -1
  #xy: Float32Array = new Float32Array(0)
  #depth: Float32Array = new Float32Array(0)
  #order: Uint32Array = new Uint32Array(0)

  constructor(canvas: HTMLCanvasElement | OffscreenCanvas) {
    this.canvas = canvas
    const context = canvas.getContext('2d', { alpha: false }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null
    if (!context) throw new Error('This browser cannot draw on a canvas.')
    this.#context = context
  }

  resize(width: number, height: number): void {
    if (this.canvas.width !== width || this.canvas.height !== height || !this.#image) {
      this.canvas.width = width
      this.canvas.height = height
      this.#image = this.#context.createImageData(width, height)
      this.#pixels = new Uint32Array(this.#image.data.buffer)
    }
  }

  setPositions(from: Float32Array, to: Float32Array, n: number, dims: number): void {
    this.#from = from
    this.#to = to
    this.#n = n
    this.#dims = dims
    if (this.#xy.length !== n * 2) {
      this.#xy = new Float32Array(n * 2)
      this.#depth = new Float32Array(n)
    }
  }

  setColors(rgba: Uint8Array): void {
    const n = rgba.length / 4
    if (this.#packed.length !== n) {
      this.#packed = new Uint32Array(n)
      this.#visible = new Uint8Array(n)
    }
    for (let i = 0; i < n; i++) {
      this.#packed[i] = ((255 << 24) | (rgba[i * 4 + 2]! << 16) | (rgba[i * 4 + 1]! << 8) | rgba[i * 4]!) >>> 0
      this.#visible[i] = rgba[i * 4 + 3]! >= 128 ? 1 : 0
    }
  }

  setOverlay(indices: Uint32Array, hover: number): void {
    this.#overlay = indices
    this.#hover = hover
  }

  draw(projection: Projection, params: DrawParams): void {
    const pixels = this.#pixels
    const image = this.#image
    if (!pixels || !image) return
    pixels.fill(WHITE)
    const n = Math.min(this.#n, this.#packed.length)
    const dims = this.#dims
    const from = this.#from
    const to = this.#to
    const t = params.t
    const xy = this.#xy
    const depth = this.#depth
    const [ax, bx, cx, dx] = projection.rowX
    const [ay, by, cy, dy] = projection.rowY
    const [az, bz, cz, dz] = projection.rowZ
    for (let i = 0; i < n; i++) {
      if (!this.#visible[i]) {
        xy[i * 2] = Number.NaN
        continue
      }
      const x0 = from[i * dims]!
      const y0 = from[i * dims + 1]!
      const x = x0 + (to[i * dims]! - x0) * t
      const y = y0 + (to[i * dims + 1]! - y0) * t
      let z = 0
      if (dims === 3) {
        const z0 = from[i * dims + 2]!
        z = z0 + (to[i * dims + 2]! - z0) * t
      }
      xy[i * 2] = ax * x + bx * y + cx * z + dx
      xy[i * 2 + 1] = ay * x + by * y + cy * z + dy
      depth[i] = az * x + bz * y + cz * z + dz
    }
    const size = Math.max(1, Math.round(params.size))
    const sorted = dims === 3 && (az !== 0 || bz !== 0 || cz !== 0)
    if (sorted) this.#order = n <= DEPTH_SORT_LIMIT ? depthOrder(depth, n, this.#order) : bucketDepthOrder(depth, n, this.#order)
    rasterisePoints(pixels, image.width, image.height, xy, n, this.#packed, size, sorted ? this.#order : undefined)
    const ring = (i: number, side: number) => {
      if (i < 0 || i >= n || !this.#visible[i]) return
      drawDisc(pixels, image.width, image.height, xy[i * 2]!, xy[i * 2 + 1]!, side, RING)
      drawDisc(pixels, image.width, image.height, xy[i * 2]!, xy[i * 2 + 1]!, Math.max(1, Math.round(side * 0.67)), this.#packed[i]!)
    }
    const overlaySide = Math.round(size * 1.5 + 4)
    for (let k = 0; k < this.#overlay.length; k++) ring(this.#overlay[k]!, overlaySide)
    ring(this.#hover, Math.round(size * 2 + 8))
    this.#context.putImageData(image, 0, 0)
  }

  dispose(): void {
    this.#image = null
    this.#pixels = null
  }
}

function drawDisc(pixels: Uint32Array, width: number, height: number, cx: number, cy: number, side: number, color: number): void {
  const xy = new Float32Array([cx, cy])
  const colors = new Uint32Array([color])
  rasterisePoints(pixels, width, height, xy, 1, colors, side)
}
