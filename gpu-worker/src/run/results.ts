/**
 * @module The files a run writes, in one place for every job kind: the job's labels.json and
 * metadata.json once its inputs are read; for each finished map, checked (result-check.ts) and judged
 * (map-warnings.ts) first, its five files (embedding.npy, embedding.csv, metrics.json, neighbours.npy,
 * quality-points.npy), stored as the job's own or as one layer's; then indices.npy, and manifest.json last.
 */
import {
  RESULT_FILE_SPECS,
  encodeNpyFloat32,
  encodeNpyInt32,
  resultFileKey,
  type LayerFileName,
  type MapWarning,
  type ResultFileName,
} from '@constellate/shared'
import { EMBED_DEFAULTS, type EmbedResult } from '../engine.ts'
import { metadataDocument, type Labels, type MetadataTable } from '../inputs/index.ts'
import type { MapExtras } from '../map-extras.ts'
import { convergenceWarning } from '../map-warnings.ts'
import { checkFiniteResult } from '../result-check.ts'
import type { RunContext } from './lifecycle.ts'

type Store = RunContext['store']

/** Stores the job's labels.json (JobLabels: the classes and each point's code) at the lease's `labelsKey`. */
export async function writeLabels(store: Store, key: string, labels: Labels): Promise<void> {
  await store.put(key, JSON.stringify({ classes: labels.classes, codes: Array.from(labels.codes) }), 'application/json')
}

/** Stores the job's metadata.json (JobMetadata) at the lease's `metadataKey`. */
export async function writeMetadata(store: Store, key: string, table: MetadataTable): Promise<void> {
  await store.put(key, JSON.stringify(metadataDocument(table)), 'application/json')
}

/** One of a map's files, ready to store. */
export interface MapFile {
  name: LayerFileName
  body: Uint8Array | string
}

/** A map that passed its checks: its metrics.json, its files and the convergence warning, if any. */
export interface CheckedMap {
  metrics: Record<string, unknown>
  files: MapFile[]
  converged: MapWarning | null
}

/**
 * Checks a finished map and makes its files. `metrics` (metrics.json without `pointQuality`, which comes
 * from `extras`) must be finite like the map; `what` names the map in the message when it is not.
 * @throws ResultCheckError when a coordinate, the KL divergence or a metric is not finite
 */
export function checkedMap(result: EmbedResult, metrics: object, extras: MapExtras, labels: Labels | undefined, what?: string): CheckedMap {
  const { summary } = extras
  const metricsJson = { ...metrics, pointQuality: { k: summary.k, space: summary.space, mean: summary.meanQuality } }
  checkFiniteResult(result, metricsJson, what)
  const converged = convergenceWarning(result.klHistory, result.iterations, Math.min(result.iterations, EMBED_DEFAULTS.earlyExaggerationIterations))
  const { embedding, n, dims } = result
  const files: MapFile[] = [
    { name: 'embedding.npy', body: embeddingNpy(embedding, n, dims) },
    { name: 'embedding.csv', body: embeddingCsv(embedding, n, dims, labels) },
    { name: 'metrics.json', body: JSON.stringify(metricsJson, null, 2) },
    { name: 'neighbours.npy', body: encodeNpyInt32(extras.neighbours, [n, summary.k]) },
    { name: 'quality-points.npy', body: encodeNpyFloat32(extras.quality, [n]) },
  ]
  return { metrics: metricsJson, files, converged }
}

/** Stores a map's files as the job's own (`layer` absent) or as layer `layer`'s. */
export async function writeMapFiles(store: Store, prefix: string, files: readonly MapFile[], layer?: number): Promise<void> {
  for (const { name, body } of files) {
    await store.put(layer === undefined ? resultFileKey(prefix, name) : resultFileKey(prefix, name, layer), body, contentType(name))
  }
}

/** Stores indices.npy: the input row of each map point (int32, ascending). */
export async function writeIndices(store: Store, prefix: string, indices: Int32Array): Promise<void> {
  await store.put(resultFileKey(prefix, 'indices.npy'), encodeNpyInt32(indices, [indices.length]), contentType('indices.npy'))
}

/** Stores manifest.json; written last, as the job's record of everything above. */
export async function writeManifest(store: Store, prefix: string, manifest: object): Promise<void> {
  await store.put(resultFileKey(prefix, 'manifest.json'), JSON.stringify(manifest, null, 2), contentType('manifest.json'))
}

/** The content type a result file is stored with: the one the edge serves it with. */
function contentType(file: ResultFileName): string {
  return RESULT_FILE_SPECS[file].contentType
}

/** CSV with a header row: x,y[,z][,label]; labels quoted when they contain separators or quotes. */
export function embeddingCsv(embedding: Float32Array, n: number, dims: number, labels?: Labels): string {
  const axes = ['x', 'y', 'z'].slice(0, dims)
  const lines: string[] = [[...axes, ...(labels ? ['label'] : [])].join(',')]
  for (let i = 0; i < n; i++) {
    const row: string[] = []
    for (let k = 0; k < dims; k++) row.push(String(embedding[i * dims + k]))
    if (labels) row.push(csvField(labels.classes[labels.codes[i]!] ?? ''))
    lines.push(row.join(','))
  }
  return lines.join('\n') + '\n'
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** embedding.npy: float32 [n, dims]. */
export function embeddingNpy(embedding: Float32Array, n: number, dims: number): Uint8Array {
  return encodeNpyFloat32(embedding, [n, dims])
}
