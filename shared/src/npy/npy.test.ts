import { describe, expect, it } from 'vitest'
import { LIMITS } from '../limits.ts'
import { NPY_MAGIC, NPY_PREFIX_BYTES, NpyFormatError, encodeNpyFloat32, parseNpyHeader } from './npy.ts'

/** An .npy preamble + header dict in format `version`, padded to 64 bytes as numpy does. */
function header(dict: string, version = 1): Uint8Array {
  const preamble = version === 1 ? 10 : 12
  dict += ' '.repeat((64 - ((preamble + dict.length + 1) % 64)) % 64) + '\n'
  const out = new Uint8Array(preamble + dict.length)
  out.set(NPY_MAGIC)
  out[6] = version
  const view = new DataView(out.buffer)
  if (version === 1) view.setUint16(8, dict.length, true)
  else view.setUint32(8, dict.length, true)
  out.set(new TextEncoder().encode(dict), preamble)
  return out
}

function codeOf(run: () => unknown): string {
  try {
    run()
  } catch (err) {
    if (err instanceof NpyFormatError) return err.code
    throw err
  }
  return 'no error'
}

describe('parseNpyHeader', () => {
  it('reads what numpy.save writes', () => {
    const parsed = parseNpyHeader(header("{'descr': '>i2', 'fortran_order': True, 'shape': (3, 2), }"))
    expect(parsed).toEqual({ descr: '>i2', kind: 'i', itemSize: 2, littleEndian: false, fortranOrder: true, shape: [3, 2], dataOffset: 128, dataBytes: 12, elementBytes: 2 })
  })

  it('reads format versions 2 and 3, whose header length has 4 bytes', () => {
    expect(parseNpyHeader(header("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", 2))).toMatchObject({ shape: [5], dataOffset: 128 })
    expect(parseNpyHeader(header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", 3))).toMatchObject({ itemSize: 8 })
  })

  it('fits the largest accepted header of a version 2 file inside NPY_PREFIX_BYTES', () => {
    const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }`.padEnd(LIMITS.maxNpyHeaderBytes - 1) + '\n'
    const big = new Uint8Array(12 + dict.length)
    big.set(NPY_MAGIC)
    big[6] = 2
    new DataView(big.buffer).setUint32(8, dict.length, true)
    big.set(new TextEncoder().encode(dict), 12)
    expect(big.length).toBeLessThanOrEqual(NPY_PREFIX_BYTES)
    expect(parseNpyHeader(big).dataOffset).toBe(12 + LIMITS.maxNpyHeaderBytes)
  })

  it('round-trips encodeNpyFloat32', () => {
    const file = encodeNpyFloat32(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2])
    const parsed = parseNpyHeader(file)
    expect(parsed).toMatchObject({ descr: '<f4', shape: [3, 2], dataBytes: 24 })
    expect(parsed.dataOffset % 64).toBe(0)
    expect(file.length).toBe(parsed.dataOffset + 24)
  })

  it('refuses object, structured, string and unknown dtypes with their codes', () => {
    expect(codeOf(() => parseNpyHeader(header("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }")))).toBe('npy_object_dtype')
    expect(codeOf(() => parseNpyHeader(header("{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (3,), }")))).toBe('npy_unsupported_dtype')
    expect(codeOf(() => parseNpyHeader(header("{'descr': '<U2', 'fortran_order': False, 'shape': (2,), }")))).toBe('npy_unsupported_dtype')
    expect(codeOf(() => parseNpyHeader(header("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (2,), }")))).toBe('npy_unsupported_dtype')
  })

  it('reads headers the way numpy.load does: any Python literal spelling of the dict', () => {
    // Hexadecimal dimensions, Python 2 longs (format 1 and 2 only), comments, no trailing comma,
    // duplicate keys (the last wins), other dtype spellings and a sub-array dtype all load in numpy.
    expect(parseNpyHeader(header("{'descr': '<f4', 'fortran_order': False, 'shape': (120, 0x8), }")).shape).toEqual([120, 8])
    expect(parseNpyHeader(header("{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 2L), }")).shape).toEqual([3, 2])
    expect(codeOf(() => parseNpyHeader(header("{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 2L), }", 3)))).toBe('npy_bad_header')
    expect(parseNpyHeader(header("{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, 'shape': (3, 2)} # rows, columns")).descr).toBe('<f4')
    expect(parseNpyHeader(header("{'descr': 'float32', 'fortran_order': True, 'shape': (3, 2), }"))).toMatchObject({ descr: '<f4', fortranOrder: true })
    expect(parseNpyHeader(header("{'descr': '>u1', 'fortran_order': False, 'shape': (3, 2), }")).descr).toBe('|u1')
    expect(parseNpyHeader(header("{'descr': '2<i2', 'fortran_order': False, 'shape': (3, 2), }"))).toMatchObject({ descr: '<i2', dataBytes: 12 })
    expect(codeOf(() => parseNpyHeader(header("{'descr': '4<i2', 'fortran_order': False, 'shape': (3, 2), }")))).toBe('npy_bad_header')
  })

  it('refuses headers numpy.load refuses, saying what is wrong', () => {
    const refused = (dict: string, version = 1) => {
      try {
        parseNpyHeader(header(dict, version))
      } catch (err) {
        if (err instanceof NpyFormatError && err.code === 'npy_bad_header') return err.message
        throw err
      }
      throw new Error(`accepted ${dict}`)
    }
    expect(refused("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), } ; x")).toMatch(/unexpected ";" at character 61/)
    expect(refused("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }  $")).toMatch(/unexpected "\$"/)
    expect(refused("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2.0), }")).toMatch(/shape \(3, 2.0\) is not a tuple of integers/)
    expect(refused("{'descr': '<f4', 'fortran_order': False, 'shape': (3, True), }")).toMatch(/not a tuple of integers/)
    expect(refused("{'descr': '<f4', 'fortran_order': 0, 'shape': (3, 2), }")).toMatch(/fortran_order 0 is not True or False/)
    expect(refused("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), 'x': 1}")).toMatch(/exactly the keys .* it has 'descr', 'fortran_order', 'shape', 'x'/)
    expect(refused("[('descr', '<f4'), ('fortran_order', False), ('shape', (3, 2))]")).toMatch(/is a list, not the dict/)
    expect(refused("{'descr': '<d4', 'fortran_order': False, 'shape': (3, 2), }")).toMatch(/dtype '<d4' is not one numpy can read/)
    // numpy would read -1 as "whatever the data holds"; a damaged header to us.
    expect(refused("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }")).toMatch(/negative dimension/)
    expect(refused("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), };")).toMatch(/save the array again with numpy\.save\(\)/)
    const v11 = header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }")
    v11[7] = 1
    expect(() => parseNpyHeader(v11)).toThrow(/format version 1\.1 is not one numpy reads/)
    const notUtf8 = header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 3)
    notUtf8[notUtf8.length - 2] = 0xff
    expect(() => parseNpyHeader(notUtf8)).toThrow(/not valid UTF-8/)
  })

  it('refuses bad magic, unknown versions, oversized and cut headers', () => {
    expect(codeOf(() => parseNpyHeader(new TextEncoder().encode('1,2,3\n')))).toBe('npy_bad_magic')
    const v9 = header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }")
    v9[6] = 9
    expect(codeOf(() => parseNpyHeader(v9))).toBe('npy_bad_header')
    const huge = header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }")
    new DataView(huge.buffer).setUint16(8, LIMITS.maxNpyHeaderBytes + 1, true)
    expect(codeOf(() => parseNpyHeader(huge))).toBe('npy_too_large_header')
    expect(codeOf(() => parseNpyHeader(header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }").subarray(0, 40)))).toBe('npy_truncated')
    expect(codeOf(() => parseNpyHeader(header("{'descr': '<f4', 'shape': (2,), }")))).toBe('npy_bad_header')
    expect(codeOf(() => parseNpyHeader(header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }")))).toBe('npy_bad_header')
  })
})
