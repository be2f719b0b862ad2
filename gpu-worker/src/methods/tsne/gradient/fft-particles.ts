/**
 * @module methods/tsne/gradient/fft-particles — what the 2D and 3D FFT repulsions share besides their grids:
 * the particle buffers (the points sorted by near-field cell, their near-field sums), the plan of each call
 * (chosen by rank 0 in a shared header every rank reads: grid size, spacing, origin, cut-off), the geometry
 * derived from it, a point's box and Lagrange weights, the key under which the kernel's transform is kept
 * between calls, and the passes each dimension supplies to the shared SPMD driver (fft-repulsion.ts).
 */
import { createWorkCounters, type SpmdContext } from '../../../compute/barrier.ts'
import type { FftTables } from './fft-core.ts'
import type { SplitKernel } from './split-kernel.ts'
import { lagrangeWeights } from './lagrange.ts'
import { planGrid, type FftSettings } from './grid-plan.ts'
import { cellIndex, nextPlan, sortByCell } from './replan.ts'

/** The shared buffers of either dimension's workspace, besides the grids. */
export interface ParticleWorkspace {
  dims: 2 | 3
  settings: FftSettings
  /** [grid size L, node spacing, dof, cut-off] the kernel was transformed for */
  kernelKey: Float64Array
  /** The current plan, written by rank 0 (see PLAN_*). */
  plan: Float64Array
  /** Point indices sorted by near-field cell (one node spacing wide, x fastest), and their coordinates in that order. */
  order: Int32Array
  sorted: Float64Array
  /** Start of each cell in `order`, length nodes^dims + 1 (also the planner's histogram scratch). */
  cellStart: Int32Array
  /** Cell index of every point (scratch for the counting sort). */
  cellOf: Int32Array
  /** Dynamic scheduling: [gather, near-field even bands, odd bands] (reset by rank 0 while planning). */
  work: Int32Array
  /** Near-field sums per sorted position [force_0 .. force_dims-1, z], zeroed again as the gather reads them. */
  near: Float64Array
  /** [L of the grids' dirty region, 0 when clean] */
  dirty: Int32Array
}

const PLAN_SIZE = 0
const PLAN_BOXES = 1
const PLAN_SPACING = 2
const PLAN_CUTOFF = 3
/** Size L of the grids left dirty by the last call (0: the grids are all zero). */
const PLAN_DIRTY = 4
/** Calls so far (the grid choice is revisited every REPLAN_EVERY calls). */
const PLAN_CALLS = 5
/** The node grid's lower corner, one coordinate per dimension. */
const PLAN_ORIGIN = 6

/** nodes^dims, in integer arithmetic. */
function cellCount(nodes: number, dims: number): number {
  return dims === 3 ? nodes * nodes * nodes : nodes * nodes
}

export function createParticles(n: number, dims: 2 | 3, settings: FftSettings): ParticleWorkspace {
  const maxNodes = Math.floor(settings.maxGrid / 2 / settings.interpolationPoints) * settings.interpolationPoints
  return {
    dims,
    settings,
    kernelKey: new Float64Array(new SharedArrayBuffer(4 * 8)),
    plan: new Float64Array(new SharedArrayBuffer((PLAN_ORIGIN + dims) * 8)),
    order: new Int32Array(new SharedArrayBuffer(n * 4)),
    sorted: new Float64Array(new SharedArrayBuffer(n * dims * 8)),
    cellStart: new Int32Array(new SharedArrayBuffer((cellCount(maxNodes, dims) + 1) * 4)),
    cellOf: new Int32Array(new SharedArrayBuffer(n * 4)),
    work: createWorkCounters(3),
    near: new Float64Array(new SharedArrayBuffer(n * (dims + 1) * 8)),
    dirty: new Int32Array(new SharedArrayBuffer(4)),
  }
}

/**
 * One rank, before the repulsion runs on every rank (with a barrier in between): plans the grid for the
 * current bounds [min_0, max_0, ...] and sorts the points by cell, copying their coordinates.
 */
export function planRepulsion(y: Float64Array, n: number, dof: number, bounds: ArrayLike<number>, ws: ParticleWorkspace): void {
  const { dims, plan: header, order, sorted, cellStart, cellOf } = ws
  const calls = header[PLAN_CALLS]!
  header[PLAN_CALLS] = calls + 1
  const plan = nextPlan(calls, { size: header[PLAN_SIZE]!, cutoff: header[PLAN_CUTOFF]! }, ws.settings, (settings, compare) => planGrid(y, n, dims, bounds, settings, dof, cellStart, compare))
  const { nodes, spacing, origin } = plan
  const last = nodes - 1
  if (dims === 3) {
    for (let i = 0; i < n; i++) {
      const cx = cellIndex(y[3 * i]!, origin[0]!, spacing, last)
      const cy = cellIndex(y[3 * i + 1]!, origin[1]!, spacing, last)
      const cz = cellIndex(y[3 * i + 2]!, origin[2]!, spacing, last)
      cellOf[i] = (cz * nodes + cy) * nodes + cx
    }
  } else {
    for (let i = 0; i < n; i++) cellOf[i] = cellIndex(y[2 * i + 1]!, origin[1]!, spacing, last) * nodes + cellIndex(y[2 * i]!, origin[0]!, spacing, last)
  }
  sortByCell(y, n, dims, cellCount(nodes, dims), cellOf, cellStart, order, sorted)
  header[PLAN_DIRTY] = ws.dirty[0]!
  ws.dirty[0] = plan.size
  header[PLAN_SIZE] = plan.size
  header[PLAN_BOXES] = plan.boxes
  header[PLAN_SPACING] = spacing
  header[PLAN_CUTOFF] = plan.cutoff
  for (let c = 0; c < dims; c++) header[PLAN_ORIGIN + c] = origin[c]!
  ws.work.fill(0)
}

/** The grid size of the current plan (0 before the first). */
export function plannedSize(ws: ParticleWorkspace): number {
  return ws.plan[PLAN_SIZE]!
}

/** The grid size the previous call left dirty (0 when it was cleared). */
export function dirtySize(ws: ParticleWorkspace): number {
  return ws.plan[PLAN_DIRTY]!
}

/** Marks the grids clean (rank 0, after every rank has cleared its share and met the others). */
export function markClean(ws: ParticleWorkspace): void {
  ws.dirty[0] = 0
}

/**
 * The current plan as every pass reads it; one shape for both dimensions (2D has z = 0), so the shared
 * helpers see a single object layout. `rows` and `planes` are the grid's strides.
 */
export interface Geometry {
  L: number
  rows: number
  planes: number
  boxes: number
  nodes: number
  p: number
  spacing: number
  boxWidth: number
  originX: number
  originY: number
  originZ: number
  centreX: number
  centreY: number
  centreZ: number
  cutoff: number
  dof: number
}

export function geometryOf(ws: ParticleWorkspace, dof: number, strides: (L: number) => [rows: number, planes: number]): Geometry {
  const plan = ws.plan
  const p = ws.settings.interpolationPoints
  const L = plan[PLAN_SIZE]!
  const boxes = plan[PLAN_BOXES]!
  const spacing = plan[PLAN_SPACING]!
  const nodes = boxes * p
  const half = (nodes * spacing) / 2
  const [rows, planes] = strides(L)
  const originX = plan[PLAN_ORIGIN]!
  const originY = plan[PLAN_ORIGIN + 1]!
  const originZ = ws.dims === 3 ? plan[PLAN_ORIGIN + 2]! : 0
  return {
    L,
    rows,
    planes,
    boxes,
    nodes,
    p,
    spacing,
    boxWidth: spacing * p,
    originX,
    originY,
    originZ,
    centreX: originX + half,
    centreY: originY + half,
    centreZ: ws.dims === 3 ? originZ + half : 0,
    cutoff: plan[PLAN_CUTOFF]!,
    dof,
  }
}

/**
 * Box of a point along one axis, from its cell (so a point's box always agrees with the cell row or slab it
 * was sorted into), and its Lagrange weights there.
 */
export function boxAndWeights(v: number, origin: number, g: Geometry, denominators: Float64Array, out: Float64Array): number {
  const box = Math.floor(cellIndex(v, origin, g.spacing, g.nodes - 1) / g.p)
  lagrangeWeights((v - origin) / g.boxWidth - box, g.p, denominators, out)
  return box
}

/** Whether the kernel's transform in the workspace is the one for this plan (grid size, spacing, dof, cut-off). */
export function kernelCurrent(ws: ParticleWorkspace, g: Geometry): boolean {
  const key = ws.kernelKey
  return key[0] === g.L && key[1] === g.spacing && key[2] === g.dof && key[3] === g.cutoff
}

/** Records the plan the kernel was just transformed for (rank 0, after the transform's last barrier). */
export function recordKernel(ws: ParticleWorkspace, g: Geometry): void {
  ws.kernelKey[0] = g.L
  ws.kernelKey[1] = g.spacing
  ws.kernelKey[2] = g.dof
  ws.kernelKey[3] = g.cutoff
}

/**
 * One dimension's side of the repulsion, in the order the driver calls it (fft-repulsion.ts): its grid passes
 * (whole grids, split over ranks by rows or planes) and its point passes (per-dimension hot loops, kept apart
 * so each stays monomorphic and specialised).
 */
export interface GridPasses<W extends ParticleWorkspace> {
  /** Row and plane strides of a size-L grid. */
  strides(L: number): [rows: number, planes: number]
  /** SPMD: the far kernel's transform for this plan (the driver records its key afterwards). */
  transformKernel(ws: W, g: Geometry, kernel: SplitKernel, tables: FftTables, ctx: SpmdContext): void
  /** This rank's share of the size-L grids, zeroed. */
  zeroGrids(ws: W, L: number, rank: number, threads: number): void
  /** Charges of sorted points [from, to) onto the nodes (a rank's points own disjoint node rows / planes). */
  spread(ws: W, g: Geometry, from: number, to: number): void
  /** The near field of one band of cell layers (rows in 2D, planes in 3D) `bandLayers` thick. */
  near(ws: W, g: Geometry, kernel: SplitKernel, band: number, bandLayers: number): void
  /** This rank's share of the forward transforms after the spread. */
  forward(ws: W, g: Geometry, tables: FftTables, rank: number, threads: number): void
  /** This rank's share of the transforms along the last axis, the product with the kernel and their inverse. */
  convolve(ws: W, g: Geometry, tables: FftTables, rank: number, threads: number): void
  /** This rank's share of the inverse transforms back to potentials on the nodes. */
  inverse(ws: W, g: Geometry, tables: FftTables, rank: number, threads: number): void
  /** Forces and Z terms of sorted positions [start, end), far field plus near field, in point order. */
  gather(ws: W, g: Geometry, start: number, end: number, forces: Float64Array, pointZ: Float64Array): void
}
