/** @module The one error type the client throws: an HTTP status, the API's error code and its message. */

/** Codes the client itself produces (the API's own codes come from `{error: {code}}` bodies). */
export const CLIENT_ERROR_CODES = {
  /** The server could not be reached (DNS, refused, reset); status 0. */
  network: 'network_error',
  /** A 2xx answer did not match the shared schema: client and server disagree about the API. */
  invalidResponse: 'invalid_response',
  /** A non-2xx answer without an `{error}` body (a proxy page, an empty body). */
  http: 'http_error',
  /** The caller's AbortSignal fired. */
  aborted: 'aborted',
  /** `waitForJob` ran past its timeout. */
  timeout: 'timeout',
  /** A storage PUT (presigned URL) was refused. */
  storage: 'storage_error',
} as const

export class ConstellateError extends Error {
  override name = 'ConstellateError'
  constructor(
    /** HTTP status; 0 when no answer arrived (network error, abort, timeout). */
    readonly status: number,
    /** The API's machine-readable code (`job_not_found`, `rate_limited`, ...) or one of CLIENT_ERROR_CODES. */
    readonly code: string,
    message: string,
    /** The API's `error.details`, or the schema issues for `invalid_response`. */
    readonly details?: unknown,
    /** Seconds the server asked to wait (Retry-After), when it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message)
  }

  /** Plain object for `--json` output and logs. */
  toJSON(): { status: number; code: string; message: string; details?: unknown } {
    return this.details === undefined
      ? { status: this.status, code: this.code, message: this.message }
      : { status: this.status, code: this.code, message: this.message, details: this.details }
  }
}

/** A generic sentence for a status the server sent without an `{error}` body. */
export function statusMessage(status: number): string {
  if (status === 401) return 'The server did not accept the credentials (HTTP 401). Check the API token.'
  if (status === 403) return 'The server refused access (HTTP 403).'
  if (status === 404) return 'The server does not know this address (HTTP 404).'
  if (status === 429) return 'Too many requests (HTTP 429). Wait a moment and try again.'
  if (status >= 500) return `The server ran into a problem (HTTP ${status}). Try again in a moment.`
  return `The server refused the request (HTTP ${status}).`
}

/** Turns a non-2xx response into a ConstellateError, using its `{error: {code, message}}` body when it has one. */
export async function errorFromResponse(response: Response, retryAfterSeconds?: number): Promise<ConstellateError> {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    // Not JSON: fall back to a sentence about the status.
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error
  if (error && typeof error.message === 'string') {
    return new ConstellateError(response.status, typeof error.code === 'string' ? error.code : CLIENT_ERROR_CODES.http, error.message, error.details, retryAfterSeconds)
  }
  return new ConstellateError(response.status, CLIENT_ERROR_CODES.http, statusMessage(response.status), undefined, retryAfterSeconds)
}
