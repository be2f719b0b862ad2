/**
 * @module Friendly names and formatting for a job's metrics.json and manifest.json. Known keys get names
 * researchers recognise; unknown numeric keys and nested objects are still shown, under their own names.
 */

export const METRIC_NAMES: Record<string, { name: string; hint?: string }> = {
  knnLabelAccuracy10: { name: '10-NN label accuracy', hint: 'share of points whose 10 nearest map neighbours mostly share their label' },
  knnLabelAccuracy: { name: 'kNN label accuracy' },
  trustworthiness: { name: 'Trustworthiness', hint: 'are map neighbours also neighbours in the original space (1 is best)' },
  continuity: { name: 'Continuity' },
  knnRecall: { name: 'kNN recall', hint: 'share of original-space neighbours kept as map neighbours' },
  knnRecall10: { name: '10-NN recall', hint: 'share of the 10 original-space neighbours kept as map neighbours' },
  silhouette: { name: 'Silhouette (by label)' },
  perLabelSilhouette: { name: 'Silhouette per label' },
  silhouettePerLabel: { name: 'Silhouette per label' },
  kl: { name: 'KL divergence' },
  n: { name: 'Points' },
  dims: { name: 'Map dimensions' },
  sampled: { name: 'Points sampled for the metrics' },
}

/** Words for a camelCase key without a known name: `knnRecallAt30` → "Knn recall at 30". */
export function humanizeKey(key: string): string {
  const words = key
    .replace(/([a-z])([A-Z0-9])/g, '$1 $2')
    .replace(/([0-9])([a-zA-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

export function metricName(key: string): string {
  return METRIC_NAMES[key]?.name ?? humanizeKey(key)
}

/** A number for the quality table: integers with separators, fractions with 3 decimals, '–' for null. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '–'
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '–'
    return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(Math.abs(value) >= 100 ? 1 : 3)
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no'
  return String(value)
}

export interface MetricRow {
  key: string
  name: string
  value: string
  hint?: string
}

export interface MetricTable {
  key: string
  name: string
  rows: { label: string; value: string }[]
}

/**
 * Splits metrics into scalar rows and tables (objects of numbers, e.g. silhouette per label; arrays use
 * `classes` for row names when lengths match).
 */
export function metricSections(metrics: Record<string, unknown>, classes: readonly string[] | null): { rows: MetricRow[]; tables: MetricTable[] } {
  const rows: MetricRow[] = []
  const tables: MetricTable[] = []
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === 'number' || value === null) {
      rows.push({ key, name: metricName(key), value: formatValue(value), hint: METRIC_NAMES[key]?.hint })
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'number' || v === null)) {
      tables.push({ key, name: metricName(key), rows: value.map((v, i) => ({ label: classes && classes.length === value.length ? classes[i]! : String(i), value: formatValue(v) })) })
    } else if (value && typeof value === 'object') {
      const entries: [string, unknown][] = Object.entries(value)
      if (entries.every(([, v]) => typeof v === 'number' || v === null)) {
        tables.push({ key, name: metricName(key), rows: entries.map(([label, v]) => ({ label, value: formatValue(v) })) })
      } else {
        for (const [inner, v] of entries) {
          if (typeof v === 'number' || v === null) rows.push({ key: `${key}.${inner}`, name: `${metricName(key)}: ${metricName(inner)}`, value: formatValue(v) })
        }
      }
    } else if (typeof value === 'string' || typeof value === 'boolean') {
      rows.push({ key, name: metricName(key), value: formatValue(value) })
    }
  }
  return { rows, tables }
}

/** Flattens a nested object into `a.b.c: value` rows (for manifest sections). */
export function flatten(value: unknown, prefix = ''): { key: string; value: string }[] {
  if (value === null || typeof value !== 'object') return [{ key: prefix || 'value', value: formatValue(value) }]
  const out: { key: string; value: string }[] = []
  const entries: [string, unknown][] = Object.entries(value)
  for (const [key, inner] of entries) {
    const path = prefix ? `${prefix}.${key}` : key
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) out.push(...flatten(inner, path))
    else out.push({ key: path, value: Array.isArray(inner) ? inner.map(formatValue).join(', ') : formatValue(inner) })
  }
  return out
}

/** A JSON object that is not an array (a manifest section such as `worker`). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
