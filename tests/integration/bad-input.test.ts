import { beforeAll, describe, expect, inject, it } from 'vitest'
import { TestClient } from '../src/api-client.ts'
import { blobs, npyBytes, npyFloat32, npyInt32 } from '../src/fixtures.ts'

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0])

describe('bad input gets a clear error at the step that detects it', () => {
  let client: TestClient
  beforeAll(() => {
    client = new TestClient(inject('stackUrl'))
  })

  it('refuses a PNG named features.csv because its content is not CSV', async () => {
    const res = await client.upload('features.csv', PNG, 'features')
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('content_mismatch')
    expect(res.body.error.message).toMatch(/PNG/)
  })

  it('refuses a text file named features.npy because it lacks the .npy magic bytes', async () => {
    const res = await client.upload('features.npy', new TextEncoder().encode('1,2,3\n4,5,6\n'), 'features')
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('content_mismatch')
    expect(res.body.error.message).toMatch(/says \.npy but its content is text/)
  })

  it('refuses an object (pickled) .npy without loading it', async () => {
    const bytes = npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (3, 2), }", new Uint8Array([0x80, 0x04, 0x95, 1, 2, 3, 4, 5]))
    const res = await client.upload('features.npy', bytes, 'features')
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('npy_object_dtype')
    expect(res.body.error.message).toMatch(/object|pickle/i)
  })

  it('refuses a .npy whose header declares more data than the file holds', async () => {
    const bytes = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2000, 784), }", new Uint8Array(4000))
    const res = await client.upload('features.npy', bytes, 'features')
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('npy_truncated')
    expect(res.body.error.message).toMatch(/6272000/)
  })

  it('refuses a job whose labels count differs from the number of points', async () => {
    const { features, labels } = blobs(200, 8, 4)
    const f = await client.uploadVerified('features.npy', npyFloat32(features, [200, 8]), 'features')
    const l = await client.uploadVerified('labels.npy', npyInt32(labels.subarray(0, 199)), 'labels')
    const res = await client.request('POST', '/api/v1/jobs', { features: f, labels: l })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('label_count_mismatch')
    expect(res.body.error.message).toMatch(/199.*200/)
  })

  it('refuses a job whose CSV labels count differs from the CSV features', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2}`).join('\n')
    const f = await client.uploadVerified('features.csv', new TextEncoder().encode(rows + '\n'), 'features')
    const l = await client.uploadVerified('labels.txt', new TextEncoder().encode(Array.from({ length: 119 }, (_, i) => `class-${i % 3}`).join('\n')), 'labels')
    const res = await client.request('POST', '/api/v1/jobs', { features: f, labels: l, params: { perplexity: 5 } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('label_count_mismatch')
  })

  it('fails a job whose features contain NaN, naming the row and column', async () => {
    const { features } = blobs(100, 6, 3)
    features[17 * 6 + 3] = Number.NaN
    const f = await client.uploadVerified('features.npy', npyFloat32(features, [100, 6]), 'features')
    const created = await client.request('POST', '/api/v1/jobs', { features: f, params: { perplexity: 10 } })
    expect(created.status).toBe(201)
    const job = await client.waitForJob(created.body.job.id, 60_000)
    expect(job.status).toBe('failed')
    expect(job.attempt).toBe(1)
    expect(job.error?.code).toBe('non_finite_features')
    expect(job.error?.message).toMatch(/NaN/)
    expect(job.error?.message).toMatch(/17/)
  })

  it('fails a job whose features contain Infinity', async () => {
    const { features } = blobs(100, 6, 3)
    features[5] = Number.POSITIVE_INFINITY
    const f = await client.uploadVerified('features.npy', npyFloat32(features, [100, 6]), 'features')
    const created = await client.request('POST', '/api/v1/jobs', { features: f, params: { perplexity: 10 } })
    const job = await client.waitForJob(created.body.job.id, 60_000)
    expect(job.status).toBe('failed')
    expect(job.error?.message).toMatch(/Inf/i)
  })

  it('refuses a perplexity too large for the number of points, saying the highest that fits', async () => {
    const { features } = blobs(50, 4, 2)
    const f = await client.uploadVerified('features.npy', npyFloat32(features, [50, 4]), 'features')
    const res = await client.request('POST', '/api/v1/jobs', { features: f, params: { perplexity: 30 } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('perplexity_too_large')
    expect(res.body.error.message).toMatch(/Perplexity 30 needs at least 91 points; the features have 50\. Lower perplexity to 16 or less/)
    expect(res.body.error.message).toMatch(/Lower perplexity to 16 or less \(or "auto"/)
  })

  it('refuses fewer than 5 points', async () => {
    const f = await client.uploadVerified('features.npy', npyFloat32(new Float32Array(8), [4, 2]), 'features')
    const res = await client.request('POST', '/api/v1/jobs', { features: f, params: { perplexity: 1 } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('too_few_points')
    expect(res.body.error.message).toMatch(/4 points/)
  })

  it('answers 404 with a JSON error for an unknown job id', async () => {
    const res = await client.request('GET', '/api/v1/jobs/job_doesnotexist')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('job_not_found')
    expect(res.body.error.message).toMatch(/job_doesnotexist/)
  })

  it('rejects invalid job parameters with the field that is wrong', async () => {
    const { features } = blobs(100, 4, 2)
    const f = await client.uploadVerified('features.npy', npyFloat32(features, [100, 4]), 'features')
    const res = await client.request('POST', '/api/v1/jobs', { features: f, params: { dims: 4 } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_request')
    expect(res.body.error.message).toMatch(/dims/)
  })

  it('refuses to complete an upload whose bytes never arrived', async () => {
    const created = await client.request('POST', '/api/v1/uploads', { filename: 'features.npy', size: 1000, kind: 'features' })
    const res = await client.request('POST', `/api/v1/uploads/${created.body.upload.id}/complete`)
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('upload_missing')
  })

  it('refuses an upload whose size differs from the size declared', async () => {
    const created = await client.request('POST', '/api/v1/uploads', { filename: 'labels.txt', size: 1000, kind: 'labels' })
    await fetch(created.body.uploadUrl, { method: 'PUT', body: 'a\nb\nc\n' })
    const res = await client.request('POST', `/api/v1/uploads/${created.body.upload.id}/complete`)
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('upload_size_mismatch')
  })
})

describe('the API describes itself', () => {
  it('serves an OpenAPI 3 document generated from the route schemas, and browsable docs', async () => {
    const base = inject('stackUrl')
    const doc = await (await fetch(`${base}/api/v1/openapi.json`)).json()
    expect(doc.openapi).toMatch(/^3\./)
    const routes = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    for (const route of [
      'POST /api/v1/uploads',
      'POST /api/v1/uploads/{id}/complete',
      'GET /api/v1/uploads/{id}/parts',
      'POST /api/v1/jobs',
      'GET /api/v1/jobs/{id}',
      'POST /api/v1/jobs/{id}/cancel',
      'POST /api/v1/jobs/{id}/links',
      'DELETE /api/v1/links/{id}',
      'POST /api/v1/tokens',
      'DELETE /api/v1/tokens/{id}',
    ]) expect(routes).toContain(route)
    const createJob = doc.paths['/api/v1/jobs'].post.requestBody.content['application/json'].schema
    expect(JSON.stringify(createJob)).toContain('perplexity')
    const docs = await fetch(`${base}/api/docs`)
    expect(docs.status).toBe(200)
    expect(await docs.text()).toContain('/api/v1/openapi.json')
  })

  it('answers unknown API routes with a JSON 404', async () => {
    const res = await fetch(`${inject('stackUrl')}/api/v1/nothing-here`)
    expect(res.status).toBe(404)
    expect((await res.json()).error.code).toBe('not_found')
  })
})
