/**
 * @module The one rule for how an uploaded file's name is kept and shown: without invisible control and
 * direction-changing characters, in Unicode NFC, at most LIMITS.maxFilenameLength characters (keeping the
 * extension), never empty. A name is only ever shown and matched against extensions; storage keys are ids.
 */
import { LIMITS } from './limits.ts'

/** The name kept when nothing visible is left of the one given. */
export const DEFAULT_FILENAME = 'upload.npy'

/**
 * Removed outright: C0 and C1 control characters (NUL, tab, newline, DEL, ...), the bidirectional
 * embedding/override and isolate controls (U+202A-U+202E, U+2066-U+2069) and marks (U+200E, U+200F,
 * U+061C) that can make "evil\u202Eypn.exe" display as "evilexe.npy", and UTF-16 halves without their pair.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** Longest extension kept whole when a long name is shortened (".parquet" and friends fit). */
const MAX_EXTENSION_LENGTH = 16

/**
 * The name to store and show for `raw`: invisible characters removed, NFC, surrounding white space trimmed,
 * and names over `maxLength` characters (code points) shortened in the middle of the stem with "…" so the
 * extension survives. An empty result becomes `fallback`.
 */
export function normaliseFilename(raw: string, fallback: string = DEFAULT_FILENAME, maxLength: number = LIMITS.maxFilenameLength): string {
  const cleaned = raw.replace(INVISIBLE, '').normalize('NFC').trim()
  if (cleaned === '') return fallback
  const chars = Array.from(cleaned)
  if (chars.length <= maxLength) return cleaned
  const dot = cleaned.lastIndexOf('.')
  const extension = dot > 0 && cleaned.length - dot <= MAX_EXTENSION_LENGTH ? Array.from(cleaned.slice(dot)) : []
  const stemLength = maxLength - extension.length - 1
  if (stemLength < 1) return chars.slice(0, maxLength).join('')
  return chars.slice(0, stemLength).join('').trimEnd() + '…' + extension.join('')
}
