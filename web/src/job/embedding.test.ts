import { describe, expect, it } from 'vitest'
import { encodeNpyFloat32 } from '@constellate/shared'
import { countClasses, frameFromNpy } from './embedding.ts'

describe('final embedding', () => {
  it('reads embedding.npy into a frame', () => {
    const frame = frameFromNpy(encodeNpyFloat32(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]), 750)
    expect(frame).toMatchObject({ n: 2, dims: 3, iteration: 750 })
    expect([...frame.coords]).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('refuses an array that is not [N, 2|3]', () => {
    expect(() => frameFromNpy(encodeNpyFloat32(new Float32Array(4), [1, 4]), 0)).toThrow(/expected \[N, 2\] or \[N, 3\]/)
  })

  it('counts points per class, ignoring missing labels', () => {
    expect(countClasses([0, 1, 1, -1, 2, 1], 3)).toEqual([1, 3, 1])
  })
})
