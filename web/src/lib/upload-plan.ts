/**
 * @module Decisions the upload form makes before anything is sent: which dropped file is which, and
 * whether the chosen files and parameters fit together.
 */
import { ACCEPTED_FORMATS, formatFromFilename } from '@constellate/shared'
import type { FileSummary } from './inspect-file.ts'

const LABEL_NAME = /(^|[^a-z])(labels?|targets?|class(es)?|y)([^a-z]|$)/i

/**
 * Splits dropped files into features and labels: a `.txt` file, or one whose name says label/target/class/y,
 * is the labels; the first other accepted file is the features.
 */
export function assignDroppedFiles<T extends { name: string }>(files: T[]): { features?: T; labels?: T } {
  const result: { features?: T; labels?: T } = {}
  // Only feature/label formats: .onnx, .zip and .tar belong to model jobs.
  const tableFormats: string[] = [...ACCEPTED_FORMATS.features, ...ACCEPTED_FORMATS.labels]
  const accepted = files.filter((file) => tableFormats.includes(formatFromFilename(file.name) ?? ''))
  for (const file of accepted) {
    const looksLikeLabels = formatFromFilename(file.name) === 'txt' || LABEL_NAME.test(file.name.replace(/\.[^.]+$/, ''))
    if (looksLikeLabels && !result.labels) result.labels = file
    else if (!looksLikeLabels && !result.features) result.features = file
  }
  // One file, or two that both look alike: fill the empty slot in order.
  for (const file of accepted) {
    if (file === result.features || file === result.labels) continue
    if (!result.features) result.features = file
    else if (!result.labels) result.labels = file
  }
  return result
}

export interface LabelCheck {
  /** Blocks submitting: the counts certainly differ. */
  error?: string
  /** Worth a look, but the edge decides (a text file may have a header line). */
  warning?: string
}

/** Compares the number of labels with the number of points. */
export function checkLabelCount(features: FileSummary | null, labels: FileSummary | null, labelsName: string): LabelCheck {
  if (!features?.rowsExact || !labels?.rowsExact || features.rows === null || labels.rows === null) return {}
  if (features.rows === labels.rows) return {}
  const message =
    `${labelsName} has ${labels.rows.toLocaleString('en-US')} labels but the features have ` +
    `${features.rows.toLocaleString('en-US')} points. Give exactly one label per point, in the same order.`
  const certain = labels.format === 'npy' && (features.format === 'npy' || features.hasHeader === false)
  return certain ? { error: message } : { warning: message }
}

/** Where one file's upload stands; `loaded`/`total` are bytes sent to storage. */
export interface UploadProgress {
  phase: 'starting' | 'sending' | 'verifying' | 'done'
  loaded: number
  total: number
}
