import { describe, expect, it } from 'vitest'
import { formatFromFilename } from './upload/file-kinds.ts'
import { DEFAULT_FILENAME, normaliseFilename } from './filename.ts'
import { LIMITS } from './limits.ts'

describe('normaliseFilename', () => {
  it('keeps an ordinary name as it is', () => {
    expect(normaliseFilename('features.npy')).toBe('features.npy')
    expect(normaliseFilename('Données brutes (2024).csv')).toBe('Données brutes (2024).csv')
  })

  it('removes NUL and other control characters', () => {
    expect(normaliseFilename('feat\u0000ures.npy')).toBe('features.npy')
    expect(normaliseFilename('a\tb\nc\rd\u007f\u0085\u009f.csv')).toBe('abcd.csv')
  })

  it('removes the direction overrides that make a name display as something else', () => {
    // With U+202E the end reads right to left: "report\u202Eypn.exe" displays as "reportexe.npy".
    expect(normaliseFilename('report\u202Eypn.exe')).toBe('reportypn.exe')
    for (const mark of ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C']) {
      expect(normaliseFilename(`a${mark}b.csv`)).toBe('ab.csv')
    }
  })

  it('leaves markup as text: escaping is the job of whatever writes HTML', () => {
    expect(normaliseFilename('<img src=x onerror=alert(1)>.csv')).toBe('<img src=x onerror=alert(1)>.csv')
  })

  it('composes to NFC, so the same name typed on macOS and Linux is the same string', () => {
    const decomposed = 'Cafe\u0301.csv'
    expect(normaliseFilename(decomposed)).toBe('Caf\u00e9.csv')
    expect(normaliseFilename(decomposed)).toBe(normaliseFilename('Caf\u00e9.csv'))
  })

  it('drops UTF-16 halves without their pair but keeps whole astral characters', () => {
    expect(normaliseFilename('a\ud800b.npy')).toBe('ab.npy')
    expect(normaliseFilename('a\udc00b.npy')).toBe('ab.npy')
    expect(normaliseFilename('🌌 map.npy')).toBe('🌌 map.npy')
  })

  it('trims surrounding white space', () => {
    expect(normaliseFilename('  features.npy \u00a0')).toBe('features.npy')
  })

  it('replaces a name with nothing visible left by the default', () => {
    expect(normaliseFilename('')).toBe(DEFAULT_FILENAME)
    expect(normaliseFilename('\u0000\u202E  \u2066')).toBe(DEFAULT_FILENAME)
    expect(normaliseFilename('\u0000', 'upload.csv')).toBe('upload.csv')
  })

  it('shortens a long name to the limit, keeping its extension so its format is still known', () => {
    const long = 'x'.repeat(1000) + '.npy'
    const kept = normaliseFilename(long)
    expect(Array.from(kept)).toHaveLength(LIMITS.maxFilenameLength)
    expect(kept.endsWith('….npy')).toBe(true)
    expect(formatFromFilename(kept)).toBe('npy')
  })

  it('counts characters, not UTF-16 units, and never splits a pair', () => {
    const long = '🌌'.repeat(300) + '.csv'
    const kept = normaliseFilename(long)
    expect(Array.from(kept)).toHaveLength(LIMITS.maxFilenameLength)
    expect(kept).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/)
    expect(kept.endsWith('….csv')).toBe(true)
  })

  it('cuts a long name without a usable extension plainly', () => {
    expect(normaliseFilename('y'.repeat(20), undefined, 10)).toBe('yyyyyyyyy…')
    expect(normaliseFilename('z'.repeat(40) + '.' + 'e'.repeat(30), undefined, 12)).toBe('zzzzzzzzzzz…')
  })

  it('is idempotent: a normalised name normalises to itself', () => {
    for (const raw of ['a\u202Eb.npy', 'x'.repeat(600) + '.tsv', ' \u0000 ', 'Cafe\u0301.csv', '🌌'.repeat(300)]) {
      const once = normaliseFilename(raw)
      expect(normaliseFilename(once)).toBe(once)
    }
  })
})
