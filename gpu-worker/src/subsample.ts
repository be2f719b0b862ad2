/**
 * @module Subsampling by the worker (`params.subsample`): which input rows a map keeps, seeded, random or
 * stratified by label with a per-label cap, and the record of it for manifest.json.
 */
import { LIMITS, type SubsampleParams } from '@constellate/shared'
import { SeededRandom } from './compute/random.ts'
import { InputError } from './inputs/errors.ts'

/** What manifest.json records under `subsample`. */
export interface SubsampleRecord {
  method: SubsampleParams['method']
  size: number | null
  perLabel: number | null
  seed: number
  /** Points before and after. */
  nBefore: number
  nAfter: number
  /** Class name -> points kept (stratified, or random with labels). */
  perLabelCounts: Record<string, number> | null
}

export interface Subsample {
  /** Kept input rows, ascending (the map's point order). */
  indices: Int32Array
  record: SubsampleRecord
}

/**
 * Chooses the rows to keep out of n.
 * - random: `size` rows uniformly without replacement (all rows when size >= n).
 * - stratified: label c keeps min(count_c, perLabel) rows; with `size` too (or alone), when those quotas add up
 *   to more than `size` they are scaled to `size` in proportion (largest remainder, ties to the lower class code).
 *   Each label's rows are drawn uniformly without replacement.
 * Deterministic for a given seed; O(n). Kept rows stay in input order.
 * @param labels class code per row (0..classes.length-1), required for stratified
 * @throws InputError subsample_needs_labels, subsample_too_small
 */
export function subsample(n: number, params: SubsampleParams, seed: number, labels?: { classes: string[]; codes: Int32Array }): Subsample {
  const random = new SeededRandom(seed)
  let keep: Int32Array
  if (params.method === 'random') {
    keep = sampleWithoutReplacement(Int32Array.from({ length: n }, (_, i) => i), Math.min(n, params.size ?? n), random)
  } else {
    if (!labels) {
      throw new InputError('subsample_needs_labels', 'Stratified subsampling keeps up to perLabel points of each label, so the job needs labels. Add a labels file, or use {"method": "random", "size": ...}.')
    }
    const classes = labels.classes.length
    const members: number[][] = Array.from({ length: classes }, () => [])
    for (let i = 0; i < n; i++) members[labels.codes[i]!]!.push(i)
    const quotas = members.map((rows) => Math.min(rows.length, params.perLabel ?? rows.length))
    if (params.size !== undefined) scaleQuotas(quotas, params.size)
    const chosen: Int32Array[] = members.map((rows, c) => sampleWithoutReplacement(Int32Array.from(rows), quotas[c]!, random))
    keep = new Int32Array(quotas.reduce((a, b) => a + b, 0))
    let at = 0
    for (const rows of chosen) {
      keep.set(rows, at)
      at += rows.length
    }
    keep.sort()
  }
  if (keep.length < LIMITS.minPoints) {
    throw new InputError(
      'subsample_too_small',
      `The subsample keeps ${keep.length} of ${n} points; t-SNE needs at least ${LIMITS.minPoints}. Raise ${params.method === 'stratified' ? 'perLabel or size' : 'size'}.`,
    )
  }
  return {
    indices: keep,
    record: {
      method: params.method,
      size: params.size ?? null,
      perLabel: params.perLabel ?? null,
      seed,
      nBefore: n,
      nAfter: keep.length,
      perLabelCounts: labels ? countPerLabel(keep, labels) : null,
    },
  }
}

/** `count` of `rows` (shuffled in place: partial Fisher-Yates), returned ascending. */
function sampleWithoutReplacement(rows: Int32Array, count: number, random: SeededRandom): Int32Array {
  if (count >= rows.length) return rows
  for (let i = 0; i < count; i++) {
    const j = i + random.nextInt(rows.length - i)
    const t = rows[i]!
    rows[i] = rows[j]!
    rows[j] = t
  }
  return rows.slice(0, count).sort()
}

/** Scales quotas down to sum to `size` (when above it) in proportion, by largest remainder. */
function scaleQuotas(quotas: number[], size: number): void {
  const total = quotas.reduce((a, b) => a + b, 0)
  if (total <= size) return
  const exact = quotas.map((q) => (q * size) / total)
  const floors = exact.map(Math.floor)
  let left = size - floors.reduce((a, b) => a + b, 0)
  const order = exact.map((value, c) => ({ c, remainder: value - floors[c]! })).sort((a, b) => b.remainder - a.remainder || a.c - b.c)
  for (const { c } of order) {
    if (left === 0) break
    floors[c]!++
    left--
  }
  floors.forEach((q, c) => (quotas[c] = q))
}

function countPerLabel(indices: Int32Array, labels: { classes: string[]; codes: Int32Array }): Record<string, number> {
  const counts = new Array<number>(labels.classes.length).fill(0)
  for (const i of indices) counts[labels.codes[i]!]!++
  return Object.fromEntries(labels.classes.map((name, c) => [name, counts[c]!]))
}

/** The rows `indices` names of a row-major n x d matrix. */
export function selectRows(points: Float32Array, d: number, indices: Int32Array): Float32Array {
  const out = new Float32Array(indices.length * d)
  for (let r = 0; r < indices.length; r++) out.set(points.subarray(indices[r]! * d, indices[r]! * d + d), r * d)
  return out
}
