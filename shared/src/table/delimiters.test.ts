import { describe, expect, it } from 'vitest'
import { featureDelimiter, labelDelimiter, metadataDelimiter } from './delimiters.ts'
import { LINE_DELIMITER, WHITESPACE_DELIMITER } from './scan-delimited.ts'

const COMMA = 0x2c
const TAB = 0x09

function features(text: string, format: 'csv' | 'tsv'): number {
  const bytes = new TextEncoder().encode(text)
  return featureDelimiter(bytes, 0, bytes.length, format)
}

describe('choosing a table\'s delimiter', () => {
  it('reads a .csv by comma, else tab, else blanks, from its first record past comments', () => {
    expect(features('1,2\n', 'csv')).toBe(COMMA)
    expect(features('1\t2,5\n', 'csv')).toBe(COMMA)
    expect(features('1\t2\n', 'csv')).toBe(TAB)
    expect(features('# a,b\n\n1 2\n3,4\n', 'csv')).toBe(WHITESPACE_DELIMITER)
    expect(features('# only a comment\n', 'csv')).toBe(WHITESPACE_DELIMITER)
  })

  it('reads a .tsv by tab first', () => {
    expect(features('1\t2,5\n', 'tsv')).toBe(TAB)
    expect(features('1,2\n', 'tsv')).toBe(COMMA)
    expect(features('1 2\n', 'tsv')).toBe(WHITESPACE_DELIMITER)
  })

  it('reads labels line by line from .txt, and labels and metadata by the extension\'s delimiter', () => {
    expect(labelDelimiter('txt')).toBe(LINE_DELIMITER)
    expect(labelDelimiter('csv')).toBe(COMMA)
    expect(labelDelimiter('tsv')).toBe(TAB)
    expect(metadataDelimiter('csv')).toBe(COMMA)
    expect(metadataDelimiter('tsv')).toBe(TAB)
  })
})
