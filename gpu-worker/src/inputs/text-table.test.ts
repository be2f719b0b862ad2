import { describe, expect, it } from 'vitest'
import { verifyUpload, type UploadFormat } from '@constellate/shared'
import { InputError } from './errors.ts'
import { mnistSample } from './mnist-fixture.ts'
import { parseFeatureTable, parseNumber } from './text-table.ts'

const encode = (s: string) => new TextEncoder().encode(s)

function inputError(run: () => unknown): InputError {
  try {
    run()
  } catch (err) {
    if (err instanceof InputError) return err
    throw err
  }
  throw new Error('expected an InputError')
}

function parse(content: string, format: UploadFormat = 'csv') {
  const table = parseFeatureTable(encode(content), format)
  return { ...table, values: Array.from(table.points) }
}

describe('parseFeatureTable', () => {
  it('reads a headerless CSV as row-major float32', () => {
    expect(parse('1,2,3\n4.5,-6,7e-1\n')).toMatchObject({ n: 2, d: 3, hasHeader: false, columnNames: null, values: [1, 2, 3, 4.5, -6, Math.fround(0.7)] })
  })

  it('reads a header row and keeps the column names', () => {
    expect(parse('f0,f1\n0.5,1\n2,3\n')).toMatchObject({ n: 2, d: 2, hasHeader: true, columnNames: ['f0', 'f1'], values: [0.5, 1, 2, 3] })
  })

  it('drops the index column of pandas DataFrame.to_csv() output', () => {
    expect(parse(',0,1\n0,0.25,1\n1,2,3\n')).toMatchObject({ n: 2, d: 2, columnNames: ['0', '1'], values: [0.25, 1, 2, 3] })
  })

  it('reads TSV, numpy.savetxt output (space separated, %.18e, # header), CRLF, CR and quoted fields', () => {
    expect(parse('a\tb\r\n1\t2\r\n3\t4\r\n', 'tsv').values).toEqual([1, 2, 3, 4])
    expect(parse('# x y\n1.000000000000000056e-01 2.500000000000000000e+00\n-3.000000000000000000e+00 4.000000000000000000e+00\n')).toMatchObject({
      d: 2,
      values: [Math.fround(0.1), 2.5, -3, 4],
    })
    expect(parse('1,2\r3,4\r').values).toEqual([1, 2, 3, 4])
    expect(parse('"name, with comma","b"\n"1.5", 2 \n').values).toEqual([1.5, 2])
  })

  it('ignores trailing blank lines and a UTF-8 byte-order mark', () => {
    expect(parse('\uFEFFa,b\n1,2\n\n  \n').values).toEqual([1, 2])
  })

  it('reads empty cells, nan, NA and inf as non-finite values for validateFeatures to report', () => {
    const { values } = parse('1,,nan\nNA,inf,-Infinity\n')
    expect(values.map(String)).toEqual(['1', 'NaN', 'NaN', 'NaN', 'Infinity', '-Infinity'])
  })

  it('names line and column of a cell that is not a number', () => {
    const err = inputError(() => parse('a,b\n1,2\n3,4x\n'))
    expect(err.code).toBe('text_not_numeric')
    expect(err.message).toMatch(/Line 3, column 2 \(counting from 1\) holds "4x"/)
  })

  it('names the line of a row with the wrong number of columns', () => {
    const err = inputError(() => parse('1,2,3\n4,5,6\n7,8\n'))
    expect(err.code).toBe('text_ragged_rows')
    expect(err.message).toMatch(/Line 3 has 2 columns but the first line has 3/)
    expect(inputError(() => parse('1,2\n3,4,5\n')).message).toMatch(/Line 2 has 3 columns/)
  })

  it('refuses blank lines between rows, binary content, and a file with no rows', () => {
    expect(inputError(() => parse('1,2\n\n3,4\n')).code).toBe('text_blank_line')
    const png = inputError(() => parseFeatureTable(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'csv'))
    expect(png.code).toBe('content_mismatch')
    expect(png.message).toMatch(/looks like a PNG image/)
    expect(inputError(() => parse('a,b\n')).code).toBe('empty_file')
  })

  it('agrees with the edge verification on rows, columns and header', () => {
    const samples: [string, UploadFormat][] = [
      ['1,2,3\n4,5,6\n', 'csv'],
      ['x,y\n1,2\n', 'csv'],
      [',0,1,2\n0,1,2,3\n1,4,5,6\n', 'csv'],
      ['1 2\n3 4\n5 6\n', 'csv'],
      ['a\tb\tc\n1\t2\t3\n', 'tsv'],
      ['# c\n"a","b"\r\n"1","2"\r\n\r\n', 'csv'],
    ]
    for (const [content, format] of samples) {
      const bytes = encode(content)
      const info = verifyUpload({ kind: 'features', filename: `f.${format}`, declaredSize: bytes.length, actualSize: bytes.length, head: bytes, complete: true })
      const table = parseFeatureTable(bytes, format)
      expect({ rows: table.n, cols: table.d, hasHeader: table.hasHeader }).toEqual({ rows: info.rows, cols: info.cols, hasHeader: info.hasHeader })
    }
  })

  it('reads real MNIST digits written as CSV back to the same float32 values', () => {
    const { points, n, d } = mnistSample(20)
    const lines = [Array.from({ length: d }, (_, k) => `pixel${k}`).join(',')]
    for (let i = 0; i < n; i++) lines.push(Array.from(points.subarray(i * d, (i + 1) * d), (v) => String(v)).join(','))
    const table = parseFeatureTable(encode(lines.join('\n') + '\n'), 'csv')
    expect([table.n, table.d]).toEqual([n, d])
    expect(table.points).toEqual(points)
  })

  it('parses a 50 MB CSV in a single fast pass', () => {
    const rows = 25_000
    const cols = 200
    const parts: string[] = []
    let seed = 1
    for (let i = 0; i < rows; i++) {
      const row: string[] = []
      for (let k = 0; k < cols; k++) {
        seed = (seed * 1103515245 + 12345) % 2147483648
        row.push((seed / 2147483648 - 0.5).toFixed(7))
      }
      parts.push(row.join(','))
    }
    const bytes = encode(parts.join('\n') + '\n')
    expect(bytes.length).toBeGreaterThan(45e6)
    const started = performance.now()
    const table = parseFeatureTable(bytes, 'csv')
    const seconds = (performance.now() - started) / 1000
    expect([table.n, table.d]).toEqual([rows, cols])
    expect(table.points[cols + 3]).toBe(Math.fround(Number(parts[1]!.split(',')[3])))
    expect(seconds).toBeLessThan(5)
  })
})

describe('parseNumber', () => {
  const read = (text: string) => {
    const bytes = encode(text)
    return parseNumber(bytes, 0, bytes.length)
  }

  it('equals Number() on every decimal form, including long and extreme ones', () => {
    const texts = ['0', '-0', '+1', '.5', '5.', '1e3', '1E-3', '-2.5e+10', '0.1', '123456789012345678901234567890',
      '1.000000000000000056e-01', '9007199254740993', '1e-400', '1e400', '4.9e-324', '0.000000000000000000000000123',
      '1.7976931348623157e308', '00012.50', '3.000000000000000000e+00', '2.2250738585072014e-308']
    for (const text of texts) expect(Object.is(read(text), Number(text)), text).toBe(true)
  })

  it('equals Number() on random decimals', () => {
    let seed = 7
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647
    for (let i = 0; i < 20000; i++) {
      const digits = Math.floor(random() * 20) + 1
      let mantissa = ''
      for (let k = 0; k < digits; k++) mantissa += Math.floor(random() * 10)
      const point = Math.floor(random() * (digits + 1))
      const text = `${random() < 0.5 ? '-' : ''}${mantissa.slice(0, point)}.${mantissa.slice(point)}e${Math.floor(random() * 80) - 40}`
      expect(read(text), text).toBe(Number(text))
    }
  })

  it('reads non-finite words and rejects text', () => {
    expect(read('nan')).toBeNaN()
    expect(read('-Inf')).toBe(-Infinity)
    expect(read('INFINITY')).toBe(Infinity)
    expect(read('')).toBeNaN()
    for (const bad of ['abc', '1.2.3', '1e', '--1', '0x10', '1_000', 'e5', '.']) {
      read(bad)
      expect(parseNumberFailed(bad), bad).toBe(true)
    }
  })
})

/** Whether parseFeatureTable rejects `text` as a cell. */
function parseNumberFailed(text: string): boolean {
  try {
    parseFeatureTable(encode(`1,2\n3,${text}\n`), 'csv')
    return false
  } catch (err) {
    return err instanceof InputError && err.code === 'text_not_numeric'
  }
}
