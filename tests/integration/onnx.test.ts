import { PNG } from 'pngjs'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import type { Job } from '@constellate/shared'
import { TestClient, type ApiResponse } from '../src/api-client.ts'
import { knnAccuracy, npyFloat32, parseNpyFloat32 } from '../src/fixtures.ts'
import { GraphBuilder, buildMlp, buildStripeCnn } from '../src/onnx-builder.ts'
import { stripeImages, tarBytes, zipBytes } from '../src/onnx-images.ts'

type Kind = 'features' | 'labels' | 'model' | 'inputs'

/** Create, PUT, complete: the completion response (or the creation one when that was refused). */
async function upload(client: TestClient, filename: string, bytes: Uint8Array, kind: Kind): Promise<ApiResponse> {
  return client.upload(filename, bytes, kind as 'features')
}

async function uploaded(client: TestClient, filename: string, bytes: Uint8Array, kind: Kind): Promise<string> {
  const res = await upload(client, filename, bytes, kind)
  if (res.status !== 200) throw new Error(`upload of ${filename} failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.upload.id
}

async function runJob(client: TestClient, body: object): Promise<Job> {
  const created = await client.request('POST', '/api/v1/jobs', body)
  if (created.status !== 201) throw new Error(`job refused: ${created.status} ${JSON.stringify(created.body)}`)
  return client.waitForJob(created.body.job.id, 120_000)
}

describe('features straight from a model: upload ONNX, pick a layer, embed what it learned', () => {
  let client: TestClient
  let stripeModel: string
  // Images are made before any request: encoding them blocks the event loop for seconds, long enough for the
  // server to close an idle keep-alive socket unnoticed, which the next request would then be sent on.
  const zipped = stripeImages(40, 16)
  const tarred = stripeImages(12, 16, 5)
  beforeAll(async () => {
    client = new TestClient(inject('stackUrl'))
    stripeModel = await uploaded(client, 'stripes.onnx', buildStripeCnn(16), 'model')
  })

  it('verifies an uploaded model and lists its layers with op types and shapes', async () => {
    const model = await client.request('GET', `/api/v1/uploads/${stripeModel}`)
    expect(model.body.upload.kind).toBe('model')
    expect(model.body.upload.info.onnx).toMatchObject({ irVersion: 8, opsetVersion: 13, defaultLayer: 'features', nodeCount: 5 })
    expect(model.body.upload.info.onnx.inputs).toEqual([{ name: 'image', elemType: 'float32', shape: ['N', 3, 16, 16] }])
    const layers = await client.request('GET', `/api/v1/uploads/${stripeModel}/layers`)
    expect(layers.status).toBe(200)
    expect(layers.body.defaultLayer).toBe('features')
    expect(layers.body.layers.map((l: { output: string; opType: string; shape: unknown }) => [l.output, l.opType, l.shape])).toEqual([
      ['edges', 'Conv', ['N', 6, 16, 16]],
      ['edges_relu', 'Relu', ['N', 6, 16, 16]],
      ['pooled', 'GlobalAveragePool', ['N', 6, 1, 1]],
      ['features', 'Flatten', ['N', 6]],
      ['logits', 'Gemm', ['N', 3]],
    ])
  })

  it('embeds the penultimate layer of a CNN over a zip of images in class folders: labels from folders, classes separate, thumbnails stored', async () => {
    const inputs = await uploaded(client, 'stripes.zip', zipBytes(zipped.files), 'inputs')
    const job = await runJob(client, { model: { upload: stripeModel, inputs }, params: { seed: 7 } })
    expect(job.error).toBeNull()
    expect(job.status).toBe('succeeded')
    expect(job.model).toMatchObject({ upload: stripeModel, inputs })
    expect(job.features).toBe(inputs)

    const labels = (await client.request('GET', `/api/v1/jobs/${job.id}/labels`)).body
    expect(labels.classes).toEqual(['diagonal', 'horizontal', 'vertical'])
    const embedding = parseNpyFloat32((await client.request('GET', `/api/v1/jobs/${job.id}/embedding.npy`)).body)
    expect(embedding.shape).toEqual([120, 2])
    expect(knnAccuracy(embedding.data, Int32Array.from(labels.codes), 2)).toBeGreaterThanOrEqual(0.9)

    const layers = (await client.request('GET', `/api/v1/jobs/${job.id}/layers`)).body
    expect(layers.layers).toHaveLength(1)
    expect(layers.layers[0]).toMatchObject({ index: 0, name: 'features', opType: 'Flatten', shape: [6], d: 6 })
    const layerNpy = await client.request('GET', layers.layers[0].embeddingNpy)
    expect(parseNpyFloat32(layerNpy.body).data).toEqual(embedding.data)

    expect(layers.thumbnails).toBe(`/api/v1/jobs/${job.id}/thumbnails`)
    const index = (await client.request('GET', layers.thumbnails)).body
    expect(index).toMatchObject({ version: 1, tileSize: 32, columns: 64, count: 120, sheets: ['0.png'] })
    const sheet = await client.request('GET', `/api/v1/jobs/${job.id}/thumbnails/0.png`)
    expect(sheet.headers.get('content-type')).toBe('image/png')
    const png = PNG.sync.read(Buffer.from(sheet.body))
    expect([png.width, png.height]).toEqual([64 * 32, 2 * 32])

    const manifest = (await client.request('GET', `/api/v1/jobs/${job.id}/manifest.json`)).body
    expect(manifest.worker.inference.providers).toEqual(['cpu'])
    expect(manifest.inputs.inputs).toMatchObject({ n: 120, sampleShape: [3, 16, 16] })
  })

  it('embeds several layers of one model from a tar archive, one map per layer with the same seed', async () => {
    const inputs = await uploaded(client, 'stripes.tar', tarBytes(tarred.files), 'inputs')
    const job = await runJob(client, { model: { upload: stripeModel, inputs, layers: ['edges_relu', 'features', 'logits'] }, params: { perplexity: 8, iterations: 300 } })
    expect(job.error).toBeNull()
    const { layers } = (await client.request('GET', `/api/v1/jobs/${job.id}/layers`)).body
    expect(layers.map((l: { name: string; d: number }) => [l.name, l.d])).toEqual([['edges_relu', 1536], ['features', 6], ['logits', 3]])
    for (const layer of layers) {
      const npy = await client.request('GET', `/api/v1/jobs/${job.id}/layers/${layer.index}/embedding.npy`)
      expect(parseNpyFloat32(npy.body).shape).toEqual([36, 2])
    }
    const missing = await client.request('GET', `/api/v1/jobs/${job.id}/layers/3/embedding.npy`)
    expect(missing.status).toBe(404)
  })

  it('embeds a hidden layer of an MLP over an .npy batch', async () => {
    const mlp = buildMlp({ inputDims: 10, hidden: 8, classes: 3 })
    const x = new Float32Array(90 * 10).map((_, k) => Math.sin(k * 0.37) + 3 * (Math.floor(k / 10) % 3))
    const model = await uploaded(client, 'mlp.onnx', mlp.bytes, 'model')
    const inputs = await uploaded(client, 'x.npy', npyFloat32(x, [90, 10]), 'inputs')
    const job = await runJob(client, { model: { upload: model, inputs, layers: ['h1'] }, params: { perplexity: 10, iterations: 300 } })
    expect(job.error).toBeNull()
    expect(job.n).toBe(90)
  })
})

describe('model jobs refuse what they cannot run, with a clear error', () => {
  let client: TestClient
  beforeAll(() => {
    client = new TestClient(inject('stackUrl'))
  })

  it('refuses a model whose weights live in an external data file', async () => {
    const bytes = new GraphBuilder()
      .input('x', ['N', 4])
      .initializer('fc.weight', { dims: [4, 2], data: new Float32Array(8), external: { location: 'model.onnx.data' } })
      .node('MatMul', ['x', 'fc.weight'], ['y'])
      .output('y', ['N', 2])
      .model()
    const res = await upload(client, 'model.onnx', bytes, 'model')
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('onnx_external_data')
    expect(res.body.error.message).toMatch(/fc\.weight.*model\.onnx\.data/)
  })

  it('refuses a file named .onnx that is not an ONNX model', async () => {
    const text = await upload(client, 'model.onnx', new TextEncoder().encode('def forward(self, x): return x\n'), 'model')
    expect(text.status).toBe(422)
    expect(text.body.error.code).toBe('onnx_not_protobuf')
    const zip = await upload(client, 'model.onnx', zipBytes({ 'a.txt': new Uint8Array([1]) }), 'model')
    expect(zip.status).toBe(422)
    expect(zip.body.error.code).toBe('content_mismatch')
    expect(zip.body.error.message).toMatch(/ZIP/)
  })

  it('refuses a model larger than the cap before any byte is sent', async () => {
    const res = await client.request('POST', '/api/v1/uploads', { filename: 'huge.onnx', size: 600 * 1024 ** 2, kind: 'model' })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('model_too_large')
    expect(res.body.error.message).toMatch(/512 MiB/)
  })

  it('refuses inputs with more rows than a model job runs', async () => {
    const res = await upload(client, 'x.npy', npyFloat32(new Float32Array(200_001), [200_001, 1]), 'inputs')
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('too_many_points')
  })

  it('refuses a job naming a layer the model does not have, or uploads of the wrong kind', async () => {
    const mlp = buildMlp({ inputDims: 4, hidden: 8, classes: 3 })
    const model = await uploaded(client, 'mlp.onnx', mlp.bytes, 'model')
    const inputs = await uploaded(client, 'x.npy', npyFloat32(new Float32Array(100 * 4), [100, 4]), 'inputs')
    const unknown = await client.request('POST', '/api/v1/jobs', { model: { upload: model, inputs, layers: ['fc7'] } })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.code).toBe('model_layer_unknown')
    expect(unknown.body.error.message).toMatch(/"fc7".*"features" \(Relu\)/)
    const swapped = await client.request('POST', '/api/v1/jobs', { model: { upload: inputs, inputs: model } })
    expect(swapped.status).toBe(400)
    expect(swapped.body.error.code).toBe('wrong_upload_kind')
    const both = await client.request('POST', '/api/v1/jobs', { features: inputs, model: { upload: model, inputs } })
    expect(both.status).toBe(400)
    expect(both.body.error.code).toBe('invalid_request')
  })

  it('fails a job whose inputs do not match the model input, saying expected vs given', async () => {
    const mlp = buildMlp({ inputDims: 10, hidden: 8, classes: 3 })
    const model = await uploaded(client, 'mlp.onnx', mlp.bytes, 'model')
    const inputs = await uploaded(client, 'x.npy', npyFloat32(new Float32Array(60 * 12), [60, 12]), 'inputs')
    const job = await runJob(client, { model: { upload: model, inputs }, params: { perplexity: 10 } })
    expect(job.status).toBe('failed')
    expect(job.attempt).toBe(1)
    expect(job.error).toEqual({
      code: 'model_input_mismatch',
      message: 'The model expects input "x" of shape [N, 10] but the inputs in "x.npy" have shape [60, 12]: dimension 1 is 12 where the model wants 10.',
    })
  })

  it('fails a job whose model ONNX Runtime cannot load, in plain words', async () => {
    const bytes = new GraphBuilder().input('x', ['N', 2]).node('NoSuchOp', ['x'], ['y']).output('y', ['N', 2]).model()
    const model = await uploaded(client, 'custom.onnx', bytes, 'model')
    const inputs = await uploaded(client, 'x.npy', npyFloat32(new Float32Array(40 * 2), [40, 2]), 'inputs')
    const job = await runJob(client, { model: { upload: model, inputs }, params: { perplexity: 5 } })
    expect(job.status).toBe('failed')
    expect(job.error?.code).toBe('model_load_failed')
    expect(job.error?.message).toMatch(/NoSuchOp/)
  })

  it('fails a job whose archive holds no images, saying what it holds', async () => {
    const model = await uploaded(client, 'stripes.onnx', buildStripeCnn(16), 'model')
    const inputs = await uploaded(client, 'docs.zip', zipBytes({ 'notes/readme.md': new TextEncoder().encode('# hi') }), 'inputs')
    const job = await runJob(client, { model: { upload: model, inputs } })
    expect(job.status).toBe('failed')
    expect(job.error?.code).toBe('archive_empty')
    expect(job.error?.message).toMatch(/readme\.md/)
  })
})
