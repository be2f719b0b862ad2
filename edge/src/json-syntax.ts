/**
 * @module Where and why a text is not JSON (RFC 8259), in words a person can act on: "unexpected end",
 * "expected ',' or '}' after a property value", with the byte, line and column. Runs only after JSON.parse
 * has refused the text, so it favours plain messages over speed; iterative, so deep nesting cannot overflow.
 */

export interface JsonSyntaxError {
  /** What is wrong, e.g. "unexpected end" or "unexpected 'x'; expected a value". */
  problem: string
  /** Where, in UTF-16 units of the text. */
  index: number
  /** Where, in bytes of the UTF-8 body. */
  byte: number
  /** 1-based line and column (in characters) of the same place. */
  line: number
  column: number
}

type State = 'value' | 'key' | 'after'

/** The first syntax error in `text`, or null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const found = scan(text)
  return found && locate(text, found.index, found.problem)
}

function scan(text: string): { index: number; problem: string } | null {
  const closers: string[] = []
  let state: State = 'value'
  let i = 0
  const fail = (problem: string, at = i) => ({ index: at, problem: at >= text.length ? 'unexpected end' : problem })
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++
  }
  for (;;) {
    skipSpace()
    if (state === 'after') {
      const closer = closers[closers.length - 1]
      if (closer === undefined) return i < text.length ? fail(`unexpected ${describe(text, i)} after the JSON value; send one value only`) : null
      if (text[i] === ',') {
        i++
        state = closer === '}' ? 'key' : 'value'
      } else if (text[i] === closer) {
        i++
        closers.pop()
      } else {
        return fail(`unexpected ${describe(text, i)}; expected ',' or '${closer}'`)
      }
      continue
    }
    if (state === 'key') {
      if (text[i] !== '"') return fail(`unexpected ${describe(text, i)}; expected a property name in double quotes`)
      const end = scanString(text, i)
      if (typeof end !== 'number') return end
      i = end
      skipSpace()
      if (text[i] !== ':') return fail(`unexpected ${describe(text, i)}; expected ':' after the property name`)
      i++
      state = 'value'
      continue
    }
    const c = text[i]
    if (c === undefined) return fail('')
    if (c === '{' || c === '[') {
      i++
      skipSpace()
      const closer = c === '{' ? '}' : ']'
      if (text[i] === closer) {
        i++
        state = 'after'
      } else {
        closers.push(closer)
        state = c === '{' ? 'key' : 'value'
      }
      continue
    }
    const end = c === '"' ? scanString(text, i) : c === '-' || (c >= '0' && c <= '9') ? scanNumber(text, i) : scanLiteral(text, i)
    if (typeof end !== 'number') return end
    i = end
    state = 'after'
  }
}

/** The index after the string starting at `start` (a quote), or the error inside it. */
function scanString(text: string, start: number): number | { index: number; problem: string } {
  let i = start + 1
  for (;;) {
    if (i >= text.length) return { index: text.length, problem: 'unexpected end' }
    const code = text.charCodeAt(i)
    if (code === 0x22) return i + 1
    if (code < 0x20) return { index: i, problem: `unescaped control character ${describe(text, i)} in a string; write it as \\n, \\t or \\u00XX` }
    if (code === 0x5c) {
      const next = text[i + 1]
      if (next === undefined) return { index: text.length, problem: 'unexpected end' }
      if (next === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { index: i, problem: 'invalid \\u escape in a string; it needs four hex digits' }
        i += 6
        continue
      }
      if (!'"\\/bfnrt'.includes(next)) return { index: i, problem: `invalid escape \\${next} in a string` }
      i += 2
      continue
    }
    i++
  }
}

/** The index after the number starting at `start`, or why it is not a JSON number. */
function scanNumber(text: string, start: number): number | { index: number; problem: string } {
  const number = /-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y
  number.lastIndex = start
  const match = number.exec(text)
  if (!match) return { index: start, problem: 'invalid number; write numbers like 30, -1.5 or 1e-3' }
  const end = start + match[0].length
  const next = text[end]
  if (next !== undefined && /[0-9.eE+-]/.test(next)) return { index: start, problem: 'invalid number; write numbers like 30, -1.5 or 1e-3 (no leading zeros, digits on both sides of the point)' }
  return end
}

/** The index after `true`, `false` or `null` at `start`, or the error. */
function scanLiteral(text: string, start: number): number | { index: number; problem: string } {
  for (const word of ['true', 'false', 'null']) {
    if (text.startsWith(word, start)) return start + word.length
    // A cut-off literal ("tr") at the very end is an unexpected end, not a bad word.
    if (start + word.length > text.length && word.startsWith(text.slice(start))) return { index: text.length, problem: 'unexpected end' }
  }
  const quote = text[start] === "'" ? " (JSON strings take double quotes)" : ''
  return { index: start, problem: `unexpected ${describe(text, start)}; expected a value${quote}` }
}

/** A character as a message shows it: 'x', or its code point when invisible. */
function describe(text: string, index: number): string {
  const point = text.codePointAt(index)
  if (point === undefined) return 'end'
  const c = String.fromCodePoint(point)
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(c) ? `'${c}'` : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
}

function locate(text: string, index: number, problem: string): JsonSyntaxError {
  const before = text.slice(0, index)
  const lineStart = before.lastIndexOf('\n') + 1
  return {
    problem,
    index,
    byte: new TextEncoder().encode(before).byteLength,
    line: before.split('\n').length,
    column: Array.from(before.slice(lineStart)).length + 1,
  }
}
