/** @module Where the shown map's result files download from: the job's own links when it has them, else the API's paths. */
import type { JobRef } from '@constellate/client'
import type { Job } from '@constellate/shared'
import { client } from '../app/client.ts'

/** embedding.npy and embedding.csv of the job's map, or of layer `layer` (> 0) of a model job. */
export function downloadUrls(job: Pick<Job, 'id' | 'results'>, ref: JobRef = job.id, layer = 0): { npy: string; csv: string } {
  if (layer > 0) return { npy: client.layerFileUrl(ref, layer, 'embedding.npy'), csv: client.layerFileUrl(ref, layer, 'embedding.csv') }
  if (typeof ref !== 'string') return { npy: client.fileUrl(ref, 'embedding.npy'), csv: client.fileUrl(ref, 'embedding.csv') }
  return { npy: job.results?.embeddingNpy ?? client.fileUrl(job.id, 'embedding.npy'), csv: job.results?.embeddingCsv ?? client.fileUrl(job.id, 'embedding.csv') }
}
