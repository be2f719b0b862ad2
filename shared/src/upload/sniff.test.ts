import { describe, expect, it } from 'vitest'
import { describeContent, sniffBinaryFormat } from './sniff.ts'

describe('what a file\'s first bytes look like', () => {
  it('names known binary formats, pickles included', () => {
    expect(sniffBinaryFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('a PNG image')
    expect(sniffBinaryFormat(new Uint8Array([0x50, 0x4b, 0x03, 0x04]))).toMatch(/ZIP archive/)
    expect(sniffBinaryFormat(new Uint8Array([0x80, 0x04, 0x95]))).toBe('a Python pickle')
    expect(sniffBinaryFormat(new TextEncoder().encode('1,2\n'))).toBeNull()
  })

  it('describes unknown content as binary or as the kind of text it looks like', () => {
    expect(describeContent(new Uint8Array([0x01, 0x02, 0x00]))).toBe('is binary')
    expect(describeContent(new TextEncoder().encode('a,b\n'))).toBe('is text (looks like CSV)')
    expect(describeContent(new TextEncoder().encode('a\tb\n'))).toBe('is text (looks like TSV)')
    expect(describeContent(new TextEncoder().encode('hello\n'))).toBe('is text')
  })
})
