import { describe, expect, it } from 'vitest'
import { LIMITS } from '../limits.ts'
import { NPY_MAGIC, NPY_PREFIX_BYTES } from '../npy/npy.ts'
import { UploadVerificationError } from './errors.ts'
import { verifyUpload, type UploadToVerify } from './verify-upload.ts'

const text = (s: string) => new TextEncoder().encode(s)

/** An .npy header (version 1) for `descr`/`shape`, padded as numpy pads it, without data. */
function npyHeader(descr: string, shape: number[], fortranOrder = false): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
  let dict = `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`
  dict += ' '.repeat((64 - ((11 + dict.length) % 64)) % 64) + '\n'
  const out = new Uint8Array(10 + dict.length)
  out.set(NPY_MAGIC)
  out[6] = 1
  new DataView(out.buffer).setUint16(8, dict.length, true)
  for (let i = 0; i < dict.length; i++) out[10 + i] = dict.charCodeAt(i)
  return out
}

function dataBytes(descr: string, shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1) * Number(descr.slice(2))
}

/** Verifies an .npy whose stored size is header + `size` data bytes (default: exactly what the header declares). */
function verifyNpy(kind: 'features' | 'labels', descr: string, shape: number[], size = dataBytes(descr, shape), fortranOrder = false) {
  const header = npyHeader(descr, shape, fortranOrder)
  const total = header.length + size
  const head = new Uint8Array(Math.min(total, NPY_PREFIX_BYTES))
  head.set(header.subarray(0, head.length))
  return verifyUpload({ kind, filename: `${kind}.npy`, declaredSize: total, actualSize: total, head, complete: total <= NPY_PREFIX_BYTES })
}

function verifyText(kind: 'features' | 'labels', filename: string, content: string | Uint8Array, overrides: Partial<UploadToVerify> = {}) {
  const head = typeof content === 'string' ? text(content) : content
  return verifyUpload({ kind, filename, declaredSize: head.length, actualSize: head.length, head, complete: true, ...overrides })
}

function failure(run: () => unknown): UploadVerificationError {
  try {
    run()
  } catch (err) {
    if (err instanceof UploadVerificationError) return err
    throw err
  }
  throw new Error('expected an UploadVerificationError')
}

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])

describe('verifyUpload: size and format', () => {
  it('refuses an object whose size differs from the declared size', () => {
    const err = failure(() => verifyText('features', 'f.csv', '1,2\n', { declaredSize: 100 }))
    expect(err.code).toBe('upload_size_mismatch')
    expect(err.message).toMatch(/4 bytes but the upload declared 100/)
  })

  it('refuses an empty file', () => {
    const err = failure(() => verifyText('features', 'f.csv', ''))
    expect(err.code).toBe('empty_file')
  })

  it('refuses extensions the kind does not accept, with a hint for common ones', () => {
    const npz = failure(() => verifyText('features', 'features.npz', 'x'))
    expect(npz.code).toBe('unsupported_format')
    expect(npz.message).toMatch(/\.npy, \.csv, \.tsv/)
    expect(npz.message).toMatch(/numpy\.save/)
    expect(failure(() => verifyText('features', 'features.txt', '1 2\n')).message).toMatch(/rename it to \.csv/)
    expect(failure(() => verifyText('labels', 'labels', 'a\n')).message).toMatch(/no extension/)
  })
})

describe('verifyUpload: content must match the claimed format', () => {
  it('says a PNG renamed to .csv is binary and looks like PNG', () => {
    const err = failure(() => verifyText('features', 'digits.csv', PNG))
    expect(err.code).toBe('content_mismatch')
    expect(err.message).toMatch(/says \.csv but its content is binary \(looks like a PNG image\)/)
  })

  it.each([
    [[0xff, 0xd8, 0xff, 0xe0], /JPEG/],
    [[0x50, 0x4b, 0x03, 0x04], /ZIP archive.*\.npz/],
    [[0x1f, 0x8b, 0x08, 0x00], /gzip/],
    [[0x80, 0x04, 0x95, 0x00], /pickle/],
    [[0x08, 0x07, 0x12, 0x00], /binary/],
  ])('names the binary content of a .tsv starting %j', (bytes, pattern) => {
    const err = failure(() => verifyText('features', 'f.tsv', new Uint8Array([...bytes, 1, 2, 3])))
    expect(err.code).toBe('content_mismatch')
    expect(err.message).toMatch(pattern)
  })

  it('tells the user to rename an .npy that was uploaded as .csv', () => {
    const head = new Uint8Array([...npyHeader('<f4', [1, 1]), 0, 0, 0, 0])
    const err = failure(() => verifyText('features', 'f.csv', head))
    expect(err.code).toBe('content_mismatch')
    expect(err.message).toMatch(/looks like a NumPy \.npy array; rename it to \.npy/)
  })

  it('says a CSV uploaded as .npy is text', () => {
    const err = failure(() => verifyText('features', 'f.npy', '1,2,3\n4,5,6\n'))
    expect(err.code).toBe('content_mismatch')
    expect(err.message).toMatch(/says \.npy but its content is text \(looks like CSV\)/)
  })

  it('refuses UTF-16 and non-UTF-8 text with text_encoding', () => {
    const utf16 = failure(() => verifyText('labels', 'l.txt', new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x0a, 0x00])))
    expect(utf16.code).toBe('text_encoding')
    expect(utf16.message).toMatch(/UTF-16.*UTF-8/)
    const latin1 = failure(() => verifyText('labels', 'l.txt', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a])))
    expect(latin1.code).toBe('text_encoding')
    expect(latin1.message).toMatch(/not valid UTF-8 \(at byte 3\)/)
  })

  it('accepts UTF-8 labels, a byte-order mark, and a head cut inside a multi-byte character', () => {
    expect(verifyText('labels', 'l.txt', '\uFEFFcafé\nnaïve\n日本\n')).toMatchObject({ rows: 3, hasHeader: false, dtype: 'string' })
    const bytes = text('label\ncafé\n日本語\n')
    const head = bytes.subarray(0, bytes.length - 3) // ends inside 語
    expect(verifyText('labels', 'l.txt', head, { declaredSize: 1000, actualSize: 1000, complete: false })).toMatchObject({ rows: null, hasHeader: true })
  })
})

describe('verifyUpload: .npy features', () => {
  it('reads shape, dtype and order from the header', () => {
    expect(verifyNpy('features', '<f4', [2000, 784])).toEqual({ format: 'npy', rows: 2000, cols: 784, dtype: 'float32', fortranOrder: false })
    expect(verifyNpy('features', '>f8', [10, 3], undefined, true)).toMatchObject({ rows: 10, cols: 3, dtype: 'float64', fortranOrder: true })
    expect(verifyNpy('features', '|u1', [70000, 784])).toMatchObject({ dtype: 'uint8' })
  })

  it('refuses a header that declares more data than the file holds, with the numbers', () => {
    const err = failure(() => verifyNpy('features', '<f4', [2000, 784], 1_000_000))
    expect(err.code).toBe('npy_truncated')
    expect(err.message).toMatch(/declares shape \(2000, 784\) float32 = 6272000 bytes of data but the file holds only 1000000/)
  })

  it('accepts bytes after the array as numpy.load does, and says how many were ignored', () => {
    expect(verifyNpy('features', '<f4', [10, 2], 84)).toMatchObject({ rows: 10, cols: 2, trailingBytes: 4 })
    expect(verifyNpy('features', '<f4', [10, 2], 80)).not.toHaveProperty('trailingBytes')
  })

  it('refuses object (pickled) arrays', () => {
    const err = failure(() => verifyNpy('features', '|O', [5, 2], 80))
    expect(err.code).toBe('npy_object_dtype')
    expect(err.message).toMatch(/pickle/)
  })

  it('refuses 1-D features with the reshape fix, and 3-D with the flatten fix', () => {
    const flat = failure(() => verifyNpy('features', '<f4', [2000]))
    expect(flat.code).toBe('npy_bad_shape')
    expect(flat.message).toMatch(/shape \(2000,\), a 1-D array.*reshape\(-1, 1\)/)
    const images = failure(() => verifyNpy('features', '|u1', [100, 28, 28]))
    expect(images.code).toBe('npy_bad_shape')
    expect(images.message).toMatch(/\(100, 28, 28\).*reshape\(len\(x\), -1\)/)
  })

  it('enforces the point and dimension limits', () => {
    expect(failure(() => verifyNpy('features', '<f4', [LIMITS.maxPoints + 1, 1])).code).toBe('too_many_points')
    expect(failure(() => verifyNpy('features', '<f4', [2, LIMITS.maxDims + 1])).code).toBe('too_many_dims')
    expect(failure(() => verifyNpy('features', '<f4', [0, 3])).code).toBe('empty_file')
  })

  it('passes other header problems through with their codes', () => {
    expect(failure(() => verifyNpy('features', '<c8', [3, 3])).code).toBe('npy_unsupported_dtype')
    const header = npyHeader('<f4', [2, 2])
    const cut = header.subarray(0, 30)
    const err = failure(() => verifyUpload({ kind: 'features', filename: 'f.npy', declaredSize: 30, actualSize: 30, head: cut, complete: true }))
    expect(err.code).toBe('npy_truncated')
  })
})

describe('verifyUpload: .npy labels', () => {
  it('accepts 1-D and [N, 1] integer or bool labels', () => {
    expect(verifyNpy('labels', '<i8', [2000])).toEqual({ format: 'npy', rows: 2000, cols: null, dtype: 'int64', fortranOrder: false })
    expect(verifyNpy('labels', '|u1', [2000, 1])).toMatchObject({ rows: 2000 })
    expect(verifyNpy('labels', '|b1', [7])).toMatchObject({ dtype: 'bool' })
  })

  it('refuses float labels with the astype(int) fix', () => {
    const err = failure(() => verifyNpy('labels', '<f8', [100]))
    expect(err.code).toBe('labels_not_integer')
    expect(err.message).toMatch(/float64.*astype\(int\)/)
  })

  it('refuses one-hot labels with the argmax fix', () => {
    const err = failure(() => verifyNpy('labels', '<f4', [100, 10]))
    expect(err.code).toBe('npy_bad_shape')
    expect(err.message).toMatch(/argmax\(axis=1\)/)
  })

  it('points string and object labels to a text file', () => {
    const strings = failure(() => verifyNpy('labels', '<U5', [10]))
    expect(strings.code).toBe('npy_unsupported_dtype')
    expect(strings.message).toMatch(/savetxt.*fmt="%s"/)
    expect(failure(() => verifyNpy('labels', '|O', [10], 80)).code).toBe('npy_object_dtype')
  })
})

describe('verifyUpload: text features', () => {
  it('counts rows and columns of a headerless CSV (numpy.savetxt with delimiter=",")', () => {
    expect(verifyText('features', 'f.csv', '1.000000000000000000e+00,2.5e-01\n-3,4\n5,6\n')).toEqual({ format: 'csv', rows: 3, cols: 2, dtype: null, hasHeader: false })
  })

  it('detects a header row (pandas to_csv(index=False))', () => {
    expect(verifyText('features', 'f.csv', 'f0,f1,f2\n0.1,0.2,0.3\n0.4,0.5,0.6\n')).toMatchObject({ rows: 2, cols: 3, hasHeader: true })
  })

  it('drops the index column pandas writes by default', () => {
    expect(verifyText('features', 'f.csv', ',0,1,2\n0,0.1,0.2,0.3\n1,0.4,0.5,0.6\n')).toMatchObject({ rows: 2, cols: 3, hasHeader: true })
    expect(verifyText('features', 'f.csv', ',a,b\n0,1,2\n')).toMatchObject({ rows: 1, cols: 2, hasHeader: true })
  })

  it('reads TSV, space-separated .csv (numpy.savetxt default), CRLF, quotes, comments and trailing blank lines', () => {
    expect(verifyText('features', 'f.tsv', 'a\tb\r\n1\t2\r\n3\t4\r\n\r\n')).toMatchObject({ rows: 2, cols: 2, hasHeader: true })
    expect(verifyText('features', 'f.csv', '# x y z\n1 2 3\n4  5 6\n')).toMatchObject({ rows: 2, cols: 3, hasHeader: false })
    expect(verifyText('features', 'f.csv', '"feature, one","two"\n"1.5",2\n')).toMatchObject({ rows: 1, cols: 2, hasHeader: true })
  })

  it('accepts missing and non-finite cells (the worker reports them)', () => {
    expect(verifyText('features', 'f.csv', '1,,nan\ninf,-Infinity,NA\n')).toMatchObject({ rows: 2, cols: 3 })
  })

  it('names the line of a row with a different column count', () => {
    const err = failure(() => verifyText('features', 'f.csv', 'a,b,c\n1,2,3\n4,5\n'))
    expect(err.code).toBe('text_ragged_rows')
    expect(err.message).toMatch(/Line 3 has 2 columns but the header line has 3/)
  })

  it('names line and column of a cell that is not a number', () => {
    const err = failure(() => verifyText('features', 'f.csv', 'a,b\n1,2\n3,x7\n'))
    expect(err.code).toBe('text_not_numeric')
    expect(err.message).toMatch(/Line 3, column 2 \(counting from 1\) holds "x7", which is not a number/)
  })

  it('refuses blank lines between rows', () => {
    const err = failure(() => verifyText('features', 'f.csv', '1,2\n\n3,4\n'))
    expect(err.code).toBe('text_blank_line')
    expect(err.message).toMatch(/Line 2 is blank/)
  })

  it('refuses a header with no rows', () => {
    expect(failure(() => verifyText('features', 'f.csv', 'a,b\n')).code).toBe('empty_file')
  })

  it('checks only whole lines of a head that is not the whole file, and reports rows as unknown', () => {
    const info = verifyText('features', 'f.csv', 'a,b\n1,2\n3,4\n5,', { declaredSize: 10_000_000, actualSize: 10_000_000, complete: false })
    expect(info).toEqual({ format: 'csv', rows: null, cols: 2, dtype: null, hasHeader: true })
  })
})

describe('verifyUpload: text labels', () => {
  it('reads one label per line, strings allowed', () => {
    expect(verifyText('labels', 'l.txt', 'cat\ndog\nNew York\n')).toEqual({ format: 'txt', rows: 3, cols: null, dtype: 'string', hasHeader: false })
    expect(verifyText('labels', 'l.txt', '3\n7\n7\n')).toMatchObject({ rows: 3, dtype: 'int', hasHeader: false })
  })

  it('detects a header named like a label column, or a name above numbers', () => {
    expect(verifyText('labels', 'l.csv', 'label\ncat\ndog\n')).toMatchObject({ rows: 2, hasHeader: true })
    expect(verifyText('labels', 'l.csv', 'digit_class\n3\n7\n')).toMatchObject({ rows: 2, hasHeader: true, dtype: 'int' })
    expect(verifyText('labels', 'l.txt', 'cat\ndog\nbird\n')).toMatchObject({ rows: 3, hasHeader: false })
  })

  it('takes the label column from pandas output with an index', () => {
    expect(verifyText('labels', 'l.csv', ',0\n0,3\n1,7\n')).toMatchObject({ rows: 2, hasHeader: true, dtype: 'int' })
    expect(verifyText('labels', 'l.csv', 'id,species\n0,cat\n1,dog\n')).toMatchObject({ rows: 2, hasHeader: true, dtype: 'string' })
  })

  it('refuses ragged rows with a quoting hint, and empty labels', () => {
    const ragged = failure(() => verifyText('labels', 'l.csv', 'name\nSmith, J\nDoe\n'))
    expect(ragged.code).toBe('text_ragged_rows')
    expect(ragged.message).toMatch(/Line 2 has 2 columns but the first line has 1.*Quote labels/)
    const empty = failure(() => verifyText('labels', 'l.csv', 'id,label\n0,cat\n1,\n'))
    expect(empty.code).toBe('labels_missing_value')
    expect(empty.message).toMatch(/Line 3 has an empty label/)
  })
})
