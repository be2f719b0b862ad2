/**
 * @module ConstellateClient: one typed method per public route, answers checked against the shared zod
 * schemas, retries on 429/5xx/network errors (retry.ts), uploads with resume (upload.ts) and live
 * watching (live.ts). Fetch only: the same code runs in the browser and in Node (the CLI).
 */
import type { ApiToken, CreateJobRequest, CreateUploadRequest, Job, JobLabels, JobLayers, JobMetadata, JobStatus, ModelLayers, ShareLink, ThumbnailIndex, Upload, UploadSource } from '@constellate/shared'
import { NpyFormatError, decodeNpyArray } from '@constellate/shared'
import { CLIENT_ERROR_CODES, ConstellateError } from './errors.ts'
import { HttpCore, type HttpOptions } from './http.ts'
import { followJob, isTerminal, type JobFollow, type WatchOptions, type WebSocketFactory } from './live.ts'
import { jobRoute, type JobRef } from './job-ref.ts'
import { MAP_DATA_FILES, RESULT_FILES, ROUTES, routePath, type MapDataFile, type ResultFile } from './routes.ts'
import {
  CreateTokenResponse,
  CreateUploadResponse,
  FrameList,
  JobEnvelope,
  JobList,
  JobMetadata as JobMetadataSchema,
  JsonObject,
  LinkEnvelope,
  LinkList,
  ReportPartResponse,
  TokenEnvelope,
  ThumbnailIndex as ThumbnailIndexSchema,
  TokenList,
  UploadEnvelope,
  UploadPartsEnvelope,
} from './schemas.ts'
import { fetchPutObject, uploadWithClient, type PutObject, type UploadFileOptions } from './upload.ts'
import { JobLabels as JobLabelsSchema, JobLayers as JobLayersSchema, ModelLayers as ModelLayersSchema } from '@constellate/shared'

export interface ClientOptions extends HttpOptions {
  /** Opens live WebSockets; default: the global WebSocket (browsers), else watching polls. */
  webSocket?: WebSocketFactory | null
  /** Replaces the storage PUT, e.g. with XMLHttpRequest for byte-level upload progress in a browser. */
  putObject?: PutObject
}

export const WAIT_DEFAULTS = {
  /** First poll interval, ms; grows by half each poll up to maxIntervalMs. */
  intervalMs: 1000,
  maxIntervalMs: 5000,
  /** Give up after this long (ms); Infinity waits for ever. */
  timeoutMs: Number.POSITIVE_INFINITY,
}

export interface WaitOptions {
  intervalMs?: number
  maxIntervalMs?: number
  timeoutMs?: number
  signal?: AbortSignal
  onUpdate?: (job: Job) => void
}

/** The result files of one layer of a model job (the manifest and indices are the job's own). */
export type LayerFile = Exclude<ResultFile, 'manifest.json'> | Exclude<MapDataFile, 'indices.npy'>

export interface CreateJobOptions {
  /** Same key within 24 h → the same job. Default: a fresh UUID, which still makes this call's retries safe. */
  idempotencyKey?: string
  signal?: AbortSignal
}

export class ConstellateClient {
  readonly http: HttpCore
  private readonly webSocket: WebSocketFactory | null
  private readonly putObject: PutObject
  private readonly random: () => number

  constructor(options: ClientOptions = {}) {
    this.http = new HttpCore(options)
    this.random = options.random ?? Math.random
    const globalWebSocket = (globalThis as { WebSocket?: new (url: string) => unknown }).WebSocket
    this.webSocket = options.webSocket !== undefined ? options.webSocket : globalWebSocket ? (url) => new globalWebSocket(url) as never : null
    this.putObject = options.putObject ?? fetchPutObject(this.http)
  }

  get baseUrl(): string {
    return this.http.baseUrl
  }

  /** Absolute URL of a server path (`link.url`, a job's page). */
  absoluteUrl(path: string): string {
    return this.http.url(path)
  }

  // Uploads

  createUpload(request: CreateUploadRequest, signal?: AbortSignal) {
    return this.http.json(ROUTES.createUpload, CreateUploadResponse, { body: request, signal })
  }

  async getUpload(id: string, signal?: AbortSignal): Promise<Upload> {
    return (await this.http.json(ROUTES.getUpload, UploadEnvelope, { params: { id }, signal })).upload
  }

  async completeUpload(id: string, signal?: AbortSignal): Promise<Upload> {
    return (await this.http.json(ROUTES.completeUpload, UploadEnvelope, { params: { id }, signal })).upload
  }

  uploadParts(id: string, signal?: AbortSignal) {
    return this.http.json(ROUTES.uploadParts, UploadPartsEnvelope, { params: { id }, signal })
  }

  reportPart(id: string, partNumber: number, etag: string, signal?: AbortSignal) {
    return this.http.json(ROUTES.reportPart, ReportPartResponse, { params: { id, partNumber }, body: { etag }, signal })
  }

  uploadLayers(id: string, signal?: AbortSignal): Promise<ModelLayers> {
    return this.http.json(ROUTES.uploadLayers, ModelLayersSchema, { params: { id }, signal })
  }

  /** Uploads a file (single PUT or presigned parts; resumes with `resumeUploadId`), verifies it, returns it. */
  uploadFile(source: UploadSource, options: UploadFileOptions): Promise<Upload> {
    return uploadWithClient(this.http, this.putObject, source, options)
  }

  // Jobs

  /** Queues a job; `created` is false when the Idempotency-Key named an existing job. */
  async createJob(request: CreateJobRequest, options: CreateJobOptions = {}): Promise<{ job: Job; created: boolean }> {
    const idempotencyKey = options.idempotencyKey ?? globalThis.crypto.randomUUID()
    const { status, data } = await this.http.jsonWithStatus(ROUTES.createJob, JobEnvelope, {
      body: request,
      headers: { 'idempotency-key': idempotencyKey },
      signal: options.signal,
    })
    return { job: data.job, created: status === 201 }
  }

  async getJob(id: string, signal?: AbortSignal): Promise<Job> {
    return (await this.http.json(ROUTES.getJob, JobEnvelope, { params: { id }, signal })).job
  }

  /** The workspace's jobs, newest first. */
  async listJobs(options: { status?: JobStatus; limit?: number; signal?: AbortSignal } = {}): Promise<Job[]> {
    return (await this.http.json(ROUTES.listJobs, JobList, { query: { status: options.status, limit: options.limit }, signal: options.signal })).jobs
  }

  async cancelJob(id: string, signal?: AbortSignal): Promise<Job> {
    return (await this.http.json(ROUTES.cancelJob, JobEnvelope, { params: { id }, signal })).job
  }

  /** Polls until the job succeeded, failed or was cancelled, and returns it (a failed job is not an error). */
  async waitForJob(id: string, options: WaitOptions = {}): Promise<Job> {
    const started = Date.now()
    const timeoutMs = options.timeoutMs ?? WAIT_DEFAULTS.timeoutMs
    let interval = options.intervalMs ?? WAIT_DEFAULTS.intervalMs
    for (;;) {
      const job = await this.getJob(id, options.signal)
      options.onUpdate?.(job)
      if (isTerminal(job.status)) return job
      if (Date.now() - started + interval > timeoutMs) {
        throw new ConstellateError(0, CLIENT_ERROR_CODES.timeout, `Job ${id} is still ${job.status} after ${Math.round((Date.now() - started) / 1000)} s.`, { job })
      }
      await new Promise((resolve) => setTimeout(resolve, interval))
      if (options.signal?.aborted) throw new ConstellateError(0, CLIENT_ERROR_CODES.aborted, 'Waiting was aborted.')
      interval = Math.min(options.maxIntervalMs ?? WAIT_DEFAULTS.maxIntervalMs, interval * 1.5)
    }
  }

  /** A job by id, or as a share link shows it (`{ shared: token }`). */
  readJob(job: JobRef, signal?: AbortSignal): Promise<Job> {
    return typeof job === 'string' ? this.getJob(job, signal) : this.sharedJob(job.shared, signal)
  }

  /**
   * Follows a job (or a share link's) live until it ends: WebSocket frames and status, reconnecting with
   * backoff, status polls while the socket is down (live.ts). `stop()` it when no longer needed.
   */
  followJob(job: JobRef, options: WatchOptions = {}): JobFollow {
    return followJob(
      {
        getJob: (ref, signal) => this.readJob(ref, signal),
        listFrames: (ref, signal) => this.listFrames(ref, signal),
        getFrame: (ref, seq, signal) => this.getFrame(ref, seq, signal),
        liveUrl: (ref) => this.liveUrl(ref),
        headers: (): Record<string, string> => (this.http.token ? { authorization: `Bearer ${this.http.token}` } : {}),
        webSocket: this.webSocket,
      },
      job,
      { random: this.random, ...options },
    )
  }

  /** Follows a job live (WebSocket frames and status, polling as fallback) until it ends; returns it. */
  watchJob(job: JobRef, options: WatchOptions = {}): Promise<Job> {
    return this.followJob(job, options).done
  }

  /**
   * The live WebSocket URL of a job or share link (`ws:`/`wss:`). With no baseUrl (same origin in a
   * browser), it is resolved against the page's location, as WebSocket needs an absolute URL.
   */
  liveUrl(job: JobRef): string {
    const { route, params } = jobRoute(job, ROUTES.jobLive, ROUTES.sharedLive)
    const url = new URL(this.http.url(routePath(route.path, params)), this.http.baseUrl ? undefined : (globalThis as { location?: { href: string } }).location?.href)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    return url.toString()
  }

  /** The stored frames of a job (or a share link's `{ shared: token }`): sequence numbers, iterations, KL. */
  listFrames(job: JobRef, signal?: AbortSignal) {
    const { route, params } = jobRoute(job, ROUTES.listFrames, ROUTES.sharedFrames)
    return this.http.json(route, FrameList, { params, signal }).then((body) => body.frames)
  }

  /** One CSTF frame's bytes (decode with `decodeFrame` from @constellate/shared). */
  getFrame(job: JobRef, seq: number, signal?: AbortSignal): Promise<Uint8Array> {
    const { route, params } = jobRoute(job, ROUTES.getFrame, ROUTES.sharedFrame, { seq })
    return this.http.bytes(route, { params, signal })
  }

  /** Labels as the worker read them (after any subsample); 404 `labels_not_ready` until `progress.labelsReady`. */
  getLabels(job: JobRef, signal?: AbortSignal): Promise<JobLabels> {
    const { route, params } = jobRoute(job, ROUTES.jobLabels, ROUTES.sharedLabels)
    return this.http.json(route, JobLabelsSchema, { params, signal })
  }

  /**
   * Per-point metadata columns in the map's point order (the uploaded table, plus `source` for several
   * feature files). 404 `metadata_not_found` for a job without metadata; 409 `metadata_not_ready` until
   * `progress.metadataReady`.
   */
  getMetadata(job: JobRef, signal?: AbortSignal): Promise<JobMetadata> {
    const { route, params } = jobRoute(job, ROUTES.jobMetadata, ROUTES.sharedMetadata)
    return this.http.json(route, JobMetadataSchema, { params, signal })
  }

  /** A result file of a succeeded job (409 `results_not_ready` before); `job` may be a share link's `{ shared: token }`. */
  download(job: JobRef, file: ResultFile | MapDataFile, signal?: AbortSignal): Promise<Uint8Array> {
    if (!RESULT_FILES.includes(file as ResultFile) && !MAP_DATA_FILES.includes(file as MapDataFile)) {
      throw new TypeError(`unknown result file ${file}; one of ${[...RESULT_FILES, ...MAP_DATA_FILES].join(', ')}`)
    }
    const { route, params } = jobRoute(job, ROUTES.jobFile, ROUTES.sharedFile, { file })
    return this.http.bytes(route, { params, signal })
  }

  /** indices.npy: the input row (of all feature files, in order) of each map point; [N] int32. */
  async getIndices(job: JobRef, signal?: AbortSignal): Promise<Int32Array> {
    return (await this.npy(job, 'indices.npy', 'i', 1, signal)).data as Int32Array
  }

  /**
   * neighbours.npy: point i's k nearest neighbours in the input (or PCA) space are
   * `indices[i*k .. i*k+k)`, nearest first, never i itself (k = min(10, 3·perplexity, N−1)).
   */
  async getNeighbours(job: JobRef, signal?: AbortSignal, layer = 0): Promise<{ n: number; k: number; indices: Int32Array }> {
    const { shape, data } = await this.npy(job, 'neighbours.npy', 'i', 2, signal, layer)
    return { n: shape[0]!, k: shape[1]!, indices: data as Int32Array }
  }

  /**
   * quality-points.npy: per point, the share (0..1) of its k input-space neighbours that are among its k
   * nearest in the map. `layer` > 0: that layer's map of a model job (as for `getNeighbours`).
   */
  async getPointQuality(job: JobRef, signal?: AbortSignal, layer = 0): Promise<Float32Array> {
    return (await this.npy(job, 'quality-points.npy', 'f', 1, signal, layer)).data as Float32Array
  }

  private async npy(job: JobRef, file: MapDataFile, kind: 'i' | 'f', ndim: number, signal?: AbortSignal, layer = 0) {
    const bytes = layer > 0 && file !== 'indices.npy' ? await this.downloadLayer(job, layer, file, signal) : await this.download(job, file, signal)
    const route = layer > 0 ? (typeof job === 'string' ? ROUTES.layerFile : ROUTES.sharedLayerFile) : typeof job === 'string' ? ROUTES.jobFile : ROUTES.sharedFile
    let array
    try {
      array = decodeNpyArray(bytes)
    } catch (err) {
      if (!(err instanceof NpyFormatError)) throw err
      throw new ConstellateError(200, CLIENT_ERROR_CODES.invalidResponse, `${route.path} (${file}) is not a readable .npy: ${err.message}`)
    }
    const expected = kind === 'i' ? Int32Array : Float32Array
    if (!(array.data instanceof expected) || array.shape.length !== ndim) {
      throw new ConstellateError(200, CLIENT_ERROR_CODES.invalidResponse, `${file} should be ${kind === 'i' ? 'int32' : 'float32'} with ${ndim} dimensions; got shape [${array.shape.join(', ')}].`)
    }
    return array
  }

  /** The thumbnail sprite-sheet index of a model job on images (404 `thumbnails_not_ready` otherwise); see `thumbnailTile`. */
  getThumbnails(job: JobRef, signal?: AbortSignal): Promise<ThumbnailIndex> {
    const { route, params } = jobRoute(job, ROUTES.thumbnails, ROUTES.sharedThumbnails)
    return this.http.json(route, ThumbnailIndexSchema, { params, signal })
  }

  /** One thumbnail sheet's PNG bytes, by its name in `ThumbnailIndex.sheets`. */
  getThumbnailSheet(job: JobRef, sheet: string, signal?: AbortSignal): Promise<Uint8Array> {
    const { route, params } = jobRoute(job, ROUTES.thumbnailSheet, ROUTES.sharedThumbnailSheet, { sheet })
    return this.http.bytes(route, { params, signal })
  }

  /** manifest.json or metrics.json, parsed; `job` may be a share link's `{ shared: token }`. */
  downloadJson(job: JobRef, file: 'manifest.json' | 'metrics.json', signal?: AbortSignal): Promise<Record<string, unknown>> {
    const { route, params } = jobRoute(job, ROUTES.jobFile, ROUTES.sharedFile, { file })
    return this.http.json(route, JsonObject, { params, signal })
  }

  /** metrics.json of layer `index` of a model job, parsed. */
  layerMetrics(job: JobRef, index: number, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const { route, params } = jobRoute(job, ROUTES.layerFile, ROUTES.sharedLayerFile, { index, file: 'metrics.json' })
    return this.http.json(route, JsonObject, { params, signal })
  }

  /** A model job's layers (one map each); `job` may be a share link's `{ shared: token }`. */
  jobLayers(job: JobRef, signal?: AbortSignal): Promise<JobLayers> {
    const { route, params } = jobRoute(job, ROUTES.jobLayers, ROUTES.sharedLayers)
    return this.http.json(route, JobLayersSchema, { params, signal })
  }

  downloadLayer(job: JobRef, index: number, file: LayerFile, signal?: AbortSignal): Promise<Uint8Array> {
    const { route, params } = jobRoute(job, ROUTES.layerFile, ROUTES.sharedLayerFile, { index, file })
    return this.http.bytes(route, { params, signal })
  }

  // Addresses for the browser to load itself (download links, CSS images); relative without a baseUrl.

  /** Where a result file of a job (or a share link's) downloads from. */
  fileUrl(job: JobRef, file: ResultFile | MapDataFile): string {
    const { route, params } = jobRoute(job, ROUTES.jobFile, ROUTES.sharedFile, { file })
    return this.http.url(routePath(route.path, params))
  }

  /** Where a result file of layer `index` of a model job downloads from. */
  layerFileUrl(job: JobRef, index: number, file: LayerFile): string {
    const { route, params } = jobRoute(job, ROUTES.layerFile, ROUTES.sharedLayerFile, { index, file })
    return this.http.url(routePath(route.path, params))
  }

  /** Where a thumbnail sheet (PNG) of a model job on images loads from. */
  thumbnailSheetUrl(job: JobRef, sheet: string): string {
    const { route, params } = jobRoute(job, ROUTES.thumbnailSheet, ROUTES.sharedThumbnailSheet, { sheet })
    return this.http.url(routePath(route.path, params))
  }

  // Share links

  async createLink(jobId: string, options: { expiresInDays?: number; signal?: AbortSignal } = {}): Promise<ShareLink> {
    const body = options.expiresInDays === undefined ? {} : { expiresInDays: options.expiresInDays }
    return (await this.http.json(ROUTES.createLink, LinkEnvelope, { params: { id: jobId }, body, signal: options.signal })).link
  }

  async listLinks(jobId: string, signal?: AbortSignal): Promise<ShareLink[]> {
    return (await this.http.json(ROUTES.listLinks, LinkList, { params: { id: jobId }, signal })).links
  }

  async revokeLink(linkId: string, signal?: AbortSignal): Promise<ShareLink> {
    return (await this.http.json(ROUTES.revokeLink, LinkEnvelope, { params: { id: linkId }, signal })).link
  }

  /** The job as a share link shows it (no token needed: the link is the credential). */
  async sharedJob(linkToken: string, signal?: AbortSignal): Promise<Job> {
    return (await this.http.json(ROUTES.sharedJob, JobEnvelope, { params: { token: linkToken }, signal })).job
  }

  // API tokens

  /** Creates a token; `secret` (`cst_...`) is in this answer only. */
  createToken(request: { name: string; scopes?: ('read' | 'write')[]; expiresInDays?: number }, signal?: AbortSignal) {
    return this.http.json(ROUTES.createToken, CreateTokenResponse, { body: request, signal })
  }

  async listTokens(signal?: AbortSignal): Promise<ApiToken[]> {
    return (await this.http.json(ROUTES.listTokens, TokenList, { signal })).tokens
  }

  async revokeToken(id: string, signal?: AbortSignal): Promise<ApiToken> {
    return (await this.http.json(ROUTES.revokeToken, TokenEnvelope, { params: { id }, signal })).token
  }

  /** The server's OpenAPI document. */
  openapi(signal?: AbortSignal): Promise<Record<string, unknown>> {
    return this.http.json(ROUTES.openapi, JsonObject, { signal })
  }
}
