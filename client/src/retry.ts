/**
 * @module When and how long to retry: 429 and 5xx answers and network errors, with bounded, jittered
 * exponential backoff that honours Retry-After. Pure functions plus one loop, so tests drive them with a
 * stub fetch, a fake sleep and a seeded random().
 */
import { CLIENT_ERROR_CODES, ConstellateError, errorFromResponse } from './errors.ts'

export interface RetryOptions {
  /** Retries after the first attempt (so at most retries+1 requests). */
  retries: number
  /** First backoff step, ms; step k waits up to baseDelayMs * 2^k (full jitter). */
  baseDelayMs: number
  /** Upper bound of one backoff wait, ms. */
  maxDelayMs: number
  /** A Retry-After longer than this is not waited for: the error is thrown at once (ms). */
  maxRetryAfterMs: number
}

export const RETRY_DEFAULTS = {
  retries: 4,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
} satisfies RetryOptions

/**
 * May this request be sent again? 429 always (the edge rejects before doing anything); 5xx and network
 * errors only when repeating the request cannot do something twice (GET/PUT/DELETE, uploads' complete,
 * cancel, and job creation with an Idempotency-Key).
 */
export function isRetryable(status: number, idempotent: boolean): boolean {
  if (status === 429) return true
  if (!idempotent) return false
  return status === 0 || status === 408 || status >= 500
}

/** Parses Retry-After (delta seconds or an HTTP date) into ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value == null || value.trim() === '') return null
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return null
  return Math.max(0, date - now)
}

/**
 * How long to wait before retry number `attempt` (0-based). With a Retry-After, that long plus up to 10%
 * (at most 1 s) of jitter so many clients do not return in lockstep; without, full jitter over
 * [0, min(maxDelayMs, baseDelayMs * 2^attempt)]. Null when Retry-After exceeds maxRetryAfterMs.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | null, options: RetryOptions, random: () => number): number | null {
  if (retryAfterMs !== null) {
    if (retryAfterMs > options.maxRetryAfterMs) return null
    return retryAfterMs + Math.round(random() * Math.min(1000, retryAfterMs * 0.1 + 100))
  }
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt)
  return Math.round(random() * ceiling)
}

export interface RetryContext {
  options: RetryOptions
  random: () => number
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  now: () => number
  /** Told about each retry before its wait (for logs and progress lines). */
  onRetry?: (info: { attempt: number; delayMs: number; error: ConstellateError }) => void
  signal?: AbortSignal
}

/**
 * Runs `attempt` until it succeeds, fails with something not retryable, or retries run out. `attempt`
 * returns a Response for HTTP answers (non-2xx included) and throws for network errors; the loop returns
 * the first 2xx Response, and throws a ConstellateError otherwise.
 */
export async function fetchWithRetry(
  attempt: () => Promise<Response>,
  idempotent: boolean,
  context: RetryContext,
): Promise<Response> {
  for (let retry = 0; ; retry++) {
    let error: ConstellateError
    let retryAfterMs: number | null = null
    try {
      const response = await attempt()
      if (response.ok) return response
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), context.now())
      error = await errorFromResponse(response, retryAfterMs === null ? undefined : Math.ceil(retryAfterMs / 1000))
    } catch (thrown) {
      if (thrown instanceof ConstellateError) throw thrown
      if (context.signal?.aborted || (thrown as Error)?.name === 'AbortError') {
        throw new ConstellateError(0, CLIENT_ERROR_CODES.aborted, 'The request was aborted.')
      }
      error = new ConstellateError(0, CLIENT_ERROR_CODES.network, `Could not reach the server: ${(thrown as Error)?.message ?? String(thrown)}. Check the URL and that the server is running.`)
    }
    if (retry >= context.options.retries || !isRetryable(error.status, idempotent)) throw error
    const delayMs = retryDelayMs(retry, retryAfterMs, context.options, context.random)
    if (delayMs === null) throw error
    context.onRetry?.({ attempt: retry + 1, delayMs, error })
    await context.sleep(delayMs, context.signal)
  }
}

/** setTimeout as a promise that rejects with an abort ConstellateError when `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ConstellateError(0, CLIENT_ERROR_CODES.aborted, 'The request was aborted.'))
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(new ConstellateError(0, CLIENT_ERROR_CODES.aborted, 'The request was aborted.'))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
