/**
 * @module Decoding PNG (pngjs) and JPEG (jpeg-js) into 8-bit RGBA, with the image size checked from the
 * header before any pixel memory is allocated.
 */
import { PNG } from 'pngjs'
import jpeg from 'jpeg-js'
import { LIMITS } from '@constellate/shared'
import { ModelError } from '../inference/errors.ts'

/** 8-bit RGBA pixels, row-major, length width*height*4. */
export interface RgbaImage {
  width: number
  height: number
  data: Uint8Array
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 24 && PNG_MAGIC.every((b, k) => bytes[k] === b)
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff
}

/** Width and height from a JPEG's first start-of-frame marker, or null. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  let at = 2
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null
    const marker = bytes[at + 1]!
    if (marker === 0xff) {
      at++
      continue
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (sof) return { height: (bytes[at + 5]! << 8) | bytes[at + 6]!, width: (bytes[at + 7]! << 8) | bytes[at + 8]! }
    at += 2 + length
  }
  return null
}

function checkSide(width: number, height: number, path: string): void {
  if (width > LIMITS.maxImageSide || height > LIMITS.maxImageSide) {
    throw new ModelError('image_too_large', `"${path}" is ${width}x${height} pixels; images up to ${LIMITS.maxImageSide} pixels a side are accepted. Downscale the images first.`)
  }
  if (width === 0 || height === 0) throw new ModelError('image_unreadable', `"${path}" has no pixels (${width}x${height}).`)
}

/**
 * Decodes a PNG or JPEG (chosen by content, not name) to RGBA.
 * @throws ModelError image_unreadable, image_too_large
 */
export function decodeImage(bytes: Uint8Array, path: string): RgbaImage {
  try {
    if (isPng(bytes)) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      checkSide(view.getUint32(16), view.getUint32(20), path)
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) }
    }
    if (isJpeg(bytes)) {
      const size = jpegSize(bytes)
      if (size) checkSide(size.width, size.height, path)
      const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: (LIMITS.maxImageSide * LIMITS.maxImageSide) / 1e6, maxMemoryUsageInMB: 512 })
      return { width: image.width, height: image.height, data: image.data }
    }
  } catch (err) {
    if (err instanceof ModelError) throw err
    throw new ModelError('image_unreadable', `"${path}" could not be decoded (${(err as Error).message}). Save it again as PNG or JPEG.`)
  }
  throw new ModelError('image_unreadable', `"${path}" is neither PNG nor JPEG by its content. Convert it to PNG or JPEG.`)
}
