/**
 * @module The checks that tell a reader when a finished map may mislead: perplexity close to the limit
 * for N, many exact duplicate points, mostly constant columns, one label holding almost every point, a KL
 * divergence still falling fast at the end, a subsample standing in for the whole. Each warning's message
 * says what it means for reading the map and what to change; the thresholds are in WARNING_THRESHOLDS.
 */
import type { MapWarning } from '@constellate/shared'

export const WARNING_THRESHOLDS = {
  /** Neighbours per point (3 x perplexity) above this share of the other points. */
  neighbourhoodShare: 0.5,
  /** Points that copy an earlier point, as a share of all points. */
  duplicateShare: 0.01,
  /** Columns constant over every point, as a share of all columns. */
  constantColumnShare: 0.5,
  /** Points of the most frequent label, as a share of all points. */
  dominantClassShare: 0.9,
  /** Relative KL decrease over the last 50 main-phase iterations. */
  klDropPer50: 0.02,
  /** Main-phase iterations below which a map cannot have converged. */
  minMainIterations: 100,
} as const

const percent = (share: number) => `${(100 * share).toFixed(share < 0.1 ? 1 : 0)}%`
const count = (value: number) => value.toLocaleString('en-US')

/** Perplexity so large that every point's neighbourhood spans much of the data. */
export function perplexityWarning(perplexity: number, n: number): MapWarning | null {
  const neighbours = Math.min(n - 1, Math.floor(3 * perplexity))
  const share = neighbours / Math.max(1, n - 1)
  if (share <= WARNING_THRESHOLDS.neighbourhoodShare) return null
  const suggested = Math.max(1, Math.floor((n - 1) / 6))
  return {
    code: 'perplexity_near_limit',
    message:
      `Perplexity ${perplexity} gives each point ${count(neighbours)} neighbours, ${percent(share)} of the other ${count(n - 1)} points, ` +
      `so the map reflects mostly global structure: small clusters may merge and distances between groups mean little. ` +
      `Lower the perplexity (at most ${suggested} keeps neighbourhoods under half the points) or map more points.`,
    numbers: { perplexity, neighbours, points: n, share },
  }
}

/**
 * How many rows (row-major n x d) repeat an earlier row exactly (-0 equals 0), by open addressing on a
 * hash of each row's float32 bits: O(n d) time, one Int32Array of about 2n slots.
 */
export function countDuplicateRows(points: Float32Array, n: number, d: number): number {
  const bits = new Int32Array(points.buffer, points.byteOffset, n * d)
  const size = 2 ** Math.ceil(Math.log2(Math.max(2, 2 * n)))
  const slots = new Int32Array(size).fill(-1)
  const rowHash = (i: number) => {
    let h = 0x811c9dc5
    for (let j = 0; j < d; j++) {
      // +0 and -0 compare equal: hash them alike
      const b = points[i * d + j] === 0 ? 0 : bits[i * d + j]!
      h = Math.imul(h ^ b, 0x01000193)
      h ^= h >>> 15
    }
    return h >>> 0
  }
  const sameRow = (a: number, b: number) => {
    for (let j = 0; j < d; j++) if (points[a * d + j] !== points[b * d + j]) return false
    return true
  }
  let duplicates = 0
  for (let i = 0; i < n; i++) {
    let slot = rowHash(i) & (size - 1)
    for (;;) {
      const other = slots[slot]!
      if (other < 0) {
        slots[slot] = i
        break
      }
      if (sameRow(i, other)) {
        duplicates++
        break
      }
      slot = (slot + 1) & (size - 1)
    }
  }
  return duplicates
}

export function duplicateWarning(points: Float32Array, n: number, d: number): MapWarning | null {
  const duplicates = countDuplicateRows(points, n, d)
  const share = duplicates / n
  if (share < WARNING_THRESHOLDS.duplicateShare || duplicates < 2) return null
  return {
    code: 'duplicate_points',
    message:
      `${count(duplicates)} points (${percent(share)}) are exact copies of another point. Copies land on the same spot, so a dot ` +
      `can hide many points and dense regions look emptier than they are; they also tighten their neighbours' clusters. ` +
      `Remove duplicate rows before uploading, or keep them knowingly (e.g. repeated samples).`,
    numbers: { duplicates, points: n, share },
  }
}

/** Columns (of row-major n x d) whose value is the same for every point. O(n d). */
export function countConstantColumns(points: Float32Array, n: number, d: number): number {
  const varies = new Uint8Array(d)
  for (let i = 1; i < n; i++) {
    const row = i * d
    for (let j = 0; j < d; j++) if (points[row + j] !== points[j]) varies[j] = 1
  }
  let constant = 0
  for (let j = 0; j < d; j++) if (!varies[j]) constant++
  return constant
}

export function constantColumnsWarning(points: Float32Array, n: number, d: number): MapWarning | null {
  const constant = countConstantColumns(points, n, d)
  const share = constant / d
  if (share < WARNING_THRESHOLDS.constantColumnShare) return null
  const varying = d - constant
  return {
    code: 'constant_columns',
    message:
      `${count(constant)} of ${count(d)} feature columns hold the same value for every point (dead units, padding or an export bug?), ` +
      `so the map is drawn from the other ${count(varying)} alone. Check that these are the features you meant to map, e.g. the right layer.`,
    numbers: { constantColumns: constant, columns: d, share },
  }
}

export function dominantClassWarning(labels: { classes: string[]; codes: Int32Array } | undefined): MapWarning | null {
  if (!labels || labels.classes.length < 2) return null
  const counts = new Float64Array(labels.classes.length)
  for (const code of labels.codes) if (code >= 0) counts[code]!++
  let top = 0
  for (let c = 1; c < counts.length; c++) if (counts[c]! > counts[top]!) top = c
  const n = labels.codes.length
  const share = counts[top]! / n
  if (share < WARNING_THRESHOLDS.dominantClassShare) return null
  return {
    code: 'dominant_class',
    message:
      `Label "${labels.classes[top]}" holds ${count(counts[top]!)} of ${count(n)} points (${percent(share)}): the other labels are few, ` +
      `so their clusters are small and the quality numbers per label rest on few points. ` +
      `For a balanced view, subsample stratified by label (params.subsample {"method": "stratified", "perLabel": ...}).`,
    numbers: { points: n, dominant: counts[top]!, share, classes: labels.classes.length },
  }
}

/** One KL value the optimiser reported after `iteration` (main-phase values only are compared). */
export interface KlPoint {
  iteration: number
  kl: number
}

/**
 * Whether the optimisation stopped while the map was still changing: fewer than minMainIterations after
 * early exaggeration, or a KL divergence that fell by more than klDropPer50 (relative, per 50 iterations)
 * between the last two reports of the main phase.
 */
export function convergenceWarning(history: KlPoint[], iterations: number, earlyIterations: number): MapWarning | null {
  const mainIterations = iterations - earlyIterations
  if (mainIterations < WARNING_THRESHOLDS.minMainIterations) {
    return {
      code: 'not_converged',
      message:
        `The optimisation stopped ${Math.max(0, mainIterations)} iterations after early exaggeration, too soon for the map to settle: ` +
        `clusters are still contracting and their sizes and distances are not final. Run more iterations (e.g. ${earlyIterations + 500}).`,
      numbers: { iterations, mainIterations },
    }
  }
  const main = history.filter((p) => p.iteration > earlyIterations)
  if (main.length < 2) return null
  const last = main[main.length - 1]!
  const before = main[main.length - 2]!
  const dropPer50 = ((before.kl - last.kl) / last.kl) * (50 / (last.iteration - before.iteration))
  if (!(dropPer50 > WARNING_THRESHOLDS.klDropPer50)) return null
  return {
    code: 'not_converged',
    message:
      `The KL divergence was still falling ${percent(dropPer50)} per 50 iterations when the optimisation stopped at iteration ${count(last.iteration)}: ` +
      `the map had not settled, so cluster shapes and gaps may still change. Run more iterations (e.g. ${count(Math.ceil((iterations * 1.5) / 50) * 50)}).`,
    numbers: { iterations, kl: last.kl, dropPer50 },
  }
}

export function subsampleWarning(record: { method: string; nBefore: number; nAfter: number; seed: number } | null): MapWarning | null {
  if (!record || record.nAfter >= record.nBefore) return null
  const share = record.nAfter / record.nBefore
  return {
    code: 'subsampled',
    message:
      `This map shows ${count(record.nAfter)} of ${count(record.nBefore)} points (${percent(share)}, ${record.method} sample, seed ${record.seed}). ` +
      `Groups rarer than about 1 in ${count(Math.max(1, Math.round(1 / share)))} points may be missing and densities are the sample's; ` +
      `map all points before drawing conclusions about small groups.`,
    numbers: { points: record.nAfter, uploaded: record.nBefore, share },
  }
}

/** The warnings that the input alone decides (everything but convergence), in a fixed order. */
export function inputWarnings(input: {
  points: Float32Array
  n: number
  d: number
  perplexity: number
  labels?: { classes: string[]; codes: Int32Array }
  subsample?: { method: string; nBefore: number; nAfter: number; seed: number } | null
}): MapWarning[] {
  const { points, n, d } = input
  return [
    perplexityWarning(input.perplexity, n),
    duplicateWarning(points, n, d),
    constantColumnsWarning(points, n, d),
    dominantClassWarning(input.labels),
    subsampleWarning(input.subsample ?? null),
  ].filter((w): w is MapWarning => w !== null)
}
