/**
 * @module methods/tsne/gradient/fft-repulsion — the FFT-interpolated repulsion (FIt-SNE with a particle-mesh /
 * particle-particle split), one SPMD driver for 2D and 3D: rank 0 plans the grid and sorts the points by cell
 * (fft-particles.ts, grid-plan.ts), then every rank spreads charges, transforms, convolves with the far
 * kernel, transforms back and gathers potentials, while the near field is summed band by band in between.
 * Each dimension supplies its passes (fft2d.ts, fft3d.ts: the per-point loops stay specialised per
 * dimension); the order of the passes and meetings, and so every sum's order, is fixed here and does not
 * depend on the thread count.
 */
import { claimChunk, rangeByPrefix, type SpmdContext } from '../../../compute/barrier.ts'
import { fftTables } from './fft-core.ts'
import { dirtySize, geometryOf, kernelCurrent, markClean, planRepulsion, plannedSize, recordKernel, type GridPasses, type ParticleWorkspace } from './fft-particles.ts'
import { GRID_2D } from './fft2d.ts'
import { createFftWorkspace, type FftWorkspace } from './fft2d-grid.ts'
import { GRID_3D } from './fft3d.ts'
import { createFft3dWorkspace, type Fft3dWorkspace } from './fft3d-grid.ts'
import { FFT_DEFAULTS, FFT3D_DEFAULTS, type FftSettings } from './grid-plan.ts'
import { bandsByLoad } from './replan.ts'
import { splitKernel } from './split-kernel.ts'

export { createFftWorkspace, createFft3dWorkspace, FFT_DEFAULTS, FFT3D_DEFAULTS, type FftSettings, type FftWorkspace, type Fft3dWorkspace }

/** Either dimension's workspace (createFftWorkspace: 2D, createFft3dWorkspace: 3D). */
export type InterpolationWorkspace = FftWorkspace | Fft3dWorkspace

/** Sorted points handed out per gather claim. */
const POINT_CHUNK = 256

/**
 * One rank, before fftRepulsion(..., planned = true) on every rank and with a barrier in between: plans the
 * grid for the current bounds [min_0, max_0, min_1, max_1, ...] and sorts the points by cell.
 */
export const planFftRepulsion: (y: Float64Array, n: number, dof: number, bounds: ArrayLike<number>, ws: InterpolationWorkspace) => void = planRepulsion

/**
 * SPMD: repulsion for all points with the outputs of exactRepulsion (forces row-major n x dims; pointZ sums
 * to the same Z, though a point's own entry is sum_j!=i w_ij only up to a symmetric rearrangement, see the
 * spreads). `bounds` = [min_0, max_0, ...] of y. Calls the barrier several times; the caller may clear the
 * grids with clearGrids after a barrier.
 */
export function fftRepulsion(
  y: Float64Array,
  n: number,
  dof: number,
  bounds: ArrayLike<number>,
  ws: InterpolationWorkspace,
  forces: Float64Array,
  pointZ: Float64Array,
  ctx: SpmdContext,
  /** planFftRepulsion has run (on one rank, then a barrier): lets the caller overlap it with other work */
  planned = false,
): void {
  if (ws.dims === 3) interpolate(GRID_3D, y, n, dof, bounds, ws, forces, pointZ, ctx, planned)
  else interpolate(GRID_2D, y, n, dof, bounds, ws, forces, pointZ, ctx, planned)
}

function interpolate<W extends ParticleWorkspace>(
  passes: GridPasses<W>,
  y: Float64Array,
  n: number,
  dof: number,
  bounds: ArrayLike<number>,
  ws: W,
  forces: Float64Array,
  pointZ: Float64Array,
  ctx: SpmdContext,
  planned: boolean,
): void {
  const { rank, size: threads, barrier } = ctx
  if (!planned) {
    if (rank === 0) planRepulsion(y, n, dof, bounds, ws)
    barrier()
  }
  const g = geometryOf(ws, dof, passes.strides)
  const { nodes, p, cutoff } = g
  const tables = fftTables(g.L)
  const kernel = splitKernel(cutoff, dof)
  if (!kernelCurrent(ws, g)) {
    passes.transformKernel(ws, g, kernel, tables, ctx)
    if (rank === 0) recordKernel(ws, g)
  }
  const dirty = dirtySize(ws)
  if (dirty !== 0) {
    // nobody called clearGrids after the last use
    passes.zeroGrids(ws, dirty, rank, threads)
    barrier()
  }
  // near field in bands of cell layers (rows in 2D, planes in 3D) at least `reach` layers thick: a band
  // writes only to itself and the band above, so the even bands run at once (beside the spread), then the
  // odd ones (beside the forward transforms); their dynamic claims even out the static shares
  const bandLayers = cutoff > 0 ? Math.max(1, Math.ceil(cutoff / g.spacing)) : 0
  const layerCells = ws.dims === 3 ? nodes * nodes : nodes
  const { cellStart } = ws
  const [evenBands, oddBands] = bandsByLoad(cellStart, nodes, layerCells, bandLayers)
  {
    // boxes along the last axis own disjoint node layers (a box is p cells wide); each rank takes about
    // n / threads points
    const boxCells = p * layerCells
    const [b0, b1] = rangeByPrefix(g.boxes, (b) => cellStart[b * boxCells]!, rank, threads)
    passes.spread(ws, g, cellStart[b0 * boxCells]!, cellStart[b1 * boxCells]!)
    for (let k = claimChunk(ws.work, 1, 1, evenBands.length); k >= 0; k = claimChunk(ws.work, 1, 1, evenBands.length)) passes.near(ws, g, kernel, evenBands[k]!, bandLayers)
  }
  barrier()
  passes.forward(ws, g, tables, rank, threads)
  for (let k = claimChunk(ws.work, 2, 1, oddBands.length); k >= 0; k = claimChunk(ws.work, 2, 1, oddBands.length)) passes.near(ws, g, kernel, oddBands[k]!, bandLayers)
  barrier()
  passes.convolve(ws, g, tables, rank, threads)
  barrier()
  passes.inverse(ws, g, tables, rank, threads)
  barrier()
  // interpolate the potentials back and add the near field, in cell order (grid reads stay local); chunks
  // are handed out dynamically because dense boxes cost more
  for (let start = claimChunk(ws.work, 0, POINT_CHUNK, n); start >= 0; start = claimChunk(ws.work, 0, POINT_CHUNK, n)) {
    passes.gather(ws, g, start, Math.min(n, start + POINT_CHUNK), forces, pointZ)
  }
}

/**
 * SPMD, after a barrier that follows fftRepulsion on every rank: zeroes this rank's share of the grids so
 * the next call can skip its own zeroing pass and barrier. Optional.
 */
export function clearGrids(ws: InterpolationWorkspace, ctx: SpmdContext): void {
  const L = plannedSize(ws)
  if (L > 0) {
    if (ws.dims === 3) GRID_3D.zeroGrids(ws, L, ctx.rank, ctx.size)
    else GRID_2D.zeroGrids(ws, L, ctx.rank, ctx.size)
  }
  // every rank has passed the caller's barrier, so rank 0 alone may mark the grids clean; nobody reads the
  // mark before the next call's planning barrier
  if (ctx.rank === 0) markClean(ws)
}
