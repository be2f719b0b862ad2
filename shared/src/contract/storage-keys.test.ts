import { describe, expect, it } from 'vitest'
import {
  THUMBNAIL_INDEX_FILE,
  frameKey,
  incomingUploadKey,
  labelsKey,
  layersListKey,
  metadataKey,
  modelLayersKey,
  resultFileKey,
  resultsPrefix,
  thumbnailKey,
  verifiedUploadKey,
} from './storage-keys.ts'

describe('storage keys', () => {
  it('put uploads under incoming/ while written and uploads/ once verified, a model layer list beside the model', () => {
    expect(incomingUploadKey('ws_1', 'upl_2')).toBe('incoming/ws_1/upl_2')
    expect(verifiedUploadKey('ws_1', 'upl_2')).toBe('uploads/ws_1/upl_2')
    expect(modelLayersKey(verifiedUploadKey('ws_1', 'upl_2'))).toBe('uploads/ws_1/upl_2.layers.json')
  })

  it("put a job's labels and metadata beside each other, the same for every attempt", () => {
    expect(labelsKey('job_1')).toBe('jobs/job_1/labels.json')
    expect(metadataKey('job_1')).toBe('jobs/job_1/metadata.json')
  })

  it('number frames by attempt and sequence', () => {
    expect(frameKey('job_1', 2, 0)).toBe('jobs/job_1/frames/2-0.bin')
    expect(frameKey('job_1', 1, 37)).toBe('jobs/job_1/frames/1-37.bin')
  })

  it("put an attempt's results under its prefix, a layer's under layers/<i>/", () => {
    const prefix = resultsPrefix('job_1', 3)
    expect(prefix).toBe('jobs/job_1/attempts/3')
    expect(resultFileKey(prefix, 'manifest.json')).toBe('jobs/job_1/attempts/3/manifest.json')
    expect(resultFileKey(prefix, 'quality-points.npy', 0)).toBe('jobs/job_1/attempts/3/layers/0/quality-points.npy')
    // A layer index from a route is kept as written, so "01" names a different (missing) object than "1".
    expect(resultFileKey(prefix, 'embedding.npy', '01')).toBe('jobs/job_1/attempts/3/layers/01/embedding.npy')
    expect(layersListKey(prefix)).toBe('jobs/job_1/attempts/3/layers.json')
    expect(thumbnailKey(prefix, THUMBNAIL_INDEX_FILE)).toBe('jobs/job_1/attempts/3/thumbnails/index.json')
    expect(thumbnailKey(prefix, '4.png')).toBe('jobs/job_1/attempts/3/thumbnails/4.png')
  })
})
