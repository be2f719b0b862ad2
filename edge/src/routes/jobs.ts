/** @module Job routes: create, read, cancel, watch live, replay frames, download results. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import { ApiErrorBody, CreateJobRequest, Job, JobParams, LIMITS, minPointsForPerplexity, type UploadInfo } from '@constellate/shared'
import type { AppEnv, Env } from '../env.ts'
import { ApiError } from '../errors.ts'
import { getOwnedJob, getOwnedUpload, jobFromRow, type JobRow, type UploadRow } from '../db.ts'
import { nowIso, randomId } from '../ids.ts'
import { Storage } from '../storage.ts'
import { validationHook } from '../validation.ts'
import { publishStatus } from '../live.ts'

export const jobs = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const errorResponse = (description: string) => ({ content: { 'application/json': { schema: ApiErrorBody } }, description })
const JobEnvelope = z.object({ job: Job })
const IdParam = z.object({ id: z.string() })

function requireVerified(row: UploadRow, role: 'features' | 'labels'): UploadInfo {
  if (row.kind !== role) {
    throw new ApiError(400, 'wrong_upload_kind', `Upload "${row.id}" was created as ${row.kind}, but it is given as ${role}. Create the upload with kind "${role}".`)
  }
  if (row.status !== 'verified' || !row.info) {
    throw new ApiError(409, 'upload_not_verified', `Upload "${row.id}" (${row.filename}) is not verified yet. PUT its bytes, then POST /api/v1/uploads/${row.id}/complete.`)
  }
  return JSON.parse(row.info) as UploadInfo
}

/** Checks everything knowable before queueing, so mistakes surface as 400s rather than failed jobs. */
function checkShape(params: JobParams, features: UploadInfo, labels: UploadInfo | null): void {
  const n = features.rows
  if (n !== null) {
    if (n < LIMITS.minPoints) {
      throw new ApiError(400, 'too_few_points', `The features have ${n} points; t-SNE needs at least ${LIMITS.minPoints}. Upload more points.`)
    }
    if (n > LIMITS.maxPoints) {
      throw new ApiError(400, 'too_many_points', `The features have ${n} points; at most ${LIMITS.maxPoints} are accepted. Subsample before uploading.`)
    }
    const needed = minPointsForPerplexity(params.perplexity)
    if (n < needed) {
      const highest = Math.max(1, Math.floor((n - 1) / 3))
      throw new ApiError(
        400,
        'perplexity_too_large',
        `perplexity ${params.perplexity} needs at least ${needed} points; got ${n}. Lower perplexity (at most ${highest} for ${n} points) or upload more points.`,
      )
    }
    if (labels?.rows != null && labels.rows !== n) {
      throw new ApiError(400, 'label_count_mismatch', `The labels have ${labels.rows} rows but the features have ${n} points; they must match one to one.`)
    }
  }
  if (features.cols !== null && features.cols > LIMITS.maxDims) {
    throw new ApiError(400, 'too_many_dims', `The features have ${features.cols} dimensions; at most ${LIMITS.maxDims} are accepted.`)
  }
}

jobs.openapi(
  createRoute({
    method: 'post',
    path: '/jobs',
    summary: 'Queue a PCA + t-SNE job on verified uploads',
    request: { body: { content: { 'application/json': { schema: CreateJobRequest } }, required: true } },
    responses: {
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
    const featuresRow = await getOwnedUpload(c.env.DB, workspaceId, body.features)
    const features = requireVerified(featuresRow, 'features')
    const labels = body.labels ? requireVerified(await getOwnedUpload(c.env.DB, workspaceId, body.labels), 'labels') : null
    checkShape(params, features, labels)
    const active = await c.env.DB.prepare("SELECT COUNT(*) AS count FROM jobs WHERE workspace_id = ? AND status IN ('queued', 'running')")
      .bind(workspaceId)
      .first<{ count: number }>()
    if ((active?.count ?? 0) >= LIMITS.maxActiveJobsPerWorkspace) {
      throw new ApiError(429, 'too_many_active_jobs', `This workspace already has ${active?.count} jobs queued or running (limit ${LIMITS.maxActiveJobsPerWorkspace}). Wait for some to finish or cancel them.`)
    }
    const id = randomId('job')
    const createdAt = nowIso()
    const row = await c.env.DB.prepare(
      `INSERT INTO jobs (id, workspace_id, status, params, features_upload_id, labels_upload_id, n, d, created_at)
       VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
      .bind(id, workspaceId, JSON.stringify(params), body.features, body.labels ?? null, features.rows, features.cols, createdAt)
      .first<JobRow>()
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
      .bind(nowIso(), row.id)
      .first<JobRow>()
    const job = jobFromRow(updated ?? row)
    if (updated) c.executionCtx.waitUntil(publishStatus(c.env, job))
    return c.json({ job }, 200)
  },
)

jobs.get('/jobs/:id/live', async (c) => {
  const row = await getOwnedJob(c.env.DB, c.get('workspaceId'), c.req.param('id'))
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
    throw new ApiError(426, 'websocket_required', 'This endpoint streams frames over a WebSocket. Connect with a WebSocket client.')
  }
  const room = c.env.JOB_ROOM.get(c.env.JOB_ROOM.idFromName(row.id))
  const headers = new Headers(c.req.raw.headers)
  // The room greets a new viewer with the job as D1 has it now, so it never shows a stale status.
  headers.set('x-job-status', JSON.stringify(jobFromRow(row)))
  return room.fetch(new Request(`https://room/${row.id}`, { headers }))
})

jobs.get('/jobs/:id/frames', async (c) => {
  const row = await getOwnedJob(c.env.DB, c.get('workspaceId'), c.req.param('id'))
  const { results } = await c.env.DB.prepare('SELECT seq, iteration, kl FROM frames WHERE job_id = ? AND attempt = ? ORDER BY seq')
    .bind(row.id, row.attempt)
    .all<{ seq: number; iteration: number; kl: number | null }>()
  return c.json({ frames: results })
})

jobs.get('/jobs/:id/frames/:seq', async (c) => {
  const row = await getOwnedJob(c.env.DB, c.get('workspaceId'), c.req.param('id'))
  const frame = await c.env.DB.prepare('SELECT storage_key FROM frames WHERE job_id = ? AND seq = ? AND attempt = ?')
    .bind(row.id, Number(c.req.param('seq')), row.attempt)
    .first<{ storage_key: string }>()
  if (!frame) throw new ApiError(404, 'frame_not_found', `Job "${row.id}" has no frame ${c.req.param('seq')}. List frames with GET /api/v1/jobs/${row.id}/frames.`)
  return streamObject(c.env, frame.storage_key, 'application/octet-stream')
})

jobs.get('/jobs/:id/labels', async (c) => {
  const row = await getOwnedJob(c.env.DB, c.get('workspaceId'), c.req.param('id'))
  return streamObject(c.env, `jobs/${row.id}/labels.json`, 'application/json', 'labels_not_ready', 'Labels are not ready yet: the worker has not read the inputs. Try again once progress.labelsReady is true.')
})

const RESULT_FILES: Record<string, string> = {
  'embedding.npy': 'application/octet-stream',
  'embedding.csv': 'text/csv; charset=utf-8',
  'manifest.json': 'application/json',
  'metrics.json': 'application/json',
}

jobs.get('/jobs/:id/:file{(embedding\\.npy|embedding\\.csv|manifest\\.json|metrics\\.json)}', async (c) => {
  const row = await getOwnedJob(c.env.DB, c.get('workspaceId'), c.req.param('id'))
  const file = c.req.param('file')
  if (row.status !== 'succeeded' || !row.results_prefix) {
    throw new ApiError(409, 'results_not_ready', `Job "${row.id}" is ${row.status}; ${file} exists once it has succeeded.`)
  }
  const response = await streamObject(c.env, `${row.results_prefix}/${file}`, RESULT_FILES[file]!)
  response.headers.set('content-disposition', `attachment; filename="${row.id}-${file}"`)
  return response
})

async function streamObject(env: Env, key: string, contentType: string, missingCode = 'result_missing', missingMessage?: string): Promise<Response> {
  const object = await new Storage(env).get(key)
  if (!object) throw new ApiError(404, missingCode, missingMessage ?? 'The stored file is missing. Run the job again.')
  const headers = new Headers({ 'content-type': contentType, 'cache-control': 'private, max-age=60' })
  const length = object.headers.get('content-length')
  if (length) headers.set('content-length', length)
  return new Response(object.body, { headers })
}
