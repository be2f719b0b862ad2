/** @module zod schemas for every request and response body of the public API. */
import { z } from 'zod'
import { LIMITS } from './limits.ts'
import { ModelJobRequest } from './onnx-job.ts'
import { OnnxUploadInfo } from './onnx-uploads.ts'

/** `model`: an .onnx model; `inputs`: what a model job feeds it (.npy batch or image archive). */
export const UploadKind = z.enum(['features', 'labels', 'model', 'inputs'])
export type UploadKind = z.infer<typeof UploadKind>

/** Formats the edge can verify. Detected from the filename extension. */
export const UploadFormat = z.enum(['npy', 'csv', 'tsv', 'txt', 'onnx', 'zip', 'tar'])
export type UploadFormat = z.infer<typeof UploadFormat>

export const CreateUploadRequest = z.object({
  filename: z.string().min(1).max(255),
  size: z.number().int().positive().max(LIMITS.maxUploadBytes),
  kind: UploadKind,
})
export type CreateUploadRequest = z.infer<typeof CreateUploadRequest>

export const UploadStatus = z.enum(['pending', 'verified'])

export const ReportPartRequest = z.object({ etag: z.string().min(1).max(200) })

/** What the edge learned about a verified file (from its header or by scanning it). */
export const UploadInfo = z.object({
  format: UploadFormat,
  /** Rows (points, or labels). Null when the file was too large to scan at the edge. */
  rows: z.number().int().nullable(),
  /** Columns of a feature matrix; null for labels or when unknown. */
  cols: z.number().int().nullable(),
  dtype: z.string().nullable(),
  fortranOrder: z.boolean().optional(),
  hasHeader: z.boolean().optional(),
  /** For a model: its IR version, opset, inputs, outputs and default layer. */
  onnx: OnnxUploadInfo.optional(),
})
export type UploadInfo = z.infer<typeof UploadInfo>

export const Upload = z.object({
  id: z.string(),
  kind: UploadKind,
  filename: z.string(),
  size: z.number().int(),
  status: UploadStatus,
  info: UploadInfo.nullable(),
  createdAt: z.string(),
})
export type Upload = z.infer<typeof Upload>

/** One part of a multipart upload: PUT bytes [(partNumber-1)*partSize, ...) to `url`, keep the ETag. */
export const UploadPart = z.object({
  partNumber: z.number().int().min(1),
  size: z.number().int(),
  /** ETag reported for a stored part; null while missing. */
  etag: z.string().nullable(),
  /** Presigned PUT URL for a missing part; null once stored. */
  url: z.string().url().nullable(),
})
export type UploadPart = z.infer<typeof UploadPart>

export const MultipartPlan = z.object({
  partSize: z.number().int(),
  partCount: z.number().int(),
  parts: z.array(UploadPart),
})
export type MultipartPlan = z.infer<typeof MultipartPlan>

export const CreateUploadResponse = z.object({
  upload: Upload,
  /** PUT the whole file here (no extra headers needed); null for multipart uploads. */
  uploadUrl: z.string().url().nullable(),
  method: z.literal('PUT'),
  expiresAt: z.string(),
  /**
   * Files above LIMITS.multipartThresholdBytes upload in parts: PUT each part to its URL, report its ETag
   * with PUT /uploads/:id/parts/:n, then complete. GET /uploads/:id/parts resumes an interrupted upload.
   */
  multipart: MultipartPlan.nullable(),
})
export type CreateUploadResponse = z.infer<typeof CreateUploadResponse>

export const TSNE_PARAM_DEFAULTS = {
  perplexity: 30,
  dims: 2 as 2 | 3,
  iterations: 750,
  seed: 42,
  pcaDims: 50,
}

export const JobParams = z.object({
  perplexity: z.number().positive().max(LIMITS.maxPerplexity).default(TSNE_PARAM_DEFAULTS.perplexity),
  dims: z.union([z.literal(2), z.literal(3)]).default(2),
  iterations: z.number().int().min(50).max(LIMITS.maxIterations).default(TSNE_PARAM_DEFAULTS.iterations),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(TSNE_PARAM_DEFAULTS.seed),
  pcaDims: z.number().int().min(2).max(512).default(TSNE_PARAM_DEFAULTS.pcaDims),
  /** Compute backend: `auto` (GPU when the worker has one), `cpu` or `tfjs`. Omitted: the worker's default. */
  backend: z.enum(['auto', 'cpu', 'tfjs']).optional(),
})
export type JobParams = z.infer<typeof JobParams>

export const CreateJobRequest = z
  .object({
    /** Upload id of the features; leave out when `model` computes them. */
    features: z.string().min(1).optional(),
    labels: z.string().min(1).optional(),
    params: JobParams.partial().default({}),
    /** Compute the features with an uploaded ONNX model on uploaded inputs (see onnx-job.ts). */
    model: ModelJobRequest.optional(),
  })
  .refine((body) => (body.features === undefined) !== (body.model === undefined), {
    message: 'give either features (an upload id) or model ({upload, inputs, layers?}), not both',
    path: ['features'],
  })
export type CreateJobRequest = z.input<typeof CreateJobRequest>

export const JobStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled'])
export type JobStatus = z.infer<typeof JobStatus>

export const JobProgress = z.object({
  stage: z.string(),
  iteration: z.number().int(),
  totalIterations: z.number().int(),
  kl: z.number().nullable(),
  frames: z.number().int(),
  /** True once `GET /jobs/:id/labels` can be read (the worker has parsed the labels). */
  labelsReady: z.boolean(),
})
export type JobProgress = z.infer<typeof JobProgress>

export const JobError = z.object({ code: z.string(), message: z.string() })

export const Job = z.object({
  id: z.string(),
  status: JobStatus,
  params: JobParams,
  features: z.string(),
  labels: z.string().nullable(),
  n: z.number().int().nullable(),
  d: z.number().int().nullable(),
  attempt: z.number().int(),
  progress: JobProgress.nullable(),
  error: JobError.nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** The model section of a model job (features computed from `model.inputs`, which `features` repeats). */
  model: ModelJobRequest.nullable().optional(),
  /** Download links, present once the job succeeded. */
  results: z
    .object({ embeddingNpy: z.string(), embeddingCsv: z.string(), manifest: z.string(), metrics: z.string() })
    .nullable(),
})
export type Job = z.infer<typeof Job>

export const ApiErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
})
export type ApiErrorBody = z.infer<typeof ApiErrorBody>

/** Labels of a job's points as the worker read them: `codes[i]` indexes `classes`. */
export const JobLabels = z.object({ classes: z.array(z.string()), codes: z.array(z.number().int()) })
export type JobLabels = z.infer<typeof JobLabels>

/** Messages a live viewer receives as WebSocket text; frames arrive as binary messages (frame-codec). */
export const LiveMessage = z.object({ type: z.literal('status'), job: Job })
export type LiveMessage = z.infer<typeof LiveMessage>

export const Scope = z.enum(['read', 'write'])

export const CreateTokenRequest = z.object({
  name: z.string().min(1).max(100),
  scopes: z.array(Scope).min(1).default(['read', 'write']),
  /** Omit for a token that never expires. */
  expiresInDays: z.number().positive().max(3650).optional(),
})

export const ApiToken = z.object({
  id: z.string(),
  name: z.string(),
  /** First characters of the secret, to recognise it. */
  prefix: z.string(),
  scopes: z.array(Scope),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
})
export type ApiToken = z.infer<typeof ApiToken>

export const CreateTokenResponse = z.object({
  token: ApiToken,
  /** The token itself (`cst_...`): shown this once, stored only as a hash. */
  secret: z.string(),
})

export const CreateLinkRequest = z.object({
  /** Omit for a link that works until revoked. */
  expiresInDays: z.number().positive().max(3650).optional(),
})

export const ShareLink = z.object({
  id: z.string(),
  jobId: z.string(),
  token: z.string(),
  /** Path of the read-only viewer: `/v/<token>`. */
  url: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
})
export type ShareLink = z.infer<typeof ShareLink>
