/**
 * @module What the map is coloured by and grouped by: the labels, a categorical metadata column (its
 * categories become the legend, the hidden classes and the names at cluster centres), or a value per point
 * (a continuous metadata column, the worker's per-point quality, or the map neighbour agreement computed
 * here) drawn through the sequential scale while the labels stay the grouping.
 */
import type { JobMetadata, MetadataColumn } from '@constellate/shared'

/** `meta:<column>` colours by a metadata column. */
export type ColorBy = 'label' | 'none' | 'agreement' | 'quality' | `meta:${string}`

export interface Grouping {
  /** "Labels" or the column's name. */
  title: string
  classes: string[]
  codes: Int32Array
  counts: number[]
}

export interface ValueScale {
  title: string
  /** NaN where a point has no value. */
  values: Float32Array
  range: [number, number]
  lowText: string
  highText: string
  /** One line saying what the value means. */
  hint: string
}

export interface ColourSources {
  labels: { classes: string[]; codes: Int32Array; counts: number[] } | null
  metadata: JobMetadata | null
  /** The worker's per-point kNN preservation (quality-points.npy), when loaded. */
  quality: Float32Array | null
  /** The viewer's own map neighbour agreement, when computed. */
  agreement: Float32Array | null
}

export const QUALITY_HINT = "share of each point's nearest neighbours in the original space that are also its nearest in the map"

export function metaColumnName(colorBy: ColorBy): string | null {
  return colorBy.startsWith('meta:') ? colorBy.slice(5) : null
}

function column(metadata: JobMetadata | null, name: string | null): MetadataColumn | null {
  if (!metadata || name === null) return null
  return metadata.columns.find((c) => c.name === name) ?? null
}

/** The classes the legend lists and points are hidden by: a categorical column when coloured by one, else the labels. */
export function groupingFor(colorBy: ColorBy, sources: ColourSources): Grouping | null {
  const col = column(sources.metadata, metaColumnName(colorBy))
  if (col?.type === 'categorical') return { title: col.name, classes: col.categories, codes: Int32Array.from(col.codes), counts: col.counts }
  if (sources.labels) return { title: 'Labels', ...sources.labels }
  return null
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–'
  const abs = Math.abs(value)
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return value.toExponential(2)
  return Number(value.toPrecision(4)).toLocaleString('en-US')
}

/** The continuous scale the points are coloured through, or null when coloured by class or one colour. */
export function valueScaleFor(colorBy: ColorBy, sources: ColourSources, agreementK: number): ValueScale | null {
  if (colorBy === 'agreement') {
    if (!sources.agreement) return null
    return { title: 'Map neighbour agreement', values: sources.agreement, range: [0, 1], lowText: '0', highText: '1', hint: `share of each point's ${agreementK} nearest neighbours in the map with the same label` }
  }
  if (colorBy === 'quality') {
    if (!sources.quality) return null
    return { title: 'Neighbourhood preserved', values: sources.quality, range: [0, 1], lowText: '0', highText: '1', hint: QUALITY_HINT }
  }
  const col = column(sources.metadata, metaColumnName(colorBy))
  if (col?.type !== 'continuous') return null
  const values = Float32Array.from(col.values, (v) => (v === null ? Number.NaN : v))
  const low = col.min ?? 0
  const high = col.max ?? 1
  return {
    title: col.name,
    values,
    range: [low, high === low ? low + 1 : high],
    lowText: formatNumber(low),
    highText: formatNumber(high),
    hint: `${col.name}, ${formatNumber(low)} to ${formatNumber(high)}${col.missing ? `; ${col.missing.toLocaleString('en-US')} points without a value in grey` : ''}`,
  }
}

/** The colouring choices a job offers, in menu order. */
export function colourOptions(sources: { labels: boolean; metadata: JobMetadata | null; quality: boolean }): { value: ColorBy; text: string }[] {
  const options: { value: ColorBy; text: string }[] = []
  if (sources.labels) options.push({ value: 'label', text: 'Label' })
  for (const col of sources.metadata?.columns ?? []) {
    options.push({ value: `meta:${col.name}`, text: `${col.name} (${col.type === 'categorical' ? `${col.categories.length} values` : 'scale'})` })
  }
  if (sources.quality) options.push({ value: 'quality', text: 'Neighbourhood preserved (per point)' })
  if (sources.labels) options.push({ value: 'agreement', text: 'Map neighbour agreement' })
  options.push({ value: 'none', text: 'One colour' })
  return options
}

/** Point i's metadata as "name: value" lines (at most `limit` columns). */
export function metadataLines(metadata: JobMetadata | null, i: number, limit = 6): string[] {
  if (!metadata || i < 0 || i >= metadata.n) return []
  return metadata.columns.slice(0, limit).map((col) => {
    if (col.type === 'categorical') {
      const code = col.codes[i]!
      return `${col.name}: ${code >= 0 ? col.categories[code] : '–'}`
    }
    const value = col.values[i]
    return `${col.name}: ${value === null || value === undefined ? '–' : formatNumber(value)}`
  })
}

/**
 * Points matching a search: text matches label names and categorical values (case-insensitive; exact names
 * first, else substrings);
 * `column>v`, `column<v`, `column=v` compare a continuous column (`=` is also an exact categorical match).
 * Returns sorted indices and the matching classes of `grouping` (for the legend).
 */
export function searchPoints(query: string, grouping: Grouping | null, labels: ColourSources['labels'], metadata: JobMetadata | null): { indices: Uint32Array; classes: number[] } {
  const text = query.trim()
  if (!text) return { indices: new Uint32Array(0), classes: [] }
  const n = grouping?.codes.length ?? labels?.codes.length ?? metadata?.n ?? 0
  const hit = new Uint8Array(n)
  const comparison = /^(.+?)\s*(<=|>=|=|<|>)\s*(.+)$/.exec(text)
  if (comparison && metadata) {
    const [, name, op, raw] = comparison
    const col = metadata.columns.find((c) => c.name.toLowerCase() === name!.trim().toLowerCase())
    if (col?.type === 'continuous') {
      const bound = Number(raw)
      if (Number.isFinite(bound)) {
        col.values.forEach((v, i) => {
          if (v === null) return
          const ok = op === '<' ? v < bound : op === '<=' ? v <= bound : op === '>' ? v > bound : op === '>=' ? v >= bound : v === bound
          if (ok) hit[i] = 1
        })
      }
    } else if (col?.type === 'categorical' && op === '=') {
      const wanted = raw!.trim().toLowerCase()
      const matching = new Set(col.categories.flatMap((c, k) => (c.toLowerCase() === wanted ? [k] : [])))
      col.codes.forEach((code, i) => {
        if (matching.has(code)) hit[i] = 1
      })
    }
  } else {
    // An exact name wins over substrings ("1" finds class 1, not 10-19); otherwise any name containing the text.
    const needle = text.toLowerCase()
    const groups: { classes: string[]; codes: ArrayLike<number> }[] = []
    if (labels) groups.push(labels)
    for (const col of metadata?.columns ?? []) if (col.type === 'categorical') groups.push({ classes: col.categories, codes: col.codes })
    const exact = groups.some((g) => g.classes.some((c) => c.toLowerCase() === needle))
    for (const group of groups) {
      const matching = new Set(group.classes.flatMap((c, k) => ((exact ? c.toLowerCase() === needle : c.toLowerCase().includes(needle)) ? [k] : [])))
      if (matching.size === 0) continue
      for (let i = 0; i < group.codes.length && i < n; i++) if (matching.has(group.codes[i]!)) hit[i] = 1
    }
  }
  const indices: number[] = []
  for (let i = 0; i < n; i++) if (hit[i]) indices.push(i)
  const classes = new Set<number>()
  if (grouping) for (const i of indices) classes.add(grouping.codes[i]!)
  return { indices: Uint32Array.from(indices), classes: [...classes].sort((a, b) => a - b) }
}
