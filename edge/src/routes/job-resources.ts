/**
 * @module The read-only parts of a job (live WebSocket, frames for replay, labels, result files), served
 * both to the job's workspace (`/api/v1/jobs/:id/...`) and through share links (`/api/v1/shared/:token/...`).
 */
import { Hono, type Context } from 'hono'
import { RESULT_FILE_NAMES, RESULT_FILE_SPECS, ResultFileName, labelsKey, metadataKey, resultFileKey, resultFilePattern } from '@constellate/shared'
import type { AppEnv, Env } from '../env.ts'
import { ApiError } from '../errors.ts'
import { jobFromRow, jobHasMetadata, type JobRow } from '../db.ts'
import { Storage } from '../storage.ts'
import { addModelJobResources } from '../model-jobs.ts'

/** Finds the job a request may read, or throws the right 4xx. */
export type JobResolver = (c: Context<AppEnv>) => Promise<JobRow>

/**
 * `GET .../metadata`: the job's JobMetadata. 404 metadata_not_found for a job that has none (no metadata
 * upload, one features file); 409 metadata_not_ready until the worker has written it.
 */
export async function metadataResponse(env: Env, row: JobRow): Promise<Response> {
  if (!jobHasMetadata(row)) {
    throw new ApiError(
      404,
      'metadata_not_found',
      `Job "${row.id}" has no metadata: it was created with one features file and no metadata upload. Upload a .csv/.tsv with kind "metadata" and give "metadata": <upload id> when creating a job.`,
    )
  }
  const ended = row.status === 'failed' || row.status === 'cancelled'
  return streamObject(
    env,
    metadataKey(row.id),
    'application/json',
    'metadata_not_ready',
    ended
      ? `Job "${row.id}" ${row.status === 'failed' ? `failed (${row.error_code ?? 'unknown error'})` : 'was cancelled'} before the worker read its metadata.`
      : `The metadata of job "${row.id}" is not ready yet: the worker has not read the inputs. Try again once progress.metadataReady is true.`,
    409,
  )
}

export function jobResources(resolve: JobResolver): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/live', async (c) => {
    const row = await resolve(c)
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      throw new ApiError(426, 'websocket_required', 'This endpoint streams frames over a WebSocket. Connect with a WebSocket client.')
    }
    const room = c.env.JOB_ROOM.get(c.env.JOB_ROOM.idFromName(row.id))
    const headers = new Headers(c.req.raw.headers)
    // The room greets a new viewer with the job as D1 has it now, so it never shows a stale status.
    headers.set('x-job-status', JSON.stringify(jobFromRow(row)))
    return room.fetch(new Request(`https://room/${row.id}`, { headers }))
  })

  app.get('/frames', async (c) => {
    const row = await resolve(c)
    const { results } = await c.env.DB.prepare('SELECT seq, iteration, kl FROM frames WHERE job_id = ? AND attempt = ? ORDER BY seq')
      .bind(row.id, row.attempt)
      .all<{ seq: number; iteration: number; kl: number | null }>()
    return c.json({ frames: results })
  })

  app.get('/frames/:seq', async (c) => {
    const row = await resolve(c)
    const frame = await c.env.DB.prepare('SELECT storage_key FROM frames WHERE job_id = ? AND seq = ? AND attempt = ?')
      .bind(row.id, Number(c.req.param('seq')), row.attempt)
      .first<{ storage_key: string }>()
    if (!frame) throw new ApiError(404, 'frame_not_found', `Job "${row.id}" has no frame ${c.req.param('seq')}; list its frames first.`)
    return streamObject(c.env, frame.storage_key, 'application/octet-stream')
  })

  app.get('/labels', async (c) => {
    const row = await resolve(c)
    return streamObject(c.env, labelsKey(row.id), 'application/json', 'labels_not_ready', 'Labels are not ready yet: the worker has not read the inputs. Try again once progress.labelsReady is true.')
  })

  app.get('/metadata', async (c) => metadataResponse(c.env, await resolve(c)))

  app.get(`/:file{${resultFilePattern(RESULT_FILE_NAMES)}}`, async (c) => {
    const row = await resolve(c)
    // The route pattern admits result file names only.
    const file = ResultFileName.parse(c.req.param('file'))
    if (row.status !== 'succeeded' || !row.results_prefix) {
      throw new ApiError(409, 'results_not_ready', `Job "${row.id}" is ${row.status}; ${file} exists once it has succeeded.`)
    }
    const response = await streamObject(c.env, resultFileKey(row.results_prefix, file), RESULT_FILE_SPECS[file].contentType)
    response.headers.set('content-disposition', `attachment; filename="${row.id}-${file}"`)
    return response
  })

  addModelJobResources(app, resolve)
  return app
}

async function streamObject(env: Env, key: string, contentType: string, missingCode = 'result_missing', missingMessage?: string, missingStatus: 404 | 409 = 404): Promise<Response> {
  const object = await new Storage(env).get(key)
  if (!object) throw new ApiError(missingStatus, missingCode, missingMessage ?? 'The stored file is missing. Run the job again.')
  const headers = new Headers({ 'content-type': contentType, 'cache-control': 'private, max-age=60' })
  const length = object.headers.get('content-length')
  if (length) headers.set('content-length', length)
  return new Response(object.body, { headers })
}
