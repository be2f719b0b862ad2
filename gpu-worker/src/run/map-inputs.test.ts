import { describe, expect, it } from 'vitest'
import { encodeNpyFloat32, encodeNpyInt32, type JobParams, type UploadRef } from '@constellate/shared'
import { InputError } from '../inputs/errors.ts'
import { loadMapInputs } from './map-inputs.ts'

const PARAMS: JobParams = { perplexity: 2, dims: 2, iterations: 100, seed: 3, pcaDims: 50 }

/** An in-memory bucket and upload references to its files. */
function bucket(files: Record<string, Uint8Array>) {
  const ref = (filename: string): UploadRef => ({ id: `upl_${filename}`, key: filename, filename, size: files[filename]!.length, info: null })
  return { ref, get: async (key: string) => files[key]! }
}

const rows = (n: number, d: number, offset: number) => encodeNpyFloat32(Float32Array.from({ length: n * d }, (_, t) => offset + t), [n, d])
const text = (s: string) => new TextEncoder().encode(s)

async function failure(work: Promise<unknown>): Promise<InputError> {
  const err = await work.then(() => null, (e: unknown) => e)
  expect(err).toBeInstanceOf(InputError)
  return err as InputError
}

describe('the inputs of a map', () => {
  it('concatenates feature files in order and puts a source column before the uploaded metadata', async () => {
    const b = bucket({ 'a.npy': rows(6, 3, 0), 'b.npy': rows(4, 3, 100), 'm.csv': text('source,w\n' + Array.from({ length: 10 }, (_, i) => `s${i},${i}`).join('\n') + '\n') })
    const read = await loadMapInputs({ featureFiles: [b.ref('a.npy'), b.ref('b.npy')], labels: null, metadata: b.ref('m.csv'), params: PARAMS }, b.get)
    expect([read.n, read.d]).toEqual([10, 3])
    expect(read.points[6 * 3]).toBe(100)
    expect(read.metadata!.columns.map((c) => c.name)).toEqual(['source_file', 'source', 'w'])
    expect(Array.from((read.metadata!.columns[0] as { codes: Int32Array }).codes)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    expect(read.inputs.files.map((f) => [f.filename, f.n])).toEqual([['a.npy', 6], ['b.npy', 4]])
    expect(Array.from(read.indices)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('fails with clear errors for files of different widths and metadata of the wrong length', async () => {
    const b = bucket({ 'a.npy': rows(6, 3, 0), 'c.npy': rows(6, 2, 0), 'm.csv': text('x\n1\n2\n') })
    const widths = await failure(loadMapInputs({ featureFiles: [b.ref('a.npy'), b.ref('c.npy')], labels: null, metadata: null, params: PARAMS }, b.get))
    expect(widths.code).toBe('feature_dims_mismatch')
    expect(widths.message).toMatch(/"c\.npy" has 2 columns but "a\.npy" has 3/)
    const count = await failure(loadMapInputs({ featureFiles: [b.ref('a.npy')], labels: null, metadata: b.ref('m.csv'), params: PARAMS }, b.get))
    expect(count.code).toBe('metadata_count_mismatch')
    expect(count.message).toMatch(/2 rows .* 6 points/)
  })

  it('subsamples features, labels and metadata together, and says when the subsample is too small for the perplexity', async () => {
    const labels = encodeNpyInt32(Int32Array.from({ length: 40 }, (_, i) => i % 2), [40])
    const b = bucket({ 'a.npy': rows(40, 2, 0), 'l.npy': labels, 'm.csv': text('row\n' + Array.from({ length: 40 }, (_, i) => i).join('\n') + '\n') })
    const job = { featureFiles: [b.ref('a.npy')], labels: b.ref('l.npy'), metadata: b.ref('m.csv'), params: { ...PARAMS, subsample: { method: 'stratified' as const, perLabel: 5 } } }
    const read = await loadMapInputs(job, b.get)
    expect(read.n).toBe(10)
    const indices = Array.from(read.indices)
    expect(Array.from(read.labels!.codes)).toEqual(indices.map((i) => i % 2))
    expect(Array.from((read.metadata!.columns[0] as { values: Float64Array }).values)).toEqual(indices)
    expect(Array.from(read.points.filter((_, t) => t % 2 === 0))).toEqual(indices.map((i) => 2 * i))
    expect(read.subsample).toMatchObject({ nBefore: 40, nAfter: 10, perLabelCounts: { '0': 5, '1': 5 } })
    const small = await failure(loadMapInputs({ ...job, params: { ...job.params, perplexity: 5 } }, b.get))
    expect(small.code).toBe('perplexity_too_large')
    expect(small.message).toMatch(/needs at least 16 points; the subsample keeps 10 of 40\. Lower perplexity to 3 or less \(or "auto", the largest that fits\), or keep more points \(raise perLabel or size\)/)
  })
})
