/** @module An UploadTransport over Node's fetch, sharing a TestClient's identity. */
import type { UploadTransport } from '@constellate/shared'
import type { TestClient } from './api-client.ts'

export function nodeTransport(client: TestClient, options: { failPutAfter?: number } = {}): UploadTransport & { puts: number } {
  const transport = {
    puts: 0,
    async api<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
      const res = await client.request(method, path, body)
      if (res.status >= 400) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`), { status: res.status, body: res.body })
      return res.body as T
    },
    async put(url: string, body: Blob | Uint8Array, onProgress?: (sent: number) => void): Promise<string> {
      if (options.failPutAfter !== undefined && transport.puts >= options.failPutAfter) throw new Error('connection dropped (simulated)')
      transport.puts++
      const bytes = body instanceof Uint8Array ? body : new Uint8Array(await body.arrayBuffer())
      const res = await fetch(url, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> })
      if (!res.ok) throw new Error(`PUT failed: ${res.status} ${await res.text()}`)
      onProgress?.(bytes.byteLength)
      return res.headers.get('etag') ?? ''
    },
  }
  return transport
}

export function bytesSource(name: string, bytes: Uint8Array) {
  return { name, size: bytes.byteLength, slice: (start: number, end: number) => bytes.subarray(start, end) }
}
