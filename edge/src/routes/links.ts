/**
 * @module Share links: capability URLs (`/v/<token>`, 256 random bits) that show one job read-only.
 * Owners create, list and revoke them; anyone holding the token reads through `/api/v1/shared/<token>`.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import { ApiErrorBody, CreateLinkRequest, ShareLink } from '@constellate/shared'
import type { AppEnv } from '../env.ts'
import { ApiError } from '../errors.ts'
import { getOwnedJob } from '../db.ts'
import { randomToken } from '../crypto.ts'
import { nowIso, randomId } from '../ids.ts'
import { validationHook } from '../validation.ts'
import { jsonBody } from '../request-body.ts'

export const links = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

export interface LinkRow {
  id: string
  workspace_id: string
  job_id: string
  token: string
  created_at: string
  expires_at: number | null
  revoked_at: string | null
}

export function linkFromRow(row: LinkRow): ShareLink {
  return {
    id: row.id,
    jobId: row.job_id,
    token: row.token,
    url: `/v/${row.token}`,
    createdAt: row.created_at,
    expiresAt: row.expires_at === null ? null : nowIso(row.expires_at),
    revokedAt: row.revoked_at,
  }
}

const errorResponse = (description: string) => ({ content: { 'application/json': { schema: ApiErrorBody } }, description })
const LinkEnvelope = z.object({ link: ShareLink })

links.openapi(
  createRoute({
    method: 'post',
    path: '/jobs/{id}/links',
    summary: 'Create a read-only share link to a job',
    middleware: [jsonBody(CreateLinkRequest, { example: '{"expiresInDays": 30} (or no body at all)', required: false })] as const,
    request: { params: z.object({ id: z.string() }), body: { content: { 'application/json': { schema: CreateLinkRequest } }, required: false } },
    responses: {
      201: { content: { 'application/json': { schema: LinkEnvelope } }, description: 'Created' },
      404: errorResponse('No such job'),
    },
  }),
  async (c) => {
    const job = await getOwnedJob(c.env.DB, c.get('workspaceId'), c.req.valid('param').id)
    const { expiresInDays } = c.req.valid('json')
    const now = c.get('now')
    const expiresAt = expiresInDays ? now + expiresInDays * 86_400_000 : null
    const row = await c.env.DB.prepare(
      'INSERT INTO share_links (id, workspace_id, job_id, token, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
    )
      .bind(randomId('lnk'), c.get('workspaceId'), job.id, randomToken(32), nowIso(now), expiresAt)
      .first<LinkRow>()
    return c.json({ link: linkFromRow(row!) }, 201)
  },
)

links.openapi(
  createRoute({
    method: 'get',
    path: '/jobs/{id}/links',
    summary: "A job's share links",
    request: { params: z.object({ id: z.string() }) },
    responses: {
      200: { content: { 'application/json': { schema: z.object({ links: z.array(ShareLink) }) } }, description: 'Links' },
      404: errorResponse('No such job'),
    },
  }),
  async (c) => {
    const job = await getOwnedJob(c.env.DB, c.get('workspaceId'), c.req.valid('param').id)
    const { results } = await c.env.DB.prepare('SELECT * FROM share_links WHERE job_id = ? ORDER BY created_at DESC').bind(job.id).all<LinkRow>()
    return c.json({ links: results.map(linkFromRow) }, 200)
  },
)

links.openapi(
  createRoute({
    method: 'delete',
    path: '/links/{id}',
    summary: 'Revoke a share link; it stops working at once',
    request: { params: z.object({ id: z.string() }) },
    responses: {
      200: { content: { 'application/json': { schema: LinkEnvelope } }, description: 'Revoked' },
      404: errorResponse('No such link'),
    },
  }),
  async (c) => {
    const id = c.req.valid('param').id
    const row = await c.env.DB.prepare('UPDATE share_links SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND workspace_id = ? RETURNING *')
      .bind(nowIso(c.get('now')), id, c.get('workspaceId'))
      .first<LinkRow>()
    if (!row) throw new ApiError(404, 'link_not_found', `No share link with id "${id}" in this workspace.`)
    return c.json({ link: linkFromRow(row) }, 200)
  },
)
