/**
 * @module The edge's view of the S3-compatible bucket (R2's S3 API, AWS S3, MinIO, or the local s3rver):
 * SigV4 presigned PUT URLs for uploads, and signed reads/writes for verification, frames and downloads.
 */
import { AwsClient } from 'aws4fetch'
import { LIMITS } from '@constellate/shared'
import type { Env } from './env.ts'
import { ApiError } from './errors.ts'

export class Storage {
  private readonly client: AwsClient
  constructor(private readonly env: Env) {
    this.client = new AwsClient({
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      service: 's3',
      region: env.S3_REGION,
    })
  }

  private url(key: string, endpoint = this.env.S3_ENDPOINT): string {
    const path = key.split('/').map(encodeURIComponent).join('/')
    return `${endpoint.replace(/\/$/, '')}/${this.env.S3_BUCKET}/${path}`
  }

  /** A presigned PUT URL for `key`, valid for `expiresIn` seconds, on the public endpoint. */
  async presignPut(key: string, now: number, expiresIn: number = LIMITS.presignExpirySeconds): Promise<string> {
    const url = new URL(this.url(key, this.env.S3_PUBLIC_ENDPOINT || this.env.S3_ENDPOINT))
    url.searchParams.set('X-Amz-Expires', String(expiresIn))
    // Signed at the edge clock's time, so tests can produce URLs that are already expired.
    const datetime = new Date(now).toISOString().replace(/[:-]|\.\d{3}/g, '')
    const signed = await this.client.sign(url.toString(), { method: 'PUT', aws: { signQuery: true, allHeaders: false, datetime } })
    return signed.url
  }

  /** Size of the object, or null when it does not exist. */
  async size(key: string): Promise<number | null> {
    const res = await this.client.fetch(this.url(key), { method: 'HEAD' })
    if (res.status === 404) return null
    if (!res.ok) throw storageError('HEAD', key, res.status)
    return Number(res.headers.get('content-length') ?? '0')
  }

  /** The first `length` bytes of an object (fewer if it is shorter). */
  async head(key: string, length: number): Promise<Uint8Array> {
    const res = await this.client.fetch(this.url(key), { headers: { Range: `bytes=0-${length - 1}` } })
    if (res.status === 416) return new Uint8Array(0)
    if (!res.ok) throw storageError('GET', key, res.status)
    return new Uint8Array(await res.arrayBuffer())
  }

  /** The object as a response body stream, or null when missing. */
  async get(key: string): Promise<Response | null> {
    const res = await this.client.fetch(this.url(key))
    if (res.status === 404) return null
    if (!res.ok) throw storageError('GET', key, res.status)
    return res
  }

  /** Starts an S3 multipart upload; returns its UploadId. */
  async createMultipart(key: string): Promise<string> {
    const res = await this.client.fetch(`${this.url(key)}?uploads`, { method: 'POST' })
    const text = await res.text()
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(text)?.[1]
    if (!res.ok || !uploadId) throw storageError('CreateMultipartUpload', key, res.status)
    return uploadId
  }

  /** A presigned PUT URL for one part of a multipart upload. */
  async presignPart(key: string, uploadId: string, partNumber: number, now: number): Promise<string> {
    const url = new URL(this.url(key, this.env.S3_PUBLIC_ENDPOINT || this.env.S3_ENDPOINT))
    url.searchParams.set('partNumber', String(partNumber))
    url.searchParams.set('uploadId', uploadId)
    url.searchParams.set('X-Amz-Expires', String(LIMITS.presignExpirySeconds))
    const datetime = new Date(now).toISOString().replace(/[:-]|\.\d{3}/g, '')
    const signed = await this.client.sign(url.toString(), { method: 'PUT', aws: { signQuery: true, allHeaders: false, datetime } })
    return signed.url
  }

  /** Assembles the parts; returns false when storage rejects them (a part missing or changed). */
  async completeMultipart(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<boolean> {
    const body =
      '<CompleteMultipartUpload>' +
      parts.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(p.etag)}</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>'
    const res = await this.client.fetch(`${this.url(key)}?uploadId=${encodeURIComponent(uploadId)}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/xml' },
    })
    const text = await res.text()
    if (res.status >= 500) throw storageError('CompleteMultipartUpload', key, res.status)
    return res.ok && !text.includes('<Error>')
  }

  /** Server-side copy within the bucket (S3 CopyObject). */
  async copy(fromKey: string, toKey: string): Promise<void> {
    const source = `/${this.env.S3_BUCKET}/${fromKey.split('/').map(encodeURIComponent).join('/')}`
    const res = await this.client.fetch(this.url(toKey), { method: 'PUT', headers: { 'x-amz-copy-source': source } })
    const text = await res.text()
    // S3 may answer 200 with an <Error> body for a copy that failed part-way.
    if (!res.ok || text.includes('<Error>')) throw storageError('COPY', fromKey, res.status)
  }

  async delete(key: string): Promise<void> {
    const res = await this.client.fetch(this.url(key), { method: 'DELETE' })
    if (!res.ok && res.status !== 404) throw storageError('DELETE', key, res.status)
  }

  async put(key: string, body: BodyInit, contentType = 'application/octet-stream'): Promise<void> {
    const res = await this.client.fetch(this.url(key), { method: 'PUT', body, headers: { 'content-type': contentType } })
    if (!res.ok) throw storageError('PUT', key, res.status)
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function storageError(method: string, key: string, status: number): ApiError {
  console.error(`storage ${method} ${key} answered ${status}`)
  return new ApiError(502, 'storage_unavailable', 'The storage service did not answer as expected. Try again in a moment.')
}
