/**
 * @module Image inputs for model-job tests: PNG/JPEG encoders over pixel functions, ZIP and TAR writers,
 * and a synthetic "shapes" dataset whose classes a small CNN's features separate.
 */
import { zipSync } from 'fflate'
import jpeg from 'jpeg-js'
import { PNG } from 'pngjs'

/** An RGB pixel function: (x, y) -> [r, g, b] in 0..255. */
export type Pixels = (x: number, y: number) => [number, number, number]

export function pngBytes(width: number, height: number, pixels: Pixels): Uint8Array {
  const png = new PNG({ width, height })
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixels(x, y)
      png.data.set([r, g, b, 255], (y * width + x) * 4)
    }
  }
  const out = PNG.sync.write(png)
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

export function jpegBytes(width: number, height: number, pixels: Pixels, quality = 95): Uint8Array {
  const data = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([...pixels(x, y), 255], (y * width + x) * 4)
  }
  return new Uint8Array(jpeg.encode({ data, width, height }, quality).data)
}

export function zipBytes(files: Record<string, Uint8Array>): Uint8Array {
  return zipSync(files, { level: 1 })
}

/** A ustar archive of regular files (paths up to 100 bytes). */
export function tarBytes(files: Record<string, Uint8Array>): Uint8Array {
  const blocks: Uint8Array[] = []
  for (const [path, data] of Object.entries(files)) {
    const header = new Uint8Array(512)
    const put = (text: string, at: number) => header.set(new TextEncoder().encode(text), at)
    put(path, 0)
    put('0000644\0', 100)
    put('0000000\0', 108)
    put('0000000\0', 116)
    put(data.length.toString(8).padStart(11, '0') + '\0', 124)
    put('00000000000\0', 136)
    put('        ', 148)
    header[156] = 0x30
    put('ustar\0', 257)
    put('00', 263)
    let sum = 0
    for (const b of header) sum += b
    put(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    blocks.push(header, data, new Uint8Array((512 - (data.length % 512)) % 512))
  }
  blocks.push(new Uint8Array(1024))
  const total = blocks.reduce((a, b) => a + b.length, 0)
  const out = new Uint8Array(total)
  let at = 0
  for (const b of blocks) {
    out.set(b, at)
    at += b.length
  }
  return out
}

function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const SHAPE_CLASSES = ['horizontal', 'vertical', 'diagonal'] as const

/**
 * `perClass` noisy images per class of `size` px: horizontal stripes, vertical stripes, or diagonal
 * stripes, each in a random phase and tint. Returned as archive members "<class>/<k>.png" (every third
 * one as JPEG to exercise both decoders).
 */
export function stripeImages(perClass: number, size: number, seed = 3): { files: Record<string, Uint8Array>; labels: string[] } {
  const rand = random(seed)
  const files: Record<string, Uint8Array> = {}
  const labels: string[] = []
  for (const label of SHAPE_CLASSES) {
    for (let k = 0; k < perClass; k++) {
      const phase = Math.floor(rand() * 4)
      const tint = [150 + rand() * 100, 150 + rand() * 100, 150 + rand() * 100]
      const noise = random(seed * 1000 + k * 7 + label.length)
      const pixels: Pixels = (x, y) => {
        const coordinate = label === 'horizontal' ? y : label === 'vertical' ? x : x + y
        const on = Math.floor((coordinate + phase) / 2) % 2 === 0
        return tint.map((t) => Math.max(0, Math.min(255, (on ? t : 30) + (noise() - 0.5) * 40))) as [number, number, number]
      }
      const name = `${label}/${String(k).padStart(3, '0')}.${k % 3 === 2 ? 'jpg' : 'png'}`
      files[name] = k % 3 === 2 ? jpegBytes(size, size, pixels) : pngBytes(size, size, pixels)
      labels.push(label)
    }
  }
  return { files, labels }
}
