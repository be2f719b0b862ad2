/**
 * @module backends/tfjs/grid-plan — the interpolation grid and kernel split of the tfjs repulsion, chosen by
 * the CPU engine's own rules: methods/tsne/gradient/grid-plan.ts picks an unsplit grid fine enough for the
 * kernel on small maps and otherwise the grid size and cut-off with the lowest estimated cost (grid work
 * against near-field pairs counted from a histogram of the points); replan.ts re-chooses every REPLAN_EVERY
 * calls and in between only refits the spacing to the bounds. Only the full choice needs the positions on
 * the host, so they are read (n x dims floats) once every REPLAN_EVERY iterations.
 */
import { planGrid, type FftSettings } from '../../methods/tsne/gradient/grid-plan.ts'
import { nextPlan } from '../../methods/tsne/gradient/replan.ts'

/** One call's grid, in the tfjs backend's terms. */
export interface GridPlan {
  /** FFT grid side M (2^a or 3 * 2^a). */
  m: number
  /** Boxes per side and nodes per side L = boxes * p (L <= M / 2). */
  boxes: number
  l: number
  /** Node spacing (map units), on a 2^(1/8) ladder so kernel spectra are reused between iterations. */
  h: number
  /** Lower corner of the node grid per dimension (map units). */
  origin: number[]
  /** Cut-off radius of the near field (map units; 0: no split, the grid carries the whole kernel). */
  cutoff: number
}

/** Chooses the grid call after call for one run (the CPU engine's replanning schedule). */
export class GridPlanner {
  private calls = 0
  private last = { size: 0, cutoff: 0 }
  /** Scratch for the planners' point histogram (cells beyond it count as too many pairs). */
  private readonly counts: Int32Array

  constructor(
    readonly dims: 2 | 3,
    readonly dof: number,
    readonly settings: FftSettings,
  ) {
    const maxNodes = Math.floor(settings.maxGrid / 2 / settings.interpolationPoints) * settings.interpolationPoints
    this.counts = new Int32Array(maxNodes ** dims + 1)
  }

  /**
   * The plan for this call, given the map's bounds [min_0, max_0, min_1, max_1, ...] and a reader of the
   * positions (row-major n x dims), called only when the grid is chosen afresh.
   */
  next(n: number, bounds: ArrayLike<number>, positions: () => Float64Array): GridPlan {
    let y: Float64Array | undefined
    const read = () => (y ??= positions())
    const chosen = nextPlan(this.calls++, this.last, this.settings, (settings, compare = true) => {
      // without the comparison the planners read the bounds alone
      const points = compare ? read() : new Float64Array(0)
      return planGrid(points, n, this.dims, bounds, settings, this.dof, this.counts, compare)
    })
    this.last = { size: chosen.size, cutoff: chosen.cutoff }
    return { m: chosen.size, boxes: chosen.boxes, l: chosen.nodes, h: chosen.spacing, origin: chosen.origin, cutoff: chosen.cutoff }
  }
}
