import { describe, expect, it, vi } from 'vitest'
import { cpuBackend } from '../backends/backend.ts'
import type { EmbedResult } from '../engine.ts'
import { PNG } from 'pngjs'
import { JobParams, decodeNpyArray } from '@constellate/shared'
import { buildMlp, buildStripeCnn } from '../../../tests/src/onnx-builder.ts'
import { stripeImages, zipBytes } from '../../../tests/src/onnx-images.ts'
import { npyFloat32 } from '../../../tests/src/fixtures.ts'
import type { LeasedJob, LeasedModel } from '@constellate/shared'
import type { RunContext } from './lifecycle.ts'
import { runJob } from './run-job.ts'

/** A worker context over an in-memory bucket and an edge that records what the worker tells it. */
function fakeContext(files: Record<string, Uint8Array>) {
  const bucket = new Map<string, Uint8Array | string>(Object.entries(files))
  const calls = { stages: [] as string[], frames: 0, released: false, completed: null as null | object, failed: null as null | { code: string; message: string; retryable: boolean } }
  const shutdown = new AbortController()
  const edge: RunContext['edge'] = {
    heartbeat: async (_, progress) => {
      if (progress?.stage) calls.stages.push(progress.stage)
      return { cancel: false, status: 'running' }
    },
    release: async () => void (calls.released = true),
    frame: async () => void calls.frames++,
    complete: async (_, summary) => void (calls.completed = summary),
    fail: async (_, error, retryable) => void (calls.failed = { ...error, retryable }),
  }
  const store: RunContext['store'] = {
    get: async (key) => {
      const value = bucket.get(key)
      if (value === undefined) throw new Error(`no object ${key}`)
      return typeof value === 'string' ? new TextEncoder().encode(value) : value
    },
    put: async (key, body) => void bucket.set(key, body),
  }
  const ctx: RunContext = { edge, store, workerId: 'test', backend: 'cpu', log: () => undefined }
  const text = (key: string) => {
    const value = bucket.get(key)
    return typeof value === 'string' ? value : new TextDecoder().decode(value)
  }
  return { ctx, bucket, calls, text, shutdown }
}

function leasedModelJob(inputsFile: string, model: Partial<LeasedModel> = {}, params: Partial<JobParams> = {}): LeasedJob {
  const ref = (id: string, filename: string) => ({ id, key: `uploads/ws/${id}`, filename, size: 0, info: null })
  const inputs = ref('upl_inputs', inputsFile)
  return {
    lease: { leaseId: 'lease', fence: 1, expiresAt: Date.now() + 90_000, attempt: 1 },
    job: {
      id: 'job_test',
      params: JobParams.parse({ perplexity: 20, ...params }),
      attempt: 1,
      features: inputs,
      labels: null,
      resultsPrefix: 'jobs/job_test/attempts/1',
      labelsKey: 'jobs/job_test/labels.json',
      featureFiles: [inputs],
      metadata: null,
      metadataKey: 'jobs/job_test/metadata.json',
      model: { upload: ref('upl_model', 'model.onnx'), layers: null, preprocess: null, batchSize: null, ...model },
    },
  }
}

describe('a model job on the worker', () => {
  it('embeds the penultimate layer of a CNN over an image archive: classes separate, folders become labels, thumbnails are stored', async () => {
    const { files } = stripeImages(40, 16)
    const { ctx, bucket, calls, text } = fakeContext({ 'uploads/ws/upl_model': buildStripeCnn(16), 'uploads/ws/upl_inputs': zipBytes(files) })
    await runJob(ctx, leasedModelJob('images.zip', { batchSize: 32 }))
    expect(calls.failed).toBeNull()
    expect(calls.completed).not.toBeNull()
    expect(calls.stages).toContain('inference 4/4')
    expect(calls.frames).toBeGreaterThan(0)
    const layers = JSON.parse(text('jobs/job_test/attempts/1/layers.json'))
    expect(layers.layers).toHaveLength(1)
    expect(layers.layers[0]).toMatchObject({ index: 0, name: 'features', opType: 'Flatten', shape: [6], d: 6 })
    expect(layers.thumbnails).toBe('/api/v1/jobs/job_test/thumbnails')
    const metrics = JSON.parse(text('jobs/job_test/attempts/1/layers/0/metrics.json'))
    expect(metrics.knnLabelAccuracy10).toBeGreaterThanOrEqual(0.9)
    expect(JSON.parse(text('jobs/job_test/labels.json')).classes).toEqual(['diagonal', 'horizontal', 'vertical'])
    expect(bucket.has('jobs/job_test/attempts/1/embedding.npy')).toBe(true)
    const index = JSON.parse(text('jobs/job_test/attempts/1/thumbnails/index.json'))
    expect(index).toEqual({ version: 1, tileSize: 32, columns: 64, perSheet: 4096, count: 120, sheets: ['0.png'] })
    const sheet = PNG.sync.read(Buffer.from(bucket.get('jobs/job_test/attempts/1/thumbnails/0.png') as Uint8Array))
    expect([sheet.width, sheet.height]).toEqual([64 * 32, 2 * 32])
    const manifest = JSON.parse(text('jobs/job_test/attempts/1/manifest.json'))
    expect(manifest.inputs.inputs.sampleShape).toEqual([3, 16, 16])
    expect(manifest.model.preprocess).toMatchObject({ height: 16, width: 16, channels: 3, layout: 'NCHW' })
  })

  it('embeds several layers of one model, one map per layer, with the same seed', async () => {
    const mlp = buildMlp({ inputDims: 10, hidden: 8, classes: 3 })
    const x = new Float32Array(60 * 10).map((_, k) => Math.sin(k * 0.37) + (Math.floor(k / 10) % 3))
    const { ctx, calls, text, bucket } = fakeContext({ 'uploads/ws/upl_model': mlp.bytes, 'uploads/ws/upl_inputs': npyFloat32(x, [60, 10]) })
    await runJob(ctx, leasedModelJob('inputs.npy', { layers: ['h1', 'features', 'logits'] }, { perplexity: 10, iterations: 300 }))
    expect(calls.failed).toBeNull()
    const layers = JSON.parse(text('jobs/job_test/attempts/1/layers.json')).layers
    expect(layers.map((l: { name: string; d: number }) => [l.name, l.d])).toEqual([['h1', 8], ['features', 8], ['logits', 3]])
    for (const i of [0, 1, 2]) {
      for (const file of ['embedding.npy', 'neighbours.npy', 'quality-points.npy']) expect(bucket.has(`jobs/job_test/attempts/1/layers/${i}/${file}`)).toBe(true)
      expect(layers[i].qualityPointsNpy).toBe(`/api/v1/jobs/job_test/layers/${i}/quality-points.npy`)
    }
    // The job's own neighbours are the first layer's; each layer's are found in its own feature space.
    const read = (key: string) => decodeNpyArray(bucket.get(key) as Uint8Array)
    expect(read('jobs/job_test/attempts/1/neighbours.npy')).toEqual(read('jobs/job_test/attempts/1/layers/0/neighbours.npy'))
    expect(read('jobs/job_test/attempts/1/layers/2/neighbours.npy').shape).toEqual([60, 10])
    expect(Array.from(read('jobs/job_test/attempts/1/indices.npy').data)).toEqual(Array.from({ length: 60 }, (_, i) => i))
    const quality = JSON.parse(text('jobs/job_test/attempts/1/layers/1/metrics.json')).pointQuality
    expect(quality).toMatchObject({ k: 10, space: 'input' })
    expect(quality.mean).toBeGreaterThan(0.2)
    expect(calls.stages).toContain('layer 3/3: optimize')
    expect(JSON.parse(text('jobs/job_test/attempts/1/manifest.json')).seed).toBe(42)
  })

  it('starts every layer\'s map from the first layer\'s start layout, and says so in the manifest', async () => {
    const mlp = buildMlp({ inputDims: 10, hidden: 8, classes: 3 })
    const x = new Float32Array(60 * 10).map((_, k) => Math.cos(k * 0.29) + (Math.floor(k / 10) % 3))
    const { ctx, calls, text } = fakeContext({ 'uploads/ws/upl_model': mlp.bytes, 'uploads/ws/upl_inputs': npyFloat32(x, [60, 10]) })
    const spy = vi.spyOn(cpuBackend, 'embed')
    try {
      await runJob(ctx, leasedModelJob('inputs.npy', { layers: ['h1', 'logits'] }, { perplexity: 10, iterations: 100 }))
      expect(calls.failed).toBeNull()
      expect(spy).toHaveBeenCalledTimes(2)
      const first = (await spy.mock.results[0]!.value) as EmbedResult
      expect(spy.mock.calls[0]![4]!.initial).toBeUndefined()
      expect(first.initial).toHaveLength(60 * 2)
      // the second layer (3 columns, its own PCA) is given the first layer's layout, value for value
      expect(Array.from(spy.mock.calls[1]![4]!.initial!)).toEqual(Array.from(first.initial!))
      expect(JSON.parse(text('jobs/job_test/attempts/1/manifest.json')).model.initialization).toMatchObject({ shared: true, from: 'h1' })
    } finally {
      spy.mockRestore()
    }
  })

  it('hands the job back when the worker shuts down during inference', async () => {
    const { files } = stripeImages(10, 16)
    const { ctx, calls, bucket, shutdown } = fakeContext({ 'uploads/ws/upl_model': buildStripeCnn(16), 'uploads/ws/upl_inputs': zipBytes(files) })
    const run = runJob(ctx, leasedModelJob('images.zip', { batchSize: 4 }, { perplexity: 5 }), shutdown.signal)
    shutdown.abort()
    await run
    expect(calls.released).toBe(true)
    expect(calls.completed).toBeNull()
    expect(calls.failed).toBeNull()
    expect(bucket.has('jobs/job_test/attempts/1/embedding.npy')).toBe(false)
  })

  it('fails at once, not retryable, when the .npy inputs do not match the model input, saying expected vs given', async () => {
    const mlp = buildMlp({ inputDims: 10, hidden: 8, classes: 3 })
    const { ctx, calls } = fakeContext({ 'uploads/ws/upl_model': mlp.bytes, 'uploads/ws/upl_inputs': npyFloat32(new Float32Array(80 * 12), [80, 12]) })
    await runJob(ctx, leasedModelJob('inputs.npy'))
    expect(calls.failed).toEqual({
      code: 'model_input_mismatch',
      message: 'The model expects input "x" of shape [N, 10] but the inputs in "inputs.npy" have shape [80, 12]: dimension 1 is 12 where the model wants 10.',
      retryable: false,
    })
  })

  it('checks the perplexity against the number of inputs before running the model', async () => {
    const mlp = buildMlp({ inputDims: 10, hidden: 8, classes: 3 })
    const { ctx, calls } = fakeContext({ 'uploads/ws/upl_model': mlp.bytes, 'uploads/ws/upl_inputs': npyFloat32(new Float32Array(60 * 12), [60, 12]) })
    await runJob(ctx, leasedModelJob('inputs.npy'))
    expect(calls.failed).toEqual({
      code: 'perplexity_too_large',
      message: 'Perplexity 20 needs at least 61 points; "inputs.npy" holds 60 inputs. Lower perplexity to 19 or less (or "auto", the largest that fits), or add inputs.',
      retryable: false,
    })
  })
})
