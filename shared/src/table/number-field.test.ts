import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../../tests/src/seeded-random.ts'
import { FINITE_NUMBER, MISSING_NUMBER, NOT_A_NUMBER, classifyNumberField, type NumberClass } from './number-field.ts'

function classify(text: string): NumberClass {
  const bytes = new TextEncoder().encode(text)
  return classifyNumberField(bytes, 0, bytes.length)
}

describe('classifying a table cell as a number', () => {
  it('knows decimals, missing and non-finite words, and text', () => {
    for (const text of ['3', '-0.5', '+1e-3', '.5', '2.', '1E+10', '007']) expect(classify(text), text).toBe(FINITE_NUMBER)
    for (const text of ['', 'nan', 'NaN', 'NA', 'inf', '-Infinity', '+INF']) expect(classify(text), text).toBe(MISSING_NUMBER)
    for (const text of ['label', '1,5', '0x1f', '1e', '.', '-', '1.2.3', 'n/a', '-na', 'infinit', '1 2']) expect(classify(text), text).toBe(NOT_A_NUMBER)
  })

  it('agrees with an independent reading on seeded random strings', () => {
    const random = seededRandom(11)
    const alphabet = ['0', '1', '9', '.', 'e', 'E', '+', '-', 'n', 'a', 'i', 'f', 'x', ' ']
    const decimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
    const missing = /^([+-]?(nan|inf|infinity)|na)?$/i
    for (let k = 0; k < 20_000; k++) {
      const text = Array.from({ length: Math.floor(random() * 7) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('')
      const expected = decimal.test(text) ? FINITE_NUMBER : missing.test(text) ? MISSING_NUMBER : NOT_A_NUMBER
      expect(classify(text), JSON.stringify(text)).toBe(expected)
      if (expected === FINITE_NUMBER) expect(Number.isFinite(Number(text))).toBe(true)
    }
  })
})
