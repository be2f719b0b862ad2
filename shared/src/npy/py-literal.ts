/**
 * @module A strict reader for Python literals, as `ast.literal_eval` (CPython 3.11) reads them: the text
 * numpy keeps in an `.npy` header. Tokens come from py-lexer.ts (CPython's tokenizer rules); the values
 * are the ones literal_eval allows (str, bytes, int, float, complex, True/False/None, `...`, tuple, list,
 * set, dict, `set()`, a sign on a number, real +/- imaginary). Anything else is refused with the
 * position and what was found.
 */
import { PyLiteralError, Tokenizer, type Token } from './py-lexer.ts'

export { PyLiteralError }

export type PyValue =
  | { type: 'int'; value: bigint }
  | { type: 'bool'; value: boolean }
  | { type: 'str'; value: string; /** Holds an unpaired surrogate (a `\ud800` escape): not encodable as UTF-8. */ surrogates: boolean }
  | { type: 'bytes'; value: string }
  | { type: 'float'; text: string }
  | { type: 'complex'; text: string }
  | { type: 'none' }
  | { type: 'ellipsis' }
  | { type: 'tuple'; items: PyValue[] }
  | { type: 'list'; items: PyValue[] }
  | { type: 'set'; items: PyValue[] }
  | { type: 'dict'; entries: [PyValue, PyValue][] }

// ---------------------------------------------------------------------------------------------------
// Parsing: the expression grammar, as far as literal_eval can accept it, into Python's AST node kinds.

type Node =
  | { node: 'constant'; value: PyValue }
  | { node: 'tuple' | 'list' | 'set'; items: Node[] }
  | { node: 'dict'; keys: Node[]; values: Node[] }
  | { node: 'unary'; op: '+' | '-'; operand: Node }
  | { node: 'binary'; op: '+' | '-'; left: Node; right: Node }
  | { node: 'empty_set' }

class Parser {
  private index = 0
  constructor(private readonly tokens: Token[]) {}

  private get token(): Token {
    return this.tokens[this.index]!
  }

  private fail(what?: string): never {
    const t = this.token
    throw new PyLiteralError(`${what ?? (t.kind === 'end' ? 'unexpected end of the header' : t.kind === 'newline' ? 'unexpected line break' : `unexpected "${t.text}"`)} at character ${t.at + 1}`)
  }

  private isOp(text: string): boolean {
    return this.token.kind === 'op' && this.token.text === text
  }

  private expectOp(text: string): void {
    if (!this.isOp(text)) this.fail()
    this.index++
  }

  /** eval: expressions NEWLINE* ENDMARKER */
  parse(): Node {
    const node = this.expressions(() => this.token.kind === 'newline' || this.token.kind === 'end')
    while (this.token.kind === 'newline') this.index++
    if (this.token.kind !== 'end') this.fail()
    return node
  }

  /** One expression, or a tuple of them when there is a comma; `atEnd` says where the list stops. */
  private expressions(atEnd: () => boolean): Node {
    const first = this.expression()
    if (!this.isOp(',')) return first
    const items = [first]
    while (this.isOp(',')) {
      this.index++
      if (atEnd()) break
      items.push(this.expression())
    }
    return { node: 'tuple', items }
  }

  /** sum: factor (('+' | '-') factor)*; multiplication and the rest are never a literal. */
  private expression(): Node {
    let node = this.factor()
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.token.text as '+' | '-'
      this.index++
      node = { node: 'binary', op, left: node, right: this.factor() }
    }
    return node
  }

  private factor(): Node {
    if (this.isOp('+') || this.isOp('-')) {
      const op = this.token.text as '+' | '-'
      this.index++
      return { node: 'unary', op, operand: this.factor() }
    }
    const atom = this.atom()
    // Calls, subscripts, attributes, powers, comparisons... are not literals.
    if (this.token.kind === 'op' && !['+', '-', ',', ':', ')', ']', '}'].includes(this.token.text)) this.fail()
    if (this.token.kind === 'name' || this.token.kind === 'number' || this.token.kind === 'string') this.fail()
    return atom
  }

  private atom(): Node {
    const t = this.token
    if (t.kind === 'number') {
      this.index++
      return { node: 'constant', value: numberValue(t.text) }
    }
    if (t.kind === 'string') {
      const parts: Token[] = []
      while (this.token.kind === 'string') parts.push(this.tokens[this.index++]!)
      return { node: 'constant', value: stringValue(parts) }
    }
    if (t.kind === 'name') {
      this.index++
      if (t.text === 'True' || t.text === 'False') return { node: 'constant', value: { type: 'bool', value: t.text === 'True' } }
      if (t.text === 'None') return { node: 'constant', value: { type: 'none' } }
      if (t.text === 'set' && this.isOp('(') && this.tokens[this.index + 1]?.text === ')') {
        this.index += 2
        return { node: 'empty_set' }
      }
      this.index--
      this.fail(`"${t.text}" is not a literal`)
    }
    if (this.isOp('...')) {
      this.index++
      return { node: 'constant', value: { type: 'ellipsis' } }
    }
    if (this.isOp('(')) {
      this.index++
      if (this.isOp(')')) {
        this.index++
        return { node: 'tuple', items: [] }
      }
      const inner = this.expressions(() => this.isOp(')'))
      this.expectOp(')')
      return inner
    }
    if (this.isOp('[')) {
      this.index++
      const items: Node[] = []
      while (!this.isOp(']')) {
        items.push(this.expression())
        if (!this.isOp(']')) this.expectOp(',')
      }
      this.index++
      return { node: 'list', items }
    }
    if (this.isOp('{')) {
      this.index++
      if (this.isOp('}')) {
        this.index++
        return { node: 'dict', keys: [], values: [] }
      }
      const first = this.expression()
      if (this.isOp(':')) {
        const keys = [first]
        const values: Node[] = []
        for (;;) {
          this.expectOp(':')
          values.push(this.expression())
          if (this.isOp('}')) break
          this.expectOp(',')
          if (this.isOp('}')) break
          keys.push(this.expression())
        }
        this.index++
        return { node: 'dict', keys, values }
      }
      const items = [first]
      while (!this.isOp('}')) {
        this.expectOp(',')
        if (this.isOp('}')) break
        items.push(this.expression())
      }
      this.index++
      return { node: 'set', items }
    }
    return this.fail()
  }
}

function numberValue(text: string): PyValue {
  const plain = text.replace(/_/g, '')
  if (/[jJ]$/.test(plain)) return { type: 'complex', text }
  if (/^0[xXoObB]/.test(plain)) return { type: 'int', value: BigInt(plain) }
  if (/[.eE]/.test(plain)) return { type: 'float', text }
  return { type: 'int', value: BigInt(plain) }
}

const SIMPLE_ESCAPES: Record<string, string> = { '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }

/** The value of adjacent string tokens (implicit concatenation), decoded as CPython does. */
function stringValue(parts: Token[]): PyValue {
  let value = ''
  let surrogates = false
  let bytes: boolean | null = null
  for (const part of parts) {
    const prefix = /^[a-zA-Z]*/.exec(part.text)![0].toLowerCase()
    const fail = (what: string): never => {
      throw new PyLiteralError(`${what} in the string at character ${part.at + 1}`)
    }
    if (prefix.includes('f')) fail('an f-string is not a literal')
    const isBytes = prefix.includes('b')
    if (bytes !== null && bytes !== isBytes) fail('bytes and str literals cannot be joined')
    bytes = isBytes
    const quotes = part.text[prefix.length] === part.text[prefix.length + 1] && part.text.length - prefix.length >= 6 && part.text[prefix.length + 2] === part.text[prefix.length] ? 3 : 1
    const body = part.text.slice(prefix.length + quotes, part.text.length - quotes)
    if (isBytes && /[^\x00-\x7f]/.test(body)) fail('bytes can only contain ASCII literal characters')
    if (prefix.includes('r')) {
      value += body
      continue
    }
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!
      if (c !== '\\') {
        value += c
        continue
      }
      const e = body[++i]!
      if (e in SIMPLE_ESCAPES) value += SIMPLE_ESCAPES[e]
      else if (e >= '0' && e <= '7') {
        const octal = /^[0-7]{1,3}/.exec(body.slice(i))![0]
        i += octal.length - 1
        value += String.fromCodePoint(parseInt(octal, 8) & (isBytes ? 0xff : 0x1ff))
      } else if (e === 'x' || (!isBytes && (e === 'u' || e === 'U'))) {
        const length = e === 'x' ? 2 : e === 'u' ? 4 : 8
        const hex = body.slice(i + 1, i + 1 + length)
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== length) fail(`truncated \\${e} escape`)
        const code = parseInt(hex, 16)
        if (code > 0x10ffff) fail('illegal Unicode character')
        if (code >= 0xd800 && code <= 0xdfff) surrogates = true
        value += String.fromCodePoint(code)
        i += length
      } else if (e === 'N' && !isBytes) {
        // Named characters would need the Unicode name table; numpy never writes them.
        fail('a \\N{...} escape is not supported')
      } else {
        // Unknown escapes stay as written (Python only warns).
        value += '\\' + e
      }
    }
  }
  return bytes ? { type: 'bytes', value } : { type: 'str', value, surrogates }
}

// ---------------------------------------------------------------------------------------------------
// literal_eval's rules on the nodes.

function isNumber(value: PyValue): boolean {
  return value.type === 'int' || value.type === 'float' || value.type === 'complex'
}

function convert(node: Node): PyValue {
  switch (node.node) {
    case 'constant':
      return node.value
    case 'tuple':
    case 'list':
    case 'set': {
      const items = node.items.map(convert)
      if (node.node === 'set') items.forEach(requireHashable)
      return { type: node.node, items }
    }
    case 'empty_set':
      return { type: 'set', items: [] }
    case 'dict': {
      const keys = node.keys.map(convert)
      const values = node.values.map(convert)
      const entries: [PyValue, PyValue][] = []
      keys.forEach((key, i) => {
        requireHashable(key)
        // Later duplicates replace the value and keep the first key's place, as in a Python dict.
        const existing = entries.find(([k]) => pyEquals(k, key))
        if (existing) existing[1] = values[i]!
        else entries.push([key, values[i]!])
      })
      return { type: 'dict', entries }
    }
    case 'binary': {
      // Only a real number plus or minus an imaginary one ("1+2j").
      const left = signedNumber(node.left)
      const right = plainNumber(node.right)
      if ((left.type === 'int' || left.type === 'float') && right.type === 'complex') return { type: 'complex', text: '' }
      throw new PyLiteralError('only a real number plus or minus an imaginary one is a literal expression')
    }
    case 'unary':
      return signedNumber(node)
  }
}

function plainNumber(node: Node): PyValue {
  if (node.node !== 'constant' || !isNumber(node.value)) throw new PyLiteralError('a sign or + and - apply to numbers only')
  return node.value
}

function signedNumber(node: Node): PyValue {
  if (node.node !== 'unary') return plainNumber(node)
  const value = plainNumber(node.operand)
  if (node.op === '-' && value.type === 'int') return { type: 'int', value: -value.value }
  if (node.op === '-' && value.type === 'float') return { type: 'float', text: '-' + value.text }
  return value
}

function requireHashable(value: PyValue): void {
  if (value.type === 'list' || value.type === 'dict' || value.type === 'set') throw new PyLiteralError(`a ${value.type} cannot be a dict key or set member`)
  if (value.type === 'tuple') value.items.forEach(requireHashable)
}

/** Python `==` for the hashable values a dict key can be (numbers only as far as keys need). */
function pyEquals(a: PyValue, b: PyValue): boolean {
  const integer = (v: PyValue): bigint | null => (v.type === 'int' ? v.value : v.type === 'bool' ? (v.value ? 1n : 0n) : null)
  const ia = integer(a)
  const ib = integer(b)
  if (ia !== null || ib !== null) return ia !== null && ib !== null && ia === ib
  if (a.type !== b.type) return false
  switch (a.type) {
    case 'str':
    case 'bytes':
      return a.value === (b as typeof a).value
    case 'none':
    case 'ellipsis':
      return true
    case 'tuple': {
      const items = (b as typeof a).items
      return a.items.length === items.length && a.items.every((item, i) => pyEquals(item, items[i]!))
    }
    default:
      // Floats and complex numbers as keys: compare their text (the header must hold str keys anyway).
      return 'text' in a && a.text === (b as typeof a).text
  }
}

/**
 * `ast.literal_eval(text)`: the Python value the text spells.
 * @throws PyLiteralError saying where the text stops being a literal
 */
export function pyLiteralEval(text: string): PyValue {
  if (text.includes('\0')) throw new PyLiteralError(`a NUL byte at character ${text.indexOf('\0') + 1}`)
  const stripped = text.replace(/^[ \t]+/, '')
  const shift = text.length - stripped.length
  try {
    return convert(new Parser(new Tokenizer(stripped).tokens()).parse())
  } catch (err) {
    if (err instanceof PyLiteralError && shift > 0) {
      throw new PyLiteralError(err.message.replace(/at character (\d+)/, (_, n: string) => `at character ${Number(n) + shift}`))
    }
    throw err
  }
}
