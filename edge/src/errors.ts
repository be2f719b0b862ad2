/** @module The one error type routes throw, and its mapping to `{error: {code, message}}`. */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } }
}

/** Hono onError handler: ApiError becomes its status and body; anything else is logged and becomes a 500. */
export async function handleError(err: Error, c: Context): Promise<Response> {
  await drainUnreadBody(c.req.raw)
  if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.details), err.status)
  console.error('unhandled error', err)
  return c.json(errorBody('internal_error', 'Something went wrong on our side. Try again; if it persists, report it.'), 500)
}

/** Largest unread request body read to its end before an error answer (API bodies are small JSON). */
const DRAIN_LIMIT_BYTES = 1 << 20

/**
 * An error found before the body was read (a bad token on a POST) leaves it unread on the connection:
 * read it (or cancel it when large) so the answer does not leave a kept-alive connection half-used.
 */
async function drainUnreadBody(request: Request): Promise<void> {
  if (!request.body || request.bodyUsed) return
  const length = Number(request.headers.get('content-length') ?? NaN)
  try {
    if (length <= DRAIN_LIMIT_BYTES) await request.arrayBuffer()
    else await request.body.cancel()
  } catch {
    // already consumed elsewhere or the client went away: nothing left to drain
  }
}
