import { beforeAll, describe, expect, inject, it } from 'vitest'
import type { Job } from '@constellate/shared'
import { TestClient } from '../src/api-client.ts'
import { npyBytes, npyFloat32, npyInt32, parseNpyFloat32 } from '../src/fixtures.ts'
import { buildStripeCnn } from '../src/onnx-builder.ts'
import { stripeImages, zipBytes } from '../src/onnx-images.ts'
import { seededRandom } from '../src/seeded-random.ts'

/** n x d values in three clusters (row i in cluster i % 3), largest |value| about 1. */
function clusters(n: number, d: number, seed = 1): Float64Array {
  const random = seededRandom(seed)
  return Float64Array.from({ length: n * d }, (_, t) => (Math.floor(t / d) % 3 === t % d % 3 ? 1 : 0) + 0.1 * (random() - 0.5))
}

function npyFloat64(values: Float64Array, shape: number[]): Uint8Array {
  return npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`, new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
}

describe('a map that never lies', () => {
  let client: TestClient
  beforeAll(() => {
    client = new TestClient(inject('stackUrl'))
  })

  async function run(body: object): Promise<{ job: Job; manifest: any }> {
    const created = await client.request('POST', '/api/v1/jobs', body)
    if (created.status !== 201) throw new Error(`job refused: ${created.status} ${JSON.stringify(created.body)}`)
    const job = await client.waitForJob(created.body.job.id, 180_000)
    const manifest = job.status === 'succeeded' ? (await client.request('GET', `/api/v1/jobs/${job.id}/manifest.json`)).body : null
    return { job, manifest }
  }

  it('embeds finite features of any magnitude into a finite map: float32 rows of 1e19 and 3.4e38, float64 beyond float32', async () => {
    const n = 90
    const d = 6
    const base = clusters(n, d)
    const files = [
      ['rows-1e19.npy', npyFloat32(Float32Array.from(base, (v) => v * 1e19), [n, d])],
      ['near-float32-max.npy', npyFloat32(Float32Array.from(base, (v) => v * 3.2e38), [n, d])],
      ['float64-1e300.npy', npyFloat64(Float64Array.from(base, (v) => v * 1e300), [n, d])],
      ['float64-1e-300.npy', npyFloat64(Float64Array.from(base, (v) => v * 1e-300), [n, d])],
      // one row 1e19 times the others: float32 keeps the outlier, not the others' spread around it
      ['one-huge-row.npy', npyFloat32(Float32Array.from(base, (v, t) => (t < d ? v * 3.2e38 : v * 1e19)), [n, d])],
    ] as const
    for (const [name, bytes] of files) {
      const features = await client.uploadVerified(name, bytes, 'features')
      const { job, manifest } = await run({ features, params: { perplexity: 10, iterations: 300, seed: 3 } })
      expect(job.error, name).toBeNull()
      expect(job.status).toBe('succeeded')
      expect(job.progress?.kl).toBeTypeOf('number')
      expect(Number.isFinite(job.progress!.kl)).toBe(true)
      const { data } = parseNpyFloat32((await client.request('GET', `/api/v1/jobs/${job.id}/embedding.npy`)).body)
      expect(data.every(Number.isFinite), name).toBe(true)
      expect(Math.max(...data.map(Math.abs))).toBeGreaterThan(0.5)
      // the factor the values were brought into range by, a power of two
      expect(Number.isInteger(Math.log2(manifest.inputs.features.scale))).toBe(true)
      expect(manifest.inputs.features.scale).not.toBe(1)
      const metrics = (await client.request('GET', `/api/v1/jobs/${job.id}/metrics.json`)).body
      expect(Number.isFinite(metrics.trustworthiness)).toBe(true)
      // a real map of the clusters, not a collapsed one (which scored a perfect, meaningless 1)
      if (name !== 'one-huge-row.npy') expect(metrics.trustworthiness, name).toBeLessThan(1)
    }
  })

  it('fails only on a real NaN or Infinity, naming its row and column', async () => {
    const values = clusters(30, 4)
    values[7 * 4 + 2] = Number.POSITIVE_INFINITY
    const features = await client.uploadVerified('inf.npy', npyFloat64(values, [30, 4]), 'features')
    const { job } = await run({ features, params: { perplexity: 5 } })
    expect(job.status).toBe('failed')
    expect(job.error).toMatchObject({ code: 'non_finite_features' })
    expect(job.error!.message).toMatch(/Infinity at row 7, column 2/)
  })

  it('warns, in the job, the manifest and with a message saying what to change, when the map may mislead', async () => {
    // 240 rows in 3 clusters: 60 exact copies, 9 of 12 columns constant, one label for 228 of them;
    // a subsample of 150 keeps perplexity 30 close to its limit; 300 iterations leave it unconverged
    const n = 240
    const d = 12
    const random = seededRandom(9)
    const values = new Float32Array(n * d)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) values[i * d + j] = j < 9 ? 0.25 : (i % 3 === j % 3 ? 1 : 0) + random()
    }
    for (let i = 0; i < 60; i++) values.copyWithin((i + 180) * d, i * d, (i + 1) * d)
    const labels = Int32Array.from({ length: n }, (_, i) => (i < 228 ? 0 : 1))
    const features = await client.uploadVerified('warned.npy', npyFloat32(values, [n, d]), 'features')
    const labelsId = await client.uploadVerified('labels.npy', npyInt32(labels), 'labels')
    const { job, manifest } = await run({ features, labels: labelsId, params: { perplexity: 30, iterations: 300, subsample: { method: 'random', size: 150 } } })
    expect(job.status).toBe('succeeded')
    const codes = job.warnings.map((w) => w.code).sort()
    expect(codes).toEqual(['constant_columns', 'dominant_class', 'duplicate_points', 'not_converged', 'perplexity_near_limit', 'subsampled'])
    for (const warning of job.warnings) {
      expect(warning.message.length).toBeGreaterThan(60)
      expect(Object.values(warning.numbers).every(Number.isFinite)).toBe(true)
    }
    expect(manifest.warnings).toEqual(job.warnings)
    const listed = await client.request('GET', '/api/v1/jobs?limit=5')
    expect(listed.body.jobs.find((j: Job) => j.id === job.id).warnings).toEqual(job.warnings)
  })

  it('resolves perplexity "auto" to the largest up to 30 that the points allow, and records both', async () => {
    const features = await client.uploadVerified('fifty.npy', npyFloat32(Float32Array.from(clusters(50, 4)), [50, 4]), 'features')
    const { job, manifest } = await run({ features, params: { perplexity: 'auto', iterations: 400 } })
    expect(job.status).toBe('succeeded')
    expect(job.params.perplexity).toBe('auto')
    expect(manifest.params).toMatchObject({ perplexity: 16, perplexityRequested: 'auto' })
    const tooLarge = await client.request('POST', '/api/v1/jobs', { features, params: { perplexity: 30 } })
    expect(tooLarge.status).toBe(400)
    expect(tooLarge.body.error.message).toMatch(/Lower perplexity to 16 or less \(or "auto", the largest that fits\)/)
  })

  it('checks the perplexity against an image archive before running the model on it', async () => {
    const model = await client.uploadVerified('stripes.onnx', buildStripeCnn(16), 'model' as 'features')
    const images = stripeImages(10, 16)
    const inputs = await client.uploadVerified('thirty.zip', zipBytes(images.files), 'inputs' as 'features')
    const { job } = await run({ model: { upload: model, inputs }, params: { perplexity: 30 } })
    expect(job.status).toBe('failed')
    expect(job.error).toMatchObject({ code: 'perplexity_too_large' })
    expect(job.error!.message).toMatch(/"thirty.zip" holds 30 inputs\. Lower perplexity to 9 or less/)
    expect(job.progress?.stage ?? '').not.toMatch(/inference/)
  })
})
