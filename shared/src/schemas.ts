/** @module zod schemas for every request and response body of the public API. */
import { z } from 'zod'
import { LIMITS } from './limits.ts'
import { ModelJobRequest } from './onnx/onnx-job.ts'
import { OnnxUploadInfo } from './onnx/onnx-uploads.ts'
import { MapWarning } from './warnings.ts'
import { JobParams } from './job-params.ts'

/**
 * `model`: an .onnx model; `inputs`: what a model job feeds it (.npy batch or image archive);
 * `metadata`: a .csv/.tsv with a header row and one row per point (columns to colour, filter and hover by).
 */
export const UploadKind = z.enum(['features', 'labels', 'model', 'inputs', 'metadata'])
export type UploadKind = z.infer<typeof UploadKind>

/** Formats the edge can verify. Detected from the filename extension. */
export const UploadFormat = z.enum(['npy', 'csv', 'tsv', 'txt', 'onnx', 'zip', 'tar'])
export type UploadFormat = z.infer<typeof UploadFormat>

export const CreateUploadRequest = z
  .object({
    /** Kept normalised (normaliseFilename): longer than LIMITS.maxFilenameLength is shortened, not refused. */
    filename: z.string().min(1).max(LIMITS.maxFilenameRequestLength),
    size: z.number().int().positive().max(LIMITS.maxUploadBytes),
    kind: UploadKind,
  })
  .strict()
export type CreateUploadRequest = z.infer<typeof CreateUploadRequest>

export const UploadStatus = z.enum(['pending', 'verified'])

export const ReportPartRequest = z.object({ etag: z.string().min(1).max(200) }).strict()

/** What the edge learned about a verified file (from its header or by scanning it). */
export const UploadInfo = z.object({
  format: UploadFormat,
  /** Rows (points, labels, or metadata rows after the header). Null when the file was too large to scan at the edge. */
  rows: z.number().int().nullable(),
  /** Columns of a feature matrix or a metadata table; null for labels or when unknown. */
  cols: z.number().int().nullable(),
  dtype: z.string().nullable(),
  fortranOrder: z.boolean().optional(),
  /** `.npy` only: bytes after the declared array, ignored as numpy.load ignores them (absent when none). */
  trailingBytes: z.number().int().positive().optional(),
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


export const CreateJobRequest = z
  .object({
    /**
     * Upload id of the features, or several ids (same number of columns) whose rows are concatenated in
     * order into one map; leave out when `model` computes them.
     */
    features: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(LIMITS.maxFeatureFiles)]).optional(),
    /** One labels file covering all rows (of all feature files, in order). */
    labels: z.string().min(1).optional(),
    /** Upload id of a metadata table (kind "metadata"): header row, then one row per point. */
    metadata: z.string().min(1).optional(),
    params: JobParams.partial().strict().default({}),
    /** Compute the features with an uploaded ONNX model on uploaded inputs (see onnx-job.ts). */
    model: ModelJobRequest.optional(),
  })
  .strict()
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
  /** True once `GET /jobs/:id/metadata` can be read (the worker has parsed the metadata / source column). */
  metadataReady: z.boolean().optional(),
  /** Points in the map, set once the worker has read (and subsampled) the inputs; also becomes `job.n`. */
  points: z.number().int().optional(),
})
export type JobProgress = z.infer<typeof JobProgress>

export const JobError = z.object({ code: z.string(), message: z.string() })

export const Job = z.object({
  id: z.string(),
  status: JobStatus,
  params: JobParams,
  /** The (first) features upload. */
  features: z.string(),
  /** Every features upload, in the order their rows were concatenated (one entry for a single file). */
  featureUploads: z.array(z.string()).optional(),
  labels: z.string().nullable(),
  /** The metadata upload, if any. */
  metadata: z.string().nullable().optional(),
  /** Points in the map: the input rows, or once the worker has subsampled them, the points kept. */
  n: z.number().int().nullable(),
  d: z.number().int().nullable(),
  attempt: z.number().int(),
  progress: JobProgress.nullable(),
  error: JobError.nullable(),
  /** What may mislead in the finished map (empty until it succeeds, and when nothing does); see warnings.ts. */
  warnings: z.array(MapWarning),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** The model section of a model job (features computed from `model.inputs`, which `features` repeats). */
  model: ModelJobRequest.nullable().optional(),
  /** Download links, present once the job succeeded. */
  results: z
    .object({
      embeddingNpy: z.string(),
      embeddingCsv: z.string(),
      manifest: z.string(),
      metrics: z.string(),
      /** int32 [N]: the input row of each map point (identity without subsampling). */
      indicesNpy: z.string().optional(),
      /** int32 [N, k]: each point's nearest neighbours in the input (or PCA) space, k = min(10, 3·perplexity, N−1). */
      neighboursNpy: z.string().optional(),
      /** float32 [N]: share of each point's k input-space neighbours that are also among its k nearest in the map. */
      qualityPointsNpy: z.string().optional(),
    })
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

/** A continuous metadata column: `values[i]` is point i's number, null where missing. */
export const ContinuousColumn = z.object({
  name: z.string(),
  type: z.literal('continuous'),
  /** Smallest and largest value present (null when every value is missing). */
  min: z.number().nullable(),
  max: z.number().nullable(),
  /** Points with no value. */
  missing: z.number().int(),
  values: z.array(z.number().nullable()),
})

/** A categorical metadata column: `codes[i]` indexes `categories` (-1: missing); `counts[c]` points per category. */
export const CategoricalColumn = z.object({
  name: z.string(),
  type: z.literal('categorical'),
  /** Distinct values in natural order (numbers by value first, then text, "a2" before "a10"). */
  categories: z.array(z.string()),
  counts: z.array(z.number().int()),
  missing: z.number().int(),
  codes: z.array(z.number().int()),
})

export const MetadataColumn = z.discriminatedUnion('type', [ContinuousColumn, CategoricalColumn])
export type MetadataColumn = z.infer<typeof MetadataColumn>

/**
 * `GET /jobs/:id/metadata` (metadata.json): per-point columns, in the map's point order (after any
 * subsampling), each column an array of length n. A job with several feature files has a categorical
 * `source` column (the files' names; `source_file` when the uploaded metadata already has a `source`).
 */
export const JobMetadata = z.object({
  version: z.literal(1),
  /** Points (the length of every column). */
  n: z.number().int(),
  columns: z.array(MetadataColumn),
  /** Columns of the uploaded table that were left out, and why (e.g. too many distinct values). */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
})
export type JobMetadata = z.infer<typeof JobMetadata>

/**
 * `GET /jobs/:id/thumbnails` (model jobs on image inputs): the sprite-sheet index. Image i (input order)
 * is in sheet `sheets[floor(i / perSheet)]` (GET /jobs/:id/thumbnails/<that name>), at tile k = i % perSheet:
 * x = (k % columns) * tileSize, y = floor(k / columns) * tileSize, tileSize x tileSize pixels.
 */
export const ThumbnailIndex = z.object({
  version: z.literal(1),
  tileSize: z.number().int().positive(),
  columns: z.number().int().positive(),
  perSheet: z.number().int().positive(),
  count: z.number().int(),
  sheets: z.array(z.string()),
})
export type ThumbnailIndex = z.infer<typeof ThumbnailIndex>

/** Where point i's thumbnail is: the sheet's file name and the tile's top-left pixel (see ThumbnailIndex). */
export function thumbnailTile(index: ThumbnailIndex, i: number): { sheet: string; x: number; y: number; size: number } {
  if (!Number.isInteger(i) || i < 0 || i >= index.count) throw new RangeError(`thumbnail ${i} is out of range: the job has ${index.count} images`)
  const k = i % index.perSheet
  return { sheet: index.sheets[Math.floor(i / index.perSheet)]!, x: (k % index.columns) * index.tileSize, y: Math.floor(k / index.columns) * index.tileSize, size: index.tileSize }
}

/** Messages a live viewer receives as WebSocket text; frames arrive as binary messages (frame-codec). */
export const LiveMessage = z.object({ type: z.literal('status'), job: Job })
export type LiveMessage = z.infer<typeof LiveMessage>

export const Scope = z.enum(['read', 'write'])

export const CreateTokenRequest = z
  .object({
    name: z.string().min(1).max(100),
    scopes: z.array(Scope).min(1).default(['read', 'write']),
    /** Omit for a token that never expires. */
    expiresInDays: z.number().positive().max(3650).optional(),
  })
  .strict()

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

export const CreateLinkRequest = z
  .object({
    /** Omit for a link that works until revoked. */
    expiresInDays: z.number().positive().max(3650).optional(),
  })
  .strict()

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
