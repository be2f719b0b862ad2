/**
 * @module PNG metadata: write the physical resolution (pHYs chunk) so a 300 DPI figure opens at its print
 * size, and read width, height and DPI back (for tests and checks).
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

let crcTable: Uint32Array | null = null

/** CRC-32 (ISO 3309, as PNG chunks use) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  let crc = 0xffffffff
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

export class PngFormatError extends Error {
  override name = 'PngFormatError'
}

function checkSignature(png: Uint8Array): void {
  if (png.length < 33 || !SIGNATURE.every((b, i) => png[i] === b)) throw new PngFormatError('Not a PNG file (bad signature).')
}

/** Pixels per metre for `dpi` dots per inch. */
export function dpiToPixelsPerMetre(dpi: number): number {
  return Math.round(dpi / 0.0254)
}

/**
 * A copy of `png` whose pHYs chunk says `dpi` (any existing pHYs is replaced); the chunk goes right after
 * IHDR, as the PNG spec requires it before the image data.
 */
export function withPngDpi(png: Uint8Array, dpi: number): Uint8Array {
  checkSignature(png)
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  const chunks: Uint8Array[] = [png.subarray(0, 8)]
  let offset = 8
  const ppm = dpiToPixelsPerMetre(dpi)
  const phys = new Uint8Array(12 + 9)
  const physView = new DataView(phys.buffer)
  physView.setUint32(0, 9)
  phys.set([0x70, 0x48, 0x59, 0x73], 4) // "pHYs"
  physView.setUint32(8, ppm)
  physView.setUint32(12, ppm)
  phys[16] = 1 // unit: metre
  physView.setUint32(17, crc32(phys.subarray(4, 17)))
  while (offset + 8 <= png.length) {
    const length = view.getUint32(offset)
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8))
    const end = offset + 12 + length
    if (end > png.length) throw new PngFormatError('The PNG is truncated.')
    if (type !== 'pHYs') chunks.push(png.subarray(offset, end))
    if (type === 'IHDR') chunks.push(phys)
    offset = end
    if (type === 'IEND') break
  }
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0))
  let position = 0
  for (const chunk of chunks) {
    out.set(chunk, position)
    position += chunk.length
  }
  return out
}

/** Width, height and DPI (null without a pHYs chunk in metres) of a PNG. */
export function readPngInfo(png: Uint8Array): { width: number; height: number; dpi: number | null } {
  checkSignature(png)
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  const width = view.getUint32(16)
  const height = view.getUint32(20)
  let dpi: number | null = null
  let offset = 8
  while (offset + 8 <= png.length) {
    const length = view.getUint32(offset)
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8))
    if (type === 'pHYs' && png[offset + 16] === 1) dpi = Math.round(view.getUint32(offset + 8) * 0.0254)
    if (type === 'IEND') break
    offset += 12 + length
  }
  return { width, height, dpi }
}
