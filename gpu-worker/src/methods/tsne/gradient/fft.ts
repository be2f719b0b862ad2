/**
 * @module methods/tsne/gradient/fft — FFT-accelerated interpolation for 2D repulsion (FIt-SNE, Linderman
 * et al. 2019) with a particle-particle / particle-mesh split. Charges [1, x, y] of every
 * point are spread onto p x p Lagrange nodes of its box on an equispaced grid, convolved by FFT
 * with the smooth far part of the squared Cauchy kernel (split-kernel.ts) and interpolated back;
 * the short-range remainder is summed exactly over the pairs within the cut-off, found through
 * cells one node spacing wide (rows of cells clipped to the cut-off circle), each pair once (see
 * nearBand). The split lets
 * the grid be several times coarser than FIt-SNE's at the same or better accuracy; for small maps
 * (early exaggeration) a fine grid with no split is cheaper and is chosen instead.
 * Per iteration O(n p^2 + L^2 log L + near pairs). Every sum has a fixed order, independent of the
 * thread count.
 */
import { claimChunk, createWorkCounters, rangeByPrefix, rangeOf, type SpmdContext } from '../../../compute/barrier.ts'
import { fftTables, forward, forwardColumns, forwardRows, inverse, inverseColumns, inverseRows, type FftTables } from './fft-core.ts'
import { packRows, spectrumOrder, unpackRows } from './fft-real.ts'
import { farKernel, nearFieldTerms, splitKernel, type SplitKernel } from './split-kernel.ts'
import { FFT_DEFAULTS, planGrid, type FftSettings, type GridPlan } from './fft-plan.ts'
import { bandsByLoad, cellIndex, nextPlan, sortByCell } from './replan.ts'

export { FFT_DEFAULTS, planGrid, type FftSettings, type GridPlan }

export interface FftWorkspace {
  settings: FftSettings
  aRe: Float64Array
  aIm: Float64Array
  /** The y charge, real: node rows 2r and 2r + 1 as the real and imaginary parts of row r (fft-real.ts). */
  bRe: Float64Array
  bIm: Float64Array
  /** Its spectra, L rows x (L/2 + 1) compact columns, and the kernel's transform in the same columns. */
  cRe: Float64Array
  cIm: Float64Array
  kernelCompact: Float64Array
  kernelHat: Float64Array
  /** [grid size L, node spacing, dof, cut-off] the kernel was transformed for */
  header: Float64Array
  /** The current plan, written by rank 0 (see PLAN_*). */
  plan: Float64Array
  /** Point indices sorted by cell (one node spacing wide, row-major), and their coordinates in that order. */
  order: Int32Array
  sorted: Float64Array
  /** Start of each cell in `order`, length nodes^2 + 1. */
  cellStart: Int32Array
  /** Cell index of every point (scratch for the counting sort). */
  cellOf: Int32Array
  /** Dynamic scheduling: [gather, near-field even bands, odd bands] (reset by rank 0 while planning). */
  work: Int32Array
  /** Near-field sums per sorted position [fx, fy, z], zeroed again as the gather reads them. */
  near: Float64Array
  /** [L of the grids' dirty region, 0 when clean] */
  dirty: Int32Array
}

const PLAN_SIZE = 0
const PLAN_BOXES = 1
const PLAN_SPACING = 2
const PLAN_ORIGIN_X = 3
const PLAN_ORIGIN_Y = 4
const PLAN_CUTOFF = 5
/** Size L of the grid left dirty by the last call (0: the grids are all zero). */
const PLAN_DIRTY = 6
/** Calls so far (the grid choice is revisited every REPLAN_EVERY calls). */
const PLAN_CALLS = 7

export function createFftWorkspace(n: number, settings: Partial<FftSettings> = {}): FftWorkspace {
  const s = { ...FFT_DEFAULTS, ...settings }
  const cells = s.maxGrid * s.maxGrid
  const grid = () => new Float64Array(new SharedArrayBuffer(cells * 8))
  const compact = () => new Float64Array(new SharedArrayBuffer(s.maxGrid * (s.maxGrid / 2 + 1) * 8))
  const maxNodes = Math.floor(s.maxGrid / 2 / s.interpolationPoints) * s.interpolationPoints
  return {
    settings: s,
    aRe: grid(),
    aIm: grid(),
    bRe: grid(),
    bIm: grid(),
    cRe: compact(),
    cIm: compact(),
    kernelCompact: compact(),
    kernelHat: grid(),
    header: new Float64Array(new SharedArrayBuffer(32)),
    plan: new Float64Array(new SharedArrayBuffer(8 * 8)),
    order: new Int32Array(new SharedArrayBuffer(n * 4)),
    sorted: new Float64Array(new SharedArrayBuffer(n * 2 * 8)),
    cellStart: new Int32Array(new SharedArrayBuffer((maxNodes * maxNodes + 1) * 4)),
    cellOf: new Int32Array(new SharedArrayBuffer(n * 4)),
    work: createWorkCounters(3),
    near: new Float64Array(new SharedArrayBuffer(n * 3 * 8)),
    dirty: new Int32Array(new SharedArrayBuffer(4)),
  }
}

/** Denominators of the Lagrange basis on p equispaced nodes (k + 0.5) / p. */
export function lagrangeDenominators(p: number): Float64Array {
  const denominators = new Float64Array(p)
  for (let k = 0; k < p; k++) {
    let d = 1
    for (let l = 0; l < p; l++) if (l !== k) d *= (k - l) / p
    denominators[k] = d
  }
  return denominators
}

/** Lagrange weights at box-relative coordinate t in [0, 1] for nodes (k + 0.5) / p. */
export function lagrangeWeights(t: number, p: number, denominators: Float64Array, out: Float64Array): void {
  if (p === 3) {
    // the default, in closed form (nodes 1/6, 1/2, 5/6): a quarter of the spread and gather time otherwise
    const a = t - 1 / 6
    const b = t - 0.5
    const c = t - 5 / 6
    out[0] = 4.5 * b * c
    out[1] = -9 * a * c
    out[2] = 4.5 * a * b
    return
  }
  for (let k = 0; k < p; k++) {
    let w = 1
    for (let l = 0; l < p; l++) if (l !== k) w *= t - (l + 0.5) / p
    out[k] = w / denominators[k]!
  }
}



/**
 * One rank, before fftRepulsion(..., planned = true) on every rank and with a barrier in between: plans
 * the grid for the current bounds and sorts the points by cell (row-major), copying their coordinates.
 */
export function planFftRepulsion(y: Float64Array, n: number, dof: number, bounds: ArrayLike<number>, ws: FftWorkspace): void {
  const header = ws.plan
  const calls = header[PLAN_CALLS]!
  header[PLAN_CALLS] = calls + 1
  const plan = nextPlan(calls, { size: header[PLAN_SIZE]!, cutoff: header[PLAN_CUTOFF]! }, ws.settings, (settings, compare) => planGrid(y, n, bounds, settings, dof, ws.cellStart, compare))
  const { boxes, originX, originY } = plan
  const { order, sorted, cellStart, cellOf } = ws
  const { nodes, spacing } = plan
  const last = nodes - 1
  for (let i = 0; i < n; i++) cellOf[i] = cellIndex(y[2 * i + 1]!, originY, spacing, last) * nodes + cellIndex(y[2 * i]!, originX, spacing, last)
  sortByCell(y, n, 2, nodes * nodes, cellOf, cellStart, order, sorted)
  header[PLAN_DIRTY] = ws.dirty[0]!
  ws.dirty[0] = plan.size
  header[PLAN_SIZE] = plan.size
  header[PLAN_BOXES] = boxes
  header[PLAN_SPACING] = plan.spacing
  header[PLAN_ORIGIN_X] = originX
  header[PLAN_ORIGIN_Y] = originY
  header[PLAN_CUTOFF] = plan.cutoff
  ws.work.fill(0)
}

/**
 * SPMD: repulsion for all points with the outputs of exactRepulsion (forces row-major n x 2; pointZ
 * sums to the same Z, though a point's own entry is sum_j!=i w_ij only up to a symmetric rearrangement,
 * see spread). `bounds` = [minX, maxX, minY, maxY] of y. Calls the barrier several times.
 */
export function fftRepulsion(
  y: Float64Array,
  n: number,
  dof: number,
  bounds: ArrayLike<number>,
  ws: FftWorkspace,
  forces: Float64Array,
  pointZ: Float64Array,
  ctx: SpmdContext,
  /** planFftRepulsion has run (on one rank, then a barrier): lets the caller overlap it with other work */
  planned = false,
): void {
  const { rank, size: threads, barrier } = ctx
  const { aRe, aIm, bRe, bIm, cRe, cIm, header, cellStart, settings } = ws
  const p = settings.interpolationPoints
  if (!planned) {
    if (rank === 0) planFftRepulsion(y, n, dof, bounds, ws)
    barrier()
  }
  const L = ws.plan[PLAN_SIZE]!
  const boxes = ws.plan[PLAN_BOXES]!
  const spacing = ws.plan[PLAN_SPACING]!
  const originX = ws.plan[PLAN_ORIGIN_X]!
  const originY = ws.plan[PLAN_ORIGIN_Y]!
  const cutoff = ws.plan[PLAN_CUTOFF]!
  const nodes = boxes * p
  const boxWidth = spacing * p
  const tables = fftTables(L)
  const centreX = originX + (nodes * spacing) / 2
  const centreY = originY + (nodes * spacing) / 2
  const kernel = splitKernel(cutoff, dof)
  const geometry: Geometry = { L, boxes, nodes, p, spacing, boxWidth, originX, originY, centreX, centreY, cutoff, dof }

  if (header[0] !== L || header[1] !== spacing || header[2] !== dof || header[3] !== cutoff) transformKernel(ws, geometry, kernel, ctx)

  if (ws.plan[PLAN_DIRTY] !== 0) {
    // nobody called clearGrids after the last use
    zeroGrids(ws, ws.plan[PLAN_DIRTY]!, rank, threads)
    barrier()
  }

  // near field in bands at least `reach` cell rows high: a band writes only to itself and the band above,
  // so the even bands run at once (beside the spread), then the odd ones (beside the row transforms); their
  // dynamic claims even out the static shares
  const bandRows = cutoff > 0 ? Math.max(1, Math.ceil(cutoff / spacing)) : 0
  const [evenBands, oddBands] = bandsByLoad(cellStart, nodes, nodes, bandRows)
  {
    // box rows own disjoint node rows (a box is p x p cells); each rank takes about n / threads points
    const [b0, b1] = rangeByPrefix(boxes, (b) => cellStart[b * p * nodes]!, rank, threads)
    spread(ws, geometry, cellStart[b0 * p * nodes]!, cellStart[b1 * p * nodes]!)
    for (let k = claimChunk(ws.work, 1, 1, evenBands.length); k >= 0; k = claimChunk(ws.work, 1, 1, evenBands.length)) nearBand(ws, geometry, kernel, evenBands[k]!, bandRows)
  }
  barrier()
  const order = spectrumOrder(L)
  const packed = Math.ceil(nodes / 2)
  {
    const [r0, r1] = rangeOf(nodes, rank, threads)
    forwardRows(aRe, aIm, tables, r0, r1)
    const [q0, q1] = rangeOf(packed, rank, threads)
    forwardRows(bRe, bIm, tables, q0, q1)
    unpackRows(bRe, bIm, cRe, cIm, order, q0, q1)
    for (let k = claimChunk(ws.work, 2, 1, oddBands.length); k >= 0; k = claimChunk(ws.work, 2, 1, oddBands.length)) nearBand(ws, geometry, kernel, oddBands[k]!, bandRows)
  }
  barrier()
  {
    const [c0, c1] = rangeOf(L, rank, threads)
    convolveColumns(ws, tables, c0, c1)
    const [j0, j1] = rangeOf(order.width, rank, threads)
    convolveCompactColumns(ws, tables, order.width, j0, j1)
  }
  barrier()
  {
    const [r0, r1] = rangeOf(nodes, rank, threads)
    inverseRows(aRe, aIm, tables, r0, r1)
    const [q0, q1] = rangeOf(packed, rank, threads)
    packRows(cRe, cIm, bRe, bIm, order, q0, q1)
    inverseRows(bRe, bIm, tables, q0, q1)
  }
  barrier()
  // interpolate the potentials back and add the near field, in box order (grid reads stay local);
  // chunks are handed out dynamically because dense boxes cost more
  for (let start = claimChunk(ws.work, 0, POINT_CHUNK, n); start >= 0; start = claimChunk(ws.work, 0, POINT_CHUNK, n)) {
    gather(ws, geometry, start, Math.min(n, start + POINT_CHUNK), forces, pointZ)
  }
}

const POINT_CHUNK = 256


/** SPMD: the far kernel at node offsets, circulant embedding, transformed once per (L, spacing, cut-off). */
function transformKernel(ws: FftWorkspace, geometry: Geometry, kernel: SplitKernel, ctx: SpmdContext): void {
  const { rank, size: threads, barrier } = ctx
  const { aRe, aIm, kernelHat, header } = ws
  const { L, boxes, boxWidth, cutoff, dof } = geometry
  const nodes = boxes * ws.settings.interpolationPoints
  const spacing = boxWidth / ws.settings.interpolationPoints
  const tables = fftTables(L)
  const [r0, r1] = rangeOf(L, rank, threads)
  for (let r = r0; r < r1; r++) {
    const dr = r < nodes ? r : r > L - nodes ? r - L : NaN
    for (let c = 0; c < L; c++) {
      const dc = c < nodes ? c : c > L - nodes ? c - L : NaN
      let value = 0
      if (dr === dr && dc === dc) value = farKernel((dr * dr + dc * dc) * spacing * spacing, kernel)
      aRe[r * L + c] = value
      aIm[r * L + c] = 0
    }
  }
  barrier()
  forwardRows(aRe, aIm, tables, r0, r1)
  barrier()
  const [c0, c1] = rangeOf(L, rank, threads)
  forwardColumns(aRe, aIm, tables, c0, c1)
  const scale = 1 / (L * L)
  for (let r = 0; r < L; r++) {
    for (let c = c0; c < c1; c++) kernelHat[r * L + c] = aRe[r * L + c]! * scale
    aRe.fill(0, r * L + c0, r * L + c1)
    aIm.fill(0, r * L + c0, r * L + c1)
  }
  barrier()
  const { width, half } = spectrumOrder(L)
  const [j0, j1] = rangeOf(width, rank, threads)
  for (let r = 0; r < L; r++) for (let j = j0; j < j1; j++) ws.kernelCompact[r * width + j] = kernelHat[r * L + half[j]!]!
  barrier()
  if (rank === 0) {
    header[0] = L
    header[1] = spacing
    header[2] = dof
    header[3] = cutoff
  }
}

/**
 * Box of a point along one axis, from its cell (so a point's box always agrees with the cell row it
 * was sorted into), and its Lagrange weights there.
 */
function boxAndWeights(v: number, origin: number, g: Geometry, denominators: Float64Array, out: Float64Array): number {
  const box = Math.floor(cellIndex(v, origin, g.spacing, g.nodes - 1) / g.p)
  lagrangeWeights((v - origin) / g.boxWidth - box, g.p, denominators, out)
  return box
}

/**
 * Spreads charges [1, x, y] (relative to the grid centre) of sorted points [from, to). FIt-SNE's fourth
 * charge |y|^2 (for Z) is not needed: only the total Z enters the gradient, and the interpolated kernel
 * is symmetric (same weights to spread and gather), so sum_i sum_j K_ij |y_j|^2 = sum_i |y_i|^2 phi0_i.
 */
function spread(ws: FftWorkspace, geometry: Geometry, from: number, to: number): void {
  const { aRe, aIm, bRe, bIm, sorted } = ws
  const { L, p, originX, originY, centreX, centreY } = geometry
  const denominators = lagrangeDenominators(p)
  const wx = new Float64Array(p)
  const wy = new Float64Array(p)
  for (let t = from; t < to; t++) {
    const px = sorted[2 * t]!
    const py = sorted[2 * t + 1]!
    const bx = boxAndWeights(px, originX, geometry, denominators, wx)
    const by = boxAndWeights(py, originY, geometry, denominators, wy)
    const x = px - centreX
    const yy = py - centreY
    for (let ky = 0; ky < p; ky++) {
      const row = by * p + ky
      const rowOffset = row * L + bx * p
      // node row 2r goes to the real part of packed row r, 2r + 1 to its imaginary part
      const packed = row & 1 ? bIm : bRe
      const packedOffset = (row >> 1) * L + bx * p
      const wyk = wy[ky]!
      for (let kx = 0; kx < p; kx++) {
        const w = wyk * wx[kx]!
        const at = rowOffset + kx
        aRe[at]! += w
        aIm[at]! += w * x
        packed[packedOffset + kx]! += w * yy
      }
    }
  }
}

/** Columns [c0, c1) of the a grid in slabs: transform, multiply by the kernel (both bit-reversed), transform back. */
function convolveColumns(ws: FftWorkspace, tables: FftTables, c0: number, c1: number): void {
  const { aRe, aIm, kernelHat } = ws
  const L = tables.size
  const slab = 32
  for (let s0 = c0; s0 < c1; s0 += slab) {
    const s1 = Math.min(c1, s0 + slab)
    forwardColumns(aRe, aIm, tables, s0, s1)
    for (let r = 0; r < L; r++) {
      const o = r * L
      for (let c = s0; c < s1; c++) {
        const k = kernelHat[o + c]!
        aRe[o + c]! *= k
        aIm[o + c]! *= k
      }
    }
    inverseColumns(aRe, aIm, tables, s0, s1)
  }
}

/** The same for compact columns [j0, j1) of the y charge's spectra (rows `width` apart). */
function convolveCompactColumns(ws: FftWorkspace, tables: FftTables, width: number, j0: number, j1: number): void {
  const { cRe, cIm, kernelCompact } = ws
  const L = tables.size
  const slab = 16
  for (let s0 = j0; s0 < j1; s0 += slab) {
    const count = Math.min(j1, s0 + slab) - s0
    forward(cRe, cIm, tables, s0, width, count)
    for (let r = 0; r < L; r++) {
      const o = r * width + s0
      for (let c = 0; c < count; c++) {
        const k = kernelCompact[o + c]!
        cRe[o + c]! *= k
        cIm[o + c]! *= k
      }
    }
    inverse(cRe, cIm, tables, s0, width, count)
  }
}

function zeroGrids(ws: FftWorkspace, L: number, rank: number, threads: number): void {
  const [r0, r1] = rangeOf(L, rank, threads)
  ws.aRe.fill(0, r0 * L, r1 * L)
  ws.aIm.fill(0, r0 * L, r1 * L)
  const width = L / 2 + 1
  ws.cRe.fill(0, r0 * width, r1 * width)
  ws.cIm.fill(0, r0 * width, r1 * width)
  // the packed y charge uses at most L / 2 rows (nodes <= L / 2)
  const [q0, q1] = rangeOf(L / 2, rank, threads)
  ws.bRe.fill(0, q0 * L, q1 * L)
  ws.bIm.fill(0, q0 * L, q1 * L)
}

/**
 * SPMD, after a barrier that follows fftRepulsion on every rank: zeroes this rank's share of the
 * grids so the next call can skip its own zeroing pass and barrier. Optional.
 */
export function clearGrids(ws: FftWorkspace, ctx: SpmdContext): void {
  const L = ws.plan[PLAN_SIZE]!
  if (L > 0) zeroGrids(ws, L, ctx.rank, ctx.size)
  // every rank has passed the caller's barrier, so rank 0 alone may mark the grids clean; nobody
  // reads the mark before the next call's planning barrier
  if (ctx.rank === 0) ws.dirty[0] = 0
}

interface Geometry {
  L: number
  boxes: number
  nodes: number
  p: number
  spacing: number
  boxWidth: number
  originX: number
  originY: number
  centreX: number
  centreY: number
  cutoff: number
  dof: number
}

/** Interpolated far field plus the near-field sums (see nearBand) for sorted positions [start, end). */
function gather(ws: FftWorkspace, geometry: Geometry, start: number, end: number, forces: Float64Array, pointZ: Float64Array): void {
  const { aRe, aIm, bRe, bIm, order, sorted, near } = ws
  const { L, p, originX, originY, centreX, centreY, cutoff, dof } = geometry
  const denominators = lagrangeDenominators(p)
  const wx = new Float64Array(p)
  const wy = new Float64Array(p)
  for (let t = start; t < end; t++) {
    const px = sorted[2 * t]!
    const py = sorted[2 * t + 1]!
    const bx = boxAndWeights(px, originX, geometry, denominators, wx)
    const by = boxAndWeights(py, originY, geometry, denominators, wy)
    let phi0 = 0
    let phiX = 0
    let phiY = 0
    for (let ky = 0; ky < p; ky++) {
      const row = by * p + ky
      const rowOffset = row * L + bx * p
      const packed = row & 1 ? bIm : bRe
      const packedOffset = (row >> 1) * L + bx * p
      const wyk = wy[ky]!
      for (let kx = 0; kx < p; kx++) {
        const w = wyk * wx[kx]!
        const at = rowOffset + kx
        phi0 += w * aRe[at]!
        phiX += w * aIm[at]!
        phiY += w * packed[packedOffset + kx]!
      }
    }
    const x = px - centreX
    const yy = py - centreY
    let forceX = x * phi0 - phiX
    let forceY = yy * phi0 - phiY
    // sum_j K2 (1 + s_ij/dof) with sum_j K2 |y_j|^2 replaced by its symmetric partner |y_i|^2 phi0_i (see
    // spread): pointZ[i] differs from the point's own sum, the total Z does not
    let z = phi0 + (2 * (x * x + yy * yy) * phi0 - 2 * (x * phiX + yy * phiY)) / dof - 1
    if (cutoff > 0) {
      forceX += near[3 * t]!
      forceY += near[3 * t + 1]!
      z += near[3 * t + 2]!
      near[3 * t] = 0
      near[3 * t + 1] = 0
      near[3 * t + 2] = 0
    }
    const i = order[t]!
    forces[2 * i] = forceX
    forces[2 * i + 1] = forceY
    pointZ[i] = z
  }
}

/**
 * Near field of the points in cell rows [band * bandRows, (band + 1) * bandRows): exact K2 minus its far
 * part over the pairs closer than the cut-off, each pair once. A point takes the pairs with the points
 * after it in its own cell row and with every point in the `reach` rows above (rows clipped to the
 * cut-off circle; pairs beyond it get weight exactly 0, branch-free), adding to its own sums and
 * subtracting from its partner's. Partners lie in this band or the next, so bands of one parity never
 * touch the same sums, and each sum is built in an order fixed by the bands alone: the result does not
 * depend on the thread count.
 */
function nearBand(ws: FftWorkspace, geometry: Geometry, kernel: SplitKernel, band: number, bandRows: number): void {
  const { sorted, cellStart, near } = ws
  const { nodes, spacing, originX, originY, cutoff, dof } = geometry
  const last = nodes - 1
  const rowFrom = band * bandRows
  const rowTo = Math.min(nodes, rowFrom + bandRows)
  const { sc, ka, kb, heavy, inverseDof, self } = nearFieldTerms(kernel)
  for (let t = cellStart[rowFrom * nodes]!; t < cellStart[rowTo * nodes]!; t++) {
    const px = sorted[2 * t]!
    const py = sorted[2 * t + 1]!
    const cy = cellIndex(py, originY, spacing, last)
    let forceX = 0
    let forceY = 0
    let z = self
    for (let ny = cy; ny <= Math.min(last, cy + bandRows); ny++) {
      let from: number
      let to: number
      if (ny === cy) {
        from = t + 1
        to = cellStart[cy * nodes + cellIndex(px + cutoff, originX, spacing, last) + 1]!
      } else {
        const gapY = originY + ny * spacing - py
        const rest = sc - gapY * gapY
        if (rest <= 0) break
        const extent = Math.sqrt(rest)
        from = cellStart[ny * nodes + cellIndex(px - extent, originX, spacing, last)]!
        to = cellStart[ny * nodes + cellIndex(px + extent, originX, spacing, last) + 1]!
      }
      for (let u = from; u < to; u++) {
        const dx = px - sorted[2 * u]!
        const dy = py - sorted[2 * u + 1]!
        const s = dx * dx + dy * dy
        const e = s < sc ? s - sc : 0
        const base = 1 / (1 + s * inverseDof)
        const k2 = s < sc ? (heavy ? base ** (dof + 1) : base * base) : ka
        const w = k2 - (ka + e * kb)
        const wx = w * dx
        const wy = w * dy
        const wz = w * (1 + s * inverseDof)
        forceX += wx
        forceY += wy
        z += wz
        near[3 * u]! -= wx
        near[3 * u + 1]! -= wy
        near[3 * u + 2]! += wz
      }
    }
    near[3 * t]! += forceX
    near[3 * t + 1]! += forceY
    near[3 * t + 2]! += z
  }
}
