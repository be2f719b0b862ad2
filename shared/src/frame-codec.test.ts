import { describe, expect, it } from 'vitest'
import { FrameFormatError, decodeFrame, encodeFrame, frameHeaderBytes } from './frame-codec.ts'

function seeded(seed: number) {
  let s = seed >>> 0
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32)
}

describe('CSTF frames', () => {
  it('round-trips 2D coordinates within one quantisation step per axis', () => {
    const random = seeded(1)
    const n = 1000
    const coords = new Float32Array(n * 2).map(() => (random() - 0.5) * 80)
    const bytes = encodeFrame({ iteration: 125, dims: 2, n, kl: 3.25, coords })
    expect(bytes.byteLength).toBe(frameHeaderBytes(2) + n * 4)
    const frame = decodeFrame(bytes)
    expect(frame).toMatchObject({ iteration: 125, dims: 2, n, kl: 3.25 })
    let maxError = 0
    for (let i = 0; i < coords.length; i++) maxError = Math.max(maxError, Math.abs(frame.coords[i]! - coords[i]!))
    expect(maxError).toBeLessThanOrEqual(80 / 65535 + 1e-5)
  })

  it('keeps extremes exact and handles 3D and a degenerate axis', () => {
    const coords = new Float32Array([0, 5, -1, 10, 5, 2, 5, 5, 7])
    const frame = decodeFrame(encodeFrame({ iteration: 0, dims: 3, n: 3, kl: Number.NaN, coords }))
    expect(frame.coords[0]).toBe(0)
    expect(frame.coords[3]).toBe(10)
    expect([frame.coords[1], frame.coords[4], frame.coords[7]]).toEqual([5, 5, 5])
    expect(Number.isNaN(frame.kl)).toBe(true)
  })

  it('rejects bytes that are not a frame, saying why', () => {
    const good = encodeFrame({ iteration: 1, dims: 2, n: 2, kl: 0, coords: new Float32Array(4) })
    const badMagic = good.slice()
    badMagic[0] = 0x58
    expect(() => decodeFrame(badMagic)).toThrow(/magic/)
    expect(() => decodeFrame(good.slice(0, good.length - 1))).toThrow(FrameFormatError)
    expect(() => decodeFrame(new Uint8Array(4))).toThrow(/too short/)
  })

  it('refuses coordinates whose length does not match n*dims', () => {
    expect(() => encodeFrame({ iteration: 1, dims: 2, n: 3, kl: 0, coords: new Float32Array(5) })).toThrow(/n\*dims/)
  })
})
