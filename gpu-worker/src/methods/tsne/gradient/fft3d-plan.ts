/**
 * @module methods/tsne/gradient/fft3d-plan — chooses the interpolation grid for the 3D FFT repulsion: an
 * unsplit grid fine enough for the kernel when the map is small, otherwise the power-of-two grid
 * size (L^3 nodes) and kernel split with the lowest estimated cost, FFT work (L^3 log2 L) against
 * near-field pairs estimated from a histogram of the points in cells as wide as the cut-off
 * (27-cell neighbourhoods).
 */
import { fftSizes } from './fft-core.ts'
import type { FftSettings } from './fft-plan.ts'

/** Accuracy and cost knobs of the 3D grid: those of the 2D one (pairCost against one L^3 log2 L unit of FFT work). */
export type Fft3dSettings = FftSettings

export const FFT3D_DEFAULTS: Fft3dSettings = { interpolationPoints: 3, maxNodeSpacing: 0.35, cutoffSpacings: 2, minGrid: 16, maxGrid: 128, pairCost: 0.17 }

export interface Grid3dPlan {
  size: number
  boxes: number
  nodes: number
  spacing: number
  boxWidth: number
  /** Lower corner of the node grid, [x, y, z]. */
  origin: [number, number, number]
  /** Cut-off radius of the near field (0: no split). */
  cutoff: number
}

/** Node spacing rounded up to a 2^(1/8) ladder so the kernel transform is reused between iterations. */
export function ladder(spacing: number): number {
  return 2 ** (Math.ceil(8 * Math.log2(spacing)) / 8)
}

function layout(size: number, spacing: number, bounds: ArrayLike<number>, p: number, cutoff: number): Grid3dPlan {
  const boxes = Math.floor(size / 2 / p)
  const nodes = boxes * p
  const half = (nodes * spacing) / 2
  const origin: [number, number, number] = [0, 0, 0]
  for (let c = 0; c < 3; c++) origin[c] = (bounds[2 * c]! + bounds[2 * c + 1]!) / 2 - half
  return { size, boxes, nodes, spacing, boxWidth: spacing * p, origin, cutoff }
}

/**
 * Near-field candidate pairs for cubic cells of width `width` over the points: the sum over cells of
 * count * (count of the 3 x 3 x 3 neighbourhood). O(n + cells); Infinity when the cells do not fit
 * in `counts`.
 */
function candidatePairs(y: Float64Array, n: number, bounds: ArrayLike<number>, width: number, counts: Int32Array): number {
  const cx = Math.floor((bounds[1]! - bounds[0]!) / width) + 1
  const cy = Math.floor((bounds[3]! - bounds[2]!) / width) + 1
  const cz = Math.floor((bounds[5]! - bounds[4]!) / width) + 1
  if (cx * cy * cz > counts.length) return Infinity
  counts.fill(0, 0, cx * cy * cz)
  for (let i = 0; i < n; i++) {
    const x = Math.min(cx - 1, Math.floor((y[3 * i]! - bounds[0]!) / width))
    const yy = Math.min(cy - 1, Math.floor((y[3 * i + 1]! - bounds[2]!) / width))
    const z = Math.min(cz - 1, Math.floor((y[3 * i + 2]! - bounds[4]!) / width))
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
 * Chooses the grid for the current bounds [minX, maxX, minY, maxY, minZ, maxZ]: the cheapest of an
 * unsplit grid fine enough for the kernel and split grids of each power-of-two size. Deterministic
 * in y, so every thread count picks the same plan. `compare` = false skips the pair count (the
 * size range is then a single size).
 */
export function planGrid3d(y: Float64Array, n: number, bounds: ArrayLike<number>, settings: Fft3dSettings, dof: number, counts: Int32Array, compare = true): Grid3dPlan {
  const p = settings.interpolationPoints
  const cutoffSpacings = settings.cutoffSpacings
  const extent = Math.max(bounds[1]! - bounds[0]!, bounds[3]! - bounds[2]!, bounds[5]! - bounds[4]!) * (1 + 1e-6) + 1e-9
  const fine = settings.maxNodeSpacing * Math.min(1, Math.sqrt(dof))
  let best: Grid3dPlan | undefined
  let bestCost = Infinity
  for (const size of fftSizes(settings.minGrid, settings.maxGrid)) {
    const nodes = Math.floor(size / 2 / p) * p
    const spacing = ladder(extent / nodes)
    const gridCost = size * size * size * Math.log2(size)
    if (gridCost >= bestCost) break
    if (spacing <= fine || (cutoffSpacings <= 0 && size === settings.maxGrid)) {
      best = layout(size, spacing, bounds, p, 0)
      break
    }
    if (cutoffSpacings <= 0) continue
    const cutoff = spacing * cutoffSpacings
    const cost = compare ? gridCost + settings.pairCost * candidatePairs(y, n, bounds, cutoff, counts) : gridCost
    if (cost < bestCost) {
      best = layout(size, spacing, bounds, p, cutoff)
      bestCost = cost
    }
  }
  if (best) return best
  const spacing = ladder(extent / (Math.floor(settings.maxGrid / 2 / p) * p))
  return layout(settings.maxGrid, spacing, bounds, p, spacing * cutoffSpacings)
}
