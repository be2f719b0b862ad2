import { describe, expect, it } from 'vitest'
import { downloadUrls } from './downloads.ts'

describe('download links', () => {
  it('prefers the job links for downloads', () => {
    expect(downloadUrls({ id: 'j', results: null }).csv).toBe('/api/v1/jobs/j/embedding.csv')
    expect(downloadUrls({ id: 'j', results: { embeddingNpy: '/x.npy', embeddingCsv: '/x.csv', manifest: '', metrics: '' } }).npy).toBe('/x.npy')
  })

  it('reads through the share link, and a layer from its own files', () => {
    expect(downloadUrls({ id: 'j', results: null }, { shared: 'tok' }).npy).toBe('/api/v1/shared/tok/embedding.npy')
    expect(downloadUrls({ id: 'j', results: null }, 'j', 2)).toEqual({ npy: '/api/v1/jobs/j/layers/2/embedding.npy', csv: '/api/v1/jobs/j/layers/2/embedding.csv' })
    expect(downloadUrls({ id: 'j', results: null }, { shared: 'tok' }, 1).csv).toBe('/api/v1/shared/tok/layers/1/embedding.csv')
  })
})
