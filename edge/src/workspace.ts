/**
 * @module Who is calling. An API token (`Authorization: Bearer cst_...`) names a workspace and scopes;
 * otherwise a signed HttpOnly cookie carries an anonymous workspace, created on the first API call.
 */
import type { MiddlewareHandler } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import type { AppEnv, Scope } from './env.ts'
import { ApiError } from './errors.ts'
import { hmacHex, sha256Hex, timingSafeEqual } from './crypto.ts'
import { nowIso, randomId } from './ids.ts'

export const WORKSPACE_COOKIE = 'cst_ws'
export const TOKEN_PREFIX = 'cst_'

export async function signWorkspace(secret: string, workspaceId: string): Promise<string> {
  return `${workspaceId}.${await hmacHex(secret, workspaceId)}`
}

export async function verifyWorkspaceCookie(secret: string, value: string | undefined): Promise<string | null> {
  if (!value) return null
  const dot = value.lastIndexOf('.')
  if (dot <= 0) return null
  const id = value.slice(0, dot)
  return timingSafeEqual(value.slice(dot + 1), await hmacHex(secret, id)) ? id : null
}

interface TokenRow {
  id: string
  workspace_id: string
  token_hash: string
  scopes: string
  expires_at: number | null
  revoked_at: string | null
}

/** Resolves the caller: token, cookie, or a fresh anonymous workspace. */
export function identity(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const authorization = c.req.header('authorization')
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization)
      const secret = match?.[1]
      if (!secret || !secret.startsWith(TOKEN_PREFIX)) {
        throw new ApiError(401, 'invalid_token', 'Authorization must be "Bearer cst_...", an API token created in the web app or with POST /api/v1/tokens.')
      }
      const hash = await sha256Hex(secret)
      const row = await c.env.DB.prepare('SELECT id, workspace_id, token_hash, scopes, expires_at, revoked_at FROM api_tokens WHERE token_hash = ?').bind(hash).first<TokenRow>()
      // The lookup is by hash; the comparison below keeps the final check constant-time all the same.
      if (!row || !timingSafeEqual(row.token_hash, hash)) throw new ApiError(401, 'invalid_token', 'This API token is not known. Check it was copied whole, or create a new one.')
      if (row.revoked_at) throw new ApiError(401, 'token_revoked', 'This API token was revoked. Create a new one.')
      if (row.expires_at !== null && row.expires_at <= c.get('now')) throw new ApiError(401, 'token_expired', 'This API token has expired. Create a new one.')
      c.set('workspaceId', row.workspace_id)
      c.set('scopes', JSON.parse(row.scopes) as Scope[])
      c.set('tokenId', row.id)
      c.executionCtx.waitUntil(c.env.DB.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').bind(nowIso(c.get('now')), row.id).run())
      return next()
    }
    let id = await verifyWorkspaceCookie(c.env.COOKIE_SECRET, getCookie(c, WORKSPACE_COOKIE))
    if (id) {
      // A cookie signed by us names a workspace; recreate the row if local state was wiped.
      await c.env.DB.prepare('INSERT OR IGNORE INTO workspaces (id, created_at) VALUES (?, ?)').bind(id, nowIso(c.get('now'))).run()
    } else {
      id = randomId('ws', 20)
      await c.env.DB.prepare('INSERT INTO workspaces (id, created_at) VALUES (?, ?)').bind(id, nowIso(c.get('now'))).run()
      setCookie(c, WORKSPACE_COOKIE, await signWorkspace(c.env.COOKIE_SECRET, id), {
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
        secure: new URL(c.req.url).protocol === 'https:',
        maxAge: 365 * 24 * 3600,
      })
    }
    c.set('workspaceId', id)
    c.set('scopes', ['read', 'write'])
    c.set('tokenId', null)
    await next()
  }
}

/** Reads need `read`; anything that changes state needs `write`. */
export function requireScope(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const needed: Scope = c.req.method === 'GET' || c.req.method === 'HEAD' ? 'read' : 'write'
    if (!c.get('scopes').includes(needed)) {
      throw new ApiError(403, 'insufficient_scope', `This API token lacks the "${needed}" scope needed for ${c.req.method} requests. Create a token with scopes ["read", "write"].`)
    }
    await next()
  }
}
