/** @module Reads the header of a CSTF frame (shared/src/frame-codec.ts) without decoding its coordinates. */

export interface FrameHeader {
  iteration: number
  n: number
  dims: number
  /** KL divergence at this iteration; null when the worker did not compute it. */
  kl: number | null
}

/** The header fields of a CSTF frame; null when `bytes` is not one. O(1). */
export function readFrameHeader(bytes: Uint8Array): FrameHeader | null {
  if (bytes.byteLength < 20 || String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!) !== 'CSTF') return null
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const kl = view.getFloat32(16, true)
  return { dims: view.getUint8(5), iteration: view.getUint32(8, true), n: view.getUint32(12, true), kl: Number.isFinite(kl) ? kl : null }
}
