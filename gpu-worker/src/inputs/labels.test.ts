import { describe, expect, it } from 'vitest'
import { InputError } from './errors.ts'
import { mnistSample } from './mnist-fixture.ts'
import { npyFile } from './npy-fixture.ts'
import { compareLabels, parseLabels } from './labels.ts'

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

const decoded = (labels: { classes: string[]; codes: Int32Array }) => Array.from(labels.codes, (c) => labels.classes[c])

describe('parseLabels', () => {
  it('reads real MNIST labels from an int64 .npy in numeric class order', () => {
    const { labels } = mnistSample(3)
    const parsed = parseLabels(npyFile('<i8', [labels.length], Array.from(labels, BigInt)), 'npy')
    expect(parsed.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    expect(parsed.codes).toEqual(labels)
  })

  it('orders numeric classes by value, not as text', () => {
    const parsed = parseLabels(npyFile('<i4', [5], [10, 2, -1, 2, 100]), 'npy')
    expect(parsed.classes).toEqual(['-1', '2', '10', '100'])
    expect(decoded(parsed)).toEqual(['10', '2', '-1', '2', '100'])
  })

  it('names bool labels False and True', () => {
    expect(parseLabels(npyFile('|b1', [3], [1, 0, 1]), 'npy')).toEqual({ classes: ['False', 'True'], codes: Int32Array.from([1, 0, 1]) })
  })

  it('reads string labels one per line, with a header, sorted naturally', () => {
    const parsed = parseLabels(encode('label\nclass10\nclass2\nNew York\nclass2\n'), 'txt')
    expect(parsed.classes).toEqual(['New York', 'class2', 'class10'])
    expect(decoded(parsed)).toEqual(['class10', 'class2', 'New York', 'class2'])
  })

  it('treats 3, 3.0 and numpy.savetxt\'s 3.000000000000000000e+00 as one class', () => {
    const parsed = parseLabels(encode('3.000000000000000000e+00\n3\n3.0\n1.000000000000000000e+01\n'), 'txt')
    expect(parsed.classes).toEqual(['3', '10'])
    expect(Array.from(parsed.codes)).toEqual([0, 0, 0, 1])
  })

  it('takes the label column of pandas to_csv output, index or not', () => {
    expect(decoded(parseLabels(encode(',0\n0,7\n1,3\n'), 'csv'))).toEqual(['7', '3'])
    expect(decoded(parseLabels(encode('id,species\n0,cat\n1,dog\n'), 'csv'))).toEqual(['cat', 'dog'])
    expect(decoded(parseLabels(encode('"name"\t"label"\r\n"a"\t"x y"\r\n"b"\t"z"\r\n'), 'tsv'))).toEqual(['x y', 'z'])
  })

  it('keeps a first line that is not a header', () => {
    expect(decoded(parseLabels(encode('cat\ndog\ncat\n\n'), 'txt'))).toEqual(['cat', 'dog', 'cat'])
    expect(decoded(parseLabels(encode('5\n7\n'), 'csv'))).toEqual(['5', '7'])
  })

  it('refuses empty labels, blank lines between labels and ragged rows, naming the line', () => {
    const empty = inputError(() => parseLabels(encode('label,id\ncat,0\n,1\ndog,2\n'), 'csv'))
    expect(empty.code).toBe('labels_missing_value')
    expect(empty.message).toMatch(/Line 3 has an empty label/)
    const blank = inputError(() => parseLabels(encode('cat\n\ndog\n'), 'txt'))
    expect(blank.code).toBe('text_blank_line')
    expect(blank.message).toMatch(/Line 2 is blank/)
    const ragged = inputError(() => parseLabels(encode('cat\nSmith, J\n'), 'csv'))
    expect(ragged.code).toBe('text_ragged_rows')
    expect(ragged.message).toMatch(/Line 2 has 2 columns/)
  })

  it('refuses float .npy labels, binary text files and empty files', () => {
    expect(inputError(() => parseLabels(npyFile('<f8', [2], [1, 2]), 'npy')).code).toBe('labels_not_integer')
    const gz = inputError(() => parseLabels(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), 'txt'))
    expect(gz.code).toBe('content_mismatch')
    expect(gz.message).toMatch(/gzip/)
    expect(inputError(() => parseLabels(encode('label\n'), 'txt')).code).toBe('empty_file')
    expect(inputError(() => parseLabels(new Uint8Array([0x63, 0xe9, 0x0a]), 'txt')).code).toBe('text_encoding')
  })
})

describe('compareLabels', () => {
  it('puts numbers first by value, then text with digit runs compared by value', () => {
    const sorted = ['b', 'a10', '10', 'a2', '-3', '2.5', 'a02', 'A'].sort(compareLabels)
    expect(sorted).toEqual(['-3', '2.5', '10', 'A', 'a02', 'a2', 'a10', 'b'])
  })
})
