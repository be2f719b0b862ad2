import { describe, expect, it } from 'vitest'
import { encodeFrame, frameHeaderBytes } from './frame-codec.ts'
import { LIMITS } from './limits.ts'

describe('LIMITS', () => {
  it('lets the largest frame a job can produce through: 3D, maxPoints points', () => {
    expect(LIMITS.maxFrameBytes).toBe(frameHeaderBytes(3) + LIMITS.maxPoints * 3 * 2)
    // The formula is what encodeFrame writes (checked on a small frame; the layout is linear in n).
    const n = 1000
    expect(encodeFrame({ iteration: 1, dims: 3, n, kl: 0, coords: new Float32Array(n * 3) }).byteLength).toBe(frameHeaderBytes(3) + n * 3 * 2)
  })

  it('keeps filenames shorter than the longest a request may send, and JSON bodies far below frames', () => {
    expect(LIMITS.maxFilenameLength).toBeLessThan(LIMITS.maxFilenameRequestLength)
    expect(LIMITS.maxFilenameRequestLength * 4).toBeLessThan(LIMITS.maxJsonBodyBytes)
  })
})
