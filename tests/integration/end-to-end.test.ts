import { describe, expect, inject, it } from 'vitest'
import { TestClient } from '../src/api-client.ts'
import { knnAccuracy, mnistDigits, npyFloat32, npyInt32, parseNpyFloat32 } from '../src/fixtures.ts'

describe('the whole path over HTTP', () => {
  it('embeds 2,000 real MNIST digits so that 10-NN label accuracy in the 2D map is at least 0.85', async () => {
    const client = new TestClient(inject('stackUrl'))
    const digits = mnistDigits(200)
    const features = await client.uploadVerified('features.npy', npyFloat32(digits.features, [digits.n, digits.d]), 'features')
    const labels = await client.uploadVerified('labels.npy', npyInt32(digits.labels), 'labels')

    const created = await client.request('POST', '/api/v1/jobs', { features, labels, params: { perplexity: 30, dims: 2, seed: 7 } })
    expect(created.status).toBe(201)
    expect(created.body.job.n).toBe(2000)
    expect(created.body.job.d).toBe(784)

    const job = await client.waitForJob(created.body.job.id)
    expect(job.error).toBeNull()
    expect(job.status).toBe('succeeded')
    expect(job.progress?.frames).toBeGreaterThanOrEqual(750 / 25)
    // real digits at the defaults: nothing about this map should mislead
    expect(job.warnings).toEqual([])

    const npy = await client.request('GET', `/api/v1/jobs/${job.id}/embedding.npy`)
    expect(npy.status).toBe(200)
    const { data, shape } = parseNpyFloat32(npy.body)
    expect(shape).toEqual([2000, 2])
    expect(data.every(Number.isFinite)).toBe(true)
    expect(knnAccuracy(data, digits.labels, 2)).toBeGreaterThanOrEqual(0.85)

    const csv = await client.request('GET', `/api/v1/jobs/${job.id}/embedding.csv`)
    const lines = new TextDecoder().decode(csv.body).trim().split('\n')
    expect(lines[0]).toBe('x,y,label')
    expect(lines).toHaveLength(2001)
    const [x, y, label] = lines[1]!.split(',')
    expect(Number(x)).toBeCloseTo(data[0]!, 4)
    expect(Number(y)).toBeCloseTo(data[1]!, 4)
    expect(label).toBe(String(digits.labels[0]))

    const manifest = await client.request('GET', `/api/v1/jobs/${job.id}/manifest.json`)
    expect(manifest.body.params).toMatchObject({ perplexity: 30, dims: 2, seed: 7, pcaDims: 50 })
    expect(manifest.body.inputs.features).toMatchObject({ n: 2000, d: 784 })

    const frames = await client.request('GET', `/api/v1/jobs/${job.id}/frames`)
    expect(frames.body.frames.length).toBe(job.progress?.frames)
    const iterations = frames.body.frames.map((f: { iteration: number }) => f.iteration)
    for (let i = 1; i < iterations.length; i++) expect(iterations[i] - iterations[i - 1]).toBeLessThanOrEqual(25)
  })
})

describe('compute backends through the whole path', () => {
  it('runs a job on the tfjs backend when asked, and records which backend ran and why', async () => {
    const client = new TestClient(inject('stackUrl'))
    const digits = mnistDigits(40)
    const features = await client.uploadVerified('features.npy', npyFloat32(digits.features, [digits.n, digits.d]), 'features')
    const labels = await client.uploadVerified('labels.npy', npyInt32(digits.labels), 'labels')
    const tfjs = await client.request('POST', '/api/v1/jobs', { features, labels, params: { perplexity: 10, iterations: 400, backend: 'tfjs' } })
    const cpu = await client.request('POST', '/api/v1/jobs', { features, labels, params: { perplexity: 10, iterations: 400 } })
    const accuracy: Record<string, number> = {}
    for (const [created, expected] of [[tfjs, 'tfjs'], [cpu, 'cpu']] as const) {
      const job = await client.waitForJob(created.body.job.id)
      expect(job.status).toBe('succeeded')
      const manifest = (await client.request('GET', `/api/v1/jobs/${job.id}/manifest.json`)).body
      expect(manifest.worker.backend.name).toBe(expected)
      expect(manifest.worker.backend.reason.length).toBeGreaterThan(5)
      const metrics = (await client.request('GET', `/api/v1/jobs/${job.id}/metrics.json`)).body
      accuracy[expected] = metrics.knnLabelAccuracy10
    }
    expect(accuracy.cpu).toBeGreaterThan(0.7)
    expect(Math.abs(accuracy.tfjs! - accuracy.cpu!)).toBeLessThan(0.1)
    const bad = await client.request('POST', '/api/v1/jobs', { features, params: { backend: 'quantum' } })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/backend/)
  })
})
