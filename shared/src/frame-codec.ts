/**
 * @module Binary animation frames (CSTF): one snapshot of the embedding while t-SNE runs.
 *
 * Layout, little-endian:
 * | offset | type        | field                                             |
 * |--------|-------------|---------------------------------------------------|
 * | 0      | 4 x u8      | magic "CSTF"                                      |
 * | 4      | u8          | version (1)                                       |
 * | 5      | u8          | dims (2 or 3)                                     |
 * | 6      | u16         | reserved, 0                                       |
 * | 8      | u32         | iteration                                         |
 * | 12     | u32         | n (points)                                        |
 * | 16     | f32         | KL divergence at this iteration, NaN when unknown |
 * | 20     | dims x 2 f32| per-dimension min, max                            |
 * | 20+8*dims | n*dims u16 | coordinates quantised to [min, max], row-major |
 * Quantisation keeps about 4 bytes per point in 2D; the error is (max-min)/65535 per axis.
 */

export const FRAME_MAGIC = 'CSTF'
export const FRAME_VERSION = 1

export interface Frame {
  iteration: number
  dims: 2 | 3
  n: number
  /** KL divergence, NaN when the worker did not compute it for this frame. */
  kl: number
  /** Row-major, length n*dims. */
  coords: Float32Array
}

export class FrameFormatError extends Error {
  override name = 'FrameFormatError'
}

export function frameHeaderBytes(dims: number): number {
  return 20 + 8 * dims
}

/** Encodes coordinates (row-major n*dims) into a CSTF frame. Non-finite coordinates become the minimum. */
export function encodeFrame(frame: Frame): Uint8Array {
  const { dims, n, coords } = frame
  if (coords.length !== n * dims) throw new FrameFormatError(`coords has ${coords.length} values; expected n*dims = ${n * dims}`)
  const header = frameHeaderBytes(dims)
  const buffer = new ArrayBuffer(header + n * dims * 2)
  const view = new DataView(buffer)
  for (let i = 0; i < 4; i++) view.setUint8(i, FRAME_MAGIC.charCodeAt(i))
  view.setUint8(4, FRAME_VERSION)
  view.setUint8(5, dims)
  view.setUint16(6, 0, true)
  view.setUint32(8, frame.iteration, true)
  view.setUint32(12, n, true)
  view.setFloat32(16, frame.kl, true)
  const min = new Float64Array(dims).fill(Infinity)
  const max = new Float64Array(dims).fill(-Infinity)
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < dims; k++) {
      const v = coords[i * dims + k]!
      if (v < min[k]!) min[k] = v
      if (v > max[k]!) max[k] = v
    }
  }
  for (let k = 0; k < dims; k++) {
    if (!Number.isFinite(min[k]!)) { min[k] = 0; max[k] = 0 }
    view.setFloat32(20 + 8 * k, min[k]!, true)
    view.setFloat32(24 + 8 * k, max[k]!, true)
    // Use the float32-rounded bounds so decode(encode(x)) stays inside [min, max].
    min[k] = view.getFloat32(20 + 8 * k, true)
    max[k] = view.getFloat32(24 + 8 * k, true)
  }
  const quantised = new Uint16Array(buffer, header, n * dims)
  for (let k = 0; k < dims; k++) {
    const lo = min[k]!
    const span = max[k]! - lo
    const scale = span > 0 ? 65535 / span : 0
    for (let i = 0; i < n; i++) {
      const v = coords[i * dims + k]!
      const q = Number.isFinite(v) ? Math.round((v - lo) * scale) : 0
      quantised[i * dims + k] = q < 0 ? 0 : q > 65535 ? 65535 : q
    }
  }
  return new Uint8Array(buffer)
}

/** Decodes a CSTF frame; throws FrameFormatError on anything malformed. */
export function decodeFrame(bytes: Uint8Array): Frame {
  if (bytes.byteLength < 28) throw new FrameFormatError(`frame is ${bytes.byteLength} bytes; too short for a header`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const magic = String.fromCharCode(view.getUint8(0), view.getUint8(1), view.getUint8(2), view.getUint8(3))
  if (magic !== FRAME_MAGIC) throw new FrameFormatError(`frame magic is "${magic}"; expected "${FRAME_MAGIC}"`)
  const version = view.getUint8(4)
  if (version !== FRAME_VERSION) throw new FrameFormatError(`frame version ${version} is not supported (expected ${FRAME_VERSION})`)
  const dims = view.getUint8(5)
  if (dims !== 2 && dims !== 3) throw new FrameFormatError(`frame dims ${dims}; expected 2 or 3`)
  const iteration = view.getUint32(8, true)
  const n = view.getUint32(12, true)
  const kl = view.getFloat32(16, true)
  const header = frameHeaderBytes(dims)
  const expected = header + n * dims * 2
  if (bytes.byteLength !== expected) throw new FrameFormatError(`frame is ${bytes.byteLength} bytes; header says ${expected}`)
  const coords = new Float32Array(n * dims)
  for (let k = 0; k < dims; k++) {
    const lo = view.getFloat32(20 + 8 * k, true)
    const hi = view.getFloat32(24 + 8 * k, true)
    const step = (hi - lo) / 65535
    for (let i = 0; i < n; i++) coords[i * dims + k] = lo + view.getUint16(header + 2 * (i * dims + k), true) * step
  }
  return { iteration, dims, n, kl, coords }
}
