/**
 * @module Text uploads must be UTF-8: the byte-level checks (binary content, UTF-16, invalid sequences,
 * byte-order mark) the edge runs on a text upload's head and the worker on the whole file.
 */
import type { UploadFormat } from '../schemas.ts'
import { failUpload } from './errors.ts'
import { hasBinaryControl, isTextControl, sniffBinaryFormat } from './sniff.ts'

/**
 * Byte offset of the first invalid UTF-8 sequence in bytes[0, end), or -1. A sequence cut off by `end`
 * counts as valid when `truncated` (the file goes on past the head).
 */
export function findInvalidUtf8(bytes: Uint8Array, end: number, truncated: boolean): number {
  let i = 0
  while (i < end) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    let min: number
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80]
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800]
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000]
    else return i
    if (i + need >= end) {
      if (!truncated) return i
      for (let k = i + 1; k < end; k++) if ((bytes[k]! & 0xc0) !== 0x80) return i
      return -1
    }
    let code = b & (0x3f >> need)
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!
      if ((c & 0xc0) !== 0x80) return i
      code = (code << 6) | (c & 0x3f)
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i
    i += need + 1
  }
  return -1
}

/** Length of a UTF-8 byte-order mark at the start, 0 or 3. */
export function utf8BomLength(bytes: Uint8Array): number {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
}

/**
 * Throws unless bytes[0, end) look like UTF-8 text: content_mismatch for binary content (naming what it
 * looks like), text_encoding for UTF-16 or non-UTF-8 text.
 */
export function assertTextContent(bytes: Uint8Array, end: number, truncated: boolean, filename: string, format: UploadFormat): void {
  const known = sniffBinaryFormat(bytes)
  const fix = known?.includes('.npy') ? '' : ` Upload a plain-text .${format} file, or give the file the extension that matches its content.`
  if (known) failUpload('content_mismatch', `"${filename}" says .${format} but its content is binary (looks like ${known}).${fix}`)
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    failUpload('text_encoding', `"${filename}" is UTF-16 text; save it as UTF-8 (in Excel: Save As > CSV UTF-8).`)
  }
  // One pass: printable ASCII is the common case; controls and UTF-8 sequences are checked as they come.
  let bad = -1
  for (let i = 0; i < end; i++) {
    const b = bytes[i]!
    if (b >= 0x20 && b < 0x80) continue
    if (b < 0x20) {
      if (isTextControl(b)) continue
      failUpload('content_mismatch', `"${filename}" says .${format} but its content is binary.${fix}`)
    }
    bad = findInvalidUtf8(bytes.subarray(i, end), end - i, truncated)
    if (bad >= 0) bad += i
    if (hasBinaryControl(bytes.subarray(i), end - i)) failUpload('content_mismatch', `"${filename}" says .${format} but its content is binary.${fix}`)
    break
  }
  if (bad >= 0) {
    failUpload('text_encoding', `"${filename}" is not valid UTF-8 (at byte ${bad}); it may be Latin-1 or Windows-1252 text. Save it as UTF-8.`)
  }
}
