/**
 * @module The inputs of a map job on uploaded features, read and combined: one or several feature files
 * (same D, rows concatenated in order), labels covering all rows, a metadata table (plus the `source`
 * column for several files), and the subsample the worker keeps. Everything returned refers to the kept
 * points, in the map's order; `indices` maps them back to input rows.
 */
import { perplexityProblem, resolvePerplexity, type LeasedJobSpec } from '@constellate/shared'
import {
  InputError,
  checkLabelCount,
  checkMetadataCount,
  combineFeatureScales,
  loadFeatures,
  loadLabels,
  parseMetadata,
  selectMetadataRows,
  sourceColumn,
  validateFeatures,
  type Labels,
  type MetadataTable,
} from '../inputs/index.ts'
import { selectRows, subsample, type SubsampleRecord } from '../subsample.ts'
import { sha256 } from './manifest.ts'

/** What reading a map's inputs takes from the leased job. */
export type MapJobInputs = Pick<LeasedJobSpec, 'featureFiles' | 'labels' | 'metadata' | 'params'>

export interface MapInputs {
  /** Row-major n x d, the kept points. */
  points: Float32Array
  n: number
  d: number
  labels: Labels | undefined
  /** Null when the job has no metadata upload and a single features file. */
  metadata: MetadataTable | null
  /** Input row of each kept point, ascending. */
  indices: Int32Array
  /** The power of two every feature value was multiplied by to fit the float32 pipeline (1: as uploaded). */
  scale: number
  subsample: SubsampleRecord | null
  /** For manifest.json. */
  inputs: {
    files: { upload: string; filename: string; sha256: string; n: number; d: number }[]
    labels: { upload: string; filename: string; sha256: string; classes: number } | null
    metadata: { upload: string; filename: string; sha256: string; rows: number; columns: string[]; skipped: { name: string; reason: string }[] } | null
    /** Rows of all files together, before subsampling. */
    n: number
  }
}

type Get = (key: string) => Promise<Uint8Array>

/**
 * Downloads, parses and checks everything, then subsamples.
 * @throws InputError (feature_dims_mismatch, label_count_mismatch, metadata_count_mismatch, subsample_*, parse errors)
 */
export async function loadMapInputs(
  job: MapJobInputs,
  get: Get,
  checkpoint: () => void = () => undefined,
): Promise<MapInputs> {
  const files = job.featureFiles
  const matrices = []
  for (const file of files) {
    const bytes = await get(file.key)
    checkpoint()
    const matrix = loadFeatures(bytes, file.info?.format ?? formatOf(file.filename), file.filename)
    matrices.push({ file, matrix, sha256: sha256(bytes) })
  }
  const first = matrices[0]!
  for (const { file, matrix } of matrices) {
    if (matrix.d !== first.matrix.d) {
      throw new InputError(
        'feature_dims_mismatch',
        `"${file.filename}" has ${matrix.d} columns but "${first.file.filename}" has ${first.matrix.d}; every features file of one map needs the same number of columns.`,
      )
    }
  }
  const d = first.matrix.d
  const total = matrices.reduce((sum, m) => sum + m.matrix.n, 0)
  const scale = combineFeatureScales(matrices.map((m) => m.matrix))
  const points = matrices.length === 1 ? first.matrix.points : concatenate(matrices.map((m) => m.matrix.points), total * d)
  validateFeatures(points, total, d)

  let labels: Labels | undefined
  let labelsInput: MapInputs['inputs']['labels'] = null
  if (job.labels) {
    const bytes = await get(job.labels.key)
    labels = loadLabels(bytes, job.labels.info?.format ?? formatOf(job.labels.filename), job.labels.filename)
    checkLabelCount(labels.codes.length, total)
    labelsInput = { upload: job.labels.id, filename: job.labels.filename, sha256: sha256(bytes), classes: labels.classes.length }
  }

  let metadata: MetadataTable | null = null
  let metadataInput: MapInputs['inputs']['metadata'] = null
  if (job.metadata) {
    const bytes = await get(job.metadata.key)
    metadata = parseMetadata(bytes, job.metadata.info?.format ?? formatOf(job.metadata.filename), job.metadata.filename)
    checkMetadataCount(metadata.n, total)
    metadataInput = { upload: job.metadata.id, filename: job.metadata.filename, sha256: sha256(bytes), rows: metadata.n, columns: metadata.columns.map((c) => c.name), skipped: metadata.skipped }
  }
  if (matrices.length > 1) {
    const source = sourceColumn(
      matrices.map((m) => m.file.filename),
      matrices.map((m) => m.matrix.n),
      metadata?.columns.map((c) => c.name),
    )
    metadata = { n: total, columns: [source, ...(metadata?.columns ?? [])], skipped: metadata?.skipped ?? [] }
  }

  const inputs: MapInputs['inputs'] = {
    files: matrices.map((m) => ({ upload: m.file.id, filename: m.file.filename, sha256: m.sha256, n: m.matrix.n, d })),
    labels: labelsInput,
    metadata: metadataInput,
    n: total,
  }
  if (!job.params.subsample) {
    return { points, n: total, d, labels, metadata, indices: Int32Array.from({ length: total }, (_, i) => i), scale, subsample: null, inputs }
  }
  const kept = subsample(total, job.params.subsample, job.params.seed, labels)
  const keptPoints = kept.indices.length
  const problem = perplexityProblem(resolvePerplexity(job.params.perplexity, keptPoints), keptPoints, {
    kind: 'subsample',
    of: total,
    raise: job.params.subsample.method === 'stratified' ? 'perLabel or size' : 'size',
  })
  if (problem) throw new InputError('perplexity_too_large', problem)
  return {
    points: selectRows(points, d, kept.indices),
    n: kept.indices.length,
    d,
    labels: labels && { classes: labels.classes, codes: Int32Array.from(kept.indices, (i) => labels!.codes[i]!) },
    metadata: metadata && selectMetadataRows(metadata, kept.indices),
    indices: kept.indices,
    scale,
    subsample: kept.record,
    inputs,
  }
}

function concatenate(parts: Float32Array[], length: number): Float32Array {
  const out = new Float32Array(length)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

export function formatOf(filename: string): 'npy' | 'csv' | 'tsv' | 'txt' {
  const ext = filename.split('.').pop()?.toLowerCase()
  return ext === 'npy' || ext === 'csv' || ext === 'tsv' ? ext : 'txt'
}
