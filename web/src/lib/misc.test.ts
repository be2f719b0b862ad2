import { describe, expect, it } from 'vitest'
import { encodeNpyFloat32 } from '@constellate/shared'
import { errorFromResponse, liveUrl, resultUrls, storageErrorMessage } from './api.ts'
import { countClasses, frameFromNpy } from './embedding.ts'
import { shapeText, stageText, timeAgo } from './job-text.ts'
import { isAppPath, jobPath, matchRoute } from './routes.ts'

describe('routes', () => {
  it('maps paths to pages', () => {
    expect(matchRoute('/')).toEqual({ page: 'upload' })
    expect(matchRoute('/jobs/job_123/')).toEqual({ page: 'job', jobId: 'job_123' })
    expect(matchRoute('/jobs/a/b').page).toBe('not-found')
    expect(matchRoute(jobPath('a b'))).toEqual({ page: 'job', jobId: 'a b' })
  })

  it('leaves API links and downloads to the browser', () => {
    expect(isAppPath('/api/v1/jobs/x/embedding.npy')).toBe(false)
    expect(isAppPath('/jobs/x')).toBe(true)
  })
})

describe('API helpers', () => {
  it('uses the API error body message', async () => {
    const response = new Response(JSON.stringify({ error: { code: 'job_not_found', message: 'No job with id x.' } }), { status: 404 })
    const error = await errorFromResponse(response)
    expect([error.status, error.code, error.message]).toEqual([404, 'job_not_found', 'No job with id x.'])
  })

  it('explains a failure without a JSON body in plain words', async () => {
    const error = await errorFromResponse(new Response('<html>Bad gateway</html>', { status: 502 }))
    expect(error.message).toBe('The server ran into a problem (HTTP 502). Try again in a moment.')
  })

  it('reads the message of an S3 XML error', () => {
    expect(storageErrorMessage('<Error><Code>SignatureDoesNotMatch</Code><Message>The signature does not match.</Message></Error>')).toBe(
      'The signature does not match.',
    )
    expect(storageErrorMessage('')).toBeNull()
  })

  it('builds the live URL from the page protocol', () => {
    expect(liveUrl('j1', { protocol: 'https:', host: 'example.org' })).toBe('wss://example.org/api/v1/jobs/j1/live')
    expect(liveUrl('j1', { protocol: 'http:', host: 'localhost:8787' })).toBe('ws://localhost:8787/api/v1/jobs/j1/live')
  })

  it('prefers the job links for downloads', () => {
    expect(resultUrls({ id: 'j', results: null }).csv).toBe('/api/v1/jobs/j/embedding.csv')
    expect(resultUrls({ id: 'j', results: { embeddingNpy: '/x.npy', embeddingCsv: '/x.csv', manifest: '', metrics: '' } }).npy).toBe('/x.npy')
  })
})

describe('final embedding', () => {
  it('reads embedding.npy into a frame', () => {
    const frame = frameFromNpy(encodeNpyFloat32(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]), 750)
    expect(frame).toMatchObject({ n: 2, dims: 3, iteration: 750 })
    expect([...frame.coords]).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('refuses an array that is not [N, 2|3]', () => {
    expect(() => frameFromNpy(encodeNpyFloat32(new Float32Array(4), [1, 4]), 0)).toThrow(/expected \[N, 2\] or \[N, 3\]/)
  })

  it('counts points per class, ignoring missing labels', () => {
    expect(countClasses([0, 1, 1, -1, 2, 1], 3)).toEqual([1, 3, 1])
  })
})

describe('job words', () => {
  it('names stages and shapes', () => {
    expect(stageText('knn')).toBe('Finding nearest neighbours')
    expect(stageText('building_index')).toBe('Building index')
    expect(shapeText({ n: 2000, d: 784 })).toBe('2,000 × 784')
    expect(shapeText({ n: null, d: null })).toBeNull()
  })

  it('says how long ago', () => {
    const now = Date.parse('2026-01-01T12:00:00Z')
    expect(timeAgo('2026-01-01T11:59:50Z', now)).toBe('just now')
    expect(timeAgo('2026-01-01T11:30:00Z', now)).toBe('30 min ago')
    expect(timeAgo('2025-12-20T11:30:00Z', now)).toBe('2025-12-20')
  })
})
