/**
 * @module methods/tsne/gradient/fft-plan — chooses the interpolation grid for the FFT repulsion: an unsplit
 * grid fine enough for the kernel when the map is small, otherwise the grid size (2^a or 3 * 2^a) and
 * kernel split (cut-off radius in node spacings) with the lowest estimated cost, FFT work
 * (L^2 log2 L) against near-field pairs counted from a box histogram of the points.
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

export interface GridPlan {
  size: number
  boxes: number
  nodes: number
  spacing: number
  boxWidth: number
  originX: number
  originY: number
  /** Cut-off radius of the near field (0: no split). */
  cutoff: number
}

/** Node spacing rounded up to a 2^(1/8) ladder so the kernel transform is reused between iterations. */
function ladder(spacing: number): number {
  return 2 ** (Math.ceil(8 * Math.log2(spacing)) / 8)
}

function layout(size: number, spacing: number, bounds: ArrayLike<number>, p: number, cutoff: number): GridPlan {
  const boxes = Math.floor(size / 2 / p)
  const nodes = boxes * p
  const half = (nodes * spacing) / 2
  return {
    size,
    boxes,
    nodes,
    spacing,
    boxWidth: spacing * p,
    originX: (bounds[0]! + bounds[1]!) / 2 - half,
    originY: (bounds[2]! + bounds[3]!) / 2 - half,
    cutoff,
  }
}

/**
 * Near-field candidate pairs for boxes of width `width` over the points: the sum over boxes of
 * count * (count of the 3 x 3 neighbourhood). O(n + boxes^2).
 */
function candidatePairs(y: Float64Array, n: number, bounds: ArrayLike<number>, width: number, counts: Int32Array): number {
  const cellsX = Math.floor((bounds[1]! - bounds[0]!) / width) + 1
  const cellsY = Math.floor((bounds[3]! - bounds[2]!) / width) + 1
  if (cellsX * cellsY > counts.length) return Infinity
  counts.fill(0, 0, cellsX * cellsY)
  for (let i = 0; i < n; i++) {
    const cx = Math.min(cellsX - 1, Math.floor((y[2 * i]! - bounds[0]!) / width))
    const cy = Math.min(cellsY - 1, Math.floor((y[2 * i + 1]! - bounds[2]!) / width))
    counts[cy * cellsX + cx]!++
  }
  let pairs = 0
  for (let cy = 0; cy < cellsY; cy++) {
    for (let cx = 0; cx < cellsX; cx++) {
      const count = counts[cy * cellsX + cx]!
      if (count === 0) continue
      let around = 0
      for (let ny = Math.max(0, cy - 1); ny <= Math.min(cellsY - 1, cy + 1); ny++) {
        for (let nx = Math.max(0, cx - 1); nx <= Math.min(cellsX - 1, cx + 1); nx++) around += counts[ny * cellsX + nx]!
      }
      pairs += count * around
    }
  }
  return pairs
}

/**
 * Chooses the grid for the current bounds: the cheapest of an unsplit grid fine enough for the
 * kernel and split grids of each power-of-two size (cost = L^2 log2 L + pairCost * near pairs).
 * Deterministic in y, so every thread count picks the same plan.
 */
export function planGrid(y: Float64Array, n: number, bounds: ArrayLike<number>, settings: FftSettings, dof: number, counts: Int32Array, compare = true): GridPlan {
  const p = settings.interpolationPoints
  const extent = Math.max(bounds[1]! - bounds[0]!, bounds[3]! - bounds[2]!) * (1 + 1e-6) + 1e-9
  // heavier tails (dof < 1) make the kernel narrower by sqrt(dof): refine the grid to match
  const fine = settings.maxNodeSpacing * Math.min(1, Math.sqrt(dof))
  let best: GridPlan | undefined
  let bestCost = Infinity
  for (const size of fftSizes(settings.minGrid, settings.maxGrid)) {
    const nodes = Math.floor(size / 2 / p) * p
    const spacing = ladder(extent / nodes)
    const gridCost = size * size * Math.log2(size)
    if (gridCost >= bestCost) break
    if (spacing <= fine || (settings.cutoffSpacings <= 0 && size === settings.maxGrid)) {
      best = layout(size, spacing, bounds, p, 0)
      break
    }
    if (settings.cutoffSpacings <= 0) continue
    const cutoff = spacing * settings.cutoffSpacings
    const boxWidth = spacing * p
    const cost = compare ? gridCost + settings.pairCost * candidatePairs(y, n, bounds, Math.max(cutoff, boxWidth), counts) : gridCost
    if (cost < bestCost) {
      best = layout(size, spacing, bounds, p, cutoff)
      bestCost = cost
    }
  }
  // nothing fits below maxGrid: the largest grid, split
  return best ?? layout(settings.maxGrid, ladder(extent / (Math.floor(settings.maxGrid / 2 / p) * p)), bounds, p, ladder(extent / (Math.floor(settings.maxGrid / 2 / p) * p)) * settings.cutoffSpacings)
}

