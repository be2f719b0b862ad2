/**
 * @module Exit codes scripts can branch on, and the mapping from errors to them. Documented in the README
 * ("Automating from a lab pipeline") and in `constellate --help`.
 */
import { CLIENT_ERROR_CODES, ConstellateError } from '@constellate/client'
import type { Job } from '@constellate/shared'

export const EXIT = {
  /** Done (for --wait / watch: the job succeeded). */
  ok: 0,
  /** Something unexpected: a bug, or an answer this client cannot read (client and server versions differ). */
  unexpected: 1,
  /** Usage: unknown command or option, a bad value, a file that cannot be read, login without a token. */
  usage: 2,
  /** The job failed or was cancelled. */
  jobFailed: 3,
  /** Authentication: no token, or the server refused it (401/403). */
  auth: 4,
  /** Not found: no such job, upload or link (404), or a revoked/expired link (410). */
  notFound: 5,
  /** Unavailable: rate limited (429), server errors (5xx) or unreachable, after the retries. */
  unavailable: 6,
  /** Rejected: the server refused the input (400/409/413/422), e.g. perplexity too large, results not ready. */
  rejected: 7,
  /** Timed out: --timeout passed before the job finished. */
  timeout: 8,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** Wrong arguments or options, found by the CLI before calling the server. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** The job ended failed or cancelled. */
export class JobEndedError extends Error {
  override name = 'JobEndedError'
  constructor(
    readonly job: Job,
    message: string,
  ) {
    super(message)
  }
}

export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof UsageError) return EXIT.usage
  if (error instanceof JobEndedError) return EXIT.jobFailed
  if (!(error instanceof ConstellateError)) return EXIT.unexpected
  if (error.code === CLIENT_ERROR_CODES.timeout) return EXIT.timeout
  if (error.code === CLIENT_ERROR_CODES.aborted) return EXIT.interrupted
  if (error.code === CLIENT_ERROR_CODES.invalidResponse) return EXIT.unexpected
  const status = error.status
  if (status === 401 || status === 403) return EXIT.auth
  if (status === 404 || status === 410) return EXIT.notFound
  if (status === 0 || status === 429 || status >= 500) return EXIT.unavailable
  if (status >= 400) return EXIT.rejected
  return EXIT.unexpected
}
