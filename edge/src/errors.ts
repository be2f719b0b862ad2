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
export function handleError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.details), err.status)
  console.error('unhandled error', err)
  return c.json(errorBody('internal_error', 'Something went wrong on our side. Try again; if it persists, report it.'), 500)
}
