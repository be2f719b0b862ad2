/**
 * @module Thumbnails of image inputs as PNG sprite sheets plus an index, so a viewer can show the image
 * under the cursor with one request per sheet. Image i lives in sheet floor(i / perSheet), at tile
 * k = i % perSheet: x = (k % columns) * tileSize, y = floor(k / columns) * tileSize.
 */
import { PNG } from 'pngjs'
import type { RgbaImage } from './decode.ts'
import { resizeRgb } from './preprocess.ts'

export const THUMBNAIL_DEFAULTS = { tileSize: 32, columns: 64, rowsPerSheet: 64 }

/** `thumbnails/index.json`: how to find image i. Sheets are `thumbnails/<k>.png` under the job's results. */
export interface ThumbnailIndex {
  version: 1
  /** Tile width and height, pixels; the image is fitted inside, centred, on a transparent background. */
  tileSize: number
  /** Tiles per sheet row. */
  columns: number
  /** Tiles per sheet (columns * rows). */
  perSheet: number
  /** Images in all (the job's N). */
  count: number
  /** Sheet file names in order, e.g. ["0.png", "1.png"]. */
  sheets: string[]
}

/** Collects thumbnails in input order; `onSheet` receives each finished sheet as PNG bytes. */
export class ThumbnailSheets {
  private readonly tileSize: number
  private readonly columns: number
  private readonly perSheet: number
  private sheet: Uint8Array | null = null
  private inSheet = 0
  private count = 0
  private readonly sheets: string[] = []

  constructor(
    private readonly onSheet: (name: string, png: Uint8Array) => Promise<void>,
    options: Partial<typeof THUMBNAIL_DEFAULTS> = {},
  ) {
    const o = { ...THUMBNAIL_DEFAULTS, ...options }
    this.tileSize = o.tileSize
    this.columns = o.columns
    this.perSheet = o.columns * o.rowsPerSheet
  }

  async add(image: RgbaImage): Promise<void> {
    const t = this.tileSize
    const sheetWidth = this.columns * t
    this.sheet ??= new Uint8Array(sheetWidth * Math.ceil(this.perSheet / this.columns) * t * 4)
    const fit = Math.min(t / image.width, t / image.height)
    const w = Math.max(1, Math.round(image.width * fit))
    const h = Math.max(1, Math.round(image.height * fit))
    const rgb = resizeRgb(image, h, w)
    const k = this.inSheet
    const x0 = (k % this.columns) * t + Math.floor((t - w) / 2)
    const y0 = Math.floor(k / this.columns) * t + Math.floor((t - h) / 2)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = ((y0 + y) * sheetWidth + x0 + x) * 4
        const i = (y * w + x) * 3
        this.sheet[o] = Math.round(rgb[i]!)
        this.sheet[o + 1] = Math.round(rgb[i + 1]!)
        this.sheet[o + 2] = Math.round(rgb[i + 2]!)
        this.sheet[o + 3] = 255
      }
    }
    this.count++
    if (++this.inSheet === this.perSheet) await this.flush()
  }

  private async flush(): Promise<void> {
    if (!this.sheet || this.inSheet === 0) return
    const t = this.tileSize
    const width = this.columns * t
    const rows = Math.ceil(this.inSheet / this.columns)
    const png = new PNG({ width, height: rows * t })
    png.data = Buffer.from(this.sheet.buffer, 0, width * rows * t * 4)
    const bytes = PNG.sync.write(png, { colorType: 6 })
    const name = `${this.sheets.length}.png`
    this.sheets.push(name)
    await this.onSheet(name, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    this.sheet = null
    this.inSheet = 0
  }

  /** Writes the last sheet and returns the index. */
  async finish(): Promise<ThumbnailIndex> {
    await this.flush()
    return { version: 1, tileSize: this.tileSize, columns: this.columns, perSheet: this.perSheet, count: this.count, sheets: [...this.sheets] }
  }
}
