/**
 * @module methods/tsne/gradient/fft2d — FFT-accelerated interpolation for 2D repulsion (FIt-SNE, Linderman
 * et al. 2019) with a particle-particle / particle-mesh split, the point side: charges [1, x, y] of every
 * point are spread onto p x p Lagrange nodes of its box on an equispaced grid, convolved by FFT with the
 * smooth far part of the squared Cauchy kernel (split-kernel.ts; fft2d-grid.ts) and interpolated back; the
 * short-range remainder is summed exactly over the pairs within the cut-off, found through cells one node
 * spacing wide (rows of cells clipped to the cut-off circle), each pair once (see nearBand). The split lets
 * the grid be several times coarser than FIt-SNE's at the same or better accuracy; for small maps (early
 * exaggeration) a fine grid with no split is cheaper and is chosen instead (grid-plan.ts). The passes run in
 * the order fft-repulsion.ts gives both dimensions. Per iteration O(n p^2 + L^2 log L + near pairs).
 * Every sum has a fixed order, independent of the thread count.
 */
import { lagrangeDenominators } from './lagrange.ts'
import { boxAndWeights, type Geometry, type GridPasses } from './fft-particles.ts'
import { convolvePass2d, forwardPass2d, inversePass2d, strides2d, transformKernel2d, zeroGrids2d, type FftWorkspace } from './fft2d-grid.ts'
import { cellIndex } from './replan.ts'
import { nearFieldTerms, type SplitKernel } from './split-kernel.ts'

/** The 2D repulsion's passes, in the shared order (fft-repulsion.ts). */
export const GRID_2D: GridPasses<FftWorkspace> = {
  strides: strides2d,
  transformKernel: transformKernel2d,
  zeroGrids: zeroGrids2d,
  spread,
  near: nearBand,
  forward: forwardPass2d,
  convolve: convolvePass2d,
  inverse: inversePass2d,
  gather,
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
