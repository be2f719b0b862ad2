import { describe, expect, it } from 'vitest'
import { pointColors, sequentialColor } from './point-style.ts'

describe('point colours', () => {
  it('colours by class, hides hidden classes and fades what is not emphasised', () => {
    const style = { codes: [0, 1, 1], palette: ['#ff0000', '#0000ff'], hidden: new Set([1]), fadeOthers: false }
    const plain = pointColors(3, style)
    expect(Array.from(plain.subarray(0, 4))).toEqual([255, 0, 0, 255])
    expect(plain[7]).toBe(0)
    const faded = pointColors(3, { ...style, hidden: new Set(), fadeOthers: true, emphasised: Uint8Array.of(1, 0, 0) })
    expect(Array.from(faded.subarray(0, 3))).toEqual([255, 0, 0])
    expect(faded[4]).toBeGreaterThan(180)
  })

  it('maps values through viridis', () => {
    expect(sequentialColor(0)).toEqual([68, 1, 84])
    expect(sequentialColor(1)).toEqual([253, 231, 37])
  })

  it('draws a point without a value (NaN) in the missing colour, not at the low end of the scale', () => {
    const rgba = pointColors(2, { codes: null, palette: [], hidden: new Set(), fadeOthers: false, values: Float32Array.of(0, Number.NaN), valueRange: [0, 1] })
    expect(Array.from(rgba.subarray(0, 3))).toEqual([68, 1, 84])
    expect(Array.from(rgba.subarray(4, 7))).not.toEqual([68, 1, 84])
    expect(rgba[7]).toBe(255)
  })
})
