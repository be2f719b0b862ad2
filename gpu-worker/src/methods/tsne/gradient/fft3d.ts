/**
 * @module methods/tsne/gradient/fft3d — FFT-accelerated interpolation for 3D repulsion (the 3D analogue of
 * fft.ts, as FIt-SNE does 3D): charges [1, x, y, z] of every point are spread onto p^3 Lagrange
 * nodes of its box on an equispaced L^3 grid, convolved by FFT with the smooth far part of the
 * squared Cauchy kernel (split-kernel.ts), interpolated back, and the short-range remainder is
 * summed exactly over the pairs within the cut-off, found through cells one node spacing wide
 * (sorted z-major, rows of cells clipped to the cut-off sphere).
 * The four charges ride in two complex grids (1 + ix, y + iz): the kernel is real and even, so its
 * transform is real and the real and imaginary parts convolve independently. FIt-SNE's fifth
 * charge |y_j|^2 (for Z) is not needed: only the total Z enters the gradient, and by the symmetry
 * of the interpolated kernel sum_i sum_j K_ij |y_j|^2 = sum_i |y_i|^2 phi0_i, so pointZ[i] carries
 * phi0_i (1 + 2|y_i|^2/dof) - 2 y_i.phi_i/dof, whose sum is Z (per-point values differ from the
 * exact ones; their sum does not). Transforms skip the zero padding: forward x runs on the nodes^2
 * occupied lines, forward y on the occupied planes, and the inverse mirrors it. Rows and planes are
 * padded so strided column passes do not alias in the caches.
 * Per iteration O(n p^3 + L^3 log L + near pairs); every sum has a fixed order, independent of the
 * thread count.
 */
import { claimChunk, rangeByPrefix, rangeOf, type SpmdContext } from '../../../compute/barrier.ts'
import { fftTables } from './fft-core.ts'
import { lagrangeDenominators, lagrangeWeights } from './fft.ts'
import { nearFieldTerms, splitKernel, type SplitKernel } from './split-kernel.ts'
import { convolveLines, createFft3dWorkspace, forwardPlane, inversePlane, planeStride, rowStride, transformKernel, zeroGrids, type Fft3dWorkspace, type Geometry } from './fft3d-grid.ts'
import { FFT3D_DEFAULTS, planGrid3d, type Fft3dSettings, type Grid3dPlan } from './fft3d-plan.ts'
import { bandsByLoad, cellIndex, nextPlan, sortByCell } from './replan.ts'

export { FFT3D_DEFAULTS, planGrid3d, type Fft3dSettings, type Grid3dPlan }
export { createFft3dWorkspace, type Fft3dWorkspace }

const PLAN_SIZE = 0
const PLAN_BOXES = 1
const PLAN_SPACING = 2
const PLAN_ORIGIN = 3
const PLAN_CUTOFF = 6
const PLAN_DIRTY = 7
const PLAN_CALLS = 8

/**
 * One rank, before fft3dRepulsion(..., planned = true) on every rank and with a barrier in between: plans
 * the grid for the current bounds and sorts the points by cell (z-major), copying their coordinates.
 */
export function planFft3dRepulsion(y: Float64Array, n: number, dof: number, bounds: ArrayLike<number>, ws: Fft3dWorkspace): void {
  const header = ws.plan
  const calls = header[PLAN_CALLS]!
  header[PLAN_CALLS] = calls + 1
  const plan = nextPlan(calls, { size: header[PLAN_SIZE]!, cutoff: header[PLAN_CUTOFF]! }, ws.settings, (settings, compare) => planGrid3d(y, n, bounds, settings, dof, ws.cellStart, compare))
  const { nodes, spacing, origin } = plan
  const { order, sorted, cellStart, cellOf } = ws
  const last = nodes - 1
  for (let i = 0; i < n; i++) {
    const cx = cellIndex(y[3 * i]!, origin[0], spacing, last)
    const cy = cellIndex(y[3 * i + 1]!, origin[1], spacing, last)
    const cz = cellIndex(y[3 * i + 2]!, origin[2], spacing, last)
    cellOf[i] = (cz * nodes + cy) * nodes + cx
  }
  sortByCell(y, n, 3, nodes * nodes * nodes, cellOf, cellStart, order, sorted)
  header[PLAN_DIRTY] = ws.dirty[0]!
  ws.dirty[0] = plan.size
  header[PLAN_SIZE] = plan.size
  header[PLAN_BOXES] = plan.boxes
  header[PLAN_SPACING] = plan.spacing
  header[PLAN_ORIGIN] = origin[0]
  header[PLAN_ORIGIN + 1] = origin[1]
  header[PLAN_ORIGIN + 2] = origin[2]
  header[PLAN_CUTOFF] = plan.cutoff
  ws.work.fill(0)
}

/**
 * SPMD: repulsion for all points with the same outputs as exactRepulsion in 3D (forces row-major
 * n x 3, pointZ[i] = sum_j!=i w_ij). `bounds` = [minX, maxX, minY, maxY, minZ, maxZ] of y. Calls
 * the barrier several times; the caller may clear the grids with clearGrids3d after a barrier.
 */
export function fft3dRepulsion(
  y: Float64Array,
  n: number,
  dof: number,
  bounds: ArrayLike<number>,
  ws: Fft3dWorkspace,
  forces: Float64Array,
  pointZ: Float64Array,
  ctx: SpmdContext,
  /** planFft3dRepulsion has run (on one rank, then a barrier): lets the caller overlap it with other work */
  planned = false,
): void {
  const { rank, size: threads, barrier } = ctx
  const { header, cellStart, settings } = ws
  const p = settings.interpolationPoints
  if (!planned) {
    if (rank === 0) planFft3dRepulsion(y, n, dof, bounds, ws)
    barrier()
  }
  const plan = ws.plan
  const L = plan[PLAN_SIZE]!
  const boxes = plan[PLAN_BOXES]!
  const spacing = plan[PLAN_SPACING]!
  const cutoff = plan[PLAN_CUTOFF]!
  const nodes = boxes * p
  const half = (nodes * spacing) / 2
  const geometry: Geometry = {
    L,
    rows: rowStride(L),
    planes: planeStride(L),
    boxes,
    nodes,
    p,
    spacing,
    boxWidth: spacing * p,
    originX: plan[PLAN_ORIGIN]!,
    originY: plan[PLAN_ORIGIN + 1]!,
    originZ: plan[PLAN_ORIGIN + 2]!,
    centreX: plan[PLAN_ORIGIN]! + half,
    centreY: plan[PLAN_ORIGIN + 1]! + half,
    centreZ: plan[PLAN_ORIGIN + 2]! + half,
    cutoff,
    dof,
  }
  const tables = fftTables(L)
  const kernel = splitKernel(cutoff, dof)

  if (header[0] !== L || header[1] !== spacing || header[2] !== dof || header[3] !== cutoff) transformKernel(ws, geometry, spacing, kernel, tables, ctx)

  if (plan[PLAN_DIRTY] !== 0) {
    zeroGrids(ws, plan[PLAN_DIRTY]!, rank, threads)
    barrier()
  }
  // near field in slabs at least `reach` cell planes thick: a slab writes only to itself and the slab
  // above, so the even slabs run at once (beside the spread), then the odd ones (beside the plane
  // transforms); their dynamic claims even out the static shares
  const slabPlanes = cutoff > 0 ? Math.max(1, Math.ceil(cutoff / spacing)) : 0
  const [evenSlabs, oddSlabs] = bandsByLoad(cellStart, nodes, nodes * nodes, slabPlanes)
  {
    // box slabs along z own disjoint node planes (a box is p x p x p cells)
    const [b0, b1] = rangeByPrefix(boxes, (b) => cellStart[b * p * nodes * nodes]!, rank, threads)
    spread(ws, geometry, cellStart[b0 * p * nodes * nodes]!, cellStart[b1 * p * nodes * nodes]!)
    for (let k = claimChunk(ws.work, 1, 1, evenSlabs.length); k >= 0; k = claimChunk(ws.work, 1, 1, evenSlabs.length)) nearSlab(ws, geometry, kernel, evenSlabs[k]!, slabPlanes)
  }
  barrier()
  {
    const [z0, z1] = rangeOf(nodes, rank, threads)
    for (let z = z0; z < z1; z++) forwardPlane(ws, geometry, tables, z, nodes, 2)
    for (let k = claimChunk(ws.work, 2, 1, oddSlabs.length); k >= 0; k = claimChunk(ws.work, 2, 1, oddSlabs.length)) nearSlab(ws, geometry, kernel, oddSlabs[k]!, slabPlanes)
  }
  barrier()
  {
    const [c0, c1] = rangeOf(L, rank, threads)
    convolveLines(ws, geometry, tables, c0, c1, 2)
  }
  barrier()
  {
    const [z0, z1] = rangeOf(nodes, rank, threads)
    for (let z = z0; z < z1; z++) inversePlane(ws, geometry, tables, z, nodes, 2)
  }
  barrier()
  for (let start = claimChunk(ws.work, 0, POINT_CHUNK, n); start >= 0; start = claimChunk(ws.work, 0, POINT_CHUNK, n)) {
    gather(ws, geometry, start, Math.min(n, start + POINT_CHUNK), forces, pointZ)
  }
}

const POINT_CHUNK = 256
/**
 * SPMD, after a barrier that follows fft3dRepulsion on every rank: zeroes this rank's share of the
 * grids so the next call skips its own zeroing pass and barrier. Optional.
 */
export function clearGrids3d(ws: Fft3dWorkspace, ctx: SpmdContext): void {
  const L = ws.plan[PLAN_SIZE]!
  if (L > 0) zeroGrids(ws, L, ctx.rank, ctx.size)
  if (ctx.rank === 0) ws.dirty[0] = 0
}

/**
 * Box of a point along one axis, from its cell (so a point's box always agrees with the cell slab
 * it was sorted into), and its Lagrange weights there.
 */
function boxAndWeights(v: number, origin: number, g: Geometry, denominators: Float64Array, out: Float64Array): number {
  const box = Math.floor(cellIndex(v, origin, g.spacing, g.nodes - 1) / g.p)
  lagrangeWeights((v - origin) / g.boxWidth - box, g.p, denominators, out)
  return box
}

/** Spreads charges [1, x, y, z] (relative to the grid centre) of sorted points [from, to). */
function spread(ws: Fft3dWorkspace, g: Geometry, from: number, to: number): void {
  const { sorted } = ws
  const [re0, re1] = ws.re as [Float64Array, Float64Array]
  const [im0, im1] = ws.im as [Float64Array, Float64Array]
  const { rows, planes, p, originX, originY, originZ, centreX, centreY, centreZ } = g
  const denominators = lagrangeDenominators(p)
  const wx = new Float64Array(p)
  const wy = new Float64Array(p)
  const wz = new Float64Array(p)
  for (let t = from; t < to; t++) {
    const px = sorted[3 * t]!
    const py = sorted[3 * t + 1]!
    const pz = sorted[3 * t + 2]!
    const bx = boxAndWeights(px, originX, g, denominators, wx)
    const by = boxAndWeights(py, originY, g, denominators, wy)
    const bz = boxAndWeights(pz, originZ, g, denominators, wz)
    const x = px - centreX
    const yy = py - centreY
    const z = pz - centreZ
    for (let kz = 0; kz < p; kz++) {
      const planeOffset = (bz * p + kz) * planes + by * p * rows + bx * p
      const wzk = wz[kz]!
      for (let ky = 0; ky < p; ky++) {
        const rowOffset = planeOffset + ky * rows
        const wyz = wzk * wy[ky]!
        for (let kx = 0; kx < p; kx++) {
          const w = wyz * wx[kx]!
          const at = rowOffset + kx
          re0[at]! += w
          im0[at]! += w * x
          re1[at]! += w * yy
          im1[at]! += w * z
        }
      }
    }
  }
}

/** Interpolated far field plus the near-field sums (see nearSlab) for sorted positions [start, end). */
function gather(ws: Fft3dWorkspace, g: Geometry, start: number, end: number, forces: Float64Array, pointZ: Float64Array): void {
  const { order, sorted, near } = ws
  const [re0, re1] = ws.re as [Float64Array, Float64Array]
  const [im0, im1] = ws.im as [Float64Array, Float64Array]
  const { rows, planes, p, originX, originY, originZ, centreX, centreY, centreZ, cutoff, dof } = g
  const denominators = lagrangeDenominators(p)
  const wx = new Float64Array(p)
  const wy = new Float64Array(p)
  const wz = new Float64Array(p)
  for (let t = start; t < end; t++) {
    const px = sorted[3 * t]!
    const py = sorted[3 * t + 1]!
    const pz = sorted[3 * t + 2]!
    const bx = boxAndWeights(px, originX, g, denominators, wx)
    const by = boxAndWeights(py, originY, g, denominators, wy)
    const bz = boxAndWeights(pz, originZ, g, denominators, wz)
    let phi0 = 0
    let phiX = 0
    let phiY = 0
    let phiZ = 0
    for (let kz = 0; kz < p; kz++) {
      const planeOffset = (bz * p + kz) * planes + by * p * rows + bx * p
      const wzk = wz[kz]!
      for (let ky = 0; ky < p; ky++) {
        const rowOffset = planeOffset + ky * rows
        const wyz = wzk * wy[ky]!
        for (let kx = 0; kx < p; kx++) {
          const w = wyz * wx[kx]!
          const at = rowOffset + kx
          phi0 += w * re0[at]!
          phiX += w * im0[at]!
          phiY += w * re1[at]!
          phiZ += w * im1[at]!
        }
      }
    }
    const x = px - centreX
    const yy = py - centreY
    const z = pz - centreZ
    let forceX = x * phi0 - phiX
    let forceY = yy * phi0 - phiY
    let forceZ = z * phi0 - phiZ
    // sum_j K2 (1 + s_ij/dof) with sum_j K2 |y_j|^2 replaced by its symmetric partner |y_i|^2 phi0_i
    let zSum = phi0 + (2 * (x * x + yy * yy + z * z) * phi0 - 2 * (x * phiX + yy * phiY + z * phiZ)) / dof - 1
    if (cutoff > 0) {
      forceX += near[4 * t]!
      forceY += near[4 * t + 1]!
      forceZ += near[4 * t + 2]!
      zSum += near[4 * t + 3]!
      near.fill(0, 4 * t, 4 * t + 4)
    }
    const i = order[t]!
    forces[3 * i] = forceX
    forces[3 * i + 1] = forceY
    forces[3 * i + 2] = forceZ
    pointZ[i] = zSum
  }
}


/**
 * Near field of the points in cell planes [slab * slabPlanes, (slab + 1) * slabPlanes): exact K2 minus its
 * far part over the pairs closer than the cut-off, each pair once. A point takes the pairs with the points
 * after it in its own cell row, every point in the rows above it in its plane and in the `reach` planes
 * above (rows skipped or clipped to the cut-off sphere; pairs beyond it get weight exactly 0, branch-free),
 * adding to its own sums and subtracting from its partner's. Partners lie in this slab or the next, so
 * slabs of one parity never touch the same sums, and each sum is built in an order fixed by the slabs
 * alone: the result does not depend on the thread count.
 */
function nearSlab(ws: Fft3dWorkspace, g: Geometry, kernel: SplitKernel, slab: number, slabPlanes: number): void {
  const { sorted, cellStart, near } = ws
  const { nodes, spacing, originX, originY, originZ, dof } = g
  const last = nodes - 1
  const planeFrom = slab * slabPlanes
  const planeTo = Math.min(nodes, planeFrom + slabPlanes)
  const { sc, ka, kb, heavy, inverseDof, self } = nearFieldTerms(kernel)
  for (let t = cellStart[planeFrom * nodes * nodes]!; t < cellStart[planeTo * nodes * nodes]!; t++) {
    const px = sorted[3 * t]!
    const py = sorted[3 * t + 1]!
    const pz = sorted[3 * t + 2]!
    const cy = cellIndex(py, originY, spacing, last)
    const cz = cellIndex(pz, originZ, spacing, last)
    let forceX = 0
    let forceY = 0
    let forceZ = 0
    let zSum = self
    for (let nz = cz; nz <= Math.min(last, cz + slabPlanes); nz++) {
      const slabZ = originZ + nz * spacing
      const gapZ = pz < slabZ ? slabZ - pz : pz > slabZ + spacing ? pz - slabZ - spacing : 0
      const restZ = sc - gapZ * gapZ
      if (restZ <= 0) break
      for (let ny = nz === cz ? cy : Math.max(0, cy - slabPlanes); ny <= Math.min(last, cy + slabPlanes); ny++) {
        const slabY = originY + ny * spacing
        const gapY = py < slabY ? slabY - py : py > slabY + spacing ? py - slabY - spacing : 0
        const rest = restZ - gapY * gapY
        if (rest <= 0) continue
        const extent = Math.sqrt(rest)
        const row = (nz * nodes + ny) * nodes
        const to = cellStart[row + cellIndex(px + extent, originX, spacing, last) + 1]!
        const from = nz === cz && ny === cy ? t + 1 : cellStart[row + cellIndex(px - extent, originX, spacing, last)]!
        for (let u = from; u < to; u++) {
          const dx = px - sorted[3 * u]!
          const dy = py - sorted[3 * u + 1]!
          const dz = pz - sorted[3 * u + 2]!
          const s = dx * dx + dy * dy + dz * dz
          const e = s < sc ? s - sc : 0
          const base = 1 / (1 + s * inverseDof)
          const k2 = s < sc ? (heavy ? base ** (dof + 1) : base * base) : ka
          const w = k2 - (ka + e * kb)
          const wx = w * dx
          const wy = w * dy
          const wz = w * dz
          const wZ = w * (1 + s * inverseDof)
          forceX += wx
          forceY += wy
          forceZ += wz
          zSum += wZ
          near[4 * u]! -= wx
          near[4 * u + 1]! -= wy
          near[4 * u + 2]! -= wz
          near[4 * u + 3]! += wZ
        }
      }
    }
    near[4 * t]! += forceX
    near[4 * t + 1]! += forceY
    near[4 * t + 2]! += forceZ
    near[4 * t + 3]! += zSum
  }
}
