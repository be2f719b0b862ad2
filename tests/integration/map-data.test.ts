/**
 * Map data for the viewer (issue 6) on the real stack: metadata columns, several feature files in one map,
 * subsampling by the worker, neighbours in the original space, per-point quality, thumbnails, and all of
 * it through share links and @constellate/client.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { ConstellateClient, ConstellateError } from '@constellate/client'
import { decodeFrame, thumbnailTile, type Job } from '@constellate/shared'
import { TestClient } from '../src/api-client.ts'
import { blobs, npyFloat32, npyInt32 } from '../src/fixtures.ts'
import { metadataCsv, resultNpy, runToEnd, uploadAny } from '../src/map-data.ts'
import { buildStripeCnn } from '../src/onnx-builder.ts'
import { stripeImages, zipBytes } from '../src/onnx-images.ts'

const PARAMS = { perplexity: 10, iterations: 300, seed: 11 }

/** 3 labels with 150, 100 and 50 points, interleaved (i % 6: 0-2 -> 0, 3-4 -> 1, 5 -> 2). */
function unevenLabels(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => (i % 6 < 3 ? 0 : i % 6 < 5 ? 1 : 2))
}

describe('map data: metadata, several feature files, subsampling, neighbours and per-point quality', () => {
  let client: TestClient
  /** Two files (150 + 90 rows, D = 12), labels for all 240, metadata with a categorical and a continuous column. */
  let twoFiles: { a: string; b: string; labels: string; metadata: string }
  let twoFileJob: Promise<Job>
  let stratified: { features: string; labels: string; metadata: string; labelCodes: Int32Array }
  let stratifiedJob: Promise<Job>

  beforeAll(async () => {
    client = new TestClient(inject('stackUrl'))
    const all = blobs(240, 12, 3, 5)
    const split = Array.from({ length: 240 }, (_, i) => (i % 4 === 0 ? 'test' : 'train'))
    const confidence = Array.from({ length: 240 }, (_, i) => (i % 7 === 0 ? null : (i % 10) / 10))
    twoFiles = {
      a: await uploadAny(client, 'resnet.npy', npyFloat32(all.features.subarray(0, 150 * 12), [150, 12]), 'features'),
      b: await uploadAny(client, 'vit.npy', npyFloat32(all.features.subarray(150 * 12), [90, 12]), 'features'),
      labels: await uploadAny(client, 'labels.npy', npyInt32(all.labels), 'labels'),
      metadata: await uploadAny(client, 'meta.csv', metadataCsv({ split, confidence }), 'metadata'),
    }
    twoFileJob = runToEnd(client, { features: [twoFiles.a, twoFiles.b], labels: twoFiles.labels, metadata: twoFiles.metadata, params: PARAMS })

    const points = blobs(300, 10, 3, 9)
    const labelCodes = unevenLabels(300)
    stratified = {
      features: await uploadAny(client, 'points.npy', npyFloat32(points.features, [300, 10]), 'features'),
      labels: await uploadAny(client, 'labels.npy', npyInt32(labelCodes), 'labels'),
      metadata: await uploadAny(client, 'rows.tsv', new TextEncoder().encode('row\tparity\n' + Array.from({ length: 300 }, (_, i) => `${i}\t${i % 2 ? 'odd' : 'even'}`).join('\n') + '\n'), 'metadata'),
      labelCodes,
    }
    stratifiedJob = runToEnd(client, {
      features: stratified.features,
      labels: stratified.labels,
      metadata: stratified.metadata,
      params: { ...PARAMS, subsample: { method: 'stratified', perLabel: 40 } },
    })
  })

  it('gives a map of two feature files a `source` column with each file\'s row count, beside the uploaded columns', async () => {
    const job = await twoFileJob
    expect(job.error).toBeNull()
    expect(job.status).toBe('succeeded')
    expect(job.featureUploads).toEqual([twoFiles.a, twoFiles.b])
    expect(job.features).toBe(twoFiles.a)
    expect(job.metadata).toBe(twoFiles.metadata)
    expect(job.n).toBe(240)
    expect(job.progress?.metadataReady).toBe(true)

    const metadata = await client.request('GET', `/api/v1/jobs/${job.id}/metadata`)
    expect(metadata.status).toBe(200)
    expect(metadata.body.n).toBe(240)
    expect(metadata.body.columns.map((c: { name: string; type: string }) => [c.name, c.type])).toEqual([
      ['source', 'categorical'],
      ['split', 'categorical'],
      ['confidence', 'continuous'],
    ])
    const [source, split, confidence] = metadata.body.columns
    expect(source.categories).toEqual(['resnet.npy', 'vit.npy'])
    expect(source.counts).toEqual([150, 90])
    expect(source.codes.slice(148, 152)).toEqual([0, 0, 1, 1])
    expect(split).toMatchObject({ categories: ['test', 'train'], counts: [60, 180], missing: 0 })
    expect(confidence).toMatchObject({ min: 0, max: 0.9, missing: 35 })
    expect(confidence.values.slice(0, 3)).toEqual([null, 0.1, 0.2])

    const embedding = await resultNpy(client, `/api/v1/jobs/${job.id}/embedding.npy`)
    expect(embedding.shape).toEqual([240, 2])
    const indices = await resultNpy(client, job.results!.indicesNpy!)
    expect(Array.from(indices.data)).toEqual(Array.from({ length: 240 }, (_, i) => i))
    const manifest = (await client.request('GET', `/api/v1/jobs/${job.id}/manifest.json`)).body
    expect(manifest.inputs.featureFiles.map((f: { filename: string; n: number }) => [f.filename, f.n])).toEqual([['resnet.npy', 150], ['vit.npy', 90]])
    expect(manifest.inputs.metadata).toMatchObject({ filename: 'meta.csv', rows: 240, columns: ['split', 'confidence'] })
    expect(manifest.subsample).toBeNull()
  })

  it('writes neighbours in the input space and per-point quality whose mean is the recall in metrics.json', async () => {
    const job = await twoFileJob
    expect(job.results).toMatchObject({ neighboursNpy: `/api/v1/jobs/${job.id}/neighbours.npy`, qualityPointsNpy: `/api/v1/jobs/${job.id}/quality-points.npy` })
    const neighbours = await resultNpy(client, job.results!.neighboursNpy!)
    expect(neighbours.data).toBeInstanceOf(Int32Array)
    expect(neighbours.shape).toEqual([240, 10])
    for (let i = 0; i < 240; i++) {
      const row = Array.from(neighbours.data.subarray(i * 10, i * 10 + 10))
      expect(row.every((j) => j >= 0 && j < 240 && j !== i), `row ${i}: ${row}`).toBe(true)
      expect(new Set(row).size).toBe(10)
    }
    const quality = await resultNpy(client, job.results!.qualityPointsNpy!)
    expect(quality.data).toBeInstanceOf(Float32Array)
    expect(quality.shape).toEqual([240])
    expect(Array.from(quality.data).every((q) => q >= 0 && q <= 1 && Math.abs(q * 10 - Math.round(q * 10)) < 1e-5)).toBe(true)
    const mean = Array.from(quality.data).reduce((a, b) => a + b, 0) / 240

    // D = 12: no PCA, exact kNN, and metrics' recall samples all 240 points against the same space.
    const manifest = (await client.request('GET', `/api/v1/jobs/${job.id}/manifest.json`)).body
    expect(manifest.neighbours).toMatchObject({ k: 10, space: 'input', source: 'tsne', exact: true })
    const metrics = (await client.request('GET', `/api/v1/jobs/${job.id}/metrics.json`)).body
    expect(metrics.recall).toBeGreaterThan(0.1)
    expect(Math.abs(mean - metrics.recall)).toBeLessThanOrEqual(0.02)
    expect(metrics.pointQuality).toMatchObject({ k: 10, space: 'input' })
    expect(metrics.pointQuality.mean).toBeCloseTo(mean, 5)
  })

  it('records the PCA space for neighbours when PCA reduced the input', async () => {
    const wide = blobs(120, 60, 3, 4)
    const features = await uploadAny(client, 'wide.npy', npyFloat32(wide.features, [120, 60]), 'features')
    const job = await runToEnd(client, { features, params: { ...PARAMS, iterations: 50 } })
    expect(job.error).toBeNull()
    const manifest = (await client.request('GET', `/api/v1/jobs/${job.id}/manifest.json`)).body
    expect(manifest.neighbours).toMatchObject({ k: 10, space: 'pca', source: 'tsne' })
    const metrics = (await client.request('GET', `/api/v1/jobs/${job.id}/metrics.json`)).body
    expect(metrics.pointQuality).toMatchObject({ k: 10, space: 'pca' })
    expect((await resultNpy(client, `/api/v1/jobs/${job.id}/neighbours.npy`)).shape).toEqual([120, 10])
  })

  it('keeps at most perLabel points of each label when subsampling stratified, with matching indices, labels, metadata and frames', async () => {
    const job = await stratifiedJob
    expect(job.error).toBeNull()
    expect(job.status).toBe('succeeded')
    expect(job.n).toBe(120)

    const manifest = (await client.request('GET', `/api/v1/jobs/${job.id}/manifest.json`)).body
    expect(manifest.subsample).toEqual({ method: 'stratified', size: null, perLabel: 40, seed: 11, nBefore: 300, nAfter: 120, perLabelCounts: { '0': 40, '1': 40, '2': 40 } })
    expect(manifest.points).toBe(120)
    expect(manifest.inputs.features.n).toBe(300)

    const indices = Array.from((await resultNpy(client, `/api/v1/jobs/${job.id}/indices.npy`)).data)
    expect(indices).toHaveLength(120)
    for (let r = 1; r < 120; r++) expect(indices[r]!).toBeGreaterThan(indices[r - 1]!)
    expect(indices.every((i) => i >= 0 && i < 300)).toBe(true)

    const labels = (await client.request('GET', `/api/v1/jobs/${job.id}/labels`)).body
    expect(labels.codes).toHaveLength(120)
    expect(labels.codes).toEqual(indices.map((i) => stratified.labelCodes[i]))
    expect([0, 1, 2].map((c) => labels.codes.filter((code: number) => code === c).length)).toEqual([40, 40, 40])

    const metadata = (await client.request('GET', `/api/v1/jobs/${job.id}/metadata`)).body
    expect(metadata.n).toBe(120)
    expect(metadata.columns[0]).toMatchObject({ name: 'row', type: 'continuous' })
    expect(metadata.columns[0].values).toEqual(indices)
    expect(metadata.columns[1].codes).toEqual(indices.map((i) => (i % 2 ? 1 : 0)))

    expect((await resultNpy(client, `/api/v1/jobs/${job.id}/embedding.npy`)).shape).toEqual([120, 2])
    expect((await resultNpy(client, `/api/v1/jobs/${job.id}/neighbours.npy`)).shape).toEqual([120, 10])
    expect((await resultNpy(client, `/api/v1/jobs/${job.id}/quality-points.npy`)).shape).toEqual([120])
    const frame = await client.request('GET', `/api/v1/jobs/${job.id}/frames/0`)
    expect(decodeFrame(frame.body).n).toBe(120)
  })

  it('picks the same points for the same seed, and another subset for another seed', async () => {
    const first = Array.from((await resultNpy(client, `/api/v1/jobs/${(await stratifiedJob).id}/indices.npy`)).data)
    const body = (seed: number) => ({ features: stratified.features, labels: stratified.labels, params: { ...PARAMS, iterations: 50, seed, subsample: { method: 'stratified', perLabel: 40 } } })
    const again = await runToEnd(client, body(11))
    const other = await runToEnd(client, body(12))
    expect(Array.from((await resultNpy(client, `/api/v1/jobs/${again.id}/indices.npy`)).data)).toEqual(first)
    expect(Array.from((await resultNpy(client, `/api/v1/jobs/${other.id}/indices.npy`)).data)).not.toEqual(first)
  })

  it('subsamples a two-file map at random, keeping the source column in step with the kept rows', async () => {
    const job = await runToEnd(client, { features: [twoFiles.a, twoFiles.b], metadata: twoFiles.metadata, params: { ...PARAMS, iterations: 50, subsample: { method: 'random', size: 100 } } })
    expect(job.error).toBeNull()
    expect(job.n).toBe(100)
    const indices = Array.from((await resultNpy(client, `/api/v1/jobs/${job.id}/indices.npy`)).data)
    expect(new Set(indices).size).toBe(100)
    const metadata = (await client.request('GET', `/api/v1/jobs/${job.id}/metadata`)).body
    const fromFirst = indices.filter((i) => i < 150).length
    expect(metadata.columns[0]).toMatchObject({ name: 'source', counts: [fromFirst, 100 - fromFirst] })
    expect(metadata.columns[0].codes).toEqual(indices.map((i) => (i < 150 ? 0 : 1)))
    expect(fromFirst).toBeGreaterThan(40)
    expect(fromFirst).toBeLessThan(85)
    const manifest = (await client.request('GET', `/api/v1/jobs/${job.id}/manifest.json`)).body
    expect(manifest.subsample).toMatchObject({ method: 'random', size: 100, perLabel: null, nBefore: 240, nAfter: 100, perLabelCounts: null })
  })

  it('refuses metadata whose row count differs from the points, naming both counts', async () => {
    const short = await uploadAny(client, 'short.csv', metadataCsv({ split: Array.from({ length: 239 }, () => 'a') }), 'metadata')
    const res = await client.request('POST', '/api/v1/jobs', { features: [twoFiles.a, twoFiles.b], metadata: short, params: PARAMS })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('metadata_count_mismatch')
    expect(res.body.error.message).toMatch(/239 rows.*240 points/)
    expect(res.body.error.message).toMatch(/header row/)
    const wrongKind = await client.request('POST', '/api/v1/jobs', { features: twoFiles.a, metadata: twoFiles.labels })
    expect(wrongKind.status).toBe(400)
    expect(wrongKind.body.error.code).toBe('wrong_upload_kind')
    const ragged = await client.upload('ragged.csv', new TextEncoder().encode('a,b\n1,2\n3\n'), 'metadata' as 'features')
    expect(ragged.status).toBe(422)
    expect(ragged.body.error.message).toMatch(/Line 3 has 1 column/)
  })

  it('refuses feature files with different numbers of columns, naming both files', async () => {
    const narrow = await uploadAny(client, 'narrow.npy', npyFloat32(new Float32Array(90 * 8).map((_, i) => Math.sin(i)), [90, 8]), 'features')
    const res = await client.request('POST', '/api/v1/jobs', { features: [twoFiles.a, narrow], params: PARAMS })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('feature_dims_mismatch')
    expect(res.body.error.message).toMatch(/"narrow\.npy".*8 columns.*"resnet\.npy".*12/)
  })

  it('answers invalid subsample parameters with a 400 that says what to change', async () => {
    const cases: [object, RegExp, string][] = [
      [{ method: 'random' }, /random subsampling needs size/, 'invalid_request'],
      [{ method: 'stratified' }, /needs perLabel/, 'invalid_request'],
      [{ method: 'stratified', perLabel: 0 }, /perLabel/, 'invalid_request'],
      [{ method: 'random', size: 50, perLabel: 3 }, /perLabel applies to stratified/, 'invalid_request'],
      [{ method: 'everyother', size: 50 }, /method/, 'invalid_request'],
      [{ method: 'random', size: 20 }, /Perplexity 10 needs at least 31 points; the subsample keeps 20 of /, 'perplexity_too_large'],
    ]
    for (const [subsample, message, code] of cases) {
      const res = await client.request('POST', '/api/v1/jobs', { features: stratified.features, labels: stratified.labels, params: { ...PARAMS, subsample } })
      expect(res.status, JSON.stringify(subsample)).toBe(400)
      expect(res.body.error.code, JSON.stringify(subsample)).toBe(code)
      expect(res.body.error.message, JSON.stringify(subsample)).toMatch(message)
    }
    const noLabels = await client.request('POST', '/api/v1/jobs', { features: stratified.features, params: { subsample: { method: 'stratified', perLabel: 40 } } })
    expect(noLabels.status).toBe(400)
    expect(noLabels.body.error.code).toBe('subsample_needs_labels')
  })

  it('answers 404 metadata_not_found for a job without metadata', async () => {
    const job = await stratifiedJob
    const plain = await runToEnd(client, { features: stratified.features, params: { ...PARAMS, iterations: 50 } })
    expect(plain.status).toBe('succeeded')
    const res = await client.request('GET', `/api/v1/jobs/${plain.id}/metadata`)
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('metadata_not_found')
    expect(res.body.error.message).toMatch(/kind "metadata"/)
    expect((await client.request('GET', `/api/v1/jobs/${job.id}/metadata`)).status).toBe(200)
  })

  it('serves metadata, neighbours and quality read-only through a share link and through @constellate/client', async () => {
    const job = await twoFileJob
    const { token, id: linkId } = (await client.request('POST', `/api/v1/jobs/${job.id}/links`, {})).body.link
    const reader = new TestClient(inject('stackUrl'))
    const owner = (await client.request('GET', `/api/v1/jobs/${job.id}/metadata`)).body
    const viaLink = await reader.request('GET', `/api/v1/shared/${token}/metadata`)
    expect(viaLink.status).toBe(200)
    expect(viaLink.body).toEqual(owner)
    const shown = (await reader.request('GET', `/api/v1/shared/${token}`)).body.job
    expect(shown.results.neighboursNpy).toBe(`/api/v1/shared/${token}/neighbours.npy`)
    expect((await resultNpy(reader, shown.results.qualityPointsNpy)).shape).toEqual([240])
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const write = await reader.request(method, `/api/v1/shared/${token}/metadata`, method === 'DELETE' ? undefined : {})
      expect(write.status, method).toBe(405)
      expect(write.body.error.code).toBe('read_only')
    }
    // The job's own routes need the workspace.
    expect((await reader.request('GET', `/api/v1/jobs/${job.id}/metadata`)).status).toBe(404)

    const anonymous = new ConstellateClient({ baseUrl: inject('stackUrl') })
    const metadata = await anonymous.getMetadata({ shared: token })
    expect(metadata.columns[0]).toMatchObject({ name: 'source', counts: [150, 90] })
    expect((await anonymous.getLabels({ shared: token })).codes).toHaveLength(240)
    const neighbours = await anonymous.getNeighbours({ shared: token })
    expect([neighbours.n, neighbours.k, neighbours.indices.length]).toEqual([240, 10, 2400])

    const secret = (await client.request('POST', '/api/v1/tokens', { name: 'map data', scopes: ['read'] })).body.secret
    const api = new ConstellateClient({ baseUrl: inject('stackUrl'), token: secret })
    expect((await api.getPointQuality(job.id)).length).toBe(240)
    expect(Array.from(await api.getIndices(job.id)).slice(0, 3)).toEqual([0, 1, 2])
    expect((await api.getMetadata(job.id)).n).toBe(240)
    const notReady = await api.getMetadata('job_that_does_not_exist').catch((err: unknown) => err)
    expect(notReady).toBeInstanceOf(ConstellateError)
    expect((notReady as ConstellateError).status).toBe(404)

    await client.request('DELETE', `/api/v1/links/${linkId}`)
    expect((await reader.request('GET', `/api/v1/shared/${token}/metadata`)).status).toBe(410)
  })
})

describe('thumbnails of image inputs', () => {
  // Images are made before any request (encoding blocks the event loop; see onnx.test.ts).
  const images = stripeImages(10, 16)

  it("are found for point i from the sheet index, by the owner and through a share link whose layer list points at the link's routes", async () => {
    const client = new TestClient(inject('stackUrl'))
    const model = await uploadAny(client, 'stripes.onnx', buildStripeCnn(16), 'model')
    const inputs = await uploadAny(client, 'stripes.zip', zipBytes(images.files), 'inputs')
    const job = await runToEnd(client, { model: { upload: model, inputs }, params: { perplexity: 5, iterations: 100 } })
    expect(job.error).toBeNull()
    const index = (await client.request('GET', `/api/v1/jobs/${job.id}/thumbnails`)).body
    expect(index).toMatchObject({ version: 1, count: 30, tileSize: 32, columns: 64 })
    expect(thumbnailTile(index, 29)).toEqual({ sheet: '0.png', x: 29 * 32, y: 0, size: 32 })
    expect(() => thumbnailTile(index, 30)).toThrow(/out of range/)

    const { token } = (await client.request('POST', `/api/v1/jobs/${job.id}/links`, {})).body.link
    const reader = new TestClient(inject('stackUrl'))
    const layers = (await reader.request('GET', `/api/v1/shared/${token}/layers`)).body
    expect(layers.thumbnails).toBe(`/api/v1/shared/${token}/thumbnails`)
    expect(layers.layers[0].embeddingNpy).toBe(`/api/v1/shared/${token}/layers/0/embedding.npy`)
    expect((await reader.request('GET', layers.thumbnails)).body).toEqual(index)
    const sheet = await reader.request('GET', `/api/v1/shared/${token}/thumbnails/${thumbnailTile(index, 5).sheet}`)
    expect(sheet.status).toBe(200)
    expect(sheet.headers.get('content-type')).toBe('image/png')
    const viaClient = await new ConstellateClient({ baseUrl: inject('stackUrl') }).getThumbnails({ shared: token })
    expect(viaClient).toEqual(index)
    // A model job's own neighbours and per-point quality are its first layer's, also through the link.
    const own = await client.request('GET', `/api/v1/jobs/${job.id}/neighbours.npy`)
    const layer0 = await reader.request('GET', layers.layers[0].neighboursNpy)
    expect(own.status).toBe(200)
    expect(layer0.status).toBe(200)
    expect(Buffer.from(own.body as Uint8Array).equals(Buffer.from(layer0.body as Uint8Array))).toBe(true)
    expect(layers.layers[0].qualityPointsNpy).toBe(`/api/v1/shared/${token}/layers/0/quality-points.npy`)
  })
})
