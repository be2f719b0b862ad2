/** @module Upload routes: presign a PUT to storage, then verify what arrived. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi'
import {
  ACCEPTED_FORMATS,
  ApiErrorBody,
  CreateUploadRequest,
  CreateUploadResponse,
  LIMITS,
  NPY_PREFIX_BYTES,
  Upload,
  UploadVerificationError,
  formatFromFilename,
  verifyUpload,
} from '@constellate/shared'
import type { AppEnv } from '../env.ts'
import { ApiError } from '../errors.ts'
import { getOwnedUpload, uploadFromRow, type UploadRow } from '../db.ts'
import { nowIso, randomId } from '../ids.ts'
import { Storage } from '../storage.ts'
import { validationHook } from '../validation.ts'

export const uploads = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

const errorResponse = (description: string) => ({ content: { 'application/json': { schema: ApiErrorBody } }, description })
const UploadEnvelope = z.object({ upload: Upload })
const IdParam = z.object({ id: z.string() })

uploads.openapi(
  createRoute({
    method: 'post',
    path: '/uploads',
    summary: 'Start an upload: returns a presigned URL to PUT the file to',
    request: { body: { content: { 'application/json': { schema: CreateUploadRequest } }, required: true } },
    responses: {
      201: { content: { 'application/json': { schema: CreateUploadResponse } }, description: 'Upload created' },
      400: errorResponse('Invalid request'),
    },
  }),
  async (c) => {
    const body = c.req.valid('json')
    const format = formatFromFilename(body.filename)
    if (!format || !ACCEPTED_FORMATS[body.kind].includes(format)) {
      throw new ApiError(
        400,
        'unsupported_format',
        `"${body.filename}" is not an accepted ${body.kind} file. Accepted: ${ACCEPTED_FORMATS[body.kind].map((f) => '.' + f).join(', ')}.`,
      )
    }
    const workspaceId = c.get('workspaceId')
    const id = randomId('upl')
    // Browsers write to an incoming key; verification copies to the key jobs read, so a second PUT to the
    // presigned URL can never replace a verified object.
    const key = `incoming/${workspaceId}/${id}`
    const createdAt = nowIso(c.get('now'))
    await c.env.DB.prepare(
      'INSERT INTO uploads (id, workspace_id, kind, filename, size, storage_key, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    )
      .bind(id, workspaceId, body.kind, body.filename, body.size, key, 'pending', createdAt)
      .run()
    const uploadUrl = await new Storage(c.env).presignPut(key, c.get('now'))
    const upload = { id, kind: body.kind, filename: body.filename, size: body.size, status: 'pending' as const, info: null, createdAt }
    const expiresAt = nowIso(c.get('now') + LIMITS.presignExpirySeconds * 1000)
    return c.json({ upload, uploadUrl, method: 'PUT' as const, expiresAt }, 201)
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
    const incomingSize = await storage.size(row.storage_key)
    if (incomingSize === null) {
      throw new ApiError(409, 'upload_missing', `No bytes have arrived for upload "${row.id}" yet. PUT the file to the uploadUrl first, then complete it.`)
    }
    // Copy first and verify the copy: what is verified is exactly what jobs will read.
    const verifiedKey = `uploads/${row.workspace_id}/${row.id}`
    await storage.copy(row.storage_key, verifiedKey)
    const actualSize = (await storage.size(verifiedKey)) ?? 0
    const format = formatFromFilename(row.filename)
    const scanWhole = format !== 'npy' && actualSize <= LIMITS.maxScannedTextBytes
    const headLength = format === 'npy' ? NPY_PREFIX_BYTES : scanWhole ? actualSize : 64 * 1024
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
