/**
 * @module methods/tsne/gradient/replan — what the 2D and 3D FFT repulsions (and the tfjs grid) share between
 * calls: when to choose the grid afresh (every REPLAN_EVERY calls; in between the grid size is kept and only
 * its spacing refitted to the map's bounds), which near-field cell a coordinate falls in, the stable sort of
 * the points by cell, and the order in which near-field bands are handed out.
 */

/** The grid size and split are re-chosen every this many calls (the map changes slowly). */
export const REPLAN_EVERY = 8

interface GridLimits {
  minGrid: number
  maxGrid: number
  maxNodeSpacing: number
}

/**
 * The plan for call number `calls` (0-based), given the last plan's grid size and near-field cut-off.
 * `plan(settings, compare)` is the planner (grid-plan.ts) for the map's dimension.
 */
export function nextPlan<S extends GridLimits, P extends { cutoff: number }>(
  calls: number,
  last: { size: number; cutoff: number },
  settings: S,
  plan: (settings: S, compare?: boolean) => P,
): P {
  if (calls % REPLAN_EVERY === 0) return plan(settings)
  // same grid size as last time, spacing refitted to the bounds
  const kept = { ...settings, minGrid: last.size, maxGrid: last.size }
  if (last.cutoff > 0) kept.maxNodeSpacing = 0
  const refitted = plan(kept, false)
  // an unsplit grid the growing map outgrew would turn into a split one of the same (small) size, whose near
  // field covers most of a dense map (seconds per call): choose afresh instead
  return (refitted.cutoff > 0) !== (last.cutoff > 0) ? plan(settings) : refitted
}

/** Near-field cell (one node spacing wide from `origin`) of coordinate v along one axis. */
export function cellIndex(v: number, origin: number, spacing: number, last: number): number {
  return Math.min(last, Math.max(0, Math.floor((v - origin) / spacing)))
}

/**
 * Near-field bands (of `bandLayers` cell rows in 2D, cell planes in 3D; `layerCells` cells a layer) split
 * by parity, each list heaviest first (by points, ties by index), so that the dynamic claims finish
 * together. Bands of one parity write disjoint sums, so their order does not change a bit.
 */
export function bandsByLoad(cellStart: Int32Array, layers: number, layerCells: number, bandLayers: number): [Int32Array, Int32Array] {
  const bands = bandLayers > 0 ? Math.ceil(layers / bandLayers) : 0
  const load = (band: number) => cellStart[Math.min(layers, (band + 1) * bandLayers) * layerCells]! - cellStart[band * bandLayers * layerCells]!
  const parity = (first: number) => {
    const list = Array.from({ length: Math.max(0, Math.ceil((bands - first) / 2)) }, (_, k) => first + 2 * k)
    list.sort((a, b) => load(b) - load(a) || a - b)
    return Int32Array.from(list)
  }
  return [parity(0), parity(1)]
}

/**
 * Counting sort of the points by cell, stable in the point index: given each point's cell in `cellOf`,
 * fills `order` (sorted position -> point), `sorted` (its `dims` coordinates in that order) and
 * `cellStart` (first sorted position of each of the `cells` cells, length cells + 1).
 */
export function sortByCell(y: Float64Array, n: number, dims: number, cells: number, cellOf: Int32Array, cellStart: Int32Array, order: Int32Array, sorted: Float64Array): void {
  cellStart.fill(0, 0, cells + 1)
  for (let i = 0; i < n; i++) cellStart[cellOf[i]! + 1]!++
  for (let c = 0; c < cells; c++) cellStart[c + 1]! += cellStart[c]!
  for (let i = 0; i < n; i++) {
    const at = cellStart[cellOf[i]!]!++
    order[at] = i
    for (let k = 0; k < dims; k++) sorted[dims * at + k] = y[dims * i + k]!
  }
  for (let c = cells; c > 0; c--) cellStart[c] = cellStart[c - 1]!
  cellStart[0] = 0
}
