/** @module API tokens: create (secret shown once), list, revoke. Stored as SHA-256 of the secret. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import { ApiErrorBody, ApiToken, CreateTokenRequest, CreateTokenResponse } from '@constellate/shared'
import type { AppEnv, Scope } from '../env.ts'
import { ApiError } from '../errors.ts'
import { randomToken, sha256Hex } from '../crypto.ts'
import { nowIso, randomId } from '../ids.ts'
import { validationHook } from '../validation.ts'
import { jsonBody } from '../request-body.ts'
import { TOKEN_PREFIX } from '../workspace.ts'

export const tokens = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

interface TokenRow {
  id: string
  name: string
  prefix: string
  scopes: string
  created_at: string
  expires_at: number | null
  revoked_at: string | null
  last_used_at: string | null
}

function tokenFromRow(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as Scope[],
    createdAt: row.created_at,
    expiresAt: row.expires_at === null ? null : nowIso(row.expires_at),
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  }
}

const errorResponse = (description: string) => ({ content: { 'application/json': { schema: ApiErrorBody } }, description })

tokens.openapi(
  createRoute({
    method: 'post',
    path: '/tokens',
    summary: 'Create an API token; its secret is in this response only',
    middleware: [jsonBody(CreateTokenRequest, { example: '{"name": "nightly pipeline", "scopes": ["read", "write"], "expiresInDays": 90}' })] as const,
    request: { body: { content: { 'application/json': { schema: CreateTokenRequest } }, required: true } },
    responses: {
      201: { content: { 'application/json': { schema: CreateTokenResponse } }, description: 'Created' },
      400: errorResponse('Invalid request'),
      403: errorResponse('A token may not grant more than it has'),
    },
  }),
  async (c) => {
    const body = c.req.valid('json')
    const callerScopes = c.get('scopes')
    const missing = body.scopes.filter((s) => !callerScopes.includes(s))
    if (missing.length) throw new ApiError(403, 'insufficient_scope', `You cannot grant scopes you do not have: ${missing.join(', ')}.`)
    const now = c.get('now')
    const secret = TOKEN_PREFIX + randomToken(32)
    const id = randomId('tok')
    const expiresAt = body.expiresInDays ? now + body.expiresInDays * 86_400_000 : null
    await c.env.DB.prepare(
      'INSERT INTO api_tokens (id, workspace_id, name, token_hash, prefix, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
      .bind(id, c.get('workspaceId'), body.name, await sha256Hex(secret), secret.slice(0, 12), JSON.stringify(body.scopes), nowIso(now), expiresAt)
      .run()
    const row = await c.env.DB.prepare('SELECT * FROM api_tokens WHERE id = ?').bind(id).first<TokenRow>()
    return c.json({ token: tokenFromRow(row!), secret }, 201)
  },
)

tokens.openapi(
  createRoute({
    method: 'get',
    path: '/tokens',
    summary: "The workspace's API tokens (never their secrets)",
    responses: { 200: { content: { 'application/json': { schema: z.object({ tokens: z.array(ApiToken) }) } }, description: 'Tokens' } },
  }),
  async (c) => {
    const { results } = await c.env.DB.prepare('SELECT * FROM api_tokens WHERE workspace_id = ? ORDER BY created_at DESC').bind(c.get('workspaceId')).all<TokenRow>()
    return c.json({ tokens: results.map(tokenFromRow) }, 200)
  },
)

tokens.openapi(
  createRoute({
    method: 'delete',
    path: '/tokens/{id}',
    summary: 'Revoke an API token; it stops working at once',
    request: { params: z.object({ id: z.string() }) },
    responses: {
      200: { content: { 'application/json': { schema: z.object({ token: ApiToken }) } }, description: 'Revoked' },
      404: errorResponse('No such token'),
    },
  }),
  async (c) => {
    const id = c.req.valid('param').id
    const row = await c.env.DB.prepare('UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND workspace_id = ? RETURNING *')
      .bind(nowIso(c.get('now')), id, c.get('workspaceId'))
      .first<TokenRow>()
    if (!row) throw new ApiError(404, 'token_not_found', `No API token with id "${id}" in this workspace.`)
    return c.json({ token: tokenFromRow(row) }, 200)
  },
)
