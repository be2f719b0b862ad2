/**
 * @module tsne/gradient/fft — FFT-accelerated interpolation for 2D repulsion (FIt-SNE, Linderman
 * et al. 2019). Charges [1, x, y, x^2+y^2] of every point are spread onto p x p Lagrange nodes of
 * its box on an equispaced grid, convolved with the squared Cauchy kernel by FFT (two packed
 * complex transforms), and interpolated back. O(n p^2 + L^2 log L) per iteration. Spreading is
 * partitioned by box rows (boxes never share nodes), so results do not depend on thread count.
 */
import { rangeOf, type SpmdContext } from '../../compute/barrier.ts'
import { fftColumns, fftRows, fftTables } from './fft-core.ts'

/** Accuracy knobs: Lagrange nodes per box side, largest node spacing, grid size limits. */
export interface FftSettings {
  interpolationPoints: number
  maxNodeSpacing: number
  minGrid: number
  maxGrid: number
}

export const FFT_DEFAULTS: FftSettings = { interpolationPoints: 3, maxNodeSpacing: 0.5, minGrid: 64, maxGrid: 1024 }

export interface FftWorkspace {
  settings: FftSettings
  aRe: Float64Array
  aIm: Float64Array
  bRe: Float64Array
  bIm: Float64Array
  kernelHat: Float64Array
  /** [grid size L, node spacing, dof] the kernel was transformed for */
  header: Float64Array
  order: Int32Array
  boxRowStart: Int32Array
}

export function createFftWorkspace(n: number, settings: Partial<FftSettings> = {}): FftWorkspace {
  const s = { ...FFT_DEFAULTS, ...settings }
  const cells = s.maxGrid * s.maxGrid
  const grid = () => new Float64Array(new SharedArrayBuffer(cells * 8))
  return {
    settings: s,
    aRe: grid(),
    aIm: grid(),
    bRe: grid(),
    bIm: grid(),
    kernelHat: grid(),
    header: new Float64Array(new SharedArrayBuffer(32)),
    order: new Int32Array(new SharedArrayBuffer(n * 4)),
    boxRowStart: new Int32Array(new SharedArrayBuffer((s.maxGrid + 2) * 4)),
  }
}

/** The grid for the current embedding bounds; every rank derives the same one. */
export function planGrid(bounds: ArrayLike<number>, settings: FftSettings, dof = 1) {
  const p = settings.interpolationPoints
  const extent = Math.max(bounds[1]! - bounds[0]!, bounds[3]! - bounds[2]!) * (1 + 1e-6) + 1e-9
  // heavier tails (dof < 1) make the kernel narrower by sqrt(dof): refine the grid to match
  const needed = Math.ceil(extent / (settings.maxNodeSpacing * Math.min(1, Math.sqrt(dof))))
  let size = settings.minGrid
  while (size < 2 * needed && size < settings.maxGrid) size *= 2
  const boxes = Math.floor(size / 2 / p)
  const nodes = boxes * p
  // node spacing on a 2^(1/8) ladder so the kernel transform can be reused between iterations
  const spacing = 2 ** (Math.ceil(8 * Math.log2(extent / nodes)) / 8)
  const centreX = (bounds[0]! + bounds[1]!) / 2
  const centreY = (bounds[2]! + bounds[3]!) / 2
  const half = (nodes * spacing) / 2
  return { size, boxes, nodes, spacing, boxWidth: spacing * p, originX: centreX - half, originY: centreY - half, centreX, centreY }
}

function lagrangeDenominators(p: number): Float64Array {
  const denominators = new Float64Array(p)
  for (let k = 0; k < p; k++) {
    let d = 1
    for (let l = 0; l < p; l++) if (l !== k) d *= (k - l) / p
    denominators[k] = d
  }
  return denominators
}

/** Lagrange weights at box-relative coordinate t in [0, 1] for nodes (k + 0.5) / p. */
function lagrangeWeights(t: number, p: number, denominators: Float64Array, out: Float64Array): void {
  for (let k = 0; k < p; k++) {
    let w = 1
    for (let l = 0; l < p; l++) if (l !== k) w *= t - (l + 0.5) / p
    out[k] = w / denominators[k]!
  }
}

/**
 * SPMD: repulsion for every rank's points with the same outputs as exactRepulsion.
 * `bounds` = [minX, maxX, minY, maxY] of y (row-major n x 2). Calls the barrier several times.
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
): void {
  const { rank, size: threads, barrier } = ctx
  const { aRe, aIm, bRe, bIm, kernelHat, header, order, boxRowStart, settings } = ws
  const p = settings.interpolationPoints
  const grid = planGrid(bounds, settings, dof)
  const L = grid.size
  const tables = fftTables(L)
  const { boxes, nodes, spacing, boxWidth, originX, originY, centreX, centreY } = grid

  if (header[0] !== L || header[1] !== spacing || header[2] !== dof) {
    // kernel K2 at node offsets, circulant embedding, transformed once per (L, spacing)
    const [r0, r1] = rangeOf(L, rank, threads)
    for (let r = r0; r < r1; r++) {
      const dr = r < nodes ? r : r > L - nodes ? r - L : NaN
      for (let c = 0; c < L; c++) {
        const dc = c < nodes ? c : c > L - nodes ? c - L : NaN
        let value = 0
        if (dr === dr && dc === dc) {
          const dist = (dr * dr + dc * dc) * spacing * spacing
          value = (1 + dist / dof) ** -(dof + 1)
        }
        aRe[r * L + c] = value
        aIm[r * L + c] = 0
      }
    }
    barrier()
    fftRows(aRe, aIm, tables, r0, r1, -1)
    barrier()
    const [c0, c1] = rangeOf(L, rank, threads)
    fftColumns(aRe, aIm, tables, c0, c1, -1)
    const scale = 1 / (L * L)
    for (let r = 0; r < L; r++) for (let c = c0; c < c1; c++) kernelHat[r * L + c] = aRe[r * L + c]! * scale
    barrier()
    if (rank === 0) {
      header[0] = L
      header[1] = spacing
      header[2] = dof
    }
  }

  // zero the grids; rank 0 also sorts points by box row
  {
    const [r0, r1] = rangeOf(L, rank, threads)
    aRe.fill(0, r0 * L, r1 * L)
    aIm.fill(0, r0 * L, r1 * L)
    bRe.fill(0, r0 * L, r1 * L)
    bIm.fill(0, r0 * L, r1 * L)
    if (rank === 0) {
      boxRowStart.fill(0, 0, boxes + 2)
      for (let i = 0; i < n; i++) {
        const row = Math.min(boxes - 1, Math.max(0, Math.floor((y[2 * i + 1]! - originY) / boxWidth)))
        boxRowStart[row + 1]!++
      }
      for (let b = 0; b < boxes; b++) boxRowStart[b + 1]! += boxRowStart[b]!
      const fill = boxRowStart.slice(0, boxes)
      for (let i = 0; i < n; i++) {
        const row = Math.min(boxes - 1, Math.max(0, Math.floor((y[2 * i + 1]! - originY) / boxWidth)))
        order[fill[row]!++] = i
      }
    }
  }
  barrier()

  const denominators = lagrangeDenominators(p)
  const wx = new Float64Array(p)
  const wy = new Float64Array(p)
  // spread charges [1, x, y, x^2 + y^2] (coordinates relative to the grid centre)
  {
    const [b0, b1] = rangeOf(boxes, rank, threads)
    for (let t = boxRowStart[b0]!; t < boxRowStart[b1]!; t++) {
      const i = order[t]!
      const px = y[2 * i]!
      const py = y[2 * i + 1]!
      const fx = (px - originX) / boxWidth
      const fy = (py - originY) / boxWidth
      const bx = Math.min(boxes - 1, Math.max(0, Math.floor(fx)))
      const by = Math.min(boxes - 1, Math.max(0, Math.floor(fy)))
      lagrangeWeights(fx - bx, p, denominators, wx)
      lagrangeWeights(fy - by, p, denominators, wy)
      const x = px - centreX
      const yy = py - centreY
      const norm = x * x + yy * yy
      for (let ky = 0; ky < p; ky++) {
        const rowOffset = (by * p + ky) * L + bx * p
        const wyk = wy[ky]!
        for (let kx = 0; kx < p; kx++) {
          const w = wyk * wx[kx]!
          const at = rowOffset + kx
          aRe[at]! += w
          aIm[at]! += w * x
          bRe[at]! += w * yy
          bIm[at]! += w * norm
        }
      }
    }
  }
  barrier()
  {
    const [r0, r1] = rangeOf(nodes, rank, threads)
    fftRows(aRe, aIm, tables, r0, r1, -1)
    fftRows(bRe, bIm, tables, r0, r1, -1)
  }
  barrier()
  {
    const [c0, c1] = rangeOf(L, rank, threads)
    const slab = 64
    for (let s0 = c0; s0 < c1; s0 += slab) {
      const s1 = Math.min(c1, s0 + slab)
      fftColumns(aRe, aIm, tables, s0, s1, -1)
      fftColumns(bRe, bIm, tables, s0, s1, -1)
      for (let r = 0; r < L; r++) {
        const o = r * L
        for (let c = s0; c < s1; c++) {
          const k = kernelHat[o + c]!
          aRe[o + c]! *= k
          aIm[o + c]! *= k
          bRe[o + c]! *= k
          bIm[o + c]! *= k
        }
      }
      fftColumns(aRe, aIm, tables, s0, s1, 1)
      fftColumns(bRe, bIm, tables, s0, s1, 1)
    }
  }
  barrier()
  {
    const [r0, r1] = rangeOf(nodes, rank, threads)
    fftRows(aRe, aIm, tables, r0, r1, 1)
    fftRows(bRe, bIm, tables, r0, r1, 1)
  }
  barrier()
  // interpolate potentials back to the points
  const [start, end] = rangeOf(n, rank, threads)
  for (let i = start; i < end; i++) {
    const px = y[2 * i]!
    const py = y[2 * i + 1]!
    const fx = (px - originX) / boxWidth
    const fy = (py - originY) / boxWidth
    const bx = Math.min(boxes - 1, Math.max(0, Math.floor(fx)))
    const by = Math.min(boxes - 1, Math.max(0, Math.floor(fy)))
    lagrangeWeights(fx - bx, p, denominators, wx)
    lagrangeWeights(fy - by, p, denominators, wy)
    let phi0 = 0
    let phiX = 0
    let phiY = 0
    let phiN = 0
    for (let ky = 0; ky < p; ky++) {
      const rowOffset = (by * p + ky) * L + bx * p
      const wyk = wy[ky]!
      for (let kx = 0; kx < p; kx++) {
        const w = wyk * wx[kx]!
        const at = rowOffset + kx
        phi0 += w * aRe[at]!
        phiX += w * aIm[at]!
        phiY += w * bRe[at]!
        phiN += w * bIm[at]!
      }
    }
    const x = px - centreX
    const yy = py - centreY
    forces[2 * i] = x * phi0 - phiX
    forces[2 * i + 1] = yy * phi0 - phiY
    pointZ[i] = phi0 + ((x * x + yy * yy) * phi0 - 2 * (x * phiX + yy * phiY) + phiN) / dof - 1
  }
}
