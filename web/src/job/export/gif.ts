/**
 * @module A small animated-GIF encoder (GIF89a, LZW, one global palette of up to 256 colours, looping).
 * Enough for map animations, whose frames hold few distinct colours.
 */

/** Packs an LZW code stream into GIF sub-blocks. O(pixels). */
function lzw(indices: Uint8Array, minCodeSize: number): Uint8Array {
  const clear = 1 << minCodeSize
  const end = clear + 1
  const out: number[] = []
  let bitBuffer = 0
  let bitCount = 0
  let codeSize = minCodeSize + 1
  const emit = (code: number) => {
    bitBuffer |= code << bitCount
    bitCount += codeSize
    while (bitCount >= 8) {
      out.push(bitBuffer & 0xff)
      bitBuffer >>>= 8
      bitCount -= 8
    }
  }
  let table = new Map<number, number>()
  let next = end + 1
  emit(clear)
  let prefix = indices[0] ?? 0
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i]!
    const key = prefix * 256 + k
    const found = table.get(key)
    if (found !== undefined) {
      prefix = found
      continue
    }
    emit(prefix)
    if (next < 4096) {
      table.set(key, next++)
      if (next > 1 << codeSize && codeSize < 12) codeSize++
    } else {
      emit(clear)
      table = new Map()
      next = end + 1
      codeSize = minCodeSize + 1
    }
    prefix = k
  }
  emit(prefix)
  emit(end)
  if (bitCount > 0) out.push(bitBuffer & 0xff)
  const blocks: number[] = []
  for (let i = 0; i < out.length; i += 255) {
    const chunk = out.slice(i, i + 255)
    blocks.push(chunk.length, ...chunk)
  }
  blocks.push(0)
  return Uint8Array.from(blocks)
}

/**
 * Encodes frames of palette indices (each width*height) as a looping animated GIF; `palette` holds up to
 * 256 [r, g, b] colours; `delayMs` is per frame (GIF stores hundredths of a second).
 */
export function encodeGif(frames: Uint8Array[], width: number, height: number, palette: [number, number, number][], delayMs: number): Uint8Array {
  if (palette.length === 0 || palette.length > 256) throw new Error(`A GIF palette holds 1 to 256 colours; got ${palette.length}.`)
  const bits = Math.max(1, Math.ceil(Math.log2(palette.length)))
  const size = 1 << bits
  const parts: Uint8Array[] = []
  const bytes = (...values: number[]) => parts.push(Uint8Array.from(values))
  const u16 = (v: number) => [v & 0xff, (v >> 8) & 0xff]
  parts.push(new TextEncoder().encode('GIF89a'))
  bytes(...u16(width), ...u16(height), 0x80 | ((bits - 1) << 4) | (bits - 1), 0, 0)
  const table = new Uint8Array(size * 3)
  palette.forEach(([r, g, b], i) => table.set([r, g, b], i * 3))
  parts.push(table)
  // Loop forever (NETSCAPE2.0 application extension).
  bytes(0x21, 0xff, 0x0b, ...new TextEncoder().encode('NETSCAPE2.0'), 3, 1, 0, 0, 0)
  const delay = Math.max(2, Math.round(delayMs / 10))
  for (const frame of frames) {
    bytes(0x21, 0xf9, 4, 0, ...u16(delay), 0, 0)
    bytes(0x2c, 0, 0, 0, 0, ...u16(width), ...u16(height), 0)
    const minCodeSize = Math.max(2, bits)
    bytes(minCodeSize)
    parts.push(lzw(frame, minCodeSize))
  }
  bytes(0x3b)
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/**
 * Maps RGBA pixels to palette indices, growing `palette` with each new colour up to 256; past that each
 * pixel takes the nearest existing colour. Returns the indices (width*height).
 */
export function indexPixels(rgba: Uint8ClampedArray | Uint8Array, palette: [number, number, number][], lookup: Map<number, number>): Uint8Array {
  const n = rgba.length / 4
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const r = rgba[i * 4]!
    const g = rgba[i * 4 + 1]!
    const b = rgba[i * 4 + 2]!
    const key = (r << 16) | (g << 8) | b
    let index = lookup.get(key)
    if (index === undefined) {
      if (palette.length < 256) {
        index = palette.length
        palette.push([r, g, b])
      } else {
        let best = 0
        let bestDistance = Infinity
        for (let p = 0; p < palette.length; p++) {
          const [pr, pg, pb] = palette[p]!
          const d = (pr - r) ** 2 + (pg - g) ** 2 + (pb - b) ** 2
          if (d < bestDistance) {
            bestDistance = d
            best = p
          }
        }
        index = best
      }
      lookup.set(key, index)
    }
    out[i] = index
  }
  return out
}
