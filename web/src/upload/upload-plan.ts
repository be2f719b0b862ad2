/**
 * @module Decisions the upload form makes before anything is sent: which dropped file is which, and
 * whether the chosen files and parameters fit together (several feature files of one D, one label and
 * one metadata row per point).
 */
import { ACCEPTED_FORMATS, formatFromFilename, LIMITS } from '@constellate/shared'
import type { FileSummary } from '../lib/inspect-file.ts'

const LABEL_NAME = /(^|[^a-z])(labels?|targets?|class(es)?|y)([^a-z]|$)/i
const METADATA_NAME = /(^|[^a-z])(metadata|meta|info)([^a-z]|$)/i

function baseName(name: string): string {
  return name.replace(/\.[^.]+$/, '')
}

/** Where each dropped file goes; `features` keeps the drop order (the order the rows are concatenated in). */
export interface DroppedFiles<T> {
  features: T[]
  labels?: T
  metadata?: T
}

/**
 * Splits dropped files into features, labels and metadata:
 * - a `.csv`/`.tsv` named like metadata, meta or info is the metadata (the first such);
 * - a `.txt` file, or one whose name says label/target/class/y, is the labels (the first such);
 * - every other `.npy`/`.csv`/`.tsv` is a features file, in drop order. A second label-looking file
 *   that could be features goes there too, so nothing dropped on purpose disappears.
 * Other types (`.onnx`, `.zip`, `.tar`: model jobs) are ignored.
 */
export function assignDroppedFiles<T extends { name: string }>(files: T[]): DroppedFiles<T> {
  const result: DroppedFiles<T> = { features: [] }
  const featureFormats: string[] = ACCEPTED_FORMATS.features
  const labelFormats: string[] = ACCEPTED_FORMATS.labels
  const metadataFormats: string[] = ACCEPTED_FORMATS.metadata
  for (const file of files) {
    const format = formatFromFilename(file.name) ?? ''
    const name = baseName(file.name)
    if (!result.metadata && metadataFormats.includes(format) && METADATA_NAME.test(name)) {
      result.metadata = file
    } else if ((format === 'txt' || LABEL_NAME.test(name)) && labelFormats.includes(format)) {
      if (!result.labels) result.labels = file
      else if (featureFormats.includes(format)) result.features.push(file)
    } else if (featureFormats.includes(format)) {
      result.features.push(file)
    }
  }
  return result
}

/** One chosen features file, as the form knows it. */
export interface FeatureFileEntry {
  name: string
  summary: FileSummary | null
}

/**
 * All feature files together, shaped like a FileSummary where the cross-checks need one: `rows` is the
 * total N (null until every file is counted), `cols` the common D.
 */
export interface FeatureTotals {
  files: number
  rows: number | null
  rowsExact: boolean
  cols: number | null
  /** 'npy' when every file is .npy (counts are then certain), else null. */
  format: FileSummary['format']
  /** False only when no text file among them may hold a header line. */
  hasHeader: boolean
  /** Problems of the set as a whole; `file` is the index of the file it is about, null for the set. */
  problems: { file: number | null; message: string }[]
}

/**
 * Adds up the chosen feature files: total rows, the common number of columns, and what stops them from
 * going into one map (a file whose D differs from the first's, too many files, too many points in all).
 */
export function combineFeatureFiles(entries: FeatureFileEntry[]): FeatureTotals {
  const summaries = entries.map((entry) => entry.summary)
  const known = summaries.every((summary) => summary !== null && summary.rows !== null)
  const rows = known && entries.length > 0 ? summaries.reduce((sum, summary) => sum + summary!.rows!, 0) : null
  const firstWithCols = entries.findIndex((entry) => entry.summary?.cols != null)
  const cols = firstWithCols >= 0 ? entries[firstWithCols]!.summary!.cols : null
  const totals: FeatureTotals = {
    files: entries.length,
    rows,
    rowsExact: known && summaries.every((summary) => summary!.rowsExact),
    cols,
    format: entries.length > 0 && summaries.every((summary) => summary?.format === 'npy') ? 'npy' : null,
    hasHeader: summaries.some((summary) => summary?.format !== 'npy' && summary?.hasHeader !== false),
    problems: [],
  }
  if (entries.length > LIMITS.maxFeatureFiles) {
    totals.problems.push({
      file: null,
      message: `${entries.length} features files are chosen; one map takes at most ${LIMITS.maxFeatureFiles}. Remove some, or concatenate them first.`,
    })
  }
  if (firstWithCols >= 0) {
    const first = entries[firstWithCols]!
    entries.forEach((entry, index) => {
      const own = entry.summary?.cols
      if (own == null || own === cols) return
      totals.problems.push({
        file: index,
        message:
          `${entry.name} has ${own.toLocaleString('en-US')} columns (D) but ${first.name} has ${cols!.toLocaleString('en-US')}; ` +
          'every features file of one map needs the same D. Remove one of them, or map them separately.',
      })
    })
  }
  if (rows !== null && totals.rowsExact && entries.length > 1 && rows > LIMITS.maxPoints) {
    totals.problems.push({
      file: null,
      message: `The ${entries.length} files hold ${rows.toLocaleString('en-US')} points in all; at most ${LIMITS.maxPoints.toLocaleString('en-US')} go into one map. Remove a file or subsample before uploading.`,
    })
  }
  return totals
}

export interface LabelCheck {
  /** Blocks submitting: the counts certainly differ. */
  error?: string
  /** Worth a look, but the edge decides (a text file may have a header line). */
  warning?: string
}

/** What the count checks need to know of the features: one file's summary, or FeatureTotals. */
export type PointCount = Pick<FileSummary, 'rows' | 'rowsExact' | 'format' | 'hasHeader'>

/** Compares the number of labels with the number of points (all feature files together). */
export function checkLabelCount(features: PointCount | null, labels: FileSummary | null, labelsName: string): LabelCheck {
  if (!features?.rowsExact || !labels?.rowsExact || features.rows === null || labels.rows === null) return {}
  if (features.rows === labels.rows) return {}
  const message =
    `${labelsName} has ${labels.rows.toLocaleString('en-US')} labels but the features have ` +
    `${features.rows.toLocaleString('en-US')} points. Give exactly one label per point, in the same order.`
  const certain = labels.format === 'npy' && (features.format === 'npy' || features.hasHeader === false)
  return certain ? { error: message } : { warning: message }
}

/**
 * Compares the metadata's rows (after its header) with the number of points. Only a warning: quoted cells
 * may span lines, so the edge's count decides.
 */
export function checkMetadataCount(features: PointCount | null, metadata: FileSummary | null, metadataName: string): LabelCheck {
  if (!features?.rowsExact || !metadata?.rowsExact || features.rows === null || metadata.rows === null) return {}
  if (features.rows === metadata.rows) return {}
  const headerHint = metadata.rows === features.rows - 1 ? ' The first line is read as column names: add a header row.' : ''
  return {
    warning:
      `${metadataName} has ${metadata.rows.toLocaleString('en-US')} rows but the features have ` +
      `${features.rows.toLocaleString('en-US')} points; it needs a header row, then one row per point in the same order.${headerHint}`,
  }
}

/** Where one file's upload stands; `loaded`/`total` are bytes sent to storage. */
export interface UploadProgress {
  phase: 'starting' | 'sending' | 'verifying' | 'done'
  loaded: number
  total: number
}

/** One chosen file on the upload form: what was read from it, and where its upload stands. */
export interface FileSlot {
  /** Unique on the page, to key lists and element ids. */
  key: number
  file: File
  summary: FileSummary | null
  inspecting: boolean
  /** A problem reported by the server for this file. */
  error: string | null
  progress: UploadProgress | null
  /** The verified upload of this exact File, reused when the form is submitted again. */
  uploadId: string | null
}

/** Same name, size and modification time: the same file chosen twice. */
export function sameFile(a: Pick<File, 'name' | 'size' | 'lastModified'>, b: Pick<File, 'name' | 'size' | 'lastModified'>): boolean {
  return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified
}
