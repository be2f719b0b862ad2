import { describe, expect, it } from 'vitest'
import { encodeGif, indexPixels } from './gif.ts'

/** Minimal GIF decoder for the test: global palette, image frames, LZW. */
function decodeGif(bytes: Uint8Array): { width: number; height: number; frames: Uint8Array[]; palette: number[][] } {
  const width = bytes[6]! | (bytes[7]! << 8)
  const height = bytes[8]! | (bytes[9]! << 8)
  const packed = bytes[10]!
  const size = 1 << ((packed & 7) + 1)
  const palette: number[][] = []
  let p = 13
  for (let i = 0; i < size; i++, p += 3) palette.push([bytes[p]!, bytes[p + 1]!, bytes[p + 2]!])
  const frames: Uint8Array[] = []
  while (p < bytes.length) {
    const block = bytes[p++]!
    if (block === 0x3b) break
    if (block === 0x21) {
      p++
      while (bytes[p]! !== 0) p += bytes[p]! + 1
      p++
      continue
    }
    if (block !== 0x2c) throw new Error(`bad block ${block} at ${p - 1}`)
    p += 9
    const minCodeSize = bytes[p++]!
    const data: number[] = []
    while (bytes[p]! !== 0) {
      const length = bytes[p]!
      data.push(...bytes.subarray(p + 1, p + 1 + length))
      p += length + 1
    }
    p++
    const clear = 1 << minCodeSize
    let codeSize = minCodeSize + 1
    let dict: number[][] = []
    const reset = () => {
      dict = Array.from({ length: clear + 2 }, (_, i) => [i])
      codeSize = minCodeSize + 1
    }
    reset()
    const out: number[] = []
    let bit = 0
    let previous: number[] | null = null
    for (;;) {
      let code = 0
      for (let b = 0; b < codeSize; b++, bit++) code |= ((data[bit >> 3]! >> (bit & 7)) & 1) << b
      if (code === clear) {
        reset()
        previous = null
        continue
      }
      if (code === clear + 1) break
      let entry: number[]
      if (code < dict.length) entry = dict[code]!
      else entry = [...previous!, previous![0]!]
      out.push(...entry)
      if (previous && dict.length < 4096) dict.push([...previous, entry[0]!])
      if (dict.length === 1 << codeSize && codeSize < 12) codeSize++
      previous = entry
    }
    frames.push(Uint8Array.from(out))
  }
  return { width, height, frames, palette }
}

describe('the GIF encoder', () => {
  it('encodes frames that decode back to the same pixels', () => {
    const width = 61
    const height = 37
    let seed = 7
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647)
    const frames = [0, 1, 2].map((f) => Uint8Array.from({ length: width * height }, (_, i) => (f === 0 ? (i >> 3) % 5 : Math.floor(random() * 12))))
    const palette = Array.from({ length: 12 }, (_, i) => [i * 20, 255 - i * 20, (i * 53) % 256] as [number, number, number])
    const gif = encodeGif(frames, width, height, palette, 50)
    expect(String.fromCharCode(...gif.subarray(0, 6))).toBe('GIF89a')
    const decoded = decodeGif(gif)
    expect([decoded.width, decoded.height]).toEqual([width, height])
    expect(decoded.frames).toHaveLength(3)
    decoded.frames.forEach((frame, k) => expect(Array.from(frame)).toEqual(Array.from(frames[k]!)))
    expect(decoded.palette[3]).toEqual(palette[3])
  })

  it('builds a palette from exact pixel colours', () => {
    const palette: [number, number, number][] = [[255, 255, 255]]
    const lookup = new Map([[0xffffff, 0]])
    const rgba = Uint8Array.from([255, 255, 255, 255, 10, 20, 30, 255, 10, 20, 30, 255])
    expect(Array.from(indexPixels(rgba, palette, lookup))).toEqual([0, 1, 1])
    expect(palette).toEqual([[255, 255, 255], [10, 20, 30]])
  })
})
