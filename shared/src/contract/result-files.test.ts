import { describe, expect, it } from 'vitest'
import { Job } from '../schemas.ts'
import { JobLayer } from '../onnx/onnx-job.ts'
import {
  LAYER_FILE_NAMES,
  MAIN_RESULT_FILE_NAMES,
  MAP_DATA_FILE_NAMES,
  RESULT_FILE_NAMES,
  RESULT_FILE_SPECS,
  describeResultFiles,
  jobResultLinks,
  layerResultLinks,
  resultFilePattern,
} from './result-files.ts'

describe('the result files of a job', () => {
  it('are the seven a job leaves: the map, its summaries and three per-point files', () => {
    expect(RESULT_FILE_NAMES).toEqual(['embedding.npy', 'embedding.csv', 'manifest.json', 'metrics.json', 'indices.npy', 'neighbours.npy', 'quality-points.npy'])
    expect(MAIN_RESULT_FILE_NAMES).toEqual(['embedding.npy', 'embedding.csv', 'manifest.json', 'metrics.json'])
    expect(MAP_DATA_FILE_NAMES).toEqual(['indices.npy', 'neighbours.npy', 'quality-points.npy'])
  })

  it('are stored per layer of a model job except the manifest and the input rows (model jobs never subsample)', () => {
    expect(LAYER_FILE_NAMES).toEqual(['embedding.npy', 'embedding.csv', 'metrics.json', 'neighbours.npy', 'quality-points.npy'])
  })

  it('are served with the content types the edge has always sent', () => {
    const types = Object.fromEntries(RESULT_FILE_NAMES.map((file) => [file, RESULT_FILE_SPECS[file].contentType]))
    expect(types).toEqual({
      'embedding.npy': 'application/octet-stream',
      'embedding.csv': 'text/csv; charset=utf-8',
      'manifest.json': 'application/json',
      'metrics.json': 'application/json',
      'indices.npy': 'application/octet-stream',
      'neighbours.npy': 'application/octet-stream',
      'quality-points.npy': 'application/octet-stream',
    })
  })

  it('are described with their layouts for the API document', () => {
    expect(describeResultFiles()).toBe(
      'embedding.npy float32 [N, dims]; embedding.csv x,y[,z],label; manifest.json; metrics.json; indices.npy int32 [N]; neighbours.npy int32 [N, k]; quality-points.npy float32 [N]',
    )
  })

  it('make a route pattern that admits exactly their names', () => {
    const pattern = new RegExp(`^${resultFilePattern(RESULT_FILE_NAMES)}$`)
    for (const file of RESULT_FILE_NAMES) expect(pattern.test(file), file).toBe(true)
    for (const other of ['embeddingXnpy', 'layers.json', 'embedding.npy2', 'labels', '']) expect(pattern.test(other), other).toBe(false)
    expect(resultFilePattern(LAYER_FILE_NAMES)).toBe('(embedding\\.npy|embedding\\.csv|metrics\\.json|neighbours\\.npy|quality-points\\.npy)')
  })
})

describe('links to result files', () => {
  it("are a succeeded job's `results`, in the order the API has always listed them", () => {
    const links = jobResultLinks('/api/v1/jobs/job_1')
    expect(JSON.stringify(links)).toBe(
      JSON.stringify({
        embeddingNpy: '/api/v1/jobs/job_1/embedding.npy',
        embeddingCsv: '/api/v1/jobs/job_1/embedding.csv',
        manifest: '/api/v1/jobs/job_1/manifest.json',
        metrics: '/api/v1/jobs/job_1/metrics.json',
        indicesNpy: '/api/v1/jobs/job_1/indices.npy',
        neighboursNpy: '/api/v1/jobs/job_1/neighbours.npy',
        qualityPointsNpy: '/api/v1/jobs/job_1/quality-points.npy',
      }),
    )
    expect(Job.shape.results.unwrap().parse(links)).toEqual(links)
  })

  it("are a layer's file links in its JobLayer", () => {
    const links = layerResultLinks('/api/v1/jobs/job_1', 2)
    expect(JSON.stringify(links)).toBe(
      JSON.stringify({
        embeddingNpy: '/api/v1/jobs/job_1/layers/2/embedding.npy',
        embeddingCsv: '/api/v1/jobs/job_1/layers/2/embedding.csv',
        metrics: '/api/v1/jobs/job_1/layers/2/metrics.json',
        neighboursNpy: '/api/v1/jobs/job_1/layers/2/neighbours.npy',
        qualityPointsNpy: '/api/v1/jobs/job_1/layers/2/quality-points.npy',
      }),
    )
    const layer = { index: 2, name: 'features', opType: 'Flatten', shape: [6], d: 6, kl: 0.5, iterations: 750, ...links }
    expect(JobLayer.strict().parse(layer)).toEqual(layer)
  })

  it('name fields of the Job schema, each once', () => {
    const fields = RESULT_FILE_NAMES.map((file) => RESULT_FILE_SPECS[file].link)
    expect(new Set(fields).size).toBe(fields.length)
    expect(Object.keys(Job.shape.results.unwrap().shape).sort()).toEqual([...fields].sort())
  })
})
