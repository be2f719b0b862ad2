import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LIMITS, NPY_PREFIX_BYTES, UploadVerificationError, parseNpyHeader, verifyUpload, type UploadKind } from '@constellate/shared'
import { InputError } from './errors.ts'
import { readNpyFeatures, readNpyLabelValues } from './npy-reader.ts'

// A seeded corpus of valid and damaged .npy files with numpy's own verdict on each (np.load(path,
// allow_pickle=False), Debian's numpy 1.24): tests/npy-corpus/make_corpus.py says what it holds.
const SCRIPT = fileURLToPath(new URL('../../../tests/npy-corpus/make_corpus.py', import.meta.url))
const SEED = 1

type NumpyVerdict =
  | { ok: false; error: string }
  | {
      ok: true
      dtype: string
      shape: string[]
      struct: boolean
      declaredShape: string[]
      trailing: number
      headerBytes: number
      f32?: string
      f64?: string
      ints?: string[]
    }

interface Entry {
  offset: number
  size: number
  what: string
  numpy: NumpyVerdict
}

const NUMERIC = new Set(['f2', 'f4', 'f8', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', 'b1'])

/**
 * What Constellate must answer for a file in a role: null to accept it, else the error code, or '*'
 * when numpy refuses the file (any refusal will do). Where numpy reads an array the role cannot use, the
 * role's own code is required; beyond numpy, Constellate deliberately refuses negative dimensions (numpy
 * reads -1 as "the rest") and headers over LIMITS.maxNpyHeaderBytes bytes (numpy counts characters). Bytes
 * after the data are ignored, as numpy ignores them (the upload's info counts them as trailingBytes).
 */
function expectedCode(numpy: NumpyVerdict, role: UploadKind, stage: 'edge' | 'worker'): string | null {
  if (!numpy.ok) return '*'
  if (numpy.declaredShape.some((d) => d.startsWith('-'))) return 'npy_bad_header'
  if (numpy.headerBytes > LIMITS.maxNpyHeaderBytes) return 'npy_too_large_header'
  if (numpy.struct || !NUMERIC.has(numpy.dtype.slice(1))) return 'npy_unsupported_dtype'
  const shape = numpy.shape.map(Number)
  if (role === 'features') {
    if (shape.length !== 2) return 'npy_bad_shape'
    const [rows, cols] = shape as [number, number]
    if (rows === 0) return 'empty_file'
    if (rows > LIMITS.maxPoints) return 'too_many_points'
    if (cols === 0) return 'empty_file'
    if (cols > LIMITS.maxDims) return 'too_many_dims'
    return null
  }
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1))) return 'npy_bad_shape'
  if (numpy.dtype[1] === 'f') return 'labels_not_integer'
  if (shape[0] === 0) return 'empty_file'
  if (shape[0]! > LIMITS.maxPoints) return 'too_many_points'
  const exact = 2n ** 53n - 1n
  if (stage === 'worker' && numpy.ints!.some((v) => BigInt(v) > exact || BigInt(v) < -exact)) return 'labels_out_of_range'
  return null
}

function codeOf(run: () => unknown): string | null {
  try {
    run()
    return null
  } catch (err) {
    if (err instanceof InputError || err instanceof UploadVerificationError) return err.code
    throw err
  }
}

const sameNumber = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))

/** Differences between what Constellate read and what numpy read, for a file both accept. */
function valueDifferences(bytes: Uint8Array, numpy: Extract<NumpyVerdict, { ok: true }>, role: UploadKind): string[] {
  const problems: string[] = []
  const header = parseNpyHeader(bytes)
  if (header.descr !== numpy.dtype) problems.push(`dtype ${header.descr}, numpy ${numpy.dtype}`)
  if (header.shape.join() !== numpy.shape.join()) problems.push(`shape (${header.shape}), numpy (${numpy.shape})`)
  if (role === 'features') {
    const { points, n, d, scale } = readNpyFeatures(bytes)
    if (`${n},${d}` !== numpy.shape.join()) problems.push(`read ${n} x ${d}`)
    const f32 = new Float32Array(new Uint8Array(Buffer.from(numpy.f32!, 'base64')).buffer)
    const f64 = numpy.f64 === undefined ? null : new Float64Array(new Uint8Array(Buffer.from(numpy.f64, 'base64')).buffer)
    // float64 files beyond float32 range come scaled by a power of two (scale); everything else as numpy's astype(float32).
    if (f64 === null && scale !== 1) problems.push(`scale ${scale} for ${numpy.dtype}`)
    const expected = f64 === null || scale === 1 ? f32 : Float32Array.from(f64, (v) => v * scale)
    const first = expected.findIndex((v, i) => !sameNumber(v, points[i]!))
    if (points.length !== expected.length || first >= 0) problems.push(`value ${first}: ${points[first]}, numpy ${expected[first]}`)
  } else {
    const { values, bool } = readNpyLabelValues(bytes)
    if (bool !== (numpy.dtype === '|b1')) problems.push(`bool ${bool}`)
    const ints = numpy.ints!.map(Number)
    const first = ints.findIndex((v, i) => v !== values[i])
    if (values.length !== ints.length || first >= 0) problems.push(`label ${first}: ${values[first]}, numpy ${ints[first]}`)
  }
  return problems
}

describe('the .npy reader against numpy.load on a corpus of valid and damaged files', () => {
  let dir: string
  let corpus: Uint8Array
  let entries: Entry[]

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'npy-corpus-'))
    execFileSync('/usr/bin/python3', [SCRIPT, dir, String(SEED)], { stdio: ['ignore', 'ignore', 'inherit'] })
    corpus = new Uint8Array(readFileSync(join(dir, 'corpus.bin')))
    entries = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { entries: Entry[] }).entries
  })
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const fileOf = (entry: Entry): Uint8Array => corpus.slice(entry.offset, entry.offset + entry.size)

  it('holds thousands of files, numpy accepting hundreds and refusing the rest', () => {
    expect(entries.length).toBeGreaterThan(4000)
    const accepted = entries.filter((e) => e.numpy.ok).length
    expect(accepted).toBeGreaterThan(800)
    expect(entries.length - accepted).toBeGreaterThan(2500)
    for (const role of ['features', 'labels'] as const) {
      expect(entries.filter((e) => expectedCode(e.numpy, role, 'worker') === null).length).toBeGreaterThan(100)
    }
  })

  for (const role of ['features', 'labels'] as const) {
    it(`gives numpy's verdict on every file read as ${role}, and numpy's values when both read it`, () => {
      const mismatches: string[] = []
      for (const entry of entries) {
        const bytes = fileOf(entry)
        const expected = expectedCode(entry.numpy, role, 'worker')
        const got = codeOf(() => (role === 'features' ? readNpyFeatures(bytes) : readNpyLabelValues(bytes)))
        const agrees = expected === '*' ? got !== null : got === expected
        if (!agrees) {
          mismatches.push(`${entry.what}: expected ${expected ?? 'accept'}, got ${got ?? 'accept'} (numpy: ${entry.numpy.ok ? `${entry.numpy.dtype} (${entry.numpy.shape})` : entry.numpy.error})`)
        } else if (expected === null && entry.numpy.ok) {
          mismatches.push(...valueDifferences(bytes, entry.numpy, role).map((p) => `${entry.what}: ${p}`))
        }
      }
      expect(mismatches.slice(0, 20)).toEqual([])
    })

    it(`verifies the ${role} uploads at the edge, from the first bytes and the size, as the worker reads them`, () => {
      const mismatches: string[] = []
      for (const entry of entries) {
        const bytes = fileOf(entry)
        const expected = expectedCode(entry.numpy, role, 'edge')
        let info = null
        const got = codeOf(() => {
          const complete = bytes.length <= NPY_PREFIX_BYTES
          info = verifyUpload({ kind: role, filename: 'x.npy', declaredSize: bytes.length, actualSize: bytes.length, head: bytes.subarray(0, NPY_PREFIX_BYTES), complete })
        })
        const agrees = expected === '*' ? got !== null : got === expected
        if (!agrees) mismatches.push(`${entry.what}: expected ${expected ?? 'accept'}, got ${got ?? 'accept'}`)
        else if (info && entry.numpy.ok) {
          const shape = entry.numpy.shape.map(Number)
          const want = { rows: shape[0], cols: role === 'features' ? shape[1] : null }
          const { rows, cols } = info as { rows: number; cols: number | null }
          if (rows !== want.rows || cols !== want.cols) mismatches.push(`${entry.what}: rows ${rows} cols ${cols}, numpy (${entry.numpy.shape})`)
        }
      }
      expect(mismatches.slice(0, 20)).toEqual([])
    })
  }

  it('says how to fix every header it refuses', () => {
    const vague: string[] = []
    for (const entry of entries) {
      const bytes = fileOf(entry)
      try {
        parseNpyHeader(bytes)
      } catch (err) {
        if (!(err instanceof Error) || !/numpy\.save\(|\.csv|astype|numpy\.asarray|float16\/32\/64/.test(err.message)) vague.push(`${entry.what}: ${String(err)}`)
      }
    }
    expect(vague.slice(0, 10)).toEqual([])
  })
})
