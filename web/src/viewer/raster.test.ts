import { describe, expect, it } from 'vitest'
import { depthOrder, discSpans, packColor, rasterisePoints, WHITE } from './raster.ts'

describe('rasterising points', () => {
  it('packs colours the way a little-endian ImageData buffer stores them', () => {
    const bytes = new Uint8Array(new Uint32Array([packColor('#4e79a7')]).buffer)
    expect([...bytes]).toEqual([0x4e, 0x79, 0xa7, 255])
  })

  it('writes only exact class colours on a white background', () => {
    const width = 20
    const height = 10
    const pixels = new Uint32Array(width * height).fill(WHITE)
    const red = packColor('#e15759')
    const blue = packColor('#4e79a7')
    rasterisePoints(pixels, width, height, new Float32Array([5, 5, 14, 5]), 2, new Uint32Array([red, blue]), 4)
    const seen = new Set(pixels)
    expect(seen).toEqual(new Set([WHITE, red, blue]))
    expect(pixels[5 * width + 5]).toBe(red)
    expect(pixels[5 * width + 14]).toBe(blue)
  })

  it('clips points at the canvas edge without wrapping to the next row', () => {
    const width = 8
    const pixels = new Uint32Array(width * 8).fill(WHITE)
    const color = packColor('#000000')
    rasterisePoints(pixels, width, 8, new Float32Array([7.4, 3]), 1, new Uint32Array([color]), 5)
    for (let y = 0; y < 8; y++) expect(pixels[y * width]).toBe(WHITE)
  })

  it('draws round points from four pixels up and single pixels for tiny ones', () => {
    const spans = discSpans(6)
    expect(spans.start[0]).toBeGreaterThan(0)
    expect(spans.start[3]).toBe(0)
    expect(spans.end[3]).toBe(6)
    expect([...discSpans(1).start, ...discSpans(1).end]).toEqual([0, 1])
  })

  it('orders points far to near', () => {
    expect([...depthOrder(new Float32Array([0.5, 2, -1]), 3)]).toEqual([1, 0, 2])
  })
})

describe('depth buckets', () => {
  it('orders points back to front like a full sort, up to the bucket width', async () => {
    const { bucketDepthOrder, depthOrder } = await import('./raster.ts')
    const depth = Float32Array.from({ length: 500 }, (_, i) => Math.sin(i * 12.9898) * 3)
    const fine = bucketDepthOrder(depth, 500, undefined, 100000)
    for (let k = 1; k < 500; k++) expect(depth[fine[k - 1]!]! - depth[fine[k]!]!).toBeGreaterThan(-6 / 99999 - 1e-6)
    expect(new Set(fine).size).toBe(500)
    expect(depth[fine[0]!]).toBe(depth[depthOrder(depth, 500)[0]!])
    const coarse = bucketDepthOrder(depth, 500, undefined, 8)
    for (let k = 1; k < 500; k++) expect(depth[coarse[k - 1]!]! - depth[coarse[k]!]!).toBeGreaterThan(-6 / 7 - 1e-6)
  })
})
