/**
 * @module What a share link opens: `/api/v1/shared/<token>` (the job, read-only, and its frames, labels and
 * results) and the viewer page `/v/<token>`. Nothing here can change anything.
 */
import { Hono, type Context } from 'hono'
import { html } from 'hono/html'
import type { Job } from '@constellate/shared'
import type { AppEnv } from '../env.ts'
import { ApiError } from '../errors.ts'
import { getJob, jobFromRow, type JobRow } from '../db.ts'
import { jobResources } from './job-resources.ts'
import type { LinkRow } from './links.ts'

export const shared = new Hono<AppEnv>()

/** The job a link token opens; 404 for unknown tokens, 410 for revoked or expired ones. */
async function jobForLink(c: Context<AppEnv>): Promise<JobRow> {
  const token = c.req.param('token') ?? ''
  const link = await c.env.DB.prepare('SELECT * FROM share_links WHERE token = ?').bind(token).first<LinkRow>()
  if (!link) throw new ApiError(404, 'link_not_found', 'This share link does not exist. Ask its owner for a new one.')
  if (link.revoked_at) throw new ApiError(410, 'link_revoked', 'This share link was revoked by its owner.')
  if (link.expires_at !== null && link.expires_at <= c.get('now')) throw new ApiError(410, 'link_expired', 'This share link has expired. Ask its owner for a new one.')
  const job = await getJob(c.env.DB, link.job_id)
  if (!job) throw new ApiError(404, 'link_not_found', 'The job behind this share link no longer exists.')
  return job
}

shared.use('*', async (c, next) => {
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    throw new ApiError(405, 'read_only', 'Share links are read-only. Sign in to the workspace that owns the job to change it.')
  }
  await next()
  c.header('Referrer-Policy', 'no-referrer')
  c.header('Cache-Control', 'private, no-store')
})

/** A job as a share link shows it: its result links point at the link's own read-only routes. */
function sharedJob(row: JobRow, token: string): Job {
  const job = jobFromRow(row)
  const own = `/api/v1/jobs/${row.id}/`
  const base = `/api/v1/shared/${token}/`
  if (job.results) job.results = Object.fromEntries(Object.entries(job.results).map(([name, url]) => [name, url.replace(own, base)])) as Job['results']
  return job
}

shared.get('/:token', async (c) => c.json({ job: sharedJob(await jobForLink(c), c.req.param('token')) }))
shared.route('/:token', jobResources(jobForLink))

/** The viewer page for `/v/<token>`: the SPA, checked first so a dead link answers 404/410 at once. */
export async function viewerPage(c: Context<AppEnv>): Promise<Response> {
  try {
    await jobForLink(c)
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    // html`` escapes what it interpolates: messages may one day quote a job's or a file's name.
    return c.html(
      html`<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Constellate</title><body style="font-family:system-ui;margin:3rem"><h1>This map is not available</h1><p>${err.message}</p></body>`,
      err.status as 404 | 410,
      { 'Referrer-Policy': 'no-referrer' },
    )
  }
  const index = c.env.ASSETS ? await c.env.ASSETS.fetch(new Request(new URL('/index.html', c.req.url))) : null
  if (!index || !index.ok) throw new ApiError(500, 'viewer_missing', 'The web app is not built. Run npm run build.')
  const response = new Response(index.body, index)
  response.headers.set('Referrer-Policy', 'no-referrer')
  response.headers.set('Cache-Control', 'no-store')
  return response
}
