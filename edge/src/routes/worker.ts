/**
 * @module Routes for GPU workers: lease (long poll), heartbeat, frames, complete, fail. Every call after
 * the lease names its lease id and fencing number; anything from a stale lease gets 409 and changes nothing.
 */
import { Hono } from 'hono'
import type { z } from 'zod'
import {
  CompleteRequest,
  FailRequest,
  FrameFormatError,
  FramesQuery,
  HeartbeatRequest,
  JobParams,
  JobProgress,
  LIMITS,
  LeaseRequest,
  ReleaseRequest,
  UploadInfo,
  decodeFrame,
  frameKey,
  labelsKey,
  metadataKey,
  resultsPrefix,
  type FrameAnswer,
  type HeartbeatAnswer,
  type Lease,
  type LeasedJob,
  type UploadRef,
  type WorkerJobAnswer,
} from '@constellate/shared'
import type { AppEnv, Env } from '../env.ts'
import { ApiError } from '../errors.ts'
import { featureUploadIds, getJob, jobFromRow, type JobRow, type UploadRow } from '../db.ts'
import { nowIso } from '../ids.ts'
import { publishStatus, roomFor } from '../live.ts'
import { Storage } from '../storage.ts'
import { describeIssues } from '../validation.ts'
import { readBinaryBody, readJsonBody } from '../request-body.ts'
import { leasedModel } from '../model-jobs.ts'

export const worker = new Hono<AppEnv>()

worker.use('*', async (c, next) => {
  const header = c.req.header('authorization') ?? ''
  const expected = `Bearer ${c.env.WORKER_SECRET}`
  if (!c.env.WORKER_SECRET || header.length !== expected.length || !timingSafeEqual(header, expected)) {
    throw new ApiError(401, 'worker_unauthorized', 'Worker routes need Authorization: Bearer <WORKER_SECRET>.')
  }
  await next()
})

// Bodies are read (content type, size limit, JSON syntax) before any handler: `c.req.json()` and
// `c.req.arrayBuffer()` below then answer from the body cache. Worker bodies are not strict: a newer
// worker may send fields this edge does not know yet.
worker.use('/lease', async (c, next) => {
  await readJsonBody(c, { example: '{"workerId": "gpu-1", "waitSeconds": 20}' })
  await next()
})
worker.use('/jobs/:id/:action{heartbeat|complete|fail|release}', async (c, next) => {
  await readJsonBody(c, { example: '{"leaseId": "lse_...", "fence": 1}' })
  await next()
})
worker.use('/jobs/:id/frames', async (c, next) => {
  await readBinaryBody(c, LIMITS.maxFrameBytes, 'a CSTF frame (shared/src/frame-codec.ts)', 'The largest frame is a 3D one of LIMITS.maxPoints points, as encodeFrame writes it.')
  await next()
})

function timingSafeEqual(a: string, b: string): boolean {
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

async function parse<T extends z.ZodType>(schema: T, body: unknown): Promise<z.infer<T>> {
  const result = schema.safeParse(body)
  if (!result.success) throw new ApiError(400, 'invalid_request', `The request is not valid: ${describeIssues(result.error.issues)}.`)
  return result.data
}

/** The job row if this lease is the current one; 409 otherwise. */
async function requireLease(env: Env, jobId: string, leaseId: string, fence: number): Promise<JobRow> {
  const row = await getJob(env.DB, jobId)
  if (!row) throw new ApiError(404, 'job_not_found', `No job with id "${jobId}".`)
  if (row.lease_id !== leaseId || row.lease_fence !== fence) {
    throw new ApiError(409, 'stale_lease', `Lease ${leaseId} (fence ${fence}) no longer holds job "${jobId}". Stop working on it.`)
  }
  return row
}

function uploadRef(row: UploadRow): UploadRef {
  return { id: row.id, key: row.verified_key ?? row.storage_key, filename: row.filename, size: row.size, info: UploadInfo.nullable().parse(JSON.parse(row.info ?? 'null')) }
}

/** The lease the queue just wrote on a row it handed out. */
function leaseOf(row: JobRow): Lease {
  if (row.lease_id === null || row.lease_fence === null || row.lease_expires_at === null) throw new Error(`job ${row.id} was leased without a lease id, fence or expiry`)
  return { leaseId: row.lease_id, fence: row.lease_fence, expiresAt: row.lease_expires_at, attempt: row.attempt }
}

worker.post('/lease', async (c) => {
  const body = await parse(LeaseRequest, await c.req.json())
  const queue = c.env.JOB_QUEUE.get(c.env.JOB_QUEUE.idFromName('default'))
  const row = await queue.lease(body.workerId, body.waitSeconds * 1000)
  if (!row) return c.body(null, 204)
  const features = await c.env.DB.prepare('SELECT * FROM uploads WHERE id = ?').bind(row.features_upload_id).first<UploadRow>()
  const labels = row.labels_upload_id ? await c.env.DB.prepare('SELECT * FROM uploads WHERE id = ?').bind(row.labels_upload_id).first<UploadRow>() : null
  const metadata = row.metadata_upload_id ? await c.env.DB.prepare('SELECT * FROM uploads WHERE id = ?').bind(row.metadata_upload_id).first<UploadRow>() : null
  const featureFiles = []
  for (const id of featureUploadIds(row)) {
    featureFiles.push(id === features!.id ? features! : (await c.env.DB.prepare('SELECT * FROM uploads WHERE id = ?').bind(id).first<UploadRow>())!)
  }
  const leased: LeasedJob = {
    lease: leaseOf(row),
    job: {
      id: row.id,
      params: JobParams.parse(JSON.parse(row.params)),
      attempt: row.attempt,
      features: uploadRef(features!),
      labels: labels ? uploadRef(labels) : null,
      resultsPrefix: resultsPrefix(row.id, row.attempt),
      labelsKey: labelsKey(row.id),
      // Every features file in order (the first is also `features`), and the metadata table.
      featureFiles: featureFiles.map(uploadRef),
      metadata: metadata ? uploadRef(metadata) : null,
      metadataKey: metadataKey(row.id),
      model: await leasedModel(c.env, row.model ?? null, uploadRef),
    },
  }
  return c.json(leased)
})

worker.post('/jobs/:id/heartbeat', async (c) => {
  const body = await parse(HeartbeatRequest, await c.req.json())
  const row = await requireLease(c.env, c.req.param('id'), body.leaseId, body.fence)
  if (row.status !== 'running') return c.json({ cancel: true, status: row.status } satisfies HeartbeatAnswer)
  const queue = c.env.JOB_QUEUE.get(c.env.JOB_QUEUE.idFromName('default'))
  const leaseExpiresAt = await queue.extend(row.id)
  if (body.progress) {
    const previous = row.progress ? (JSON.parse(row.progress) as JobProgress) : emptyProgress()
    const progress = { ...previous, ...body.progress }
    // progress.points: the worker's count of map points (after subsampling) becomes job.n.
    const updated = await c.env.DB.prepare("UPDATE jobs SET progress = ?, n = COALESCE(?, n) WHERE id = ? AND lease_id = ? AND status = 'running' RETURNING *")
      .bind(JSON.stringify(progress), body.progress.points ?? null, row.id, row.lease_id)
      .first<JobRow>()
    if (updated) c.executionCtx.waitUntil(publishStatus(c.env, jobFromRow(updated)))
  }
  return c.json({ cancel: false, status: row.status, leaseExpiresAt } satisfies HeartbeatAnswer)
})

function emptyProgress(): JobProgress {
  return { stage: 'starting', iteration: 0, totalIterations: 0, kl: null, frames: 0, labelsReady: false }
}

worker.post('/jobs/:id/frames', async (c) => {
  const { leaseId, fence } = FramesQuery.parse(c.req.query())
  // Read the body before any refusal: a connection whose request body was left unread can stall the
  // client's next request on it.
  const bytes = new Uint8Array(await c.req.arrayBuffer())
  const row = await requireLease(c.env, c.req.param('id'), leaseId, fence)
  if (row.status !== 'running') throw new ApiError(409, 'job_not_running', `Job "${row.id}" is ${row.status}; frames are no longer accepted.`)
  let frame
  try {
    frame = decodeFrame(bytes)
  } catch (err) {
    if (err instanceof FrameFormatError) throw new ApiError(400, 'bad_frame', err.message)
    throw err
  }
  const previous = row.progress ? (JSON.parse(row.progress) as JobProgress) : emptyProgress()
  // A retried post of the frame already stored (its answer was lost) is acknowledged, not stored twice.
  if (previous.frames > 0 && previous.iteration === frame.iteration) return c.json({ seq: previous.frames - 1, viewers: null, duplicate: true } satisfies FrameAnswer)
  const seq = previous.frames
  const key = frameKey(row.id, row.attempt, seq)
  await new Storage(c.env).put(key, bytes)
  const kl = Number.isFinite(frame.kl) ? frame.kl : null
  const progress: JobProgress = {
    ...previous,
    stage: 'optimize',
    iteration: frame.iteration,
    kl: kl ?? previous.kl,
    frames: seq + 1,
  }
  const [, updated] = await c.env.DB.batch<JobRow>([
    c.env.DB.prepare('INSERT OR REPLACE INTO frames (job_id, seq, attempt, iteration, kl, storage_key) VALUES (?, ?, ?, ?, ?, ?)').bind(row.id, seq, row.attempt, frame.iteration, kl, key),
    c.env.DB.prepare("UPDATE jobs SET progress = ? WHERE id = ? AND lease_id = ? AND status = 'running' RETURNING *").bind(JSON.stringify(progress), row.id, row.lease_id),
  ])
  const room = roomFor(c.env, row.id)
  const viewers = await room.publishFrame(bytes, key)
  const job = updated?.results[0]
  if (job) c.executionCtx.waitUntil(publishStatus(c.env, jobFromRow(job)))
  return c.json({ seq, viewers } satisfies FrameAnswer)
})

worker.post('/jobs/:id/complete', async (c) => {
  const body = await parse(CompleteRequest, await c.req.json())
  const row = await requireLease(c.env, c.req.param('id'), body.leaseId, body.fence)
  if (row.status === 'succeeded') return c.json({ job: jobFromRow(row) } satisfies WorkerJobAnswer) // completing twice is idempotent
  if (row.status !== 'running') throw new ApiError(409, 'job_not_running', `Job "${row.id}" is ${row.status}; it cannot be completed.`)
  const previous = row.progress ? (JSON.parse(row.progress) as JobProgress) : emptyProgress()
  const progress: JobProgress = { ...previous, stage: 'done', iteration: body.iterations ?? previous.iteration, kl: body.kl ?? previous.kl }
  const updated = await c.env.DB.prepare(
    `UPDATE jobs SET status = 'succeeded', results_prefix = ?, finished_at = ?, lease_expires_at = NULL, progress = ?, error_code = NULL, error_message = NULL, warnings = ?
     WHERE id = ? AND lease_id = ? AND lease_fence = ? AND status = 'running' RETURNING *`,
  )
    .bind(resultsPrefix(row.id, row.attempt), nowIso(c.get('now')), JSON.stringify(progress), JSON.stringify(body.warnings), row.id, body.leaseId, body.fence)
    .first<JobRow>()
  if (!updated) throw new ApiError(409, 'stale_lease', `Job "${row.id}" changed while completing; this lease no longer holds it.`)
  const job = jobFromRow(updated)
  c.executionCtx.waitUntil(publishStatus(c.env, job))
  return c.json({ job } satisfies WorkerJobAnswer)
})

worker.post('/jobs/:id/fail', async (c) => {
  const body = await parse(FailRequest, await c.req.json())
  const row = await requireLease(c.env, c.req.param('id'), body.leaseId, body.fence)
  if (row.status !== 'running') return c.json({ job: jobFromRow(row) } satisfies WorkerJobAnswer)
  const retry = body.retryable && row.attempt < row.max_attempts
  const updated = retry
    ? await c.env.DB.prepare(
        "UPDATE jobs SET status = 'queued', lease_expires_at = NULL, error_code = ?, error_message = ? WHERE id = ? AND lease_id = ? AND status = 'running' RETURNING *",
      ).bind(body.error.code, body.error.message, row.id, body.leaseId).first<JobRow>()
    : await c.env.DB.prepare(
        "UPDATE jobs SET status = 'failed', lease_expires_at = NULL, finished_at = ?, error_code = ?, error_message = ? WHERE id = ? AND lease_id = ? AND status = 'running' RETURNING *",
      ).bind(nowIso(c.get('now')), body.error.code, body.error.message, row.id, body.leaseId).first<JobRow>()
  if (!updated) throw new ApiError(409, 'stale_lease', `Job "${row.id}" changed while failing; this lease no longer holds it.`)
  if (retry) await c.env.JOB_QUEUE.get(c.env.JOB_QUEUE.idFromName('default')).notify()
  const job = jobFromRow(updated)
  c.executionCtx.waitUntil(publishStatus(c.env, job))
  return c.json({ job } satisfies WorkerJobAnswer)
})

worker.post('/jobs/:id/release', async (c) => {
  const body = await parse(ReleaseRequest, await c.req.json())
  const row = await requireLease(c.env, c.req.param('id'), body.leaseId, body.fence)
  if (row.status !== 'running') return c.json({ job: jobFromRow(row) } satisfies WorkerJobAnswer)
  // A worker shutting down hands the job back: it runs again soon, and this attempt does not count.
  const updated = await c.env.DB.prepare(
    "UPDATE jobs SET status = 'queued', attempt = attempt - 1, lease_expires_at = NULL WHERE id = ? AND lease_id = ? AND status = 'running' RETURNING *",
  ).bind(row.id, body.leaseId).first<JobRow>()
  if (!updated) throw new ApiError(409, 'stale_lease', `Job "${row.id}" changed while releasing; this lease no longer holds it.`)
  await c.env.JOB_QUEUE.get(c.env.JOB_QUEUE.idFromName('default')).notify()
  const job = jobFromRow(updated)
  c.executionCtx.waitUntil(publishStatus(c.env, job))
  return c.json({ job } satisfies WorkerJobAnswer)
})
