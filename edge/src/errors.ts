/** @module The one error type routes throw, and its mapping to `{error: {code, message}}`. */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { drainUnreadBody } from './drain.ts'
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

/** Codes for the 4xx answers Hono's own middleware throws (HTTPException), which carry only a status. */
const HTTP_EXCEPTION_CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'body_too_large',
  415: 'unsupported_media_type',
}

/**
 * Hono onError handler: ApiError becomes its status and body; a 4xx HTTPException from Hono's middleware
 * (a request the body reader let through but a validator refused) keeps its status with a JSON body;
 * anything else is logged and becomes a 500.
 */
export async function handleError(err: Error, c: Context): Promise<Response> {
  await drainUnreadBody(c.req.raw)
  if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.details), err.status)
  if (err instanceof HTTPException && err.status >= 400 && err.status < 500) {
    const code = HTTP_EXCEPTION_CODES[err.status] ?? 'bad_request'
    return c.json(errorBody(code, `${err.message || 'The request was refused'}. See /api/v1/openapi.json for what this route takes.`), err.status)
  }
  console.error('unhandled error', err)
  return c.json(errorBody('internal_error', 'Something went wrong on our side. Try again; if it persists, report it.'), 500)
}
