/**
 * @module methods/tsne/gradient/grid-plan — chooses the interpolation grid of the FFT repulsion, in 2D and
 * 3D alike: an unsplit grid fine enough for the kernel when the map is small, otherwise the grid size
 * (2^a or 3 * 2^a per side) and kernel split (cut-off radius in node spacings) with the lowest estimated
 * cost, FFT work (L^dims log2 L) against near-field pairs counted from a histogram of the points.
 */
import { fftSizes } from './fft-core.ts'

/** Accuracy and cost knobs. */
export interface FftSettings {
  /** Lagrange nodes per box side. */
  interpolationPoints: number
  /** Largest node spacing of the unsplit grid (FIt-SNE: 1/3). */
  maxNodeSpacing: number
  /** Cut-off radius of the split in node spacings (0 disables the split). */
  cutoffSpacings: number
  minGrid: number
  maxGrid: number
  /** Relative cost of one near-field pair against one grid cell-level of the FFT (L^2 log2 L; L^3 log2 L in 3D). */
  pairCost: number
}

export const FFT_DEFAULTS: FftSettings = { interpolationPoints: 3, maxNodeSpacing: 0.35, cutoffSpacings: 3, minGrid: 32, maxGrid: 1024, pairCost: 0.4 }

/** The 3D grid's knobs: a narrower cut-off, smaller grids, and pairs cheaper against L^3 log2 L. */
export const FFT3D_DEFAULTS: FftSettings = { interpolationPoints: 3, maxNodeSpacing: 0.35, cutoffSpacings: 2, minGrid: 16, maxGrid: 128, pairCost: 0.17 }

export interface GridPlan {
  size: number
  boxes: number
  nodes: number
  spacing: number
  boxWidth: number
  /** Lower corner of the node grid, one coordinate per dimension. */
  origin: number[]
  /** Cut-off radius of the near field (0: no split). */
  cutoff: number
}

/** Node spacing rounded up to a 2^(1/8) ladder so the kernel transform is reused between iterations. */
export function ladder(spacing: number): number {
  return 2 ** (Math.ceil(8 * Math.log2(spacing)) / 8)
}

function layout(size: number, spacing: number, dims: number, bounds: ArrayLike<number>, p: number, cutoff: number): GridPlan {
  const boxes = Math.floor(size / 2 / p)
  const nodes = boxes * p
  const half = (nodes * spacing) / 2
  const origin: number[] = []
  for (let c = 0; c < dims; c++) origin.push((bounds[2 * c]! + bounds[2 * c + 1]!) / 2 - half)
  return { size, boxes, nodes, spacing, boxWidth: spacing * p, origin, cutoff }
}

/**
 * Near-field candidate pairs for square (cubic) cells of width `width` over the points: the sum over cells of
 * count * (count of the 3 x 3 (x 3) neighbourhood); a 2D map is one plane of cells. O(n + cells); Infinity
 * when the cells do not fit in `counts`.
 */
function candidatePairs(y: Float64Array, n: number, dims: number, bounds: ArrayLike<number>, width: number, counts: Int32Array): number {
  const cx = Math.floor((bounds[1]! - bounds[0]!) / width) + 1
  const cy = Math.floor((bounds[3]! - bounds[2]!) / width) + 1
  const cz = dims === 3 ? Math.floor((bounds[5]! - bounds[4]!) / width) + 1 : 1
  if (cx * cy * cz > counts.length) return Infinity
  counts.fill(0, 0, cx * cy * cz)
  for (let i = 0; i < n; i++) {
    const x = Math.min(cx - 1, Math.floor((y[dims * i]! - bounds[0]!) / width))
    const yy = Math.min(cy - 1, Math.floor((y[dims * i + 1]! - bounds[2]!) / width))
    const z = dims === 3 ? Math.min(cz - 1, Math.floor((y[3 * i + 2]! - bounds[4]!) / width)) : 0
    counts[(z * cy + yy) * cx + x]!++
  }
  let pairs = 0
  for (let z = 0; z < cz; z++) {
    for (let yy = 0; yy < cy; yy++) {
      for (let x = 0; x < cx; x++) {
        const count = counts[(z * cy + yy) * cx + x]!
        if (count === 0) continue
        let around = 0
        for (let nz = Math.max(0, z - 1); nz <= Math.min(cz - 1, z + 1); nz++) {
          for (let ny = Math.max(0, yy - 1); ny <= Math.min(cy - 1, yy + 1); ny++) {
            for (let nx = Math.max(0, x - 1); nx <= Math.min(cx - 1, x + 1); nx++) around += counts[(nz * cy + ny) * cx + nx]!
          }
        }
        pairs += count * around
      }
    }
  }
  return pairs
}

/**
 * Chooses the grid for the current bounds [min_0, max_0, min_1, max_1, ...]: the cheapest of an unsplit grid
 * fine enough for the kernel and split grids of each size (cost = L^dims log2 L + pairCost * near pairs).
 * Deterministic in y, so every thread count picks the same plan. `compare` = false skips the pair count
 * (the size range is then a single size).
 */
export function planGrid(y: Float64Array, n: number, dims: 2 | 3, bounds: ArrayLike<number>, settings: FftSettings, dof: number, counts: Int32Array, compare = true): GridPlan {
  const p = settings.interpolationPoints
  let width = 0
  for (let c = 0; c < dims; c++) width = Math.max(width, bounds[2 * c + 1]! - bounds[2 * c]!)
  const extent = width * (1 + 1e-6) + 1e-9
  // heavier tails (dof < 1) make the kernel narrower by sqrt(dof): refine the grid to match
  const fine = settings.maxNodeSpacing * Math.min(1, Math.sqrt(dof))
  let best: GridPlan | undefined
  let bestCost = Infinity
  for (const size of fftSizes(settings.minGrid, settings.maxGrid)) {
    const nodes = Math.floor(size / 2 / p) * p
    const spacing = ladder(extent / nodes)
    let cells = size
    for (let c = 1; c < dims; c++) cells *= size
    const gridCost = cells * Math.log2(size)
    if (gridCost >= bestCost) break
    if (spacing <= fine || (settings.cutoffSpacings <= 0 && size === settings.maxGrid)) {
      best = layout(size, spacing, dims, bounds, p, 0)
      break
    }
    if (settings.cutoffSpacings <= 0) continue
    const cutoff = spacing * settings.cutoffSpacings
    // the pair costs were tuned on histograms of cells at least a box wide in 2D and a cut-off wide in 3D
    const cell = dims === 2 ? Math.max(cutoff, spacing * p) : cutoff
    const cost = compare ? gridCost + settings.pairCost * candidatePairs(y, n, dims, bounds, cell, counts) : gridCost
    if (cost < bestCost) {
      best = layout(size, spacing, dims, bounds, p, cutoff)
      bestCost = cost
    }
  }
  if (best) return best
  // nothing fits below maxGrid: the largest grid, split
  const spacing = ladder(extent / (Math.floor(settings.maxGrid / 2 / p) * p))
  return layout(settings.maxGrid, spacing, dims, bounds, p, spacing * settings.cutoffSpacings)
}
