/**
 * @module ConstellateClient: one typed method per public route, answers checked against the shared zod
 * schemas, retries on 429/5xx/network errors (retry.ts), uploads with resume (upload.ts) and live
 * watching (live.ts). Fetch only: the same code runs in the browser and in Node (the CLI).
 */
import type { ApiToken, CreateJobRequest, CreateUploadRequest, Job, JobLabels, JobLayers, JobStatus, ModelLayers, ShareLink, Upload, UploadSource } from '@constellate/shared'
import { CLIENT_ERROR_CODES, ConstellateError } from './errors.ts'
import { HttpCore, type HttpOptions } from './http.ts'
import { isTerminal, watchJob, type WatchOptions, type WebSocketFactory } from './live.ts'
import { RESULT_FILES, ROUTES, routePath, type ResultFile } from './routes.ts'
import {
  CreateTokenResponse,
  CreateUploadResponse,
  FrameList,
  JobEnvelope,
  JobList,
  JsonObject,
  LinkEnvelope,
  LinkList,
  ReportPartResponse,
  TokenEnvelope,
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

export interface CreateJobOptions {
  /** Same key within 24 h → the same job. Default: a fresh UUID, which still makes this call's retries safe. */
  idempotencyKey?: string
  signal?: AbortSignal
}

export class ConstellateClient {
  readonly http: HttpCore
  private readonly webSocket: WebSocketFactory | null
  private readonly putObject: PutObject

  constructor(options: ClientOptions = {}) {
    this.http = new HttpCore(options)
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

  /** Follows a job live (WebSocket frames and status, polling as fallback) until it ends; returns it. */
  watchJob(id: string, options: WatchOptions = {}): Promise<Job> {
    return watchJob(
      {
        getJob: (jobId, signal) => this.getJob(jobId, signal),
        liveUrl: (jobId) => this.http.url(routePath(ROUTES.jobLive.path, { id: jobId })).replace(/^http/, 'ws'),
        headers: (): Record<string, string> => (this.http.token ? { authorization: `Bearer ${this.http.token}` } : {}),
        webSocket: this.webSocket,
      },
      id,
      options,
    )
  }

  listFrames(id: string, signal?: AbortSignal) {
    return this.http.json(ROUTES.listFrames, FrameList, { params: { id }, signal }).then((body) => body.frames)
  }

  /** One CSTF frame's bytes (decode with `decodeFrame` from @constellate/shared). */
  getFrame(id: string, seq: number, signal?: AbortSignal): Promise<Uint8Array> {
    return this.http.bytes(ROUTES.getFrame, { params: { id, seq }, signal })
  }

  getLabels(id: string, signal?: AbortSignal): Promise<JobLabels> {
    return this.http.json(ROUTES.jobLabels, JobLabelsSchema, { params: { id }, signal })
  }

  /** A result file of a succeeded job (409 `results_not_ready` before). */
  download(id: string, file: ResultFile, signal?: AbortSignal): Promise<Uint8Array> {
    if (!RESULT_FILES.includes(file)) throw new TypeError(`unknown result file ${file}; one of ${RESULT_FILES.join(', ')}`)
    return this.http.bytes(ROUTES.jobFile, { params: { id, file }, signal })
  }

  /** manifest.json or metrics.json, parsed. */
  async downloadJson(id: string, file: 'manifest.json' | 'metrics.json', signal?: AbortSignal): Promise<Record<string, unknown>> {
    return this.http.json(ROUTES.jobFile, JsonObject, { params: { id, file }, signal })
  }

  jobLayers(id: string, signal?: AbortSignal): Promise<JobLayers> {
    return this.http.json(ROUTES.jobLayers, JobLayersSchema, { params: { id }, signal })
  }

  downloadLayer(id: string, index: number, file: Exclude<ResultFile, 'manifest.json'>, signal?: AbortSignal): Promise<Uint8Array> {
    return this.http.bytes(ROUTES.layerFile, { params: { id, index, file }, signal })
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
