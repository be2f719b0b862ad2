/** @module D1 rows and their mapping to API objects. */
import { jobResultLinks, type Job, type JobParams, type JobProgress, type MapWarning, type ModelJobRequest, type Upload, type UploadInfo, type UploadKind } from '@constellate/shared'
import { ApiError } from './errors.ts'

export interface UploadRow {
  id: string
  workspace_id: string
  kind: UploadKind
  filename: string
  size: number
  storage_key: string
  status: 'pending' | 'verified'
  info: string | null
  created_at: string
  verified_at: string | null
  verified_key: string | null
  multipart_id: string | null
  part_size: number | null
}

export interface JobRow {
  id: string
  workspace_id: string
  status: Job['status']
  params: string
  features_upload_id: string
  labels_upload_id: string | null
  n: number | null
  d: number | null
  attempt: number
  max_attempts: number
  lease_id: string | null
  lease_fence: number | null
  lease_expires_at: number | null
  worker_id: string | null
  progress: string | null
  error_code: string | null
  error_message: string | null
  results_prefix: string | null
  created_at: string
  started_at: string | null
  finished_at: string | null
  /** JSON of the job's `model` section (model jobs only; migration 0003). */
  model?: string | null
  /** JSON array of every features upload id when there are several (migration 0004). */
  feature_uploads?: string | null
  /** The metadata upload (migration 0004). */
  metadata_upload_id?: string | null
  /** JSON array of the finished map's warnings (migration 0005). */
  warnings?: string | null
}

/** Every features upload of a job, in concatenation order. */
export function featureUploadIds(row: JobRow): string[] {
  return row.feature_uploads ? (JSON.parse(row.feature_uploads) as string[]) : [row.features_upload_id]
}

/** Whether the worker writes metadata.json for this job: a metadata upload, or several feature files (`source`). */
export function jobHasMetadata(row: JobRow): boolean {
  return Boolean(row.metadata_upload_id) || featureUploadIds(row).length > 1
}

export function uploadFromRow(row: UploadRow): Upload {
  return {
    id: row.id,
    kind: row.kind,
    filename: row.filename,
    size: row.size,
    status: row.status,
    info: row.info ? (JSON.parse(row.info) as UploadInfo) : null,
    createdAt: row.created_at,
  }
}

export function jobFromRow(row: JobRow): Job {
  return {
    id: row.id,
    status: row.status,
    params: JSON.parse(row.params) as JobParams,
    features: row.features_upload_id,
    featureUploads: featureUploadIds(row),
    labels: row.labels_upload_id,
    metadata: row.metadata_upload_id ?? null,
    n: row.n,
    d: row.d,
    attempt: row.attempt,
    progress: row.progress ? (JSON.parse(row.progress) as JobProgress) : null,
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    warnings: row.warnings ? (JSON.parse(row.warnings) as MapWarning[]) : [],
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    model: row.model ? (JSON.parse(row.model) as ModelJobRequest) : null,
    // For a model job these are its first layer's (the others' are in GET .../layers).
    results: row.status === 'succeeded' ? jobResultLinks(`/api/v1/jobs/${row.id}`) : null,
  }
}

/** The job with this id in this workspace, or a 404 that says so. */
export async function getOwnedJob(db: D1Database, workspaceId: string, jobId: string): Promise<JobRow> {
  const row = await db.prepare('SELECT * FROM jobs WHERE id = ? AND workspace_id = ?').bind(jobId, workspaceId).first<JobRow>()
  if (!row) throw new ApiError(404, 'job_not_found', `No job with id "${jobId}" in this workspace. Check the id, or list your jobs with GET /api/v1/jobs.`)
  return row
}

export async function getJob(db: D1Database, jobId: string): Promise<JobRow | null> {
  return db.prepare('SELECT * FROM jobs WHERE id = ?').bind(jobId).first<JobRow>()
}

export async function getOwnedUpload(db: D1Database, workspaceId: string, uploadId: string): Promise<UploadRow> {
  const row = await db.prepare('SELECT * FROM uploads WHERE id = ? AND workspace_id = ?').bind(uploadId, workspaceId).first<UploadRow>()
  if (!row) throw new ApiError(404, 'upload_not_found', `No upload with id "${uploadId}" in this workspace. Create one with POST /api/v1/uploads.`)
  return row
}
