/**
 * @module The result files of a job, named once: each file's name, the content type it is served with,
 * whether a model job stores it for every layer, whether it is a per-point "map data" file, and the field of
 * `job.results` / a `JobLayer` that links to it. The edge's routes, the OpenAPI document, the client, the
 * CLI and the worker all read this list; where the files are stored is in storage-keys.ts.
 */
import { z } from 'zod'
import type { Job } from '../schemas.ts'
import type { JobLayer } from '../onnx/onnx-job.ts'

/**
 * Every result file, in the order the API lists them (`job.results`, the OpenAPI enum, the route pattern).
 * A model job's own files are its first layer's.
 */
export const RESULT_FILE_NAMES = ['embedding.npy', 'embedding.csv', 'manifest.json', 'metrics.json', 'indices.npy', 'neighbours.npy', 'quality-points.npy'] as const
export const ResultFileName = z.enum(RESULT_FILE_NAMES)
export type ResultFileName = z.infer<typeof ResultFileName>

type JobResultLinks = NonNullable<Job['results']>

export interface ResultFileSpec {
  /** What the edge serves the file as. */
  contentType: string
  /** A model job also stores it for each layer (`layers/<i>/<name>`). */
  perLayer: boolean
  /** A per-point file beside the map (input row, neighbours, quality), read by the viewer's map-data views. */
  mapData: boolean
  /** The field of `job.results` that links to it. */
  link: keyof JobResultLinks
  /** Its layout, for the API description (empty for JSON documents). */
  layout: string
}

export const RESULT_FILE_SPECS = {
  'embedding.npy': { contentType: 'application/octet-stream', perLayer: true, mapData: false, link: 'embeddingNpy', layout: 'float32 [N, dims]' },
  'embedding.csv': { contentType: 'text/csv; charset=utf-8', perLayer: true, mapData: false, link: 'embeddingCsv', layout: 'x,y[,z],label' },
  'manifest.json': { contentType: 'application/json', perLayer: false, mapData: false, link: 'manifest', layout: '' },
  'metrics.json': { contentType: 'application/json', perLayer: true, mapData: false, link: 'metrics', layout: '' },
  'indices.npy': { contentType: 'application/octet-stream', perLayer: false, mapData: true, link: 'indicesNpy', layout: 'int32 [N]' },
  'neighbours.npy': { contentType: 'application/octet-stream', perLayer: true, mapData: true, link: 'neighboursNpy', layout: 'int32 [N, k]' },
  'quality-points.npy': { contentType: 'application/octet-stream', perLayer: true, mapData: true, link: 'qualityPointsNpy', layout: 'float32 [N]' },
} as const satisfies Record<ResultFileName, ResultFileSpec>

type Specs = typeof RESULT_FILE_SPECS
type NamesWhere<K extends 'perLayer' | 'mapData', V extends boolean> = { [F in ResultFileName]: Specs[F][K] extends V ? F : never }[ResultFileName]

/** The files a model job stores for each of its layers. */
export type LayerFileName = NamesWhere<'perLayer', true>
/** The per-point files: `indices.npy` int32 [N] (input row of each map point), `neighbours.npy` int32 [N, k], `quality-points.npy` float32 [N]. */
export type MapDataFileName = NamesWhere<'mapData', true>
/** The map itself and its summaries: every file that is not map data. */
export type MainResultFileName = NamesWhere<'mapData', false>

export const LAYER_FILE_NAMES: readonly LayerFileName[] = RESULT_FILE_NAMES.filter((file): file is LayerFileName => RESULT_FILE_SPECS[file].perLayer)
export const LayerFileName = z.enum(LAYER_FILE_NAMES)
export const MAP_DATA_FILE_NAMES: readonly MapDataFileName[] = RESULT_FILE_NAMES.filter((file): file is MapDataFileName => RESULT_FILE_SPECS[file].mapData)
export const MAIN_RESULT_FILE_NAMES: readonly MainResultFileName[] = RESULT_FILE_NAMES.filter((file): file is MainResultFileName => !RESULT_FILE_SPECS[file].mapData)

/** One line describing the files and their layouts, e.g. for an API parameter. */
export function describeResultFiles(files: readonly ResultFileName[] = RESULT_FILE_NAMES): string {
  return files.map((file) => `${file} ${RESULT_FILE_SPECS[file].layout}`.trim()).join('; ')
}

/** A route pattern (Hono `{...}` regex body) matching exactly these file names. */
export function resultFilePattern(files: readonly ResultFileName[]): string {
  return `(${files.map((file) => file.replaceAll('.', '\\.')).join('|')})`
}

type LinkField<F extends ResultFileName> = Specs[F]['link']

/** Links to `files` named by their link fields, in the order of `files`. */
function linksTo<F extends ResultFileName>(files: readonly F[], url: (file: F) => string): Record<LinkField<F>, string> {
  const links: Partial<Record<LinkField<F>, string>> = {}
  for (const file of files) links[RESULT_FILE_SPECS[file].link as LinkField<F>] = url(file)
  // Every file of `files` has set its field above.
  return links as Record<LinkField<F>, string>
}

/**
 * `job.results` of a succeeded job: a link per result file under `jobPath` (e.g. `/api/v1/jobs/<id>`),
 * in RESULT_FILE_NAMES order.
 */
export function jobResultLinks(jobPath: string): JobResultLinks {
  return linksTo(RESULT_FILE_NAMES, (file) => `${jobPath}/${file}`)
}

/** The file links of one layer of a model job (the link fields of its `JobLayer`), in RESULT_FILE_NAMES order. */
export function layerResultLinks(jobPath: string, index: number): Pick<JobLayer, LinkField<LayerFileName>> {
  return linksTo(LAYER_FILE_NAMES, (file) => `${jobPath}/layers/${index}/${file}`)
}
