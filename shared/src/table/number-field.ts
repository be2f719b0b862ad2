/**
 * @module What a table cell holds as a number: a finite decimal, a missing or non-finite value (empty, nan,
 * NA, inf), or text. One rule for the edge's checks, the worker's parser and the web form.
 */

export type NumberClass = 0 | 1 | 2
/** Not a number: a header name or a typo. */
export const NOT_A_NUMBER = 0
/** A finite decimal number: 3, -0.5, 1e-3, .5, 2. */
export const FINITE_NUMBER = 1
/** A missing or non-finite value: empty, nan, NA, inf, -Infinity (any case). Read as NaN or ±Infinity. */
export const MISSING_NUMBER = 2

function lower(c: number): number {
  return c | 0x20
}

function matchesWord(bytes: Uint8Array, s: number, e: number, word: string): boolean {
  if (e - s !== word.length) return false
  for (let k = 0; k < word.length; k++) if (lower(bytes[s + k]!) !== word.charCodeAt(k)) return false
  return true
}

/** Classifies bytes[s, e) as a number, a missing/non-finite value, or text. */
export function classifyNumberField(bytes: Uint8Array, s: number, e: number): NumberClass {
  if (s === e) return MISSING_NUMBER
  let i = s
  if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++
  const c = lower(bytes[i] ?? 0)
  if (c === 0x6e || c === 0x69) {
    const word = matchesWord(bytes, i, e, 'nan') || matchesWord(bytes, i, e, 'inf') || matchesWord(bytes, i, e, 'infinity') || (i === s && matchesWord(bytes, i, e, 'na'))
    return word ? MISSING_NUMBER : NOT_A_NUMBER
  }
  let digits = 0
  while (i < e && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) { i++; digits++ }
  if (i < e && bytes[i] === 0x2e) {
    i++
    while (i < e && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) { i++; digits++ }
  }
  if (digits === 0) return NOT_A_NUMBER
  if (i < e && lower(bytes[i]!) === 0x65) {
    i++
    if (i < e && (bytes[i] === 0x2b || bytes[i] === 0x2d)) i++
    const expStart = i
    while (i < e && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) i++
    if (i === expStart) return NOT_A_NUMBER
  }
  return i === e ? FINITE_NUMBER : NOT_A_NUMBER
}
