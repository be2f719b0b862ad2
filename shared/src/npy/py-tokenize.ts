/**
 * @module numpy's clean-up of `.npy` headers of format 1.0 and 2.0 (`numpy.lib.format._filter_header`):
 * Python's pure `tokenize` over the header, every `L` name right after a number dropped (Python 2 longs,
 * `(3L, 2L)`), then `tokenize.untokenize`. Ported from CPython 3.11's Lib/tokenize.py, so the text handed
 * to the literal parser is the text numpy hands to `ast.literal_eval`, whitespace quirks included.
 */

/** The header cannot be tokenized (Python raises TokenError or IndentationError). */
export class PyTokenizeError extends Error {
  override name = 'PyTokenizeError'
}

const enum Tok {
  Number,
  Name,
  String,
  Op,
  Comment,
  Newline,
  Nl,
  Indent,
  Dedent,
  ErrorToken,
  EndMarker,
}

interface Token {
  type: Tok
  text: string
  /** [row (1-based), column] of the first character and just past the last. */
  start: [number, number]
  end: [number, number]
}

// Python's `\w` in a str pattern: letters and numbers of any script, and `_`.
const NAME = String.raw`[\p{L}\p{N}_]+`
const HEX = String.raw`0[xX](?:_?[0-9a-fA-F])+`
const BIN = String.raw`0[bB](?:_?[01])+`
const OCT = String.raw`0[oO](?:_?[0-7])+`
const DEC = String.raw`(?:0(?:_?0)*|[1-9](?:_?[0-9])*)`
const EXPONENT = String.raw`[eE][-+]?[0-9](?:_?[0-9])*`
const POINT_FLOAT = String.raw`(?:[0-9](?:_?[0-9])*\.(?:[0-9](?:_?[0-9])*)?|\.[0-9](?:_?[0-9])*)(?:${EXPONENT})?`
const EXP_FLOAT = String.raw`[0-9](?:_?[0-9])*${EXPONENT}`
const FLOAT = `(?:${POINT_FLOAT}|${EXP_FLOAT})`
const IMAG = String.raw`(?:[0-9](?:_?[0-9])*[jJ]|${FLOAT}[jJ])`
const NUMBER = `(?:${IMAG}|${FLOAT}|(?:${HEX}|${BIN}|${OCT}|${DEC}))`

/** '', and every case and order of b, r, u, f, br, fr. */
const STRING_PREFIXES: string[] = (() => {
  const result = new Set([''])
  const permutations = (s: string): string[] => (s.length <= 1 ? [s] : [...s].flatMap((c, i) => permutations(s.slice(0, i) + s.slice(i + 1)).map((p) => c + p)))
  const cases = (s: string): string[] => (s === '' ? [''] : cases(s.slice(1)).flatMap((rest) => [s[0]! + rest, s[0]!.toUpperCase() + rest]))
  for (const prefix of ['b', 'r', 'u', 'f', 'br', 'fr']) for (const p of permutations(prefix)) for (const c of cases(p)) result.add(c)
  return [...result]
})()
const PREFIX = `(?:${STRING_PREFIXES.map((p) => p || '(?:)').join('|')})`
const TRIPLE = `(?:${PREFIX}'''|${PREFIX}""")`
// `.` in Python's patterns matches anything but \n (JavaScript's would also stop at \r).
const CONT_STR = String.raw`(?:${PREFIX}'[^\n'\\]*(?:\\[^\n][^\n'\\]*)*(?:'|\\\r?\n)|${PREFIX}"[^\n"\\]*(?:\\[^\n][^\n"\\]*)*(?:"|\\\r?\n))`
const OPERATORS = ['!=', '%', '%=', '&', '&=', '(', ')', '*', '**', '**=', '*=', '+', '+=', ',', '-', '-=', '->', '.', '...', '/', '//', '//=', '/=', ':', ':=', ';', '<', '<<', '<<=', '<=', '=', '==', '>', '>=', '>>', '>>=', '@', '@=', '[', ']', '^', '^=', '{', '|', '|=', '}', '~']
const SPECIAL = `(?:${[...OPERATORS].sort().reverse().map((op) => op.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`
const FUNNY = String.raw`(?:\r?\n|${SPECIAL})`
const PSEUDO_EXTRAS = String.raw`(?:\\\r?\n|$|#[^\r\n]*|${TRIPLE})`
const PSEUDO_TOKEN = new RegExp(`(?:${PSEUDO_EXTRAS}|${NUMBER}|${FUNNY}|${CONT_STR}|${NAME})`, 'uy')
const WHITESPACE = /[ \f\t]*/y

const SINGLE_END = /[^'\\]*(?:\\[^\n][^'\\]*)*'/y
const DOUBLE_END = /[^"\\]*(?:\\[^\n][^"\\]*)*"/y
const SINGLE3_END = /[^'\\]*(?:(?:\\[^\n]|'(?!''))[^'\\]*)*'''/y
const DOUBLE3_END = /[^"\\]*(?:(?:\\[^\n]|"(?!""))[^"\\]*)*"""/y

function matchAt(pattern: RegExp, text: string, pos: number): string | null {
  pattern.lastIndex = pos
  return pattern.exec(text)?.[0] ?? null
}

/** The end pattern for a string opened by `opener` (prefix + quote or triple quote). */
function endPattern(opener: string): RegExp {
  const quotes = opener.replace(/^[a-zA-Z]*/, '')
  return quotes === "'''" ? SINGLE3_END : quotes === '"""' ? DOUBLE3_END : quotes === "'" ? SINGLE_END : DOUBLE_END
}

const TAB_SIZE = 8
const isIdentifierStart = (c: string): boolean => /[\p{L}\p{Nl}_\u2118\u212e\u309b\u309c]/u.test(c)

/** Port of CPython 3.11 `tokenize._tokenize` over `StringIO(text).readline`. */
function* tokenize(text: string): Generator<Token> {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? []
  let lnum = 0
  let parenlev = 0
  let continued = false
  let contstr = ''
  let needcont = false
  let strstart: [number, number] = [0, 0]
  let endprog = SINGLE_END
  const indents = [0]
  let line = ''
  let lastLine = ''
  let index = 0
  for (;;) {
    lastLine = line
    line = lines[index++] ?? ''
    lnum++
    let pos = 0
    const max = line.length

    if (contstr) {
      if (!line) throw new PyTokenizeError('EOF in multi-line string')
      const end = matchAt(endprog, line, 0)
      if (end !== null) {
        pos = end.length
        yield { type: Tok.String, text: contstr + line.slice(0, pos), start: strstart, end: [lnum, pos] }
        contstr = ''
        needcont = false
      } else if (needcont && !line.endsWith('\\\n') && !line.endsWith('\\\r\n')) {
        yield { type: Tok.ErrorToken, text: contstr + line, start: strstart, end: [lnum, line.length] }
        contstr = ''
        continue
      } else {
        contstr += line
        continue
      }
    } else if (parenlev === 0 && !continued) {
      if (!line) break
      let column = 0
      while (pos < max) {
        const c = line[pos]
        if (c === ' ') column++
        else if (c === '\t') column = (Math.floor(column / TAB_SIZE) + 1) * TAB_SIZE
        else if (c === '\f') column = 0
        else break
        pos++
      }
      if (pos === max) break
      const c = line[pos]!
      if (c === '#' || c === '\r' || c === '\n') {
        if (c === '#') {
          const comment = line.slice(pos).replace(/[\r\n]+$/, '')
          yield { type: Tok.Comment, text: comment, start: [lnum, pos], end: [lnum, pos + comment.length] }
          pos += comment.length
        }
        yield { type: Tok.Nl, text: line.slice(pos), start: [lnum, pos], end: [lnum, line.length] }
        continue
      }
      if (column > indents.at(-1)!) {
        indents.push(column)
        yield { type: Tok.Indent, text: line.slice(0, pos), start: [lnum, 0], end: [lnum, pos] }
      }
      while (column < indents.at(-1)!) {
        if (!indents.includes(column)) throw new PyTokenizeError('unindent does not match any outer indentation level')
        indents.pop()
        yield { type: Tok.Dedent, text: '', start: [lnum, pos], end: [lnum, pos] }
      }
    } else {
      if (!line) throw new PyTokenizeError('EOF in multi-line statement')
      continued = false
    }

    while (pos < max) {
      const start = pos + matchAt(WHITESPACE, line, pos)!.length
      const token = matchAt(PSEUDO_TOKEN, line, start)
      if (token === null) {
        yield { type: Tok.ErrorToken, text: line[pos]!, start: [lnum, pos], end: [lnum, pos + 1] }
        pos++
        continue
      }
      const end = start + token.length
      pos = end
      if (start === end) continue
      const spos: [number, number] = [lnum, start]
      const epos: [number, number] = [lnum, end]
      const initial = token[0]!
      if ((initial >= '0' && initial <= '9') || (initial === '.' && token !== '.' && token !== '...')) {
        yield { type: Tok.Number, text: token, start: spos, end: epos }
      } else if (initial === '\r' || initial === '\n') {
        yield { type: parenlev > 0 ? Tok.Nl : Tok.Newline, text: token, start: spos, end: epos }
      } else if (initial === '#') {
        yield { type: Tok.Comment, text: token, start: spos, end: epos }
      } else if (STRING_PREFIXES.some((p) => token === `${p}'''` || token === `${p}"""`)) {
        endprog = endPattern(token)
        const rest = matchAt(endprog, line, pos)
        if (rest !== null) {
          pos += rest.length
          yield { type: Tok.String, text: line.slice(start, pos), start: spos, end: [lnum, pos] }
        } else {
          strstart = spos
          contstr = line.slice(start)
          break
        }
      } else if (/^[a-zA-Z]{0,2}['"]/.test(token) && STRING_PREFIXES.includes(token.replace(/['"][\s\S]*$/, ''))) {
        if (token.endsWith('\n')) {
          strstart = spos
          endprog = endPattern(token.replace(/^([a-zA-Z]*['"])[\s\S]*$/, '$1'))
          contstr = line.slice(start)
          needcont = true
          break
        }
        yield { type: Tok.String, text: token, start: spos, end: epos }
      } else if (isIdentifierStart(initial)) {
        yield { type: Tok.Name, text: token, start: spos, end: epos }
      } else if (initial === '\\') {
        continued = true
      } else {
        if ('([{'.includes(initial)) parenlev++
        else if (')]}'.includes(initial)) parenlev--
        yield { type: Tok.Op, text: token, start: spos, end: epos }
      }
    }
  }
  if (lastLine && !/[\r\n]$/.test(lastLine) && !lastLine.trim().startsWith('#')) {
    yield { type: Tok.Newline, text: '', start: [lnum - 1, lastLine.length], end: [lnum - 1, lastLine.length + 1] }
  }
  for (let i = 1; i < indents.length; i++) yield { type: Tok.Dedent, text: '', start: [lnum, 0], end: [lnum, 0] }
  yield { type: Tok.EndMarker, text: '', start: [lnum, 0], end: [lnum, 0] }
}

/** Port of CPython 3.11 `tokenize.Untokenizer.untokenize` for full tokens. */
function untokenize(tokens: Iterable<Token>): string {
  const out: string[] = []
  let prevRow = 1
  let prevCol = 0
  const indents: string[] = []
  let startline = false
  const addWhitespace = ([row, col]: [number, number]): void => {
    if (row < prevRow || (row === prevRow && col < prevCol)) throw new PyTokenizeError(`start (${row},${col}) precedes previous end (${prevRow},${prevCol})`)
    if (row > prevRow) {
      out.push('\\\n'.repeat(row - prevRow))
      prevCol = 0
    }
    if (col > prevCol) out.push(' '.repeat(col - prevCol))
  }
  for (const token of tokens) {
    if (token.type === Tok.EndMarker) break
    if (token.type === Tok.Indent) {
      indents.push(token.text)
      continue
    } else if (token.type === Tok.Dedent) {
      indents.pop()
      ;[prevRow, prevCol] = token.end
      continue
    } else if (token.type === Tok.Newline || token.type === Tok.Nl) {
      startline = true
    } else if (startline && indents.length > 0) {
      const indent = indents.at(-1)!
      if (token.start[1] >= indent.length) {
        out.push(indent)
        prevCol = indent.length
      }
      startline = false
    }
    addWhitespace(token.start)
    out.push(token.text)
    ;[prevRow, prevCol] = token.end
    if (token.type === Tok.Newline || token.type === Tok.Nl) {
      prevRow++
      prevCol = 0
    }
  }
  return out.join('')
}

/**
 * numpy's `_filter_header`: the header with every name token `L` that follows a number token dropped
 * (after one is dropped the next `L` also counts as following the number, as in numpy).
 * @throws PyTokenizeError where Python's tokenizer raises
 */
export function filterPython2Longs(header: string): string {
  function* filtered(): Generator<Token> {
    let lastWasNumber = false
    for (const token of tokenize(header)) {
      if (lastWasNumber && token.type === Tok.Name && token.text === 'L') continue
      yield token
      lastWasNumber = token.type === Tok.Number
    }
  }
  return untokenize(filtered())
}
