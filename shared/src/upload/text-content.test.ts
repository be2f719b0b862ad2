import { describe, expect, it } from 'vitest'
import { verificationCode } from '../../../tests/src/verification-code.ts'
import { assertTextContent, findInvalidUtf8, utf8BomLength } from './text-content.ts'

function check(bytes: Uint8Array, truncated = false): string {
  return verificationCode(() => assertTextContent(bytes, bytes.length, truncated, 'x.csv', 'csv'))
}

describe('text uploads must be UTF-8', () => {
  it('finds invalid UTF-8: overlongs, surrogates, stray continuation bytes', () => {
    expect(findInvalidUtf8(new Uint8Array([0xc0, 0x80]), 2, false)).toBe(0)
    expect(findInvalidUtf8(new Uint8Array([0x61, 0xed, 0xa0, 0x80]), 4, false)).toBe(1)
    expect(findInvalidUtf8(new Uint8Array([0x61, 0x80]), 2, false)).toBe(1)
    expect(findInvalidUtf8(new Uint8Array([0xe6, 0x97]), 2, false)).toBe(0)
    expect(findInvalidUtf8(new Uint8Array([0xe6, 0x97]), 2, true)).toBe(-1)
    expect(findInvalidUtf8(new TextEncoder().encode('€𝄞'), 7, false)).toBe(-1)
  })

  it('accepts UTF-8 text and refuses binary, UTF-16 and Latin-1', () => {
    expect(check(new TextEncoder().encode('a,b\n1,2\n'))).toBe('accepted')
    expect(check(new Uint8Array([0x31, 0x2c, 0x00, 0x32]))).toBe('content_mismatch')
    expect(check(new Uint8Array([0xff, 0xfe, 0x31, 0x00]))).toBe('text_encoding')
    expect(check(new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]))).toBe('text_encoding')
    expect(check(new Uint8Array([0x63, 0xc3]), true)).toBe('accepted')
  })

  it('measures a byte-order mark', () => {
    expect(utf8BomLength(new Uint8Array([0xef, 0xbb, 0xbf, 0x31]))).toBe(3)
    expect(utf8BomLength(new Uint8Array([0x31]))).toBe(0)
  })
})
