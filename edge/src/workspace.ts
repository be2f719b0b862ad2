/**
 * @module Who is calling: an anonymous workspace carried in a signed HttpOnly cookie. Browsers get one on
 * their first API call; scripts keep it in a cookie jar (API tokens come with the token issue).
 */
import type { MiddlewareHandler } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import type { AppEnv } from './env.ts'
import { nowIso, randomId } from './ids.ts'

export const WORKSPACE_COOKIE = 'cst_ws'

async function hmac(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)))
  let out = ''
  for (const b of signature) out += b.toString(16).padStart(2, '0')
  return out
}

/** Constant-time comparison of two strings of hex. */
function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

export async function signWorkspace(secret: string, workspaceId: string): Promise<string> {
  return `${workspaceId}.${await hmac(secret, workspaceId)}`
}

export async function verifyWorkspaceCookie(secret: string, value: string | undefined): Promise<string | null> {
  if (!value) return null
  const dot = value.lastIndexOf('.')
  if (dot <= 0) return null
  const id = value.slice(0, dot)
  return safeEqual(value.slice(dot + 1), await hmac(secret, id)) ? id : null
}

/** Resolves `workspaceId` from the cookie, creating a fresh anonymous workspace when there is none. */
export function workspace(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let id = await verifyWorkspaceCookie(c.env.COOKIE_SECRET, getCookie(c, WORKSPACE_COOKIE))
    if (id) {
      // A cookie signed by us names a workspace; recreate the row if local state was wiped.
      await c.env.DB.prepare('INSERT OR IGNORE INTO workspaces (id, created_at) VALUES (?, ?)').bind(id, nowIso()).run()
    } else {
      id = randomId('ws', 20)
      await c.env.DB.prepare('INSERT INTO workspaces (id, created_at) VALUES (?, ?)').bind(id, nowIso()).run()
      setCookie(c, WORKSPACE_COOKIE, await signWorkspace(c.env.COOKIE_SECRET, id), {
        httpOnly: true,
        sameSite: 'Lax',
        path: '/',
        secure: new URL(c.req.url).protocol === 'https:',
        maxAge: 365 * 24 * 3600,
      })
    }
    c.set('workspaceId', id)
    await next()
  }
}
