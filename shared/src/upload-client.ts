/**
 * @module Uploading one file the way the API expects, for every client (web app, CLI, scripts): a single
 * presigned PUT for small files, presigned parts for large ones, and resuming an interrupted multipart upload
 * from the parts already stored. Transport-agnostic: the caller supplies JSON calls and the PUT.
 */
import type { CreateUploadResponse, MultipartPlan, Upload, UploadKind } from './schemas.ts'

export interface UploadTransport {
  /** Calls the API (JSON in, JSON out); throws on a non-2xx answer. */
  api<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T>
  /** PUTs bytes to a presigned URL; returns the ETag response header (quotes included, as storage sent it). */
  put(url: string, body: Blob | Uint8Array, onProgress?: (sentBytes: number) => void): Promise<string>
}

/** The bytes to upload: a Blob (browser File) or anything that can hand out slices. */
export interface UploadSource {
  name: string
  size: number
  slice(start: number, end: number): Blob | Uint8Array
}

export interface UploadOptions {
  kind: UploadKind
  /** Total bytes sent so far (parts already stored count as sent). */
  onProgress?: (sentBytes: number, totalBytes: number) => void
  /** Resume this pending multipart upload instead of starting a new one. */
  resumeUploadId?: string
  /** Called once the upload id is known, so the caller can remember it for resuming. */
  onUploadCreated?: (upload: Upload) => void
  /** Parts in flight at once. */
  concurrency?: number
}

export const UPLOAD_DEFAULTS = { concurrency: 3 }

/** Uploads, completes (the edge verifies) and returns the verified upload. */
export async function uploadFile(transport: UploadTransport, source: UploadSource, options: UploadOptions): Promise<Upload> {
  const total = source.size
  let plan: MultipartPlan | null
  let uploadId: string
  if (options.resumeUploadId) {
    const resumed = await transport.api<{ upload: Upload; multipart: MultipartPlan }>('GET', `/api/v1/uploads/${options.resumeUploadId}/parts`)
    uploadId = resumed.upload.id
    plan = resumed.multipart
  } else {
    const created = await transport.api<CreateUploadResponse>('POST', '/api/v1/uploads', { filename: source.name, size: total, kind: options.kind })
    uploadId = created.upload.id
    options.onUploadCreated?.(created.upload)
    plan = created.multipart
    if (!plan) {
      await transport.put(created.uploadUrl!, source.slice(0, total), (sent) => options.onProgress?.(sent, total))
      options.onProgress?.(total, total)
    }
  }
  if (plan) await uploadParts(transport, uploadId, source, plan, options)
  return (await transport.api<{ upload: Upload }>('POST', `/api/v1/uploads/${uploadId}/complete`)).upload
}

async function uploadParts(transport: UploadTransport, uploadId: string, source: UploadSource, plan: MultipartPlan, options: UploadOptions): Promise<void> {
  const total = source.size
  const sentPerPart = new Map<number, number>()
  for (const part of plan.parts) if (part.etag) sentPerPart.set(part.partNumber, part.size)
  const report = () => options.onProgress?.([...sentPerPart.values()].reduce((a, b) => a + b, 0), total)
  report()
  const queue = plan.parts.filter((part) => !part.etag)
  const worker = async () => {
    for (let part = queue.shift(); part; part = queue.shift()) {
      const start = (part.partNumber - 1) * plan.partSize
      const etag = await transport.put(part.url!, source.slice(start, start + part.size), (sent) => {
        sentPerPart.set(part!.partNumber, sent)
        report()
      })
      await transport.api('PUT', `/api/v1/uploads/${uploadId}/parts/${part.partNumber}`, { etag })
      sentPerPart.set(part.partNumber, part.size)
      report()
    }
  }
  // Let the other parts finish even when one fails, so everything sent is recorded and a resume skips it.
  const outcomes = await Promise.allSettled(Array.from({ length: Math.max(1, options.concurrency ?? UPLOAD_DEFAULTS.concurrency) }, worker))
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
  if (failure) throw failure.reason
}
