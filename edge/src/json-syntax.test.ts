import { describe, expect, it } from 'vitest'
import { seededRandom } from '../../tests/src/seeded-random.ts'
import { findJsonSyntaxError } from './json-syntax.ts'

function parses(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

describe('findJsonSyntaxError', () => {
  it('says a cut-off body ends too soon, at its last byte', () => {
    expect(findJsonSyntaxError('{"features":')).toEqual({ problem: 'unexpected end', index: 12, byte: 12, line: 1, column: 13 })
    expect(findJsonSyntaxError('{"a": [1, 2')?.problem).toBe('unexpected end')
    expect(findJsonSyntaxError('{"a": "unterminated')?.problem).toBe('unexpected end')
    expect(findJsonSyntaxError('{"a": tr')?.problem).toBe('unexpected end')
  })

  it('names what was expected instead', () => {
    expect(findJsonSyntaxError('{"a": 1,}')).toMatchObject({ problem: "unexpected '}'; expected a property name in double quotes", index: 8 })
    expect(findJsonSyntaxError('{a: 1}')?.problem).toBe("unexpected 'a'; expected a property name in double quotes")
    expect(findJsonSyntaxError('{"a" 1}')?.problem).toBe("unexpected '1'; expected ':' after the property name")
    expect(findJsonSyntaxError('{"a": 1 "b": 2}')?.problem).toBe("unexpected '\"'; expected ',' or '}'")
    expect(findJsonSyntaxError('[1, 2,]')?.problem).toBe("unexpected ']'; expected a value")
    expect(findJsonSyntaxError("{'a': 1}")?.problem).toMatch(/property name in double quotes/)
    expect(findJsonSyntaxError("['a']")?.problem).toBe("unexpected '''; expected a value (JSON strings take double quotes)")
    expect(findJsonSyntaxError('{} {}')?.problem).toBe("unexpected '{' after the JSON value; send one value only")
    expect(findJsonSyntaxError('features=upl_1')?.problem).toBe("unexpected 'f'; expected a value")
  })

  it('explains bad numbers, escapes and control characters', () => {
    expect(findJsonSyntaxError('{"a": 01}')?.problem).toMatch(/invalid number/)
    expect(findJsonSyntaxError('{"a": 1.}')?.problem).toMatch(/invalid number/)
    expect(findJsonSyntaxError('{"a": NaN}')?.problem).toBe("unexpected 'N'; expected a value")
    expect(findJsonSyntaxError('{"a": "\\x"}')?.problem).toBe('invalid escape \\x in a string')
    expect(findJsonSyntaxError('{"a": "\\u12"}')?.problem).toMatch(/four hex digits/)
    expect(findJsonSyntaxError('{"a": "line\nbreak"}')?.problem).toBe('unescaped control character U+000A in a string; write it as \\n, \\t or \\u00XX')
  })

  it('counts bytes in UTF-8 and gives line and column in characters', () => {
    const text = '{\n  "name": "café ☕",\n  oops\n}'
    const error = findJsonSyntaxError(text)!
    expect(error).toMatchObject({ line: 3, column: 3 })
    expect(error.byte).toBe(new TextEncoder().encode(text.slice(0, error.index)).byteLength)
    expect(error.byte).toBe(error.index + 3) // é: 2 bytes for one UTF-16 unit, ☕: 3 bytes for one
  })

  it('finds nothing wrong in valid JSON, however deeply nested', () => {
    for (const text of ['{}', '[]', '0', '-0.5e+10', '"\\u00e9\\n"', ' {"a": [true, false, null, {"b": []}]} ', '[' .repeat(100_000) + ']'.repeat(100_000)]) {
      expect(findJsonSyntaxError(text)).toBeNull()
    }
  })

  it('agrees with JSON.parse on cut and corrupted bodies (seeded)', () => {
    const random = seededRandom(7)
    const valid = JSON.stringify({ features: ['upl_1', 'upl_2'], params: { perplexity: 30.5, dims: 2, seed: -1e-3, subsample: { method: 'random', size: 1000 } }, model: null, ok: true, name: 'a "q" é' })
    const alphabet = '{}[],:"\\ 0123456789-+.eEtrufalsn\n\tx\'/'
    for (let trial = 0; trial < 3000; trial++) {
      let text = valid.slice(0, Math.floor(random() * (valid.length + 1)))
      const edits = Math.floor(random() * 3)
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (text.length + 1))
        const c = alphabet[Math.floor(random() * alphabet.length)]!
        text = random() < 0.5 ? text.slice(0, at) + c + text.slice(at) : text.slice(0, at) + c + text.slice(at + 1)
      }
      const error = findJsonSyntaxError(text)
      expect(error === null, text).toBe(parses(text))
      if (error) expect(error.index).toBeLessThanOrEqual(text.length)
    }
  })
})
