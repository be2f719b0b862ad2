import { afterEach, describe, expect, it, vi } from 'vitest'
import { encodeNpyFloat32, encodeNpyInt32, Job } from '@constellate/shared'
import { ConstellateClient } from './client.ts'

/** A client whose fetch answers every request with `answer()` and records the URLs asked for. */
function recording(answer: () => Response, baseUrl = 'http://api.test') {
  const urls: string[] = []
  const fetch = (async (url: string) => {
    urls.push(url)
    return answer()
  }) as typeof globalThis.fetch
  return { client: new ConstellateClient({ baseUrl, fetch, webSocket: null }), urls }
}

const JOB = Job.parse({
  id: 'job_1',
  status: 'queued',
  params: {},
  features: 'upl_1',
  labels: null,
  n: 200,
  d: 10,
  attempt: 1,
  progress: null,
  error: null,
  warnings: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  results: null,
})

const json = (body: unknown) => () => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })
const bytes = (data: Uint8Array) => () => new Response(data.slice(), { status: 200 })

describe('job resources for a job id or a share link', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('builds live WebSocket URLs from the base URL, or from the page when there is none', () => {
    expect(new ConstellateClient({ baseUrl: 'https://example.org/', webSocket: null }).liveUrl('j 1')).toBe('wss://example.org/api/v1/jobs/j%201/live')
    expect(new ConstellateClient({ baseUrl: 'http://localhost:8787', webSocket: null }).liveUrl({ shared: 'tok' })).toBe('ws://localhost:8787/api/v1/shared/tok/live')
    vi.stubGlobal('location', { href: 'https://maps.example.org/jobs/j1#view=3d' })
    expect(new ConstellateClient({ baseUrl: '', webSocket: null }).liveUrl('j1')).toBe('wss://maps.example.org/api/v1/jobs/j1/live')
  })

  it('gives download and image addresses relative to the page without a base URL', () => {
    const client = new ConstellateClient({ baseUrl: '', webSocket: null })
    expect(client.fileUrl('j1', 'embedding.csv')).toBe('/api/v1/jobs/j1/embedding.csv')
    expect(client.fileUrl({ shared: 'tok' }, 'embedding.npy')).toBe('/api/v1/shared/tok/embedding.npy')
    expect(client.layerFileUrl('j1', 2, 'embedding.npy')).toBe('/api/v1/jobs/j1/layers/2/embedding.npy')
    expect(client.layerFileUrl({ shared: 'tok' }, 1, 'embedding.csv')).toBe('/api/v1/shared/tok/layers/1/embedding.csv')
    expect(client.thumbnailSheetUrl('j1', 'sheet-0.png')).toBe('/api/v1/jobs/j1/thumbnails/sheet-0.png')
    expect(new ConstellateClient({ baseUrl: 'http://api.test', webSocket: null }).fileUrl('j1', 'metrics.json')).toBe('http://api.test/api/v1/jobs/j1/metrics.json')
  })

  it('reads a job by id or through a share link', async () => {
    const { client, urls } = recording(json({ job: JOB }))
    expect((await client.readJob({ shared: 'tok' })).id).toBe('job_1')
    expect((await client.readJob('job_1')).status).toBe('queued')
    expect(urls).toEqual(['http://api.test/api/v1/shared/tok', 'http://api.test/api/v1/jobs/job_1'])
  })

  it('reads manifest and metrics, a layer\'s metrics, through either route', async () => {
    const { client, urls } = recording(json({ knnRecall: 0.5 }))
    expect(await client.downloadJson({ shared: 'tok' }, 'manifest.json')).toEqual({ knnRecall: 0.5 })
    expect(await client.downloadJson('j1', 'metrics.json')).toEqual({ knnRecall: 0.5 })
    expect(await client.layerMetrics('j1', 3)).toEqual({ knnRecall: 0.5 })
    expect(await client.layerMetrics({ shared: 'tok' }, 1)).toEqual({ knnRecall: 0.5 })
    expect(urls).toEqual([
      'http://api.test/api/v1/shared/tok/manifest.json',
      'http://api.test/api/v1/jobs/j1/metrics.json',
      'http://api.test/api/v1/jobs/j1/layers/3/metrics.json',
      'http://api.test/api/v1/shared/tok/layers/1/metrics.json',
    ])
  })

  it('reads a layer\'s per-point quality and neighbours from that layer\'s files', async () => {
    const quality = recording(bytes(encodeNpyFloat32(new Float32Array([0.25, 1]), [2])))
    expect(Array.from(await quality.client.getPointQuality('j1', undefined, 2))).toEqual([0.25, 1])
    expect(Array.from(await quality.client.getPointQuality({ shared: 'tok' }))).toEqual([0.25, 1])
    expect(quality.urls).toEqual(['http://api.test/api/v1/jobs/j1/layers/2/quality-points.npy', 'http://api.test/api/v1/shared/tok/quality-points.npy'])

    const neighbours = recording(bytes(encodeNpyInt32(new Int32Array([1, 2, 0, 2, 0, 1]), [3, 2])))
    const read = await neighbours.client.getNeighbours('j1', undefined, 1)
    expect([read.n, read.k, Array.from(read.indices)]).toEqual([3, 2, [1, 2, 0, 2, 0, 1]])
    expect(neighbours.urls).toEqual(['http://api.test/api/v1/jobs/j1/layers/1/neighbours.npy'])
  })

  it('says which layer file is unreadable when the array has the wrong type', async () => {
    const { client } = recording(bytes(encodeNpyInt32(new Int32Array([1, 2]), [2])))
    await expect(client.getPointQuality('j1', undefined, 1)).rejects.toThrow('quality-points.npy should be float32 with 1 dimensions; got shape [2].')
  })
})
