/**
 * @module The transport under the client: builds URLs, adds the token, retries (retry.ts), and checks JSON
 * answers against the shared zod schemas so that drift between client and server surfaces as a clear
 * `invalid_response` error instead of undefined fields later. Uses only fetch: runs in browsers and Node.
 */
import type { z } from 'zod'
import { CLIENT_ERROR_CODES, ConstellateError } from './errors.ts'
import { fetchWithRetry, RETRY_DEFAULTS, sleep, type RetryContext, type RetryOptions } from './retry.ts'
import { routePath, type RouteSpec } from './routes.ts'

export interface HttpOptions {
  /** Server origin, e.g. `http://127.0.0.1:8787`. Empty: same origin (browser). */
  baseUrl?: string
  /** API token (`cst_...`); without one a browser uses its workspace cookie. */
  token?: string | null
  /** fetch to use (default: globalThis.fetch, bound). */
  fetch?: typeof fetch
  /** Browser only: send cookies (default 'same-origin'). */
  credentials?: RequestCredentials
  retry?: Partial<RetryOptions>
  /** Jitter source (default Math.random); tests pass a seeded one. */
  random?: () => number
  /** Waits between retries (default setTimeout); tests pass a fake. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Told about each retry (for logs). */
  onRetry?: RetryContext['onRetry']
}

export interface CallOptions {
  params?: Record<string, string | number>
  query?: Record<string, string | number | undefined>
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal
}

export class HttpCore {
  readonly baseUrl: string
  token: string | null
  private readonly fetchImpl: typeof fetch
  private readonly retryContext: Omit<RetryContext, 'signal'>
  private readonly credentials: RequestCredentials

  constructor(options: HttpOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '')
    this.token = options.token ?? null
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis)
    this.credentials = options.credentials ?? 'same-origin'
    this.retryContext = {
      options: { ...RETRY_DEFAULTS, ...options.retry },
      random: options.random ?? Math.random,
      sleep: options.sleep ?? sleep,
      now: () => Date.now(),
      onRetry: options.onRetry,
    }
  }

  /** Absolute URL of a path on the server (`/v/<token>` → `http://host/v/<token>`). */
  url(path: string, query: CallOptions['query'] = {}): string {
    const search = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value))
    const qs = search.toString()
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`
  }

  /** Sends one API request (with retries) and returns the 2xx Response. */
  async send(route: RouteSpec, options: CallOptions = {}, idempotent = route.idempotent): Promise<Response> {
    const url = this.url(routePath(route.path, options.params), options.query)
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    if (this.token) headers.authorization = `Bearer ${this.token}`
    const body = options.body === undefined ? undefined : JSON.stringify(options.body)
    return fetchWithRetry(
      () => this.fetchImpl(url, { method: route.method, headers, body, signal: options.signal, credentials: this.credentials }),
      idempotent,
      { ...this.retryContext, signal: options.signal },
    )
  }

  /** Sends a request and parses its JSON answer with `schema`. */
  async json<S extends z.ZodType>(route: RouteSpec, schema: S, options: CallOptions = {}, idempotent?: boolean): Promise<z.output<S>> {
    return (await this.jsonWithStatus(route, schema, options, idempotent)).data
  }

  /** Like `json`, also returning the status (e.g. 201 created vs 200 found by Idempotency-Key). */
  async jsonWithStatus<S extends z.ZodType>(route: RouteSpec, schema: S, options: CallOptions = {}, idempotent?: boolean): Promise<{ status: number; data: z.output<S> }> {
    const response = await this.send(route, options, idempotent)
    let data: unknown
    try {
      data = await response.json()
    } catch {
      throw new ConstellateError(response.status, CLIENT_ERROR_CODES.invalidResponse, `${route.method} ${route.path} answered ${response.status} with a body that is not JSON.`)
    }
    return { status: response.status, data: parseResponse(schema, data, route, response.status) }
  }

  /** Sends a request and returns the answer's bytes (results, frames). */
  async bytes(route: RouteSpec, options: CallOptions = {}): Promise<Uint8Array> {
    const response = await this.send(route, options)
    return new Uint8Array(await response.arrayBuffer())
  }

  /**
   * PUTs bytes to a presigned storage URL (never with the API token: the URL is the credential) and returns
   * the ETag header. PUTs are idempotent, so 5xx and network errors are retried.
   */
  async putObject(url: string, body: Blob | Uint8Array, signal?: AbortSignal): Promise<string> {
    const response = await fetchWithRetry(
      () => this.fetchImpl(url, { method: 'PUT', body: body as BodyInit, signal }),
      true,
      { ...this.retryContext, signal },
    ).catch((error: unknown) => {
      if (error instanceof ConstellateError && error.status !== 0 && error.code === CLIENT_ERROR_CODES.http) {
        throw new ConstellateError(error.status, CLIENT_ERROR_CODES.storage, `Storage refused the upload (HTTP ${error.status}). Presigned URLs last 15 minutes: resume the upload to get fresh ones.`)
      }
      throw error
    })
    return response.headers.get('etag') ?? ''
  }
}

/** Parses `data` with `schema`, or throws `invalid_response` naming the first fields that differ. */
export function parseResponse<S extends z.ZodType>(schema: S, data: unknown, route: Pick<RouteSpec, 'method' | 'path'>, status: number): z.output<S> {
  const parsed = schema.safeParse(data)
  if (parsed.success) return parsed.data
  const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
  throw new ConstellateError(
    status,
    CLIENT_ERROR_CODES.invalidResponse,
    `${route.method} ${route.path} answered in a shape this client does not know (${issues.join('; ')}). Client and server versions differ; update the client.`,
    parsed.error.issues,
  )
}
