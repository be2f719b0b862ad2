import { describe, expect, it } from 'vitest'
import { uploadSizeError } from './upload-size.ts'

describe('size caps announced uploads must fit', () => {
  it('refuses models over the size cap and leaves other kinds to the general limit', () => {
    expect(uploadSizeError('model', 'm.onnx', 600 * 1024 ** 2)).toMatch(/512 MiB/)
    expect(uploadSizeError('features', 'f.npy', 600 * 1024 ** 2)).toBeNull()
  })
})
