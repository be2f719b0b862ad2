import { describe, expect, it } from 'vitest'
import { verificationCode } from '../../../tests/src/verification-code.ts'
import { tarBytes, zipBytes } from '../../../tests/src/onnx-images.ts'
import { npyFloat32 } from '../../../tests/src/fixtures.ts'
import { verifyUpload } from './verify-upload.ts'

function verify(kind: 'model' | 'inputs', filename: string, bytes: Uint8Array) {
  return verifyUpload({ kind, filename, declaredSize: bytes.length, actualSize: bytes.length, head: bytes.subarray(0, 10_012), complete: bytes.length <= 10_012 })
}

describe('verifying model-job uploads at the edge', () => {
  it('accepts an .npy batch of any rank, counting its rows', () => {
    const info = verify('inputs', 'x.npy', npyFloat32(new Float32Array(6 * 2 * 3), [6, 2, 3]))
    expect(info).toMatchObject({ format: 'npy', rows: 6, cols: null, dtype: 'float32' })
  })

  it('accepts zip and tar archives by their magic bytes and refuses impostors', () => {
    expect(verify('inputs', 'a.zip', zipBytes({ 'c/1.png': new Uint8Array([1]) })).format).toBe('zip')
    expect(verify('inputs', 'a.tar', tarBytes({ 'c/1.png': new Uint8Array([1]) })).format).toBe('tar')
    expect(verificationCode(() => verify('inputs', 'a.zip', tarBytes({ 'c/1.png': new Uint8Array([1]) })))).toBe('content_mismatch')
    expect(verificationCode(() => verify('inputs', 'a.tar', zipBytes({ 'c/1.png': new Uint8Array([1]) })))).toBe('content_mismatch')
    expect(verificationCode(() => verify('inputs', 'a.csv', new TextEncoder().encode('1,2\n')))).toBe('unsupported_format')
  })

  it('refuses a model file whose content is something else', () => {
    expect(verificationCode(() => verify('model', 'm.onnx', npyFloat32(new Float32Array(4), [4])))).toBe('content_mismatch')
    expect(verificationCode(() => verify('model', 'm.pt', zipBytes({ 'a': new Uint8Array([1]) })))).toBe('unsupported_format')
  })
})
