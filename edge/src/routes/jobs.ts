/** @module Job routes: create, read, cancel, watch live, replay frames, download results. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import { ApiErrorBody, CreateJobRequest, Job, JobMetadata, JobParams, LIMITS, perplexityProblem, resolvePerplexity, type UploadInfo } from '@constellate/shared'
import type { AppEnv } from '../env.ts'
import { ApiError } from '../errors.ts'
import { getOwnedJob, getOwnedUpload, jobFromRow, type JobRow, type UploadRow } from '../db.ts'
import { nowIso, randomId } from '../ids.ts'
import { validationHook } from '../validation.ts'
import { jsonBody } from '../request-body.ts'
import { publishStatus } from '../live.ts'
import { jobResources, metadataResponse } from './job-resources.ts'
import { resolveJobSource } from '../model-jobs.ts'

export const jobs = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

/** An Idempotency-Key names the same job for this long. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000

async function jobForIdempotencyKey(db: D1Database, workspaceId: string, key: string, now: number): Promise<JobRow | null> {
  return db
    .prepare('SELECT jobs.* FROM idempotency_keys JOIN jobs ON jobs.id = idempotency_keys.job_id WHERE idempotency_keys.workspace_id = ? AND idempotency_keys.key = ? AND idempotency_keys.created_at > ?')
    .bind(workspaceId, key, now - IDEMPOTENCY_WINDOW_MS)
    .first<JobRow>()
}

const errorResponse = (description: string) => ({ content: { 'application/json': { schema: ApiErrorBody } }, description })
const JobEnvelope = z.object({ job: Job })
const IdParam = z.object({ id: z.string() })

function requireVerified(row: UploadRow, role: 'features' | 'labels' | 'inputs' | 'metadata'): UploadInfo {
  if (row.kind !== role) {
    throw new ApiError(400, 'wrong_upload_kind', `Upload "${row.id}" was created as ${row.kind}, but it is given as ${role}. Create the upload with kind "${role}".`)
  }
  if (row.status !== 'verified' || !row.info) {
    throw new ApiError(409, 'upload_not_verified', `Upload "${row.id}" (${row.filename}) is not verified yet. PUT its bytes, then POST /api/v1/uploads/${row.id}/complete.`)
  }
  return JSON.parse(row.info) as UploadInfo
}

/** What the edge knows of a job's points before the worker reads them. */
interface KnownShape {
  /** Input rows (all feature files together), null when some file was too large to count at the edge. */
  rows: number | null
  cols: number | null
}

/** Checks everything knowable before queueing, so mistakes surface as 400s rather than failed jobs. */
function checkShape(params: JobParams, features: KnownShape, labels: UploadInfo | null, metadata: UploadInfo | null): void {
  const n = features.rows
  if (n !== null) {
    if (n < LIMITS.minPoints) {
      throw new ApiError(400, 'too_few_points', `The features have ${n} points; t-SNE needs at least ${LIMITS.minPoints}. Upload more points.`)
    }
    if (n > LIMITS.maxPoints) {
      throw new ApiError(400, 'too_many_points', `The features have ${n} points; at most ${LIMITS.maxPoints} are accepted. Subsample before uploading.`)
    }
    // With a subsample size the map has at most that many points.
    const subsampled = params.subsample?.size !== undefined && params.subsample.size < n
    const mapped = subsampled ? params.subsample!.size! : n
    const problem = perplexityProblem(resolvePerplexity(params.perplexity, mapped), mapped, subsampled ? { kind: 'subsample', of: n, raise: 'size', atMost: params.subsample!.method === 'stratified' } : { kind: 'features' })
    if (problem) throw new ApiError(400, 'perplexity_too_large', problem)
    if (labels?.rows != null && labels.rows !== n) {
      throw new ApiError(400, 'label_count_mismatch', `The labels have ${labels.rows} rows but the features have ${n} points; they must match one to one.`)
    }
    if (metadata?.rows != null && metadata.rows !== n) {
      throw new ApiError(
        400,
        'metadata_count_mismatch',
        `The metadata has ${metadata.rows} rows (after its header) but the features have ${n} points; they must match one to one.${metadata.rows === n - 1 ? ' The first line of the metadata is read as column names: add a header row.' : ''}`,
      )
    }
  }
  if (features.cols !== null && features.cols > LIMITS.maxDims) {
    throw new ApiError(400, 'too_many_dims', `The features have ${features.cols} dimensions; at most ${LIMITS.maxDims} are accepted.`)
  }
}

/** Checks several feature files against each other: the same number of columns; returns their total shape. */
function combineFeatureFiles(files: { row: UploadRow; info: UploadInfo }[]): KnownShape {
  const first = files.find((f) => f.info.cols !== null)
  for (const file of files) {
    if (first && file.info.cols !== null && file.info.cols !== first.info.cols) {
      throw new ApiError(
        400,
        'feature_dims_mismatch',
        `"${file.row.filename}" (${file.row.id}) has ${file.info.cols} columns but "${first.row.filename}" (${first.row.id}) has ${first.info.cols}; every features file of one map needs the same number of columns.`,
      )
    }
  }
  const rows = files.every((f) => f.info.rows !== null) ? files.reduce((sum, f) => sum + f.info.rows!, 0) : null
  return { rows, cols: first?.info.cols ?? null }
}

jobs.openapi(
  createRoute({
    method: 'post',
    path: '/jobs',
    summary: 'Queue a PCA + t-SNE job on verified uploads',
    middleware: [jsonBody(CreateJobRequest, { example: '{"features": "upl_...", "params": {"perplexity": 30}}' })] as const,
    request: { body: { content: { 'application/json': { schema: CreateJobRequest } }, required: true } },
    responses: {
      200: { content: { 'application/json': { schema: JobEnvelope } }, description: 'The job an earlier request with the same Idempotency-Key created' },
      201: { content: { 'application/json': { schema: JobEnvelope } }, description: 'Queued' },
      400: errorResponse('Invalid parameters or inputs'),
      404: errorResponse('Unknown upload'),
      409: errorResponse('Upload not verified'),
    },
  }),
  async (c) => {
    const body = c.req.valid('json')
    const params = JobParams.parse(body.params ?? {})
    const workspaceId = c.get('workspaceId')
    const idempotencyKey = c.req.header('idempotency-key') ?? null
    if (idempotencyKey !== null && (idempotencyKey.length < 1 || idempotencyKey.length > 200)) {
      throw new ApiError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1 to 200 characters, e.g. a UUID per logical submission.')
    }
    if (idempotencyKey) {
      const existing = await jobForIdempotencyKey(c.env.DB, workspaceId, idempotencyKey, c.get('now'))
      if (existing) return c.json({ job: jobFromRow(existing) }, 200)
    }
    if (body.model && (body.metadata !== undefined || params.subsample !== undefined)) {
      throw new ApiError(400, 'not_supported_for_model_jobs', 'metadata and params.subsample are not available for model jobs yet; give them with uploaded features ("features": <upload id>).')
    }
    if (params.subsample?.method === 'stratified' && body.labels === undefined) {
      throw new ApiError(400, 'subsample_needs_labels', 'Stratified subsampling keeps up to perLabel points of each label, so it needs labels: add "labels": <upload id>, or use {"method": "random", "size": ...}.')
    }
    const featureIds = body.model ? [] : Array.isArray(body.features) ? body.features : [body.features!]
    const source = await resolveJobSource(c.env, workspaceId, { features: featureIds[0], model: body.model })
    const featureFiles: { row: UploadRow; info: UploadInfo }[] = []
    for (const id of source.kind === 'inputs' ? [source.featuresId] : featureIds) {
      const row = await getOwnedUpload(c.env.DB, workspaceId, id)
      featureFiles.push({ row, info: requireVerified(row, source.kind === 'inputs' ? 'inputs' : 'features') })
    }
    const features = combineFeatureFiles(featureFiles)
    const labels = body.labels ? requireVerified(await getOwnedUpload(c.env.DB, workspaceId, body.labels), 'labels') : null
    const metadata = body.metadata ? requireVerified(await getOwnedUpload(c.env.DB, workspaceId, body.metadata), 'metadata') : null
    checkShape(params, features, labels, metadata)
    const active = await c.env.DB.prepare("SELECT COUNT(*) AS count FROM jobs WHERE workspace_id = ? AND status IN ('queued', 'running')")
      .bind(workspaceId)
      .first<{ count: number }>()
    if ((active?.count ?? 0) >= LIMITS.maxActiveJobsPerWorkspace) {
      throw new ApiError(429, 'too_many_active_jobs', `This workspace already has ${active?.count} jobs queued or running (limit ${LIMITS.maxActiveJobsPerWorkspace}). Wait for some to finish or cancel them.`)
    }
    const id = randomId('job')
    const now = c.get('now')
    const insertJob = c.env.DB.prepare(
      `INSERT INTO jobs (id, workspace_id, status, params, features_upload_id, labels_upload_id, n, d, created_at, model, feature_uploads, metadata_upload_id)
       VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).bind(
      id,
      workspaceId,
      JSON.stringify(params),
      source.featuresId,
      body.labels ?? null,
      features.rows,
      features.cols,
      nowIso(now),
      source.model,
      featureIds.length > 1 ? JSON.stringify(featureIds) : null,
      body.metadata ?? null,
    )
    if (idempotencyKey) {
      await c.env.DB.prepare('DELETE FROM idempotency_keys WHERE workspace_id = ? AND key = ? AND created_at <= ?')
        .bind(workspaceId, idempotencyKey, now - IDEMPOTENCY_WINDOW_MS)
        .run()
      try {
        await c.env.DB.batch([
          insertJob,
          c.env.DB.prepare('INSERT INTO idempotency_keys (workspace_id, key, job_id, created_at) VALUES (?, ?, ?, ?)').bind(workspaceId, idempotencyKey, id, now),
        ])
      } catch (err) {
        // A concurrent request with the same key won the race: answer with its job.
        const existing = await jobForIdempotencyKey(c.env.DB, workspaceId, idempotencyKey, now)
        if (existing) return c.json({ job: jobFromRow(existing) }, 200)
        throw err
      }
    } else {
      await insertJob.run()
    }
    const row = await c.env.DB.prepare('SELECT * FROM jobs WHERE id = ?').bind(id).first<JobRow>()
    await c.env.JOB_QUEUE.get(c.env.JOB_QUEUE.idFromName('default')).notify()
    return c.json({ job: jobFromRow(row!) }, 201)
  },
)

jobs.openapi(
  createRoute({
    method: 'get',
    path: '/jobs',
    summary: "The workspace's jobs, newest first",
    request: { query: z.object({ status: z.string().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }) },
    responses: { 200: { content: { 'application/json': { schema: z.object({ jobs: z.array(Job) }) } }, description: 'Jobs' } },
  }),
  async (c) => {
    const { status, limit } = c.req.valid('query')
    const statement = status
      ? c.env.DB.prepare('SELECT * FROM jobs WHERE workspace_id = ? AND status = ? ORDER BY created_at DESC LIMIT ?').bind(c.get('workspaceId'), status, limit)
      : c.env.DB.prepare('SELECT * FROM jobs WHERE workspace_id = ? ORDER BY created_at DESC LIMIT ?').bind(c.get('workspaceId'), limit)
    const { results } = await statement.all<JobRow>()
    return c.json({ jobs: results.map(jobFromRow) }, 200)
  },
)

jobs.openapi(
  createRoute({
    method: 'get',
    path: '/jobs/{id}',
    summary: 'A job: status, progress, error, result links',
    request: { params: IdParam },
    responses: {
      200: { content: { 'application/json': { schema: JobEnvelope } }, description: 'The job' },
      404: errorResponse('No such job'),
    },
  }),
  async (c) => {
    const row = await getOwnedJob(c.env.DB, c.get('workspaceId'), c.req.valid('param').id)
    return c.json({ job: jobFromRow(row) }, 200)
  },
)

jobs.openapi(
  createRoute({
    method: 'post',
    path: '/jobs/{id}/cancel',
    summary: 'Cancel a queued or running job; the last frame is kept',
    request: { params: IdParam },
    responses: {
      200: { content: { 'application/json': { schema: JobEnvelope } }, description: 'Cancelled (or already finished)' },
      404: errorResponse('No such job'),
    },
  }),
  async (c) => {
    const row = await getOwnedJob(c.env.DB, c.get('workspaceId'), c.req.valid('param').id)
    const updated = await c.env.DB.prepare(
      "UPDATE jobs SET status = 'cancelled', finished_at = ?, lease_expires_at = NULL WHERE id = ? AND status IN ('queued', 'running') RETURNING *",
    )
      .bind(nowIso(c.get('now')), row.id)
      .first<JobRow>()
    const job = jobFromRow(updated ?? row)
    if (updated) c.executionCtx.waitUntil(publishStatus(c.env, job))
    return c.json({ job }, 200)
  },
)

jobs.openapi(
  createRoute({
    method: 'get',
    path: '/jobs/{id}/metadata',
    summary: "Per-point metadata columns (the uploaded table, plus `source` for several feature files), in the map's point order",
    request: { params: IdParam },
    responses: {
      200: { content: { 'application/json': { schema: JobMetadata } }, description: 'Columnar metadata, one value per map point' },
      404: errorResponse('No such job, or the job has no metadata (metadata_not_found)'),
      409: errorResponse('Not read by the worker yet (metadata_not_ready): wait for progress.metadataReady'),
    },
  }),
  async (c) => metadataResponse(c.env, await getOwnedJob(c.env.DB, c.get('workspaceId'), c.req.valid('param').id)) as never,
)

jobs.route(
  '/jobs/:id',
  jobResources((c) => getOwnedJob(c.env.DB, c.get('workspaceId'), c.req.param('id')!)),
)
