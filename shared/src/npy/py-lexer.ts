/**
 * @module CPython 3.11's C tokenizer (eval input) for the tokens a Python literal can hold: newlines
 * (\r\n and \r read as \n), indentation, continuation lines, comments, and the exact syntax of numbers
 * and string literals. py-literal.ts parses the tokens.
 */

/** Text that Python's `ast.literal_eval` refuses; the message says where and why. */
export class PyLiteralError extends Error {
  override name = 'PyLiteralError'
}

export type TokenKind = 'name' | 'number' | 'string' | 'op' | 'newline' | 'end'

export interface Token {
  kind: TokenKind
  text: string
  /** Offset in the text given to the Tokenizer. */
  at: number
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
const isHexDigit = (c: string | undefined): boolean => isDigit(c) || (c !== undefined && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
const isOctalDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7'
const isBinaryDigit = (c: string | undefined): boolean => c === '0' || c === '1'
const isIdentifierStart = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c >= '\x80')
const isIdentifierChar = (c: string | undefined): boolean => isIdentifierStart(c) || isDigit(c)
const OPERATORS_3 = ['**=', '...', '//=', '<<=', '>>=']
const OPERATORS_2 = ['!=', '%=', '&=', '**', '*=', '+=', '-=', '->', '//', '/=', ':=', '<<', '<=', '==', '>=', '>>', '@=', '^=', '|=']
const TAB_SIZE = 8
const MAX_NESTING = 200

/** CPython's C tokenizer (3.11, eval input), for the tokens a literal can hold. */
export class Tokenizer {
  /** The source with \r\n and lone \r as \n, as the tokenizer sees it. */
  private readonly text: string
  /** Offset in the source of each offset in `text`. */
  private readonly offsets: number[] = []
  private pos = 0

  constructor(private readonly source: string) {
    this.text = source.replace(/\r\n?/g, '\n')
    for (let i = 0, j = 0; i < source.length; i++, j++) {
      this.offsets[j] = i
      if (source[i] === '\r' && source[i + 1] === '\n') i++
    }
    this.offsets[this.text.length] = source.length
  }

  private fail(at: number, what: string): never {
    throw new PyLiteralError(`${what} at character ${(this.offsets[at] ?? this.source.length) + 1}`)
  }

  /** A backslash at `at`: a newline must follow, and more text after it. */
  private continuation(at: number): void {
    if (this.text[at + 1] !== '\n') this.fail(at, 'unexpected character after line continuation character')
    if (at + 2 >= this.text.length) this.fail(at, 'unexpected end of the header after a line continuation')
  }

  tokens(): Token[] {
    const { text } = this
    const tokens: Token[] = []
    const brackets: string[] = []
    let atLineStart = true
    const push = (kind: TokenKind, start: number): void => {
      tokens.push({ kind, text: text.slice(start, this.pos), at: this.offsets[start]! })
    }
    for (;;) {
      if (atLineStart) {
        atLineStart = false
        let col = 0
        let continuedCol = 0
        for (;;) {
          const c = text[this.pos]
          if (c === ' ') col++
          else if (c === '\t') col = (Math.floor(col / TAB_SIZE) + 1) * TAB_SIZE
          else if (c === '\f') col = 0
          else if (c === '\\') {
            continuedCol ||= col
            this.continuation(this.pos)
            this.pos++
          } else break
          this.pos++
        }
        const c = text[this.pos]
        const blank = c === '#' || c === '\n'
        // Eval input has indentation level 0 only: any other is "unexpected indent".
        if (!blank && brackets.length === 0 && (continuedCol || col) !== 0) this.fail(this.pos, 'unexpected indent')
      }
      while (text[this.pos] === ' ' || text[this.pos] === '\t' || text[this.pos] === '\f') this.pos++
      if (text[this.pos] === '#') while (this.pos < text.length && text[this.pos] !== '\n') this.pos++
      const start = this.pos
      const c = text[start]
      if (c === undefined) {
        if (brackets.length > 0) this.fail(start, `"${brackets.at(-1)}" is never closed`)
        push('end', start)
        return tokens
      }
      if (isIdentifierStart(c)) {
        // String prefixes: b, r, u, f and the combinations Python allows.
        let b = false, r = false, u = false, f = false
        for (;;) {
          const p = text[this.pos]
          if (!(b || u || f) && (p === 'b' || p === 'B')) b = true
          else if (!(b || u || r || f) && (p === 'u' || p === 'U')) u = true
          else if (!(r || u) && (p === 'r' || p === 'R')) r = true
          else if (!(f || b || u) && (p === 'f' || p === 'F')) f = true
          else break
          this.pos++
          if (text[this.pos] === '"' || text[this.pos] === "'") break
        }
        if (text[this.pos] === '"' || text[this.pos] === "'") {
          this.string()
          push('string', start)
          continue
        }
        while (isIdentifierChar(text[this.pos])) this.pos++
        // Non-ASCII identifiers are never a literal (CPython refuses many as characters anyway).
        for (let i = start; i < this.pos; i++) if (text[i]! >= '\x80') this.fail(start, `unexpected "${text.slice(start, this.pos)}"`)
        push('name', start)
        continue
      }
      if (c === '\n') {
        this.pos++
        atLineStart = true
        // Blank lines and newlines inside brackets are not tokens.
        if (brackets.length === 0 && tokens.length > 0 && tokens.at(-1)!.kind !== 'newline') push('newline', start)
        continue
      }
      if (isDigit(c) || (c === '.' && isDigit(text[start + 1]))) {
        this.number()
        push('number', start)
        continue
      }
      if (c === '"' || c === "'") {
        this.string()
        push('string', start)
        continue
      }
      if (c === '\\') {
        this.continuation(start)
        this.pos += 2
        continue
      }
      const op = OPERATORS_3.find((o) => text.startsWith(o, start)) ?? OPERATORS_2.find((o) => text.startsWith(o, start))
      if (op) {
        this.pos += op.length
        push('op', start)
        continue
      }
      if (c === '(' || c === '[' || c === '{') {
        // CPython's tokenizer limit, which also bounds the parser's recursion here.
        if (brackets.length >= MAX_NESTING) this.fail(start, 'too many nested parentheses')
        brackets.push(c)
      } else if (c === ')' || c === ']' || c === '}') {
        const opening = brackets.pop()
        if (opening === undefined) this.fail(start, `unmatched "${c}"`)
        if ('([{'.indexOf(opening) !== ')]}'.indexOf(c)) this.fail(start, `"${c}" does not match "${opening}"`)
      } else if (!'%&*+,-./:;<=>@^|~'.includes(c)) {
        this.fail(start, c < ' ' || c === '\x7f' ? `invalid character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : `unexpected "${c}"`)
      }
      this.pos++
      push('op', start)
    }
  }

  /** Past the string literal whose opening quote is at `pos` (CPython: a backslash skips the next character). */
  private string(): void {
    const { text } = this
    const start = this.pos
    const quote = text[start]!
    const triple = text[start + 1] === quote && text[start + 2] === quote
    if (!triple && text[start + 1] === quote) {
      this.pos = start + 2
      return
    }
    let pos = start + (triple ? 3 : 1)
    for (;;) {
      const c = text[pos]
      if (c === undefined || (!triple && c === '\n')) this.fail(start, 'unterminated string literal')
      if (c === '\\') pos += 2
      else if (c === quote && (!triple || (text[pos + 1] === quote && text[pos + 2] === quote))) {
        this.pos = pos + (triple ? 3 : 1)
        return
      } else pos++
    }
  }

  /** A number may not run into a name ("1x", "0x8L"); "1if" and the like are not literals either. */
  private numberEnd(start: number, what: string): void {
    if (isIdentifierChar(this.text[this.pos])) this.invalidNumber(start, what)
  }

  private invalidNumber(start: number, what: string): never {
    return this.fail(start, `invalid ${what} literal "${this.text.slice(start, this.pos + 1)}"`)
  }

  /** Digits accepted by `accept`, single underscores between them (hexadecimal, octal, binary). */
  private digits(start: number, accept: (c: string | undefined) => boolean, what: string): void {
    const { text } = this
    for (;;) {
      if (text[this.pos] === '_') this.pos++
      if (!accept(text[this.pos])) this.invalidNumber(start, what)
      while (accept(text[this.pos])) this.pos++
      if (text[this.pos] !== '_') return
    }
  }

  /** More decimal digits, single underscores between them. */
  private decimalTail(start: number): void {
    const { text } = this
    for (;;) {
      while (isDigit(text[this.pos])) this.pos++
      if (text[this.pos] !== '_') return
      this.pos++
      if (!isDigit(text[this.pos])) this.invalidNumber(start, 'decimal')
    }
  }

  /** The digits after a decimal point, if any. */
  private fraction(start: number): void {
    if (isDigit(this.text[this.pos])) this.decimalTail(start)
  }

  /** After the integer part or fraction: an exponent, a `j`, then the end of the number. */
  private exponentAndImaginary(start: number): void {
    const { text } = this
    if (text[this.pos] === 'e' || text[this.pos] === 'E') {
      this.pos++
      if (text[this.pos] === '+' || text[this.pos] === '-') this.pos++
      if (!isDigit(text[this.pos])) this.invalidNumber(start, 'decimal')
      this.decimalTail(start)
    }
    if (text[this.pos] === 'j' || text[this.pos] === 'J') this.pos++
    this.numberEnd(start, 'decimal')
  }

  /** Past the number literal at `pos`, with CPython's checks (underscores, leading zeros, what may follow). */
  private number(): void {
    const { text } = this
    const start = this.pos
    if (text[this.pos] === '.') {
      this.pos++
      this.fraction(start)
      return this.exponentAndImaginary(start)
    }
    if (text[this.pos] === '0') {
      this.pos++
      const radix = text[this.pos]?.toLowerCase()
      if (radix === 'x' || radix === 'o' || radix === 'b') {
        const what = radix === 'x' ? 'hexadecimal' : radix === 'o' ? 'octal' : 'binary'
        this.pos++
        this.digits(start, radix === 'x' ? isHexDigit : radix === 'o' ? isOctalDigit : isBinaryDigit, what)
        if (isDigit(text[this.pos])) this.invalidNumber(start, what)
        return this.numberEnd(start, what)
      }
      for (;;) {
        if (text[this.pos] === '_') {
          this.pos++
          if (!isDigit(text[this.pos])) this.invalidNumber(start, 'decimal')
        }
        if (text[this.pos] !== '0') break
        this.pos++
      }
      const nonzero = isDigit(text[this.pos])
      if (nonzero) this.decimalTail(start)
      if (text[this.pos] === '.') {
        this.pos++
        this.fraction(start)
        return this.exponentAndImaginary(start)
      }
      const c = text[this.pos]
      if (c === 'e' || c === 'E' || c === 'j' || c === 'J') return this.exponentAndImaginary(start)
      if (nonzero) this.fail(start, `leading zeros in decimal integer literals are not permitted ("${text.slice(start, this.pos)}")`)
      return this.numberEnd(start, 'decimal')
    }
    this.pos++
    this.decimalTail(start)
    if (text[this.pos] === '.') {
      this.pos++
      this.fraction(start)
    }
    this.exponentAndImaginary(start)
  }
}
