/**
 * @module Uploads through the client: the shared `uploadFile` (single PUT, presigned parts, resume) over a
 * fetch transport with retries, schema checks and an abort signal. An interrupted multipart upload
 * throws a ConstellateError whose details carry `{uploadId, resumable: true}`; pass that id back as
 * `resumeUploadId` to send only the missing parts.
 */
import { uploadFile as sharedUploadFile, type Upload, type UploadKind, type UploadSource, type UploadTransport } from '@constellate/shared'
import type { z } from 'zod'
import { ConstellateError } from './errors.ts'
import type { HttpCore } from './http.ts'
import { ROUTES, type RouteSpec } from './routes.ts'
import { CreateUploadResponse, ReportPartResponse, UploadEnvelope, UploadPartsEnvelope } from './schemas.ts'

/** PUTs bytes to a presigned URL and returns the ETag; swap in XMLHttpRequest for byte-level progress. */
export type PutObject = (url: string, body: Blob | Uint8Array, onProgress?: (sentBytes: number) => void, signal?: AbortSignal) => Promise<string>

export interface UploadFileOptions {
  kind: UploadKind
  /** Bytes sent so far and the total (parts already stored count as sent). */
  onProgress?: (sentBytes: number, totalBytes: number) => void
  /** Resume this pending multipart upload. */
  resumeUploadId?: string
  /** The upload id, as soon as the server gives one (remember it to resume). */
  onUploadCreated?: (upload: Upload) => void
  /** Parts in flight at once. */
  concurrency?: number
  signal?: AbortSignal
}

/** Which API route (and answer schema) an `UploadTransport.api` call is. */
function matchUploadCall(method: string, path: string): { route: RouteSpec; schema: z.ZodType; params: Record<string, string> } {
  const parts = /^\/api\/v1\/uploads\/([^/]+)\/parts\/(\d+)$/.exec(path)
  if (method === 'PUT' && parts) return { route: ROUTES.reportPart, schema: ReportPartResponse, params: { id: decodeURIComponent(parts[1]!), partNumber: parts[2]! } }
  const resume = /^\/api\/v1\/uploads\/([^/]+)\/parts$/.exec(path)
  if (method === 'GET' && resume) return { route: ROUTES.uploadParts, schema: UploadPartsEnvelope, params: { id: decodeURIComponent(resume[1]!) } }
  const complete = /^\/api\/v1\/uploads\/([^/]+)\/complete$/.exec(path)
  if (method === 'POST' && complete) return { route: ROUTES.completeUpload, schema: UploadEnvelope, params: { id: decodeURIComponent(complete[1]!) } }
  if (method === 'POST' && path === '/api/v1/uploads') return { route: ROUTES.createUpload, schema: CreateUploadResponse, params: {} }
  throw new TypeError(`uploadFile called ${method} ${path}, which the client does not know`)
}

export function fetchUploadTransport(http: HttpCore, putObject: PutObject, signal?: AbortSignal): UploadTransport {
  return {
    async api<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
      const { route, schema, params } = matchUploadCall(method, path)
      return (await http.json(route, schema, { params, body, signal })) as T
    },
    put: (url, body, onProgress) => putObject(url, body, onProgress, signal),
  }
}

/** The default PutObject: fetch with retries; progress is reported when the PUT completes. */
export function fetchPutObject(http: HttpCore): PutObject {
  return async (url, body, onProgress, signal) => {
    const etag = await http.putObject(url, body, signal)
    onProgress?.(body instanceof Uint8Array ? body.byteLength : body.size)
    return etag
  }
}

export async function uploadWithClient(http: HttpCore, putObject: PutObject, source: UploadSource, options: UploadFileOptions): Promise<Upload> {
  let created: Upload | null = null
  let multipart = Boolean(options.resumeUploadId)
  const transport = fetchUploadTransport(http, putObject, options.signal)
  const wrapped: UploadTransport = {
    api: async <T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> => {
      const answer = await transport.api<T>(method, path, body)
      if (method === 'POST' && path === '/api/v1/uploads') multipart = (answer as z.infer<typeof CreateUploadResponse>).multipart !== null
      return answer
    },
    put: transport.put,
  }
  try {
    return await sharedUploadFile(wrapped, source, {
      kind: options.kind,
      onProgress: options.onProgress,
      resumeUploadId: options.resumeUploadId,
      concurrency: options.concurrency,
      onUploadCreated: (upload) => {
        created = upload
        options.onUploadCreated?.(upload)
      },
    })
  } catch (error) {
    const uploadId = options.resumeUploadId ?? (created as Upload | null)?.id
    if (!(error instanceof ConstellateError) || !uploadId) throw error
    const resumable = multipart && error.code !== 'upload_parts_invalid'
    throw new ConstellateError(
      error.status,
      error.code,
      resumable ? `${error.message} The parts stored so far are kept: resume upload ${uploadId} to send the rest.` : error.message,
      error.details === undefined ? { uploadId, resumable } : { uploadId, resumable, cause: error.details },
      error.retryAfterSeconds,
    )
  }
}
