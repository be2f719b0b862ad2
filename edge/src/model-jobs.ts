/**
 * @module The edge's part in model jobs: streaming an uploaded `.onnx` through the ModelProto
 * check at completion (its layer list stored beside it), the layer list route, resolving a job's `model`
 * section into its inputs, the worker's view of it, and the per-layer results and thumbnails routes.
 */
import type { Context, Hono } from 'hono'
import {
  LAYER_FILE_NAMES,
  LayerFileName,
  ModelJobRequest,
  ModelLayers,
  OnnxModelError,
  RESULT_FILE_SPECS,
  THUMBNAIL_INDEX_FILE,
  UploadInfo,
  UploadVerificationError,
  layersListKey,
  modelLayersKey,
  resultFileKey,
  resultFilePattern,
  resultsPrefix,
  thumbnailKey,
  verifyOnnxObject,
  type LeasedModel,
  type UploadKind,
  type UploadRef,
} from '@constellate/shared'
import type { AppEnv, Env } from './env.ts'
import { ApiError } from './errors.ts'
import { getOwnedUpload, type JobRow, type UploadRow } from './db.ts'
import { Storage } from './storage.ts'

/**
 * Completes the check of a model upload: streams the stored object through the ModelProto reader
 * (constant memory), stores the layer list, and returns the info with the model's summary.
 * @throws UploadVerificationError (onnx_* codes) for files that are not usable models
 */
export async function verifyModelUpload(storage: Storage, verifiedKey: string, size: number, info: UploadInfo): Promise<UploadInfo> {
  const object = await storage.get(verifiedKey)
  if (!object?.body) throw new ApiError(502, 'storage_unavailable', 'The uploaded model could not be read back from storage. Try completing again.')
  let checked
  try {
    checked = await verifyOnnxObject(object.body, size)
  } catch (err) {
    await object.body.cancel().catch(() => undefined)
    if (err instanceof OnnxModelError) throw new UploadVerificationError(err.code, err.message)
    throw err
  }
  await storage.put(modelLayersKey(verifiedKey), JSON.stringify(checked.layers), 'application/json')
  return { ...info, onnx: checked.info }
}

/** `GET /uploads/:id/layers`: the stored layer list of a verified model. */
export async function modelLayersResponse(c: Context<AppEnv>): Promise<Response> {
  const row = await getOwnedUpload(c.env.DB, c.get('workspaceId'), c.req.param('id')!)
  if (row.kind !== 'model') throw new ApiError(400, 'not_a_model', `Upload "${row.id}" is ${row.kind}; layers are listed for uploads of kind "model".`)
  if (row.status !== 'verified' || !row.verified_key) {
    throw new ApiError(409, 'upload_not_verified', `Model "${row.id}" is not verified yet. PUT its bytes, then POST /api/v1/uploads/${row.id}/complete.`)
  }
  const object = await new Storage(c.env).get(modelLayersKey(row.verified_key))
  if (!object) throw new ApiError(404, 'layers_missing', 'The layer list of this model is missing; upload the model again.')
  // Read whole (a few KB to a few MB): a body streamed without a length left the client's keep-alive socket unusable.
  return new Response(await object.text(), { headers: { 'content-type': 'application/json', 'cache-control': 'private, max-age=300' } })
}

function requireUpload(row: UploadRow, kind: UploadKind, role: string): UploadInfo {
  if (row.kind !== kind) {
    throw new ApiError(400, 'wrong_upload_kind', `Upload "${row.id}" was created as ${row.kind}, but it is given as ${role}. Create the upload with kind "${kind}".`)
  }
  if (row.status !== 'verified' || !row.info) {
    throw new ApiError(409, 'upload_not_verified', `Upload "${row.id}" (${row.filename}) is not verified yet. PUT its bytes, then POST /api/v1/uploads/${row.id}/complete.`)
  }
  return UploadInfo.parse(JSON.parse(row.info))
}

/**
 * For a job body with `model`: checks the model and inputs uploads and the layer names, and returns the
 * upload the job reads as its features (the inputs) plus the `model` column to store. For other bodies:
 * the features upload and null.
 */
export async function resolveJobSource(env: Env, workspaceId: string, body: { features?: string; model?: ModelJobRequest }): Promise<{ featuresId: string; kind: UploadKind; model: string | null }> {
  const model = body.model
  if (!model) return { featuresId: body.features!, kind: 'features', model: null }
  const modelRow = await getOwnedUpload(env.DB, workspaceId, model.upload)
  requireUpload(modelRow, 'model', 'model.upload')
  requireUpload(await getOwnedUpload(env.DB, workspaceId, model.inputs), 'inputs', 'model.inputs')
  if (model.layers) {
    const object = await new Storage(env).get(modelLayersKey(modelRow.verified_key ?? modelRow.storage_key))
    if (object) {
      const listed = ModelLayers.parse(await object.json())
      const names = new Set(listed.layers.map((l) => l.output))
      const unknown = model.layers.find((l) => !names.has(l))
      if (unknown !== undefined) {
        const some = listed.layers.slice(-6).map((l) => `"${l.output}" (${l.opType})`).join(', ')
        throw new ApiError(400, 'model_layer_unknown', `The model has no layer named "${unknown}". Layers are node outputs, e.g. ${some}; GET /api/v1/uploads/${modelRow.id}/layers lists them all.`)
      }
    }
  }
  return { featuresId: model.inputs, kind: 'inputs', model: JSON.stringify(model) }
}

/** The worker's view of a job's `model` column: the model upload resolved to its storage reference. */
export async function leasedModel(env: Env, modelColumn: string | null, uploadRef: (row: UploadRow) => UploadRef): Promise<LeasedModel | null> {
  if (!modelColumn) return null
  const model = ModelJobRequest.parse(JSON.parse(modelColumn))
  const row = await env.DB.prepare('SELECT * FROM uploads WHERE id = ?').bind(model.upload).first<UploadRow>()
  return { upload: uploadRef(row!), layers: model.layers ?? null, preprocess: model.preprocess ?? null, batchSize: model.batchSize ?? null }
}

/**
 * Adds a model job's read-only routes to a job resource app: `/layers` (JobLayers), `/layers/:i/<file>`,
 * `/thumbnails` (ThumbnailIndex) and `/thumbnails/:sheet.png`.
 */
export function addModelJobResources(app: Hono<AppEnv>, resolve: (c: Context<AppEnv>) => Promise<JobRow>): void {
  const finished = (row: JobRow, what: string): string => {
    if (row.status !== 'succeeded' || !row.results_prefix) throw new ApiError(409, 'results_not_ready', `Job "${row.id}" is ${row.status}; ${what} exists once it has succeeded.`)
    if (!row.model) throw new ApiError(404, 'not_a_model_job', `Job "${row.id}" embeds uploaded features; per-layer results exist for model jobs.`)
    return row.results_prefix
  }
  app.get('/layers', async (c) => {
    const row = await resolve(c)
    const token = c.req.param('token')
    if (!token) return stream(c.env, layersListKey(finished(row, 'the layer list')), 'application/json')
    // Through a share link, the list's links (per-layer files, thumbnails) point at the link's own routes.
    const object = await new Storage(c.env).get(layersListKey(finished(row, 'the layer list')))
    if (!object) throw new ApiError(404, 'result_missing', 'The stored file is missing. Run the job again.')
    const text = (await object.text()).replaceAll(`/api/v1/jobs/${row.id}/`, `/api/v1/shared/${token}/`)
    return new Response(text, { headers: { 'content-type': 'application/json', 'cache-control': 'private, max-age=60' } })
  })
  app.get(`/layers/:index{[0-9]+}/:file{${resultFilePattern(LAYER_FILE_NAMES)}}`, async (c) => {
    const row = await resolve(c)
    // The route pattern admits layer file names only.
    const file = LayerFileName.parse(c.req.param('file'))
    const response = await stream(c.env, resultFileKey(finished(row, file), file, c.req.param('index')), RESULT_FILE_SPECS[file].contentType, 'layer_not_found', `Job "${row.id}" has no layer ${c.req.param('index')}; GET its /layers.`)
    response.headers.set('content-disposition', `attachment; filename="${row.id}-layer${c.req.param('index')}-${file}"`)
    return response
  })
  // Thumbnails are stored while inference runs, before the job finishes: served from the current attempt.
  app.get('/thumbnails', async (c) => {
    const row = await resolve(c)
    return stream(c.env, thumbnailKey(resultsPrefix(row.id, row.attempt), THUMBNAIL_INDEX_FILE), 'application/json', 'thumbnails_not_ready', `Job "${row.id}" has no thumbnails (yet): they exist for image inputs once inference has run.`)
  })
  app.get('/thumbnails/:sheet{[0-9]+\\.png}', async (c) => {
    const row = await resolve(c)
    return stream(c.env, thumbnailKey(resultsPrefix(row.id, row.attempt), c.req.param('sheet')), 'image/png', 'thumbnails_not_ready', `Job "${row.id}" has no thumbnail sheet ${c.req.param('sheet')}.`)
  })
}

async function stream(env: Env, key: string, contentType: string, missingCode = 'result_missing', missingMessage = 'The stored file is missing. Run the job again.'): Promise<Response> {
  const object = await new Storage(env).get(key)
  if (!object) throw new ApiError(404, missingCode, missingMessage)
  const headers = new Headers({ 'content-type': contentType, 'cache-control': 'private, max-age=60' })
  const length = object.headers.get('content-length')
  if (length) headers.set('content-length', length)
  return new Response(object.body, { headers })
}
