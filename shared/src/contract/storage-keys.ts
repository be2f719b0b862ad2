/**
 * @module Where everything lives in the bucket, in one place: uploads (`incoming/` while the browser writes,
 * `uploads/` once verified, a model's layer list beside it) and a job's objects (labels and metadata per
 * job, frames per attempt, result files, per-layer files, thumbnails and the layer list under the
 * attempt's results prefix). The edge and the worker build every key with these functions.
 */
import type { LayerFileName, ResultFileName } from './result-files.ts'

/** Where the browser PUTs an upload's bytes (a presigned URL can overwrite it, so jobs never read it). */
export function incomingUploadKey(workspaceId: string, uploadId: string): string {
  return `incoming/${workspaceId}/${uploadId}`
}

/** Where a verified upload is copied to: what was verified is exactly what jobs read. */
export function verifiedUploadKey(workspaceId: string, uploadId: string): string {
  return `uploads/${workspaceId}/${uploadId}`
}

/** A verified model's layer list (ModelLayers), beside the model. */
export function modelLayersKey(modelKey: string): string {
  return `${modelKey}.layers.json`
}

/** Where one attempt of a job writes its results (the lease's `resultsPrefix`; the job's `results_prefix` once it succeeded). */
export function resultsPrefix(jobId: string, attempt: number): string {
  return `jobs/${jobId}/attempts/${attempt}`
}

/**
 * A result file under a results prefix: the job's own (`<prefix>/<file>`), or one layer's
 * (`<prefix>/layers/<layer>/<file>`; a layer index from a route stays as written).
 */
export function resultFileKey(prefix: string, file: ResultFileName): string
export function resultFileKey(prefix: string, file: LayerFileName, layer: number | string): string
export function resultFileKey(prefix: string, file: ResultFileName, layer?: number | string): string {
  return layer === undefined ? `${prefix}/${file}` : `${prefix}/layers/${layer}/${file}`
}

/** A model job's layer list (JobLayers) under its results prefix. */
export function layersListKey(prefix: string): string {
  return `${prefix}/layers.json`
}

/** The thumbnail index (ThumbnailIndex) of a model job on images. */
export const THUMBNAIL_INDEX_FILE = 'index.json'

/** A thumbnail file (THUMBNAIL_INDEX_FILE or a `<k>.png` sheet) under a results prefix. */
export function thumbnailKey(prefix: string, name: string): string {
  return `${prefix}/thumbnails/${name}`
}

/** The job's labels as the worker read them (JobLabels); the same key for every attempt. */
export function labelsKey(jobId: string): string {
  return `jobs/${jobId}/labels.json`
}

/** The job's metadata.json (JobMetadata), beside labels.json; the same key for every attempt. */
export function metadataKey(jobId: string): string {
  return `jobs/${jobId}/metadata.json`
}

/** One stored live frame (CSTF bytes): frame `seq` of an attempt. */
export function frameKey(jobId: string, attempt: number, seq: number): string {
  return `jobs/${jobId}/frames/${attempt}-${seq}.bin`
}
