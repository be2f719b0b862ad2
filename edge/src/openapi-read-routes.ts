/**
 * @module The OpenAPI description of the read-only routes whose handlers are plain Hono (binary downloads,
 * the live WebSocket, model-job layers and thumbnails, share links): registered on the document only, so
 * `/api/v1/openapi.json` lists every public route a client can call. The handlers stay where they are
 * (routes/job-resources.ts, model-jobs.ts, routes/shared.ts, routes/uploads.ts).
 */
import { z, type OpenAPIHono } from '@hono/zod-openapi'
import { ApiErrorBody, Job, JobLabels, JobLayers, JobMetadata, LayerFileName, ModelLayers, ResultFileName, ThumbnailIndex, describeResultFiles } from '@constellate/shared'
import type { AppEnv } from './env.ts'

const error = (description: string) => ({ content: { 'application/json': { schema: ApiErrorBody } }, description })
const binary = (type: string, description: string) => ({ content: { [type]: { schema: z.string().meta({ format: 'binary' }) } }, description })
const json = (schema: z.ZodType, description: string) => ({ content: { 'application/json': { schema } }, description })

const FrameList = z.object({ frames: z.array(z.object({ seq: z.number().int(), iteration: z.number().int(), kl: z.number().nullable() })) })
const RESULT_FILE = ResultFileName.meta({ description: describeResultFiles() })

/** One job sub-resource, described for the owner's `/jobs/{id}/...` and the share link's `/shared/{token}/...`. */
interface ReadRoute {
  path: string
  summary: string
  params?: Record<string, z.ZodType>
  responses: Record<number, object>
  /** Also served through share links (every one here except the upload's layer list). */
  shared: boolean
}

const READ_ROUTES: ReadRoute[] = [
  {
    path: '/live',
    summary: 'Live progress over a WebSocket: `{type: "status", job}` text messages and binary CSTF frames (see docs/api.md)',
    responses: { 101: { description: 'Switching to the WebSocket protocol' }, 426: error('Not a WebSocket request (websocket_required)') },
    shared: true,
  },
  { path: '/frames', summary: "The job's stored animation frames, in order", responses: { 200: json(FrameList, 'Sequence numbers, iterations and KL') }, shared: true },
  {
    path: '/frames/{seq}',
    summary: 'One stored frame as CSTF bytes (shared/src/frame-codec.ts)',
    params: { seq: z.string() },
    responses: { 200: binary('application/octet-stream', 'The frame'), 404: error('No such frame (frame_not_found)') },
    shared: true,
  },
  {
    path: '/labels',
    summary: 'Labels of the points as the worker read them (`codes[i]` indexes `classes`)',
    responses: { 200: json(JobLabels, 'Labels'), 409: error('Not read yet (labels_not_ready): wait for progress.labelsReady') },
    shared: true,
  },
  {
    path: '/{file}',
    summary: 'A result file of a succeeded job (a model job: its first layer)',
    params: { file: RESULT_FILE },
    responses: { 200: binary('application/octet-stream', '.npy, .csv or .json by name'), 409: error('The job has not succeeded (results_not_ready)') },
    shared: true,
  },
  {
    path: '/layers',
    summary: 'A model job: its embedded layers, one map each, with their file links',
    responses: { 200: json(JobLayers, 'The layers'), 404: error('Not a model job (not_a_model_job)'), 409: error('The job has not succeeded') },
    shared: true,
  },
  {
    path: '/layers/{index}/{file}',
    summary: "One layer's map, metrics, neighbours or per-point quality",
    params: { index: z.string(), file: LayerFileName },
    responses: { 200: binary('application/octet-stream', '.npy, .csv or .json by name'), 404: error('No such layer (layer_not_found)') },
    shared: true,
  },
  {
    path: '/thumbnails',
    summary: "A model job on images: the thumbnail sprite-sheet index (image i's tile: shared thumbnailTile)",
    responses: { 200: json(ThumbnailIndex, 'The index'), 404: error('No thumbnails (thumbnails_not_ready): inputs were not images, or inference has not run') },
    shared: true,
  },
  {
    path: '/thumbnails/{sheet}',
    summary: 'One thumbnail sprite sheet (RGBA PNG)',
    params: { sheet: z.string() },
    responses: { 200: binary('image/png', 'The sheet'), 404: error('No such sheet') },
    shared: true,
  },
]

/** Adds the read-only routes above to `app`'s OpenAPI document (owner and share-link forms). */
export function describeReadRoutes(app: OpenAPIHono<AppEnv>): void {
  const register = (path: string, summary: string, params: Record<string, z.ZodType>, responses: Record<number, object>, tag: string) =>
    app.openAPIRegistry.registerPath({ method: 'get', path, summary, tags: [tag], request: { params: z.object(params) }, responses: responses as never })
  for (const route of READ_ROUTES) {
    register(`/api/v1/jobs/{id}${route.path}`, route.summary, { id: z.string(), ...route.params }, { ...route.responses, 404: route.responses[404] ?? error('No such job') }, 'jobs')
    if (route.shared) {
      register(`/api/v1/shared/{token}${route.path}`, `${route.summary} (read-only, through a share link)`, { token: z.string(), ...route.params }, { ...route.responses, 404: error('Unknown link'), 410: error('Revoked or expired link') }, 'shared')
    }
  }
  register('/api/v1/shared/{token}', 'The job a share link shows (its `results` links point at the link\'s own routes)', { token: z.string() }, { 200: json(z.object({ job: Job }), 'The job'), 404: error('Unknown link'), 410: error('Revoked or expired link') }, 'shared')
  register(
    '/api/v1/shared/{token}/metadata',
    'Per-point metadata columns (read-only, through a share link)',
    { token: z.string() },
    { 200: json(JobMetadata, 'Columnar metadata'), 404: error('Unknown link, or no metadata'), 409: error('Not read yet (metadata_not_ready)'), 410: error('Revoked or expired link') },
    'shared',
  )
  register(
    '/api/v1/uploads/{id}/layers',
    'A verified model upload: every node output with op type and shape, and the default layer',
    { id: z.string() },
    { 200: json(ModelLayers, 'The layers'), 400: error('Not a model upload (not_a_model)'), 404: error('No such upload') },
    'uploads',
  )
}
