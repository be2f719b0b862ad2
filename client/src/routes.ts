/**
 * @module Every public route the client calls, in one table: method, path template (OpenAPI style), whether
 * the edge's OpenAPI document describes it, and whether sending it twice is harmless (so it may be retried
 * after a 5xx or a network error). `routes.test.ts` compares this table with `/api/v1/openapi.json`.
 */
import { MAP_DATA_FILE_NAMES, MAIN_RESULT_FILE_NAMES, type MainResultFileName, type MapDataFileName } from '@constellate/shared'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface RouteSpec {
  method: HttpMethod
  /** Path template with `{name}` parameters, as in the OpenAPI document. */
  path: string
  /** Listed in `/api/v1/openapi.json` (every public route is; read routes via edge/src/openapi-read-routes.ts). */
  documented: boolean
  /** Repeating the request has the same effect as sending it once. */
  idempotent: boolean
}

const route = (method: HttpMethod, path: string, documented: boolean, idempotent = method !== 'POST'): RouteSpec => ({ method, path, documented, idempotent })

export const ROUTES = {
  createUpload: route('POST', '/api/v1/uploads', true),
  /** Completing twice answers the same verified upload. */
  completeUpload: route('POST', '/api/v1/uploads/{id}/complete', true, true),
  getUpload: route('GET', '/api/v1/uploads/{id}', true),
  uploadParts: route('GET', '/api/v1/uploads/{id}/parts', true),
  reportPart: route('PUT', '/api/v1/uploads/{id}/parts/{partNumber}', true),
  uploadLayers: route('GET', '/api/v1/uploads/{id}/layers', true),

  /** Idempotent because the client always sends an Idempotency-Key (the caller's or a fresh UUID). */
  createJob: route('POST', '/api/v1/jobs', true, true),
  listJobs: route('GET', '/api/v1/jobs', true),
  getJob: route('GET', '/api/v1/jobs/{id}', true),
  /** Cancelling twice leaves the job cancelled (or finished) all the same. */
  cancelJob: route('POST', '/api/v1/jobs/{id}/cancel', true, true),
  jobLive: route('GET', '/api/v1/jobs/{id}/live', true),
  listFrames: route('GET', '/api/v1/jobs/{id}/frames', true),
  getFrame: route('GET', '/api/v1/jobs/{id}/frames/{seq}', true),
  jobLabels: route('GET', '/api/v1/jobs/{id}/labels', true),
  jobMetadata: route('GET', '/api/v1/jobs/{id}/metadata', true),
  jobFile: route('GET', '/api/v1/jobs/{id}/{file}', true),
  jobLayers: route('GET', '/api/v1/jobs/{id}/layers', true),
  layerFile: route('GET', '/api/v1/jobs/{id}/layers/{index}/{file}', true),
  thumbnails: route('GET', '/api/v1/jobs/{id}/thumbnails', true),
  thumbnailSheet: route('GET', '/api/v1/jobs/{id}/thumbnails/{sheet}', true),

  createLink: route('POST', '/api/v1/jobs/{id}/links', true),
  listLinks: route('GET', '/api/v1/jobs/{id}/links', true),
  revokeLink: route('DELETE', '/api/v1/links/{id}', true),

  createToken: route('POST', '/api/v1/tokens', true),
  listTokens: route('GET', '/api/v1/tokens', true),
  revokeToken: route('DELETE', '/api/v1/tokens/{id}', true),

  sharedJob: route('GET', '/api/v1/shared/{token}', true),
  sharedLive: route('GET', '/api/v1/shared/{token}/live', true),
  sharedFrames: route('GET', '/api/v1/shared/{token}/frames', true),
  sharedFrame: route('GET', '/api/v1/shared/{token}/frames/{seq}', true),
  sharedFile: route('GET', '/api/v1/shared/{token}/{file}', true),
  sharedLabels: route('GET', '/api/v1/shared/{token}/labels', true),
  sharedMetadata: route('GET', '/api/v1/shared/{token}/metadata', true),
  sharedLayers: route('GET', '/api/v1/shared/{token}/layers', true),
  sharedLayerFile: route('GET', '/api/v1/shared/{token}/layers/{index}/{file}', true),
  sharedThumbnails: route('GET', '/api/v1/shared/{token}/thumbnails', true),
  sharedThumbnailSheet: route('GET', '/api/v1/shared/{token}/thumbnails/{sheet}', true),
  openapi: route('GET', '/api/v1/openapi.json', false),
} as const satisfies Record<string, RouteSpec>

export type RouteName = keyof typeof ROUTES

/** Fills a path template; every `{name}` must be given (values are URL-encoded, `/` included). */
export function routePath(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined || value === '') throw new TypeError(`route ${template} needs a value for {${name}}`)
    return encodeURIComponent(String(value))
  })
}

/** The map files of a succeeded job: the map and its summaries (shared RESULT_FILE_SPECS lists every result file). */
export const RESULT_FILES = MAIN_RESULT_FILE_NAMES
export type ResultFile = MainResultFileName

/**
 * Per-point files of a succeeded job: `indices.npy` (int32 [N], input row of each map point),
 * `neighbours.npy` (int32 [N, k], nearest in the input/PCA space), `quality-points.npy` (float32 [N]).
 */
export const MAP_DATA_FILES = MAP_DATA_FILE_NAMES
export type MapDataFile = MapDataFileName
