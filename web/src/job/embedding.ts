/**
 * @module Turning what the API returns for a finished job (the final `embedding.npy`, the labels) into the
 * shapes the viewer draws: a `Frame` and per-class counts.
 */
import { NpyFormatError, parseNpyHeader, type Frame } from '@constellate/shared'

/**
 * Reads a float32/float64 `.npy` of shape [N, 2|3] (C order) into a Frame at `iteration`.
 * Throws NpyFormatError when the file is not such an array.
 */
export function frameFromNpy(bytes: Uint8Array, iteration: number): Frame {
  const header = parseNpyHeader(bytes)
  const [n, dims] = header.shape
  if (header.shape.length !== 2 || (dims !== 2 && dims !== 3) || n === undefined) {
    throw new NpyFormatError('npy_bad_header', `The embedding has shape (${header.shape.join(', ')}); expected [N, 2] or [N, 3].`)
  }
  if (header.kind !== 'f' || (header.itemSize !== 4 && header.itemSize !== 8) || header.fortranOrder) {
    throw new NpyFormatError('npy_unsupported_dtype', `The embedding has dtype ${header.descr}; expected C-order float32.`)
  }
  if (bytes.byteLength < header.dataOffset + header.dataBytes) {
    throw new NpyFormatError('npy_truncated', 'The embedding file is shorter than its header says.')
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + header.dataOffset, header.dataBytes)
  const coords = new Float32Array(n * dims)
  for (let i = 0; i < coords.length; i++) {
    coords[i] = header.itemSize === 4 ? view.getFloat32(i * 4, header.littleEndian) : view.getFloat64(i * 8, header.littleEndian)
  }
  return { iteration, dims, n, kl: Number.NaN, coords }
}

/** Points per class: `counts[c]` is how many codes equal c; codes outside [0, classCount) are not counted. */
export function countClasses(codes: ArrayLike<number>, classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0)
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!
    if (code >= 0 && code < classCount) counts[code]!++
  }
  return counts
}
