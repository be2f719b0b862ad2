/** @module Upload routes: presign a PUT to storage, then verify what arrived. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import {
  ACCEPTED_FORMATS,
  ApiErrorBody,
  CreateUploadRequest,
  CreateUploadResponse,
  LIMITS,
  MultipartPlan,
  NPY_PREFIX_BYTES,
  ReportPartRequest,
  Upload,
  UploadVerificationError,
  formatFromFilename,
  incomingUploadKey,
  isBinaryFormat,
  normaliseFilename,
  partSizeFor,
  uploadSizeError,
  verifiedUploadKey,
  verifyUpload,
} from '@constellate/shared'
import type { AppEnv, Env } from '../env.ts'
import { ApiError } from '../errors.ts'
import { getOwnedUpload, uploadFromRow, type UploadRow } from '../db.ts'
import { nowIso, randomId } from '../ids.ts'
import { Storage } from '../storage.ts'
import { validationHook } from '../validation.ts'
import { jsonBody } from '../request-body.ts'
import { modelLayersResponse, verifyModelUpload } from '../model-jobs.ts'

export const uploads = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const errorResponse = (description: string) => ({ content: { 'application/json': { schema: ApiErrorBody } }, description })
const UploadEnvelope = z.object({ upload: Upload })
const IdParam = z.object({ id: z.string() })

uploads.openapi(
  createRoute({
    method: 'post',
    path: '/uploads',
    summary: 'Start an upload: returns a presigned URL to PUT the file to',
    middleware: [jsonBody(CreateUploadRequest, { example: '{"filename": "features.npy", "size": 1048576, "kind": "features"}' })] as const,
    request: { body: { content: { 'application/json': { schema: CreateUploadRequest } }, required: true } },
    responses: {
      201: { content: { 'application/json': { schema: CreateUploadResponse } }, description: 'Upload created' },
      400: errorResponse('Invalid request'),
    },
  }),
  async (c) => {
    const body = c.req.valid('json')
    // Only the normalised name is kept and shown; storage keys are ids, never the name.
    const filename = normaliseFilename(body.filename, `upload.${ACCEPTED_FORMATS[body.kind][0]}`)
    const format = formatFromFilename(filename)
    if (!format || !ACCEPTED_FORMATS[body.kind].includes(format)) {
      throw new ApiError(
        400,
        'unsupported_format',
        `"${filename}" is not an accepted ${body.kind} file. Accepted: ${ACCEPTED_FORMATS[body.kind].map((f) => '.' + f).join(', ')}.`,
      )
    }
    const tooLarge = uploadSizeError(body.kind, filename, body.size)
    if (tooLarge) throw new ApiError(400, body.kind === 'metadata' ? 'metadata_too_large' : 'model_too_large', tooLarge)
    const workspaceId = c.get('workspaceId')
    const id = randomId('upl')
    // Browsers write to an incoming key; verification copies to the key jobs read, so a second PUT to the
    // presigned URL can never replace a verified object.
    const key = incomingUploadKey(workspaceId, id)
    const createdAt = nowIso(c.get('now'))
    const storage = new Storage(c.env)
    const { threshold, minPart } = multipartSizes(c.env)
    const multipartId = body.size > threshold ? await storage.createMultipart(key) : null
    const partSize = multipartId ? partSizeFor(body.size, minPart) : null
    const row = await c.env.DB.prepare(
      'INSERT INTO uploads (id, workspace_id, kind, filename, size, storage_key, status, created_at, multipart_id, part_size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *',
    )
      .bind(id, workspaceId, body.kind, filename, body.size, key, 'pending', createdAt, multipartId, partSize)
      .first<UploadRow>()
    const uploadUrl = multipartId ? null : await storage.presignPut(key, c.get('now'))
    const multipart = multipartId ? await multipartPlan(c.env, row!, c.get('now')) : null
    const expiresAt = nowIso(c.get('now') + LIMITS.presignExpirySeconds * 1000)
    return c.json({ upload: uploadFromRow(row!), uploadUrl, method: 'PUT' as const, expiresAt, multipart }, 201)
  },
)

uploads.openapi(
  createRoute({
    method: 'post',
    path: '/uploads/{id}/complete',
    summary: 'Verify an uploaded file (size, magic bytes, header) so jobs can use it',
    request: { params: IdParam },
    responses: {
      200: { content: { 'application/json': { schema: UploadEnvelope } }, description: 'Verified' },
      404: errorResponse('No such upload'),
      409: errorResponse('Nothing uploaded yet'),
      422: errorResponse('The file is not what it claims to be'),
    },
  }),
  async (c) => {
    const row = await getOwnedUpload(c.env.DB, c.get('workspaceId'), c.req.valid('param').id)
    if (row.status === 'verified') return c.json({ upload: uploadFromRow(row) }, 200)
    const storage = new Storage(c.env)
    if (row.multipart_id) await assembleParts(c.env, storage, row)
    const incomingSize = await storage.size(row.storage_key)
    if (incomingSize === null) {
      throw new ApiError(409, 'upload_missing', `No bytes have arrived for upload "${row.id}" yet. PUT the file to the uploadUrl first, then complete it.`)
    }
    // Copy first and verify the copy: what is verified is exactly what jobs will read.
    const verifiedKey = verifiedUploadKey(row.workspace_id, row.id)
    await storage.copy(row.storage_key, verifiedKey)
    const actualSize = (await storage.size(verifiedKey)) ?? 0
    const format = formatFromFilename(row.filename)
    const scanWhole = !isBinaryFormat(format) && actualSize <= LIMITS.maxScannedTextBytes
    const headLength = isBinaryFormat(format) ? NPY_PREFIX_BYTES : scanWhole ? actualSize : 64 * 1024
    const head = actualSize === 0 ? new Uint8Array(0) : await storage.head(verifiedKey, Math.max(1, headLength))
    let info
    try {
      info = verifyUpload({
        kind: row.kind,
        filename: row.filename,
        declaredSize: row.size,
        actualSize,
        head,
        complete: head.byteLength >= actualSize,
      })
      if (row.kind === 'model') info = await verifyModelUpload(storage, verifiedKey, actualSize, info)
    } catch (err) {
      await storage.delete(verifiedKey)
      if (err instanceof UploadVerificationError) throw new ApiError(422, err.code, err.message)
      throw err
    }
    const updated = await c.env.DB.prepare("UPDATE uploads SET status = 'verified', info = ?, verified_at = ?, verified_key = ? WHERE id = ? AND status = 'pending' RETURNING *")
      .bind(JSON.stringify(info), nowIso(c.get('now')), verifiedKey, row.id)
      .first<UploadRow>()
    c.executionCtx.waitUntil(storage.delete(row.storage_key).catch(() => undefined))
    if (!updated) {
      // A concurrent completion verified it first; answer with that record.
      return c.json({ upload: uploadFromRow((await getOwnedUpload(c.env.DB, c.get('workspaceId'), row.id))) }, 200)
    }
    return c.json({ upload: uploadFromRow(updated) }, 200)
  },
)
uploads.get('/uploads/:id/layers', modelLayersResponse)

uploads.openapi(
  createRoute({
    method: 'get',
    path: '/uploads/{id}',
    summary: 'An upload and what verification learned about it',
    request: { params: IdParam },
    responses: {
      200: { content: { 'application/json': { schema: UploadEnvelope } }, description: 'The upload' },
      404: errorResponse('No such upload'),
    },
  }),
  async (c) => {
    const row = await getOwnedUpload(c.env.DB, c.get('workspaceId'), c.req.valid('param').id)
    return c.json({ upload: uploadFromRow(row) }, 200)
  },
)

function multipartSizes(env: Env): { threshold: number; minPart: number } {
  return {
    threshold: Number(env.MULTIPART_THRESHOLD_BYTES ?? LIMITS.multipartThresholdBytes),
    minPart: Number(env.MIN_PART_BYTES ?? LIMITS.minPartBytes),
  }
}

/** The parts of a multipart upload: stored ones with their ETags, missing ones with fresh URLs. */
async function multipartPlan(env: Env, row: UploadRow, now: number): Promise<MultipartPlan> {
  const partSize = row.part_size!
  const partCount = Math.max(1, Math.ceil(row.size / partSize))
  const { results } = await env.DB.prepare('SELECT part_number, etag FROM upload_parts WHERE upload_id = ?').bind(row.id).all<{ part_number: number; etag: string }>()
  const stored = new Map(results.map((p) => [p.part_number, p.etag]))
  const storage = new Storage(env)
  const parts = []
  for (let partNumber = 1; partNumber <= partCount; partNumber++) {
    const size = Math.min(partSize, row.size - (partNumber - 1) * partSize)
    const etag = stored.get(partNumber) ?? null
    parts.push({ partNumber, size, etag, url: etag ? null : await storage.presignPart(row.storage_key, row.multipart_id!, partNumber, now) })
  }
  return { partSize, partCount, parts }
}

/** Completes the S3 multipart upload from the parts the client reported, or says which are missing. */
async function assembleParts(env: Env, storage: Storage, row: UploadRow): Promise<void> {
  const partCount = Math.max(1, Math.ceil(row.size / row.part_size!))
  const { results } = await env.DB.prepare('SELECT part_number, etag FROM upload_parts WHERE upload_id = ? ORDER BY part_number').bind(row.id).all<{ part_number: number; etag: string }>()
  const have = new Set(results.map((p) => p.part_number))
  const missing = Array.from({ length: partCount }, (_, i) => i + 1).filter((n) => !have.has(n))
  if (missing.length) {
    throw new ApiError(409, 'upload_incomplete', `Parts ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''} of ${partCount} have not been reported yet. PUT them, report each ETag with PUT /api/v1/uploads/${row.id}/parts/<n>, then complete. GET /api/v1/uploads/${row.id}/parts lists what is missing.`)
  }
  const ok = await storage.completeMultipart(row.storage_key, row.multipart_id!, results.map((p) => ({ partNumber: p.part_number, etag: p.etag })))
  if (!ok) {
    throw new ApiError(422, 'upload_parts_invalid', 'Storage rejected the parts: one is missing or its ETag does not match what was stored. Re-upload the parts listed by GET /api/v1/uploads/' + row.id + '/parts after clearing them, or start a new upload.')
  }
  await env.DB.prepare('UPDATE uploads SET multipart_id = NULL WHERE id = ?').bind(row.id).run()
}

const PartParams = z.object({ id: z.string(), partNumber: z.coerce.number().int().min(1).max(10_000) })

uploads.openapi(
  createRoute({
    method: 'get',
    path: '/uploads/{id}/parts',
    summary: 'Resume a multipart upload: parts stored so far and fresh URLs for the missing ones',
    request: { params: IdParam },
    responses: {
      200: { content: { 'application/json': { schema: z.object({ upload: Upload, multipart: MultipartPlan }) } }, description: 'The plan' },
      404: errorResponse('No such upload'),
      409: errorResponse('Not a multipart upload, or already verified'),
    },
  }),
  async (c) => {
    const row = await getOwnedUpload(c.env.DB, c.get('workspaceId'), c.req.valid('param').id)
    if (!row.multipart_id || row.status !== 'pending') throw new ApiError(409, 'not_multipart', `Upload "${row.id}" is not a multipart upload in progress.`)
    return c.json({ upload: uploadFromRow(row), multipart: await multipartPlan(c.env, row, c.get('now')) }, 200)
  },
)

uploads.openapi(
  createRoute({
    method: 'put',
    path: '/uploads/{id}/parts/{partNumber}',
    summary: 'Report a stored part and its ETag (from the storage PUT response)',
    middleware: [jsonBody(ReportPartRequest, { example: '{"etag": "\\"9b2cf535f27731c974343645a3985328\\""}' })] as const,
    request: { params: PartParams, body: { content: { 'application/json': { schema: ReportPartRequest } }, required: true } },
    responses: {
      200: { content: { 'application/json': { schema: z.object({ partNumber: z.number(), etag: z.string() }) } }, description: 'Recorded' },
      400: errorResponse('No such part'),
      404: errorResponse('No such upload'),
      409: errorResponse('Not a multipart upload in progress'),
    },
  }),
  async (c) => {
    const { id, partNumber } = c.req.valid('param')
    const row = await getOwnedUpload(c.env.DB, c.get('workspaceId'), id)
    if (!row.multipart_id || row.status !== 'pending') throw new ApiError(409, 'not_multipart', `Upload "${row.id}" is not a multipart upload in progress.`)
    const partCount = Math.max(1, Math.ceil(row.size / row.part_size!))
    if (partNumber > partCount) throw new ApiError(400, 'no_such_part', `Upload "${row.id}" has ${partCount} parts; there is no part ${partNumber}.`)
    const { etag } = c.req.valid('json')
    await c.env.DB.prepare('INSERT OR REPLACE INTO upload_parts (upload_id, part_number, etag, size) VALUES (?, ?, ?, ?)')
      .bind(row.id, partNumber, etag, Math.min(row.part_size!, row.size - (partNumber - 1) * row.part_size!))
      .run()
    return c.json({ partNumber, etag }, 200)
  },
)
