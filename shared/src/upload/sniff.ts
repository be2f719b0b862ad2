/**
 * @module What a file's first bytes look like: known binary signatures (images, archives, compressed data,
 * .npy, pickles), and the control bytes that text never holds, so messages can name what was uploaded.
 */

const SIGNATURES: [number[], string][] = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x49, 0x49, 0x2a, 0x00], 'a TIFF image'],
  [[0x4d, 0x4d, 0x00, 0x2a], 'a TIFF image'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive; .npz, .xlsx and PyTorch .pt files are ZIP archives'],
  [[0x50, 0x4b, 0x05, 0x06], 'an empty ZIP archive'],
  [[0x1f, 0x8b], 'gzip-compressed data'],
  [[0x42, 0x5a, 0x68], 'bzip2-compressed data'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz-compressed data'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd-compressed data'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'a 7-Zip archive'],
  [[0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], 'a NumPy .npy array; rename it to .npy'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 'an HDF5 file'],
  [[0x50, 0x41, 0x52, 0x31], 'a Parquet file'],
  [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'a legacy Office document (.xls)'],
]

/** What a binary head looks like ("a PNG image"), or null when no known signature matches. */
export function sniffBinaryFormat(head: Uint8Array): string | null {
  for (const [magic, name] of SIGNATURES) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return name
  }
  // Python pickle, protocol 2 or later: PROTO opcode then the protocol number.
  if (head.length >= 2 && head[0] === 0x80 && head[1]! >= 2 && head[1]! <= 5) return 'a Python pickle'
  return null
}

/** Controls that text files hold: tab, LF, VT, FF, CR, and SUB (0x1a, DOS end-of-file). */
export function isTextControl(b: number): boolean {
  return b === 0x09 || b === 0x0a || b === 0x0b || b === 0x0c || b === 0x0d || b === 0x1a
}

/** True when the bytes hold a control character that text files never contain (NUL and friends). */
export function hasBinaryControl(bytes: Uint8Array, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!
    if (b < 0x20 && !isTextControl(b)) return true
  }
  return false
}

/** "is binary (looks like a PNG image)" / "is text (looks like CSV)": for content_mismatch messages. */
export function describeContent(head: Uint8Array): string {
  const known = sniffBinaryFormat(head)
  if (known) return `is binary (looks like ${known})`
  const sample = Math.min(head.length, 4096)
  if (hasBinaryControl(head, sample)) return 'is binary'
  const firstLine = head.subarray(0, sample)
  if (firstLine.includes(0x2c)) return 'is text (looks like CSV)'
  if (firstLine.includes(0x09)) return 'is text (looks like TSV)'
  return 'is text'
}
