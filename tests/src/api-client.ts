/** @module A minimal HTTP client for tests that behaves like curl with a cookie jar. */
import type { Job } from '@constellate/shared'

export interface ApiResponse<T = any> { status: number; body: T; headers: Headers }

export class TestClient {
  private cookie = ''
  /** When set, requests authenticate with this API token instead of the cookie. */
  token: string | null = null
  constructor(readonly baseUrl: string) {}

  /** A client for the same server that authenticates with an API token. */
  withToken(secret: string): TestClient {
    const other = new TestClient(this.baseUrl)
    other.token = secret
    return other
  }

  async request<T = any>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<ApiResponse<T>> {
    // wrangler dev answers 503 "Your worker restarted mid-request" now and then under heavy local load; a real
    // client retries that (as @constellate/client does), so these tests do too, a bounded number of times.
    for (let attempt = 1; ; attempt++) {
      const res = await this.requestOnce<T>(method, path, body, extraHeaders)
      if (res.status !== 503 || attempt >= 4) return res
      await new Promise((r) => setTimeout(r, 250 * attempt))
    }
  }

  private async requestOnce<T>(method: string, path: string, body: unknown, extraHeaders: Record<string, string>): Promise<ApiResponse<T>> {
    const res = await fetch(this.baseUrl + path, {
      // A stuck request fails its test with the route named, instead of hitting the test timeout.
      signal: AbortSignal.timeout(90_000),
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : this.cookie ? { cookie: this.cookie } : {}),
        ...extraHeaders,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    })
    const setCookie = res.headers.get('set-cookie')
    if (setCookie && !this.token) this.cookie = setCookie.split(';')[0]!
    const type = res.headers.get('content-type') ?? ''
    const bytes = new Uint8Array(await res.arrayBuffer())
    let parsed: unknown = bytes
    if (type.includes('json')) {
      const text = new TextDecoder().decode(bytes)
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = { error: { code: 'unreadable_body', message: text.slice(0, 200) } }
      }
    }
    return { status: res.status, body: parsed as T, headers: res.headers }
  }

  /** Creates an upload, PUTs the bytes to the presigned URL and completes it; returns the completion response. */
  async upload(filename: string, bytes: Uint8Array, kind: 'features' | 'labels'): Promise<ApiResponse> {
    const created = await this.request('POST', '/api/v1/uploads', { filename, size: bytes.byteLength, kind })
    if (created.status !== 201) return created
    const put = await fetch(created.body.uploadUrl, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> })
    if (!put.ok) throw new Error(`PUT to storage failed: ${put.status} ${await put.text()}`)
    return this.request('POST', `/api/v1/uploads/${created.body.upload.id}/complete`)
  }

  /** Uploads features (and labels) and returns the verified upload ids, failing loudly otherwise. */
  async uploadVerified(filename: string, bytes: Uint8Array, kind: 'features' | 'labels'): Promise<string> {
    const res = await this.upload(filename, bytes, kind)
    if (res.status !== 200) throw new Error(`upload of ${filename} failed: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body.upload.id
  }

  async waitForJob(id: string, timeoutMs = 240_000): Promise<Job> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const res = await this.request<{ job: Job }>('GET', `/api/v1/jobs/${id}`)
      if (res.status !== 200) throw new Error(`GET job ${id}: ${res.status} ${JSON.stringify(res.body)}`)
      const { job } = res.body
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 500))
    }
  }
}

/** Speaks the worker API by hand, to play a worker that stalls, dies or comes back late. */
export class FakeWorker {
  constructor(readonly baseUrl: string, readonly id: string, readonly secret = 'local-worker-secret') {}

  async call(path: string, body: unknown): Promise<ApiResponse> {
    const res = await fetch(`${this.baseUrl}/api/v1/worker${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers }
  }

  lease(waitSeconds = 0) {
    return this.call('/lease', { workerId: this.id, waitSeconds })
  }
}
