import { describe, expect, it } from 'vitest'
import { crc32, readPngInfo, withPngDpi } from './png.ts'

/** A valid 2x1 grey PNG (IHDR, IDAT, IEND). */
const TINY = Uint8Array.from(
  Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAAAAABgqaM6AAAAC0lEQVR4nGNgYAAAAAMAASsJTYQAAAAASUVORK5CYII=', 'base64'),
)

describe('PNG DPI', () => {
  it('computes CRC-32 like zlib', () => {
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082)
  })

  it('writes 300 DPI into a pHYs chunk right after IHDR, and replaces an older one', () => {
    expect(readPngInfo(TINY)).toEqual({ width: 2, height: 1, dpi: null })
    const marked = withPngDpi(TINY, 300)
    expect(readPngInfo(marked)).toEqual({ width: 2, height: 1, dpi: 300 })
    expect(String.fromCharCode(...marked.subarray(37, 41))).toBe('pHYs')
    const again = withPngDpi(marked, 72)
    expect(again.length).toBe(marked.length)
    expect(readPngInfo(again).dpi).toBe(72)
    // Chunk CRC is valid.
    const view = new DataView(marked.buffer)
    expect(view.getUint32(37 + 4 + 9)).toBe(crc32(marked.subarray(37, 37 + 4 + 9)))
  })

  it('refuses what is not a PNG', () => {
    expect(() => withPngDpi(new Uint8Array(40), 300)).toThrow(/signature/)
  })
})
