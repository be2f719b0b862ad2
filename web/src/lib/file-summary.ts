/**
 * @module What the upload form knows about a chosen file (FileSummary), and the wording its inspections share:
 * sizes, counts, the feature-shape limits and points per label.
 */
import { LIMITS, type UploadFormat } from '@constellate/shared'

export interface FileSummary {
  format: UploadFormat | null
  /** Points (features) or labels; null when unknown. */
  rows: number | null
  /** False when `rows` was estimated from a sample of a large text file. */
  rowsExact: boolean
  /** Feature columns (D); null for labels. */
  cols: number | null
  /** e.g. "float32", "numbers", "text". */
  dtype: string | null
  /** `.npy` shape as written in the header. */
  shape?: number[]
  fortranOrder?: boolean
  hasHeader?: boolean
  /** A few distinct label values seen, for display. */
  sampleLabels?: string[]
  /** Distinct labels seen in the sample (a lower bound when the sample is partial). */
  distinctLabels?: number
  /** Points per distinct label (labels read whole; largest first), for stratified subsampling. */
  classCounts?: number[]
  /** A metadata table's columns: name, and whether every value seen is a number (continuous). */
  columns?: { name: string; numeric: boolean }[]
  /** Reasons the upload would be refused; the form will not submit while there are any. */
  problems: string[]
  /** Worth knowing, not blocking. */
  notes: string[]
}

/** A summary that knows only the format. */
export function emptySummary(format: UploadFormat | null): FileSummary {
  return { format, rows: null, rowsExact: false, cols: null, dtype: null, problems: [], notes: [] }
}

/** "1 point", "2,000 points". */
export function plural(count: number, word: string): string {
  return `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`
}

/** The point and column limits a features matrix must fit, as problems. */
export function checkFeatureShape(summary: FileSummary, rows: number, cols: number): void {
  if (rows < LIMITS.minPoints) {
    summary.problems.push(`t-SNE needs at least ${LIMITS.minPoints} points; this file has ${rows}.`)
  }
  if (rows > LIMITS.maxPoints) {
    summary.problems.push(`This file has ${plural(rows, 'point')}; at most ${LIMITS.maxPoints.toLocaleString('en-US')} are accepted. Subsample it first.`)
  }
  if (cols < 1) summary.problems.push('Features have no columns (D = 0).')
  if (cols > LIMITS.maxDims) {
    summary.problems.push(`Features have ${cols.toLocaleString('en-US')} columns; at most ${LIMITS.maxDims.toLocaleString('en-US')} are accepted.`)
  }
}

/** Readable size, e.g. "1.5 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`
}

/** Points per distinct value, largest first. */
export function countValues(values: string[]): number[] {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return [...counts.values()].sort((a, b) => b - a)
}

/** Records the points per label (and so the distinct labels) when they are known. */
export function setClassCounts(summary: FileSummary, counts: number[] | null): void {
  if (!counts) return
  summary.classCounts = counts
  summary.distinctLabels = counts.length
}
