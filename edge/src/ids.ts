/** @module Random identifiers and time stamps. */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

/** A random id with a readable prefix, e.g. `job_3k9...`; 16 chars ≈ 82 random bits. */
export function randomId(prefix: string, length = 16): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length))
  let out = ''
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length]
  return `${prefix}_${out}`
}

export function nowIso(now = Date.now()): string {
  return new Date(now).toISOString()
}
