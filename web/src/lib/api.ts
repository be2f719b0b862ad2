/**
 * @module Calls to the Constellate HTTP API (docs/api.md). Every failure becomes an `ApiError` whose
 * message is plain words fit to show next to the control that caused it.
 */
import type { CreateJobRequest, Job, JobLabels, JobLayers, JobMetadata, ThumbnailIndex } from '@constellate/shared'

export const API_BASE = '/api/v1'

export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The API's machine-readable code, or a local one ('network', 'bad_response', 'storage'). */
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** The user-facing message of any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

/** Turns a non-OK response into an ApiError, using the `{error: {code, message}}` body when there is one. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    // Not JSON (a proxy page, an empty body): fall through to a generic message.
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error
  if (error && typeof error.message === 'string') {
    return new ApiError(response.status, typeof error.code === 'string' ? error.code : 'error', error.message)
  }
  return new ApiError(response.status, 'bad_response', genericStatusMessage(response.status))
}

export function genericStatusMessage(status: number): string {
  if (status === 404) return 'The server does not know this address (HTTP 404).'
  if (status === 413) return 'The request is too large for the server (HTTP 413).'
  if (status === 429) return 'Too many requests right now. Wait a moment and try again.'
  if (status >= 500) return `The server ran into a problem (HTTP ${status}). Try again in a moment.`
  return `The server refused the request (HTTP ${status}).`
}

import { client, viaClient } from './client.ts'

const NETWORK_MESSAGE = 'Could not reach the Constellate server. Check that it is running and try again.'

async function request(path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response
  try {
    response = await fetch(API_BASE + path, { credentials: 'same-origin', ...init })
  } catch (error) {
    if ((error as Error)?.name === 'AbortError') throw error
    throw new ApiError(0, 'network', NETWORK_MESSAGE)
  }
  if (!response.ok) throw await errorFromResponse(response)
  return response
}

async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await request(path, init)
  try {
    return (await response.json()) as T
  } catch {
    throw new ApiError(response.status, 'bad_response', 'The server sent an answer that could not be read.')
  }
}

// Owner routes go through @constellate/client (schema-checked answers, retries, an Idempotency-Key on every
// job creation); share-link sub-resources and binary frames use the small helpers below.

export async function createJob(body: CreateJobRequest): Promise<Job> {
  return (await viaClient(() => client.createJob(body))).job
}

export function listJobs(signal?: AbortSignal): Promise<Job[]> {
  return viaClient(() => client.listJobs({ signal }))
}

/**
 * Where a job's data is read from: the owner's routes (`/jobs/<id>`) or a share link's read-only routes
 * (`/shared/<token>`), which offer the same sub-resources. `base` is relative to API_BASE.
 */
export type JobSource = { kind: 'owner'; jobId: string; base: string } | { kind: 'shared'; token: string; base: string }

export function ownerSource(jobId: string): JobSource {
  return { kind: 'owner', jobId, base: `/jobs/${encodeURIComponent(jobId)}` }
}

export function sharedSource(token: string): JobSource {
  return { kind: 'shared', token, base: `/shared/${encodeURIComponent(token)}` }
}

/** Absolute path of a sub-resource of a job source, e.g. `embedding.npy`. */
export function sourceUrl(source: JobSource, file: string): string {
  return `${API_BASE}${source.base}/${file}`
}

export async function getJob(id: string, signal?: AbortSignal): Promise<Job> {
  return getSourceJob(ownerSource(id), signal)
}

export function getSourceJob(source: JobSource, signal?: AbortSignal): Promise<Job> {
  return viaClient(() => (source.kind === 'owner' ? client.getJob(source.jobId, signal) : client.sharedJob(source.token, signal)))
}

export function cancelJob(id: string): Promise<Job> {
  return viaClient(() => client.cancelJob(id))
}

export function getJobLabels(source: JobSource | string, signal?: AbortSignal): Promise<JobLabels> {
  return json(`${asSource(source).base}/labels`, { signal })
}

/** A stored frame of a job: its sequence number, iteration and KL divergence (null when not computed). */
export interface FrameInfo {
  seq: number
  iteration: number
  kl?: number | null
}

export async function listFrames(source: JobSource | string, signal?: AbortSignal): Promise<FrameInfo[]> {
  return (await json<{ frames: FrameInfo[] }>(`${asSource(source).base}/frames`, { signal })).frames
}

export async function getFrameBytes(source: JobSource | string, seq: number, signal?: AbortSignal): Promise<Uint8Array> {
  const response = await request(`${asSource(source).base}/frames/${seq}`, { signal })
  return new Uint8Array(await response.arrayBuffer())
}

export async function getEmbeddingNpy(source: JobSource | string, signal?: AbortSignal): Promise<Uint8Array> {
  const response = await request(`${asSource(source).base}/embedding.npy`, { signal })
  return new Uint8Array(await response.arrayBuffer())
}

/** A JSON result file of a job (`manifest.json`, `metrics.json`, or a layer's `layers/<i>/metrics.json`). */
export function getResultJson<T = unknown>(source: JobSource, file: 'manifest.json' | 'metrics.json' | `layers/${number}/metrics.json`, signal?: AbortSignal): Promise<T> {
  return json<T>(`${source.base}/${file}`, { signal })
}

/** A model job's embedded layers (one map each) and its thumbnail index route. */
export function getJobLayers(source: JobSource, signal?: AbortSignal): Promise<JobLayers> {
  return json<JobLayers>(`${source.base}/layers`, { signal })
}

/** The final `embedding.npy` of layer `index` of a model job. */
export async function getLayerNpy(source: JobSource, index: number, signal?: AbortSignal): Promise<Uint8Array> {
  const response = await request(`${source.base}/layers/${index}/embedding.npy`, { signal })
  return new Uint8Array(await response.arrayBuffer())
}

/** A job's metadata columns (uploaded table, and the source file when several feature files were joined). */
export function getJobMetadata(source: JobSource, signal?: AbortSignal): Promise<JobMetadata> {
  return json<JobMetadata>(`${source.base}/metadata`, { signal })
}

/** A per-point result array of a finished job (`.npy` bytes). */
export async function getPointFile(
  source: JobSource,
  file: 'quality-points.npy' | 'neighbours.npy' | 'indices.npy' | `layers/${number}/${'quality-points.npy' | 'neighbours.npy'}`,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const response = await request(`${source.base}/${file}`, { signal })
  return new Uint8Array(await response.arrayBuffer())
}

/** The thumbnail sprite-sheet index of a model job on images; sheets are at `thumbnailSheetUrl`. */
export function getThumbnailIndex(source: JobSource, signal?: AbortSignal): Promise<ThumbnailIndex> {
  return json<ThumbnailIndex>(`${source.base}/thumbnails`, { signal })
}

export function thumbnailSheetUrl(source: JobSource, sheet: string): string {
  return sourceUrl(source, `thumbnails/${sheet}`)
}

/** Download links of one layer's map, for the owner or through a share link. */
export function layerUrls(source: JobSource, index: number): { npy: string; csv: string } {
  return { npy: sourceUrl(source, `layers/${index}/embedding.npy`), csv: sourceUrl(source, `layers/${index}/embedding.csv`) }
}

function asSource(source: JobSource | string): JobSource {
  return typeof source === 'string' ? ownerSource(source) : source
}

/** Where the job's results download from: the job's own links when present, else the documented paths. */
export function resultUrls(job: Pick<Job, 'id' | 'results'>, source: JobSource = ownerSource(job.id)): { npy: string; csv: string } {
  if (source.kind === 'shared') return { npy: sourceUrl(source, 'embedding.npy'), csv: sourceUrl(source, 'embedding.csv') }
  const base = `${API_BASE}/jobs/${encodeURIComponent(job.id)}`
  return { npy: job.results?.embeddingNpy ?? `${base}/embedding.npy`, csv: job.results?.embeddingCsv ?? `${base}/embedding.csv` }
}

/** The live WebSocket URL for a job (or a job source) on this page's origin. */
export function liveUrl(job: string | JobSource, location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}${API_BASE}${asSource(job).base}/live`
}

/** A share link of a job: a read-only capability URL (`url` is the page path, `/v/<token>`). */
export interface ShareLink {
  id: string
  token: string
  url: string
  createdAt: string
  expiresAt: string | null
  revokedAt: string | null
}

export function createShareLink(jobId: string, expiresInDays?: number): Promise<ShareLink> {
  return viaClient(() => client.createLink(jobId, expiresInDays ? { expiresInDays } : {}))
}

export function listShareLinks(jobId: string, signal?: AbortSignal): Promise<ShareLink[]> {
  return viaClient(() => client.listLinks(jobId, signal))
}

export function revokeShareLink(linkId: string): Promise<ShareLink> {
  return viaClient(() => client.revokeLink(linkId))
}

/** The message of an S3-style XML error body (`<Message>...</Message>`), if any. */
export function storageErrorMessage(body: string): string | null {
  const match = /<Message>([^<]*)<\/Message>/.exec(body)
  return match?.[1]?.trim() || null
}

/**
 * PUTs `body` to a presigned storage URL with XMLHttpRequest so upload progress can be shown.
 * Sends no Content-Type (the signature covers none). Resolves when storage accepts the bytes.
 */
export function putWithProgress(
  url: string,
  body: Blob,
  onProgress: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('PUT', url)
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total)
    }
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(body.size, body.size)
        // The ETag identifies a stored part of a multipart upload (storage's CORS rules expose it).
        resolve(xhr.getResponseHeader('ETag') ?? '')
        return
      }
      const detail = storageErrorMessage(xhr.responseText ?? '')
      reject(new ApiError(xhr.status, 'storage', `Storage refused the file (HTTP ${xhr.status})${detail ? `: ${detail}` : '.'}`))
    }
    xhr.onerror = () =>
      reject(new ApiError(0, 'network', 'The connection to storage failed while sending the file. Check your connection and try again.'))
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'))
    signal?.addEventListener('abort', () => xhr.abort(), { once: true })
    // A typeless Blob makes the browser send no Content-Type header.
    xhr.send(body.slice(0, body.size, ''))
  })
}
