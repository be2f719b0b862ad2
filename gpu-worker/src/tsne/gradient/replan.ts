/**
 * @module What the 2D and 3D FFT repulsions share between calls: when to choose the grid afresh (every
 * REPLAN_EVERY calls; in between the grid size is kept and only its spacing refitted to the map's bounds),
 * and which near-field cell a coordinate falls in.
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
 * `plan(settings, compare)` is the dimension's planner (fft-plan.ts / fft3d-plan.ts).
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
