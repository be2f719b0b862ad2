/** @module Request rate limits on public routes: 429 with Retry-After past the per-minute budget. */
import type { MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { AppEnv } from './env.ts'
import { ApiError } from './errors.ts'

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600

/** The caller's key: its token, its workspace cookie, or its address. */
function clientKey(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  const auth = c.req.header('authorization')
  if (auth) return `auth:${auth.slice(-16)}`
  const cookie = getCookie(c, 'cst_ws')
  if (cookie) return `ws:${cookie.split('.')[0]}`
  return `ip:${c.req.header('cf-connecting-ip') ?? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'local'}`
}

export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const limit = Number(c.env.RATE_LIMIT_PER_MINUTE ?? DEFAULT_RATE_LIMIT_PER_MINUTE)
    const limiter = c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(clientKey(c)))
    const retryAfter = await limiter.hit(limit, 60_000, c.get('now'))
    if (retryAfter > 0) {
      c.header('Retry-After', String(retryAfter))
      throw new ApiError(429, 'rate_limited', `Too many requests: at most ${limit} a minute. Retry after ${retryAfter} s.`)
    }
    await next()
  }
}
