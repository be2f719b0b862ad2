import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { PyLiteralError, pyLiteralEval, type PyValue } from './py-literal.ts'
import { PyTokenizeError, filterPython2Longs } from './py-tokenize.ts'

/** The same canonical form as tests/npy-corpus/literal_cases.py builds from Python's values. */
function canon(value: PyValue): unknown {
  switch (value.type) {
    case 'bool': return `b:${value.value ? 'True' : 'False'}`
    case 'int': return `i:${value.value}`
    case 'str': {
      let hex = ''
      for (let i = 0; i < value.value.length; i++) {
        const unit = value.value.charCodeAt(i)
        hex += (unit & 0xff).toString(16).padStart(2, '0') + (unit >> 8).toString(16).padStart(2, '0')
      }
      return `s:${hex}`
    }
    case 'bytes': return 'y'
    case 'float': return 'f'
    case 'complex': return 'c'
    case 'none': return 'none'
    case 'ellipsis': return 'ellipsis'
    case 'tuple': return ['t', ...value.items.map(canon)]
    case 'list': return ['l', ...value.items.map(canon)]
    case 'set': return 'set'
    case 'dict': return ['d', ...value.entries.map(([k, v]) => [canon(k), canon(v)])]
  }
}

function ours(text: string, filtered: boolean): unknown {
  try {
    return canon(pyLiteralEval(filtered ? filterPython2Longs(text) : text))
  } catch (err) {
    if (err instanceof PyLiteralError || err instanceof PyTokenizeError) return 'ERR'
    throw err
  }
}

describe('pyLiteralEval', () => {
  it('reads the dict numpy writes, and Python 2 longs once numpy has filtered them', () => {
    const str = (value: string) => ({ type: 'str', value, surrogates: false })
    expect(pyLiteralEval("{'descr': '<f4', 'fortran_order': False, 'shape': (120, 8), }   \n")).toEqual({
      type: 'dict',
      entries: [
        [str('descr'), str('<f4')],
        [str('fortran_order'), { type: 'bool', value: false }],
        [str('shape'), { type: 'tuple', items: [{ type: 'int', value: 120n }, { type: 'int', value: 8n }] }],
      ],
    })
    expect(() => pyLiteralEval('(3L, 2L)')).toThrow(PyLiteralError)
    expect(pyLiteralEval(filterPython2Longs('(3L, 2L)'))).toEqual({ type: 'tuple', items: [{ type: 'int', value: 3n }, { type: 'int', value: 2n }] })
  })

  it('says where the text stops being a literal', () => {
    expect(() => pyLiteralEval("{'shape': (3, 2)} ; x")).toThrow(/unexpected ";" at character 19/)
    expect(() => pyLiteralEval("{'shape': (3, 2), 'x': len}")).toThrow(/"len" is not a literal at character 24/)
    expect(() => pyLiteralEval("{'shape': (3, 2)")).toThrow(/"\{" is never closed/)
    expect(() => pyLiteralEval('(1, 08)')).toThrow(/leading zeros/)
  })

  it('agrees with Python 3.11 ast.literal_eval (and numpy\'s _filter_header) on thousands of damaged headers', () => {
    const script = fileURLToPath(new URL('../../../tests/npy-corpus/literal_cases.py', import.meta.url))
    const cases = JSON.parse(execFileSync('/usr/bin/python3', [script, '1', '8000'], { maxBuffer: 64 * 1024 ** 2 }).toString()) as { text: string; raw: unknown; filtered: unknown }[]
    expect(cases.length).toBeGreaterThan(8000)
    // Named escapes (\N{...}) need Unicode's name table; numpy never writes them, so they are refused.
    const named = (text: string) => /\\N\{/.test(text)
    const mismatches = cases.flatMap(({ text, raw, filtered }) =>
      named(text) ? [] : ([[false, raw], [true, filtered]] as const).filter(([f, want]) => JSON.stringify(ours(text, f)) !== JSON.stringify(want)).map(([f, want]) => `${JSON.stringify(text)} ${f ? 'filtered' : 'raw'}: ${JSON.stringify(ours(text, f))}, Python ${JSON.stringify(want)}`),
    )
    expect(mismatches.slice(0, 20)).toEqual([])
    // Both outcomes are well represented.
    expect(cases.filter((c) => c.raw !== 'ERR').length).toBeGreaterThan(1000)
    expect(cases.filter((c) => c.filtered === 'ERR').length).toBeGreaterThan(4000)
  })
})
