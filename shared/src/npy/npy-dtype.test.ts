import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { npyDescr } from './npy-dtype.ts'

const str = (value: string) => ({ type: 'str' as const, value, surrogates: /[\ud800-\udfff]/.test(value) })

function summary(descr: string): string {
  const d = npyDescr(str(descr))
  return d.status === 'numeric' ? `numeric:${d.element.kind}${d.element.itemSize}:${d.element.littleEndian ? 'le' : 'be'}:${d.group}` : d.status
}

describe('npyDescr', () => {
  it('reads the dtype strings numpy.save writes, and the other spellings numpy.dtype knows', () => {
    expect(summary('<f4')).toBe('numeric:f4:le:1')
    expect(summary('>i8')).toBe('numeric:i8:be:1')
    expect(summary('>u1')).toBe('numeric:u1:le:1')
    expect(summary('float32')).toBe('numeric:f4:le:1')
    expect(summary('?')).toBe('numeric:b1:le:1')
    expect(summary('8f4')).toBe('numeric:f4:le:8')
    expect(summary('<float32')).toBe('invalid')
    expect(summary('<c8')).toBe('unsupported')
    expect(summary('|O')).toBe('object')
  })

  it('agrees with numpy.dtype on thousands of spellings, every one-bit flip of common descrs included', () => {
    const script = fileURLToPath(new URL('../../../tests/npy-corpus/dtype_cases.py', import.meta.url))
    const cases = JSON.parse(execFileSync('/usr/bin/python3', [script], { maxBuffer: 64 * 1024 ** 2 }).toString()) as { descr: string; numpy: string }[]
    expect(cases.length).toBeGreaterThan(8000)
    // Where numpy makes a number dtype, the same one; where it makes another, never "invalid"; where it
    // refuses, never a number ("unsupported" is fine: both refuse the file).
    const mismatches = cases
      .filter(({ descr, numpy }) => {
        const ours = summary(descr)
        if (numpy.startsWith('numeric') || ours.startsWith('numeric')) return ours !== numpy
        return numpy !== 'invalid' && ours === 'invalid'
      })
      .map(({ descr, numpy }) => `${JSON.stringify(descr)}: ${summary(descr)}, numpy ${numpy}`)
    expect(mismatches.slice(0, 20)).toEqual([])
    expect(cases.filter((c) => c.numpy.startsWith('numeric')).length).toBeGreaterThan(300)
  })
})
